"""The outreach app's part of the scope matrix (tests/scope): party organisations and party members, events and
volunteer organisations, volunteers and hours, certificates, the lecturers' pool (see tests/grids/matrix.py for what a
part holds)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from grids.models import Level, Place
from outreach import services as outreach_services
from outreach.models import (
    BranchMeeting,
    Event,
    Lecturer,
    LessonRequest,
    MeetingAttendance,
    MeetingKind,
    PartyMember,
    PartyOrganization,
    VolunteerOrganization,
)
from tests.scope import spec
from tests.scope.matrix import AdminRelation, Driver, grid_anchor, key_of, new_key


def _drop_party_org(world, place: Place) -> None:
    MeetingAttendance.objects.filter(meeting__organization__place=place).delete()
    BranchMeeting.objects.filter(organization__place=place).delete()
    PartyMember.objects.filter(organization__place=place).delete()
    PartyOrganization.objects.filter(place=place).delete()


# The communities of the cast with a party committee of their own (tests/cast.py).
PARTY_COMMUNITIES = {"C1", "C2", "C3"}


def party_anchor(target: str, mine: str, relation: str) -> str | None:
    """Party organisations stand on communities and grids: a community's relation points at its own committee, a
    street's or district's at a grid below (as for the grids' records)."""
    if target in PARTY_COMMUNITIES:
        return target
    return grid_anchor(target, mine, relation)


DRIVERS = {
    "party_org": Driver(
        key="party_org", model=PartyOrganization, admin_name="outreach_partyorganization",
        api_basename="party-organization",
        anchor=party_anchor,
        find=lambda world, key: PartyOrganization.objects.get(place=world.cast.places[key]),
        before_create=_drop_party_org,
        page_create=lambda world, p: {"kind": "branch", "name": "矩阵支部", "idempotency_key": new_key()},
        page_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": "", "version": o.version},
        admin_create=lambda world, p: {"place": p.pk, "kind": "branch", "name": "矩阵支部", "secretary": ""},
        admin_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": ""},
        api_create=lambda world, p: {"place": p.code, "kind": "branch", "name": "矩阵支部"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "party_member": Driver(
        key="party_member", model=PartyMember, admin_name="outreach_partymember", api_basename="party-member",
        anchor=party_anchor,
        find=lambda world, key: PartyMember.objects.get(organization__place=world.cast.places[key]),
        page_create=lambda world, p: {"name": "矩阵党员", "mobile": "13811112222", "registered_on": "2025-01-01",
                                      "idempotency_key": new_key()},
        page_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "registered_on": str(o.registered_on),
                               "version": o.version},
        admin_create=lambda world, p: {"organization": PartyOrganization.objects.get(place=p).pk, "name": "矩阵党员",
                                       "mobile": "13811112222", "registered_on": "2025-01-01"},
        admin_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "registered_on": str(o.registered_on)},
        api_create=lambda world, p: {"organization": PartyOrganization.objects.get(place=p).pk, "name": "矩阵党员",
                                     "mobile": "13811112222", "registered_on": "2025-01-01"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
}


# ---------------------------------------------------------------------------------------------- the lecturers' pool

COMMUNITIES_IN_ORDER = [key for key, level in spec.LEVEL.items() if level == "community"]
LECTURER_LEVELS = {"district", "street", "community"}


def lecturer_anchor(target: str, mine: str, relation: str) -> str | None:
    """Lecturers belong to a district, a street or a community: a grid's relation points at its community."""
    if spec.LEVEL[target] == "grid":
        target = spec.PARENT[target]
        if relation != "own" and spec.within(mine, target):
            return None  # the grid's own community is its "parent" relation, not a sibling's
    return target if spec.LEVEL[target] in LECTURER_LEVELS else None


def community_anchor(target: str, mine: str, relation: str) -> str | None:
    """Lesson requests are a community's: a street's or district's relation points at a community within it."""
    if spec.LEVEL[target] in ("grid", "community"):
        return lecturer_anchor(target, mine, relation)
    for key in COMMUNITIES_IN_ORDER:
        if spec.within(key, target) and (relation == "own" or not spec.within(key, mine)):
            return key
    return None


LECTURER_DRIVERS = {
    "lecturer": Driver(
        key="lecturer", model=Lecturer, admin_name="", api_basename="lecturer", anchor=lecturer_anchor,
        surfaces=("service", "page", "api"),
        find=lambda world, key: Lecturer.objects.get(home=world.cast.places[key]),
        page_list_url="/outreach/lecturers/",
        page_detail_url=lambda o: f"/outreach/lecturers/{o.pk}/",
        # created and kept on the management pages (outreach/managed.py)
        page_create=lambda world, p: {"name": "矩阵宣讲员", "mobile": "13622223333", "kind": "teacher", "unit": "",
                                      "idempotency_key": new_key()},
        page_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "kind": o.kind, "unit": o.unit,
                               "active": "on", "version": o.version},
        service_create=lambda world, actor, p: outreach_services.lecturer_create(
            actor=actor, home=p, name="矩阵宣讲员", mobile="13622223333", kind="teacher", idempotency_key=new_key()),
        service_update=lambda actor, o: outreach_services.lecturer_update(actor=actor, lecturer=o, name=o.name + "改"),
        api_create=lambda world, p: {"home": p.code, "name": "矩阵宣讲员", "mobile": "13622223333", "kind": "teacher"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "lesson_request": Driver(
        key="lesson_request", model=LessonRequest, admin_name="", api_basename="lesson-request",
        anchor=community_anchor, mutable_field="status", surfaces=("service", "page", "api"),
        find=lambda world, key: LessonRequest.objects.get(community=world.cast.places[key], requester_name="矩阵点单人"),
        page_list_url="/outreach/lecturers/requests/",
        page_detail_url=lambda o: f"/outreach/lecturers/requests/{o.pk}/",
        page_create_url="/outreach/lecturers/requests/new/",
        page_create=lambda world, p: {"community": p.pk, "requester_name": "矩阵", "requester_mobile": "13712345678",
                                      "topic_wish": "矩阵点单", "idempotency_key": new_key()},
        page_update_url=lambda o: f"/outreach/lecturers/requests/{o.pk}/cancel",
        page_update=lambda o: {"reason": "矩阵取消", "version": o.version},
        service_create=lambda world, actor, p: outreach_services.lesson_request_create(
            actor=actor, community=p, requester_name="矩阵", requester_mobile="13712345678", topic_wish="矩阵点单"),
        service_update=lambda actor, o: outreach_services.lesson_request_cancel(actor=actor, request=o,
                                                                                reason="矩阵取消"),
        api_create=lambda world, p: {"community": p.code, "requester_name": "矩阵", "requester_mobile": "13712345678",
                                     "topic_wish": "矩阵点单"},
        api_update_url=lambda o: f"/api/v1/lesson-requests/{o.pk}/cancel/",
        api_update=lambda o: {"reason": "矩阵取消", "version": o.version},
    ),
}
DRIVERS.update(LECTURER_DRIVERS)


def _meeting(world, key: str) -> BranchMeeting:
    """This month's 主题党日 of the place's party organisation (made when the cast built the organisation)."""
    return BranchMeeting.objects.get(organization__place=world.cast.places[key], kind=MeetingKind.PARTY_DAY,
                                     period=f"{timezone.localdate():%Y-%m}")


def _member_of(meeting: BranchMeeting) -> PartyMember:
    return PartyMember.objects.filter(organization_id=meeting.organization_id).order_by("pk").first()


def _record_data(meeting: BranchMeeting) -> dict:
    held = max(timezone.localdate().replace(day=1), timezone.localdate() - datetime.timedelta(days=1))
    return {"held_on": held.isoformat(), "minutes": (meeting.minutes or "矩阵会议记录") + "改",
            "present": [_member_of(meeting).pk], "version": meeting.version}


def _record(actor, meeting: BranchMeeting) -> BranchMeeting:
    data = _record_data(meeting)
    return outreach_services.branch_meeting_record(actor=actor, meeting=meeting,
                                          held_on=datetime.date.fromisoformat(data["held_on"]),
                                          minutes=data["minutes"], present=[_member_of(meeting)])


DRIVERS["branch_meeting"] = Driver(
    key="branch_meeting", model=BranchMeeting, admin_name="outreach_branchmeeting", api_basename="branch-meeting",
    anchor=party_anchor, find=_meeting, mutable_field="minutes", surfaces=("service", "page", "api"),
    service_update=_record,
    page_list_url="/outreach/party/?state=all",
    page_detail_url=lambda m: reverse("party_life:record", args=[m.pk]),
    page_update_url=lambda m: reverse("party_life:record", args=[m.pk]),
    page_update=_record_data,
    api_update=_record_data,
)


def populate(world) -> None:
    """Each party member of the cast has a mobile of their own, to find on a page; a lecturer at every district,
    street and community, and a lesson request (waiting to be assigned) at every community, each with a mobile of
    their own."""
    for index, member in enumerate(PartyMember.objects.order_by("pk")):
        PartyMember.objects.filter(pk=member.pk).update(mobile=f"1370000{index:04d}")
    _populate_certificates(world)
    admin = world.cast.admin
    for index, place in enumerate(sorted(world.cast.places.values(), key=lambda p: p.code)):
        if place.level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
            outreach_services.lecturer_create(actor=admin, home=place, name=f"{place.name}宣讲员",
                                              mobile=f"1380000{index:04d}", kind="cadre")
        if place.level == Level.COMMUNITY:
            outreach_services.lesson_request_create(actor=admin, community=place, requester_name="矩阵点单人",
                                                    requester_mobile=f"1350000{index:04d}", topic_wish="矩阵点单")
    _populate_events(world)


PERSONAL_FIELDS = {
    ("party_member", "mobile"): ("service", "page", "api", "admin"),
    ("lecturer", "mobile"): ("service", "page", "api"),
    ("lesson_request", "requester_mobile"): ("service", "api"),
}

FOREIGN_KEYS = {
    "party_org": ["G3", "G4"],
}

ADMIN_RELATIONS = [
    AdminRelation("outreach_partyorganization", "place", "add", "party_org", "place", ("grid",),
                  DRIVERS["party_org"].admin_create),
    AdminRelation("outreach_partymember", "organization", "add", "party_member", "party_org", ("grid",),
                  DRIVERS["party_member"].admin_create),
]


# ---------------------------------------------------------------------------------------------- certificates
# An organisation, a volunteer with verified hours and a certificate at every place of the world (the certs area).


def _certificate_place(target: str, mine: str, relation: str) -> str | None:
    return target if spec.LEVEL[target] != "city" else None


def _free_certificates(world, place: Place) -> None:
    from outreach.models import Certificate, CertifiedRecord

    CertifiedRecord.objects.filter(certificate__organization__place=place).delete()
    Certificate.objects.filter(organization__place=place).delete()


def _issue(world, actor, place: Place):
    from outreach import services
    from outreach.models import VolunteerOrganization

    organization = VolunteerOrganization.objects.get(place=place, name="矩阵证书志愿队")
    return services.certificate_issue(actor=actor, organization=organization,
                                      volunteer=organization.service_records.first().volunteer,
                                      period_from=_PERIOD[0], period_to=_PERIOD[1])


def _issue_form(world, place: Place) -> dict:
    from outreach.models import VolunteerOrganization

    organization = VolunteerOrganization.objects.get(place=place, name="矩阵证书志愿队")
    return {"organization": organization.pk, "volunteer": organization.service_records.first().volunteer_id,
            "period_from": str(_PERIOD[0]), "period_to": str(_PERIOD[1]), "idempotency_key": new_key()}


_PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def _populate_certificates(world) -> None:
    from outreach import services
    from tests.outreach import certs_world

    for key, level in spec.LEVEL.items():
        if level in ("city", "building"):
            continue
        place = world.cast.places[key]
        organization = certs_world.org(place, "矩阵证书志愿队")
        who = certs_world.volunteer(place, f"{key}证书志愿者")
        certs_world.record(who, organization, datetime.date(2026, 3, 1))
        services.certificate_issue(actor=world.cast.admin, organization=organization, volunteer=who,
                                   period_from=_PERIOD[0], period_to=_PERIOD[1])


def _find_certificate(world, key: str):
    from outreach.models import Certificate

    return Certificate.objects.get(organization__place=world.cast.places[key], organization__name="矩阵证书志愿队")


def _revoke(actor, certificate):
    from outreach import services

    return services.certificate_revoke(actor=actor, certificate=certificate, reason="矩阵作废")


def _certificate_driver() -> Driver:
    from django.urls import reverse

    from outreach.models import Certificate

    return Driver(
        key="certificate", model=Certificate, admin_name="", api_basename="certificate",
        anchor=_certificate_place, find=_find_certificate, mutable_field="revoked_reason",
        surfaces=("service", "page", "api"),
        before_create=_free_certificates, service_create=_issue, service_update=_revoke,
        page_create=_issue_form, page_create_url=reverse("outreach_certs:issue"),
        page_update=lambda o: {"reason": "矩阵作废", "version": o.version},
        page_update_url=lambda o: reverse("outreach_certs:revoke", args=[o.pk]),
        page_list_url=reverse("outreach_certs:list"),
        page_detail_url=lambda o: reverse("outreach_certs:detail", args=[o.pk]),
    )


DRIVERS["certificate"] = _certificate_driver()


# --------------------------------------------------------------------------------------------- volunteers and hours
# (the `hours` area: a volunteer living in each grid, a volunteer organisation registered at each grid with one
# lecture, and the volunteer's checked-out service record there)

import uuid  # noqa: E402

from outreach.models import (  # noqa: E402
    EventKind,
    EventStatus,
    HoursKind,
    ServiceRecord,
    Volunteer,
)

MATRIX_ORG = "矩阵志愿服务队"


def _mobile() -> str:
    return f"13{uuid.uuid4().int % 10**9:09d}"


def _volunteer_at(world, key) -> Volunteer:
    return Volunteer.objects.get(home=world.cast.places[key], name=f"{key}志愿者")


def _org_at(place) -> VolunteerOrganization:
    return VolunteerOrganization.objects.get(place=place, name=MATRIX_ORG)


def _honour(world, actor, place):
    key = key_of(world, place)
    return outreach_services.honour_hours_enter(
        actor=actor, volunteer=_volunteer_at(world, key), organization=_org_at(place), minutes=60, reason="矩阵表彰",
        approver=world.cast.admin)


DRIVERS["volunteer"] = Driver(
    key="volunteer", model=Volunteer, admin_name="outreach_volunteer", api_basename="volunteer", anchor=grid_anchor,
    find=_volunteer_at, surfaces=("service", "page", "api"),
    page_list_url="/outreach/volunteers/", page_detail_url=lambda o: reverse("outreach_hours:volunteer", args=[o.pk]),
    service_create=lambda world, actor, place: outreach_services.volunteer_register(
        actor=actor, home=place, name="矩阵志愿者", mobile=_mobile()),
    service_update=lambda actor, obj: outreach_services.volunteer_update(actor=actor, volunteer=obj,
                                                                         name=obj.name + "改"),
    api_create=lambda world, p: {"home": p.code, "name": "矩阵志愿者", "mobile": _mobile()},
    api_update=lambda o: {"name": o.name + "改", "version": o.version},
)
DRIVERS["service_hours"] = Driver(
    key="service_hours", model=ServiceRecord, admin_name="outreach_servicerecord", api_basename="hours",
    anchor=grid_anchor, mutable_field="status", surfaces=("service", "page", "api"),
    # the review list (the populated records carry a flag) and the event's attendance page
    page_list_url="/outreach/hours/review/",
    page_detail_url=lambda o: reverse("outreach_hours:attendance", args=[o.event_id]),
    find=lambda world, key: ServiceRecord.objects.get(organization=_org_at(world.cast.places[key]),
                                                      kind=HoursKind.SERVICE),
    service_create=_honour,
    service_update=lambda actor, obj: outreach_services.hours_countersign(actor=actor, record=obj),
    api_create=lambda world, p: {"volunteer": _volunteer_at(world, key_of(world, p)).pk, "organization": _org_at(p).pk,
                                 "minutes": 60, "reason": "矩阵表彰", "approver": world.cast.admin.pk},
    api_update=lambda o: {},
    api_update_url=lambda o: reverse("api:hours-countersign", args=[o.pk]),
)

PERSONAL_FIELDS[("volunteer", "mobile")] = ("service", "api")


def populate_hours(world) -> None:
    """Per grid: its volunteer (a mobile of their own), an organisation, a lecture of yesterday and the
    volunteer's checked-out, pending record of it."""
    start = timezone.now() - datetime.timedelta(days=1)
    for index, key in enumerate(("G1", "G1b", "G2", "G3", "G4")):
        place = world.cast.places[key]
        volunteer = outreach_services.volunteer_register(actor=world.cast.admin, home=place, name=f"{key}志愿者",
                                                         mobile=f"1330000{index:04d}")
        org = VolunteerOrganization.objects.create(place=place, name=MATRIX_ORG)
        event = Event.objects.create(kind=EventKind.LECTURE, title=f"{key}宣讲", status=EventStatus.HELD, venue=place,
                                     starts_at=start, ends_at=start + datetime.timedelta(hours=2),
                                     volunteer_organization=org)
        ServiceRecord.objects.create(volunteer=volunteer, organization=org, event=event, kind=HoursKind.SERVICE,
                                     checked_in_at=start, checked_out_at=start + datetime.timedelta(hours=2),
                                     minutes=120, checkout_capped=True, flags=["checkout_capped"])


_populate_party = populate


def populate(world) -> None:  # noqa: F811
    _populate_party(world)
    populate_hours(world)


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


# --------------------------------------------------------------------------------------------- the admin of the rest
# Volunteers and lecturers are registered and renamed in the admin; lesson requests entered (the loop runs on the
# pool's pages); hours, branch meetings and certificates are read-only there (their own steps write them).

import dataclasses  # noqa: E402
import itertools  # noqa: E402

_admin_mobiles = itertools.count(1)


def _admin_mobile() -> str:
    return f"1366{uuid.uuid4().int % 10**3:03d}{next(_admin_mobiles):04d}"


def _with_admin(key: str, **changes) -> None:
    driver = DRIVERS[key]
    DRIVERS[key] = dataclasses.replace(driver, surfaces=(*driver.surfaces, "admin"), **changes)


_with_admin("volunteer",
            admin_create=lambda world, p: {"home": p.pk, "name": "矩阵志愿者", "mobile": _admin_mobile(),
                                           "registered_on": "2026-01-05"},
            admin_update=lambda o: {"name": o.name + "改", "mobile": o.mobile})
_with_admin("lecturer", admin_name="outreach_lecturer",
            admin_create=lambda world, p: {"home": p.pk, "name": "矩阵宣讲员", "mobile": _admin_mobile(),
                                           "kind": "teacher", "unit": "", "active": "on"},
            admin_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "kind": o.kind, "unit": o.unit,
                                    "active": "on"})
_with_admin("lesson_request", admin_name="outreach_lessonrequest",
            admin_create=lambda world, p: {"community": p.pk, "requester_name": "矩阵", "requester_mobile":
                                           "13712345678", "topic_wish": "矩阵点单"})
_with_admin("service_hours")
_with_admin("branch_meeting")
_with_admin("certificate", admin_name="outreach_certificate")
PERSONAL_FIELDS[("lecturer", "mobile")] = (*PERSONAL_FIELDS[("lecturer", "mobile")], "admin")
PERSONAL_FIELDS[("lesson_request", "requester_mobile")] = (*PERSONAL_FIELDS[("lesson_request", "requester_mobile")],
                                                           "admin")

ADMIN_RELATIONS += [
    AdminRelation("outreach_volunteer", "home", "add", "volunteer", "place", ("grid", "community"),
                  DRIVERS["volunteer"].admin_create),
    AdminRelation("outreach_lecturer", "home", "add", "lecturer", "place", ("community", "street", "district"),
                  DRIVERS["lecturer"].admin_create),
    AdminRelation("outreach_lessonrequest", "community", "add", "lesson_request", "place", ("community",),
                  DRIVERS["lesson_request"].admin_create),
]
