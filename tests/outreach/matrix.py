"""The outreach app's part of the scope matrix (tests/scope): party organisations and party members, events and
volunteer organisations (see
tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from grids.models import Place
from outreach import services as outreach_services
from outreach.models import Event, PartyMember, PartyOrganization, VolunteerOrganization
from tests.scope import spec
from tests.scope.matrix import AdminRelation, Driver, grid_anchor, new_key


def _drop_party_org(world, grid: Place) -> None:
    PartyMember.objects.filter(organization__grid=grid).delete()
    PartyOrganization.objects.filter(grid=grid).delete()


DRIVERS = {
    "party_org": Driver(
        key="party_org", model=PartyOrganization, admin_name="outreach_partyorganization",
        api_basename="party-organization",
        anchor=grid_anchor,
        find=lambda world, key: PartyOrganization.objects.get(grid=world.cast.places[key]),
        before_create=_drop_party_org,
        page_create=lambda world, p: {"kind": "branch", "name": "矩阵支部", "idempotency_key": new_key()},
        page_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": "", "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "branch", "name": "矩阵支部", "secretary": ""},
        admin_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": ""},
        api_create=lambda world, p: {"grid": p.code, "kind": "branch", "name": "矩阵支部"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "party_member": Driver(
        key="party_member", model=PartyMember, admin_name="outreach_partymember", api_basename="party-member",
        anchor=grid_anchor,
        find=lambda world, key: PartyMember.objects.get(organization__grid=world.cast.places[key]),
        page_create=lambda world, p: {"name": "矩阵党员", "mobile": "13811112222", "registered_on": "2025-01-01",
                                      "idempotency_key": new_key()},
        page_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "registered_on": str(o.registered_on),
                               "version": o.version},
        admin_create=lambda world, p: {"organization": PartyOrganization.objects.get(grid=p).pk, "name": "矩阵党员",
                                       "mobile": "13811112222", "registered_on": "2025-01-01"},
        admin_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "registered_on": str(o.registered_on)},
        api_create=lambda world, p: {"organization": PartyOrganization.objects.get(grid=p).pk, "name": "矩阵党员",
                                     "mobile": "13811112222", "registered_on": "2025-01-01"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
}


def populate(world) -> None:
    """Each party member of the cast has a mobile of their own, to find on a page."""
    for index, member in enumerate(PartyMember.objects.order_by("pk")):
        PartyMember.objects.filter(pk=member.pk).update(mobile=f"1370000{index:04d}")
    _populate_events(world)


PERSONAL_FIELDS = {
    ("party_member", "mobile"): ("service", "page", "api", "admin"),
}

FOREIGN_KEYS = {
    "party_org": ["G3", "G4"],
}

ADMIN_RELATIONS = [
    AdminRelation("outreach_partyorganization", "grid", "add", "party_org", "place", ("grid",),
                  DRIVERS["party_org"].admin_create),
    AdminRelation("outreach_partymember", "organization", "add", "party_member", "party_org", ("grid",),
                  DRIVERS["party_member"].admin_create),
]


# ---------------------------------------------------------------------------------------------- events, volunteer orgs

EVENT_PLACES = ("D", "D2", "S1", "S2", "S3", "C1", "C2", "C3", "C4", "G1", "G1b", "G2", "G3", "G4")
ORG_PLACES = ("D", "D2", "S1", "S2", "S3", "C1", "C2", "C3", "C4")


def _when(days: int = 7) -> tuple[datetime.datetime, datetime.datetime]:
    start = (timezone.localtime() + datetime.timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(hours=2)


def _local(moment: datetime.datetime, fmt: str) -> str:
    return timezone.localtime(moment).strftime(fmt)


def _event_anchor(target: str, mine: str, relation: str) -> str | None:
    """An event sits at any place from the district down to a grid."""
    return target if spec.LEVEL[target] != "city" else None


def _org_anchor(target: str, mine: str, relation: str) -> str | None:
    """Volunteer organisations sit at districts, streets and communities: a grid's relation points at its community."""
    if spec.LEVEL.get(target) == "grid":
        target = spec.PARENT[target]
        if relation != "own" and spec.within(mine, target):
            return None  # the grid's own community is its "parent" relation, not a sibling's
    return target if spec.LEVEL.get(target) in ("district", "street", "community") else None


def _event_page_fields(title: str, starts_at, ends_at) -> dict:
    return {"kind": "lecture", "title": title, "topic": "", "starts_at": _local(starts_at, "%Y-%m-%dT%H:%M"),
            "ends_at": _local(ends_at, "%Y-%m-%dT%H:%M"), "address": "", "lng": "", "lat": "", "speakers": "",
            "stream_url": "", "planned_audience": ""}


def _event_page_create(world, p):
    starts_at, ends_at = _when()
    return {**_event_page_fields("矩阵新活动", starts_at, ends_at), "venue": p.code, "organizer": "",
            "back_entry_reason": "", "idempotency_key": new_key()}


def _event_admin_fields(title: str, starts_at, ends_at) -> dict:
    return {"kind": "lecture", "title": title, "topic": "", "address": "", "speakers": "", "stream_url": "",
            "planned_audience": "", "starts_at_0": _local(starts_at, "%Y-%m-%d"), "starts_at_1": _local(starts_at, "%H:%M:%S"),
            "ends_at_0": _local(ends_at, "%Y-%m-%d"), "ends_at_1": _local(ends_at, "%H:%M:%S")}


def _event_service_create(world, actor, p):
    starts_at, ends_at = _when()
    return outreach_services.event_create(actor=actor, kind="lecture", title="矩阵新活动", venue=p,
                                          starts_at=starts_at, ends_at=ends_at)


_ORG_EMPTY = {"contact_name": "", "phone": "", "description": "", "founded_on": ""}

DRIVERS["event"] = Driver(
    key="event", model=Event, admin_name="outreach_event", api_basename="event", anchor=_event_anchor,
    find=lambda world, key: Event.objects.get(venue=world.cast.places[key], title="矩阵活动"),
    mutable_field="title",
    page_list_url="/outreach/events/", page_detail_url=lambda o: reverse("outreach_events:detail", args=[o.pk]),
    page_create_url="/outreach/events/new/", page_create=_event_page_create,
    page_update_url=lambda o: reverse("outreach_events:edit", args=[o.pk]),
    page_update=lambda o: {**_event_page_fields(o.title + "改", o.starts_at, o.ends_at), "version": o.version},
    service_create=_event_service_create,
    service_update=lambda actor, o: outreach_services.event_update(actor=actor, event=o, title=o.title + "改"),
    admin_create=lambda world, p: {"venue": p.pk, **_event_admin_fields("矩阵新活动", *_when())},
    admin_update=lambda o: _event_admin_fields(o.title + "改", o.starts_at, o.ends_at),
    api_create=lambda world, p: {"venue": p.code, "kind": "lecture", "title": "矩阵新活动",
                                 "starts_at": _when()[0].isoformat(), "ends_at": _when()[1].isoformat()},
    api_update=lambda o: {"title": o.title + "改", "version": o.version},
)

DRIVERS["volunteer_org"] = Driver(
    key="volunteer_org", model=VolunteerOrganization, admin_name="outreach_volunteerorganization",
    api_basename="volunteer-organization", anchor=_org_anchor,
    find=lambda world, key: VolunteerOrganization.objects.get(place=world.cast.places[key], name="矩阵志愿队"),
    page_create=lambda world, p: {"name": "矩阵新志愿队", **_ORG_EMPTY, "idempotency_key": new_key()},
    page_update=lambda o: {"name": o.name + "改", **_ORG_EMPTY, "version": o.version},
    admin_create=lambda world, p: {"place": p.pk, "name": "矩阵新志愿队", **_ORG_EMPTY},
    admin_update=lambda o: {"name": o.name + "改", **_ORG_EMPTY},
    api_create=lambda world, p: {"place": p.code, "name": "矩阵新志愿队"},
    api_update=lambda o: {"name": o.name + "改", "version": o.version},
)


def _populate_events(world) -> None:
    """A draft event at every place from the districts down to the grids, and a volunteer organisation at every
    district, street and community."""
    admin = world.cast.admin
    starts_at, ends_at = _when(10)
    for key in EVENT_PLACES:
        outreach_services.event_create(actor=admin, kind="party_lesson", title="矩阵活动",
                                       venue=world.cast.places[key], starts_at=starts_at, ends_at=ends_at)
    for key in ORG_PLACES:
        outreach_services.volunteer_org_create(actor=admin, place=world.cast.places[key], name="矩阵志愿队")


FOREIGN_KEYS["volunteer_org"] = ["C3", "C4"]

ADMIN_RELATIONS += [
    AdminRelation("outreach_event", "venue", "add", "event", "place", ("grid", "community", "street"),
                  DRIVERS["event"].admin_create),
    AdminRelation("outreach_volunteerorganization", "place", "add", "volunteer_org", "place",
                  ("community", "street", "district"), DRIVERS["volunteer_org"].admin_create),
]
