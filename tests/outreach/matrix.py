"""The outreach app's part of the scope matrix (tests/scope): party organisations and party members (see
tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from grids.models import Place
from outreach import services
from outreach.models import BranchMeeting, MeetingAttendance, MeetingKind, PartyMember, PartyOrganization
from tests.scope.matrix import AdminRelation, Driver, grid_anchor, new_key


def _drop_party_org(world, grid: Place) -> None:
    MeetingAttendance.objects.filter(meeting__organization__grid=grid).delete()
    BranchMeeting.objects.filter(organization__grid=grid).delete()
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


def _meeting(world, key: str) -> BranchMeeting:
    """This month's 主题党日 of the grid's party organisation (made when the cast built the organisation)."""
    return BranchMeeting.objects.get(organization__grid=world.cast.places[key], kind=MeetingKind.PARTY_DAY,
                                     period=f"{timezone.localdate():%Y-%m}")


def _member_of(meeting: BranchMeeting) -> PartyMember:
    return PartyMember.objects.filter(organization_id=meeting.organization_id).order_by("pk").first()


def _record_data(meeting: BranchMeeting) -> dict:
    held = max(timezone.localdate().replace(day=1), timezone.localdate() - datetime.timedelta(days=1))
    return {"held_on": held.isoformat(), "minutes": (meeting.minutes or "矩阵会议记录") + "改",
            "present": [_member_of(meeting).pk], "version": meeting.version}


def _record(actor, meeting: BranchMeeting) -> BranchMeeting:
    data = _record_data(meeting)
    return services.branch_meeting_record(actor=actor, meeting=meeting,
                                          held_on=datetime.date.fromisoformat(data["held_on"]),
                                          minutes=data["minutes"], present=[_member_of(meeting)])


DRIVERS["branch_meeting"] = Driver(
    key="branch_meeting", model=BranchMeeting, admin_name="outreach_branchmeeting", api_basename="branch-meeting",
    anchor=grid_anchor, find=_meeting, mutable_field="minutes", surfaces=("service", "page", "api"),
    service_update=_record,
    page_list_url="/outreach/party/?state=all",
    page_detail_url=lambda m: reverse("party_life:record", args=[m.pk]),
    page_update_url=lambda m: reverse("party_life:record", args=[m.pk]),
    page_update=_record_data,
    api_update=_record_data,
)


def populate(world) -> None:
    """Each party member of the cast has a mobile of their own, to find on a page."""
    for index, member in enumerate(PartyMember.objects.order_by("pk")):
        PartyMember.objects.filter(pk=member.pk).update(mobile=f"1370000{index:04d}")


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
