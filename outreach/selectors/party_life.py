"""Reads of party life: a branch's calendar, the meetings lists and the overdue overview, a member's participation
over a year (双报到) and the quarterly return to the workplaces. Every read starts from the gate."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from grids.models import Level, Place
from grids.selectors import counts_by_prefix
from wudu import scope
from wudu.measures import Period
from wudu.pages import by_date, keyset_page

from ..models import (
    BranchMeeting,
    HoursKind,
    HoursStatus,
    MeetingAttendance,
    MeetingState,
    PartyMember,
    PartyOrganization,
    ServiceRecord,
    Volunteer,
)

__all__ = [
    "Participation", "access_branch_meeting", "access_party_member", "access_party_org", "branch_calendar",
    "meeting_members", "meetings_page", "meetings_visible", "overdue_by_place", "participation",
    "workplace_return", "workplaces",
]

PAGE_SIZE = 30


def access_party_org(user, pk: int) -> PartyOrganization:
    return scope.access(PartyOrganization.objects.select_related("place__parent__parent").defer(
        "place__boundary", "place__parent__boundary", "place__parent__parent__boundary"), user, pk=pk)


def access_party_member(user, pk: int) -> PartyMember:
    return scope.access(PartyMember.objects.select_related("organization__place__parent").defer(
        "organization__place__boundary", "organization__place__parent__boundary"), user, pk=pk)


def access_branch_meeting(user, pk: int) -> BranchMeeting:
    return scope.access(BranchMeeting.objects.select_related("organization__place__parent", "event").defer(
        "organization__place__boundary", "organization__place__parent__boundary"), user, pk=pk)


def meeting_members(meeting: BranchMeeting) -> list[dict]:
    """The organisation's members with their attendance at the meeting (present / absent and why / not recorded):
    what the record form shows. Two queries."""
    rows = {row.member_id: row for row in MeetingAttendance.objects.filter(meeting=meeting)}
    out = []
    for member in PartyMember.objects.filter(organization_id=meeting.organization_id).order_by("name", "id"):
        row = rows.get(member.pk)
        out.append({"member": member, "present": bool(row and row.present),
                    "absent": bool(row and not row.present), "reason": row.absence_reason if row else ""})
    return out


# ---------------------------------------------------------------------------------------------- calendar


def branch_calendar(user, organization: PartyOrganization, year: int, today: datetime.date | None = None) -> list:
    """The organisation's meetings due in `year`, month by month (a quarterly meeting in its quarter's last month),
    each with its state and its number of members present: one query."""
    today = today or timezone.localdate()
    meetings = (BranchMeeting.objects.visible_to(user).filter(organization=organization, due_on__year=year)
                .annotate(present=Count("attendance", filter=Q(attendance__present=True))).order_by("due_on", "kind"))
    months = {m: [] for m in range(1, 13)}
    for meeting in meetings:
        meeting.current_state = meeting.state(today)
        months[meeting.due_on.month].append(meeting)
    return [{"month": m, "meetings": rows, "overdue": sum(r.current_state == MeetingState.OVERDUE for r in rows)}
            for m, rows in months.items()]


# ---------------------------------------------------------------------------------------------- lists

# Oldest due first: what is most overdue heads the list.
DUE_FIRST = by_date("due_on", newest_first=False)


def meetings_visible(user, *, place_code: str = "", state: str = "", kind: str = "", period: str = "",
                     today: datetime.date | None = None):
    queryset = BranchMeeting.objects.visible_to(user)
    if place_code:
        queryset = queryset.filter(organization__place__code__startswith=place_code)
    if state in MeetingState.values:
        queryset = queryset.in_state(state, today)
    if kind:
        queryset = queryset.filter(kind=kind)
    if period:
        queryset = queryset.filter(period=period)
    return queryset


def meetings_page(user, *, after: str = "", size: int = PAGE_SIZE, **filters) -> tuple[list, str]:
    """One page of meetings (oldest due first) with their organisation and its place: one query."""
    queryset = meetings_visible(user, **filters).select_related("organization__place__parent").defer(
        "organization__place__boundary", "organization__place__parent__boundary")
    rows, cursor = keyset_page(queryset, after, size=size, keyset=DUE_FIRST)
    today = filters.get("today") or timezone.localdate()
    for row in rows:
        row.current_state = row.state(today)
    return rows, cursor


@dataclass
class OverdueRow:
    place: Place
    overdue: int
    due_so_far: int  # meetings whose due date has passed (held or not): the overdue share's denominator
    own: bool = False  # the place's own organisation (a community's 党委), not a place below


def overdue_by_place(user, place: Place, today: datetime.date | None = None) -> tuple[list[OverdueRow], dict]:
    """Below a street or community (or the district): each child place with its overdue meetings and the meetings due
    so far (a community's row counts its own organisation's meetings and its grids'), and the totals. At a community
    with an organisation of its own, that organisation's meetings come first as a row of their own (`own`), so the
    rows add up to the totals. Three queries whatever the number of children."""
    today = today or timezone.localdate()
    children = list(Place.objects.filter(parent=place).exclude(level=Level.BUILDING).order_by("code")
                    .defer("boundary"))
    if not children:
        return [], {"overdue": 0, "due_so_far": 0}
    length = len(children[0].code)
    base = BranchMeeting.objects.visible_to(user).filter(organization__place__code__startswith=place.code,
                                                         due_on__lt=today)
    overdue = counts_by_prefix(base.filter(held_on__isnull=True), "organization__place__code", length)
    due = counts_by_prefix(base, "organization__place__code", length)
    rows = [OverdueRow(child, overdue.get(child.code, 0), due.get(child.code, 0)) for child in children]
    if due.get(place.code) or overdue.get(place.code):
        rows.insert(0, OverdueRow(place, overdue.get(place.code, 0), due.get(place.code, 0), own=True))
    return rows, {"overdue": sum(overdue.values()), "due_so_far": sum(due.values())}


# ---------------------------------------------------------------------------------------------- participation


@dataclass
class Participation:
    """A member's participation over a stretch of days: the 双报到 record, read from the attendance (one row per
    meeting) and, where a volunteer has the member's mobile, their verified service hours (read only)."""

    attended: int = 0
    absent: int = 0
    events: set = field(default_factory=set)  # ids of outreach events attended (meetings linked, hours checked in)
    volunteer_minutes: int = 0
    is_volunteer: bool = False

    @property
    def events_attended(self) -> int:
        return len(self.events)

    @property
    def volunteer_hours(self) -> float:
        return round(self.volunteer_minutes / 60, 1)


def participation(members: list[PartyMember], start: datetime.date, end: datetime.date) -> dict[int, Participation]:
    """Each member's participation in [start, end): three queries whatever the number of members. The members are
    those the caller fetched through the gate; the figures belong to their record (the volunteer hours are an
    aggregate of the volunteer with the same mobile, read without the hours' own gate: no hour is shown, only the
    sum, to those who read the member)."""
    out = {member.pk: Participation() for member in members}
    if not members:
        return out
    attendance = (MeetingAttendance.objects.filter(member__in=members, meeting__held_on__gte=start,
                                                   meeting__held_on__lt=end)
                  .values_list("member_id", "present", "meeting__event_id"))
    for member_id, present, event_id in attendance:
        record = out[member_id]
        if present:
            record.attended += 1
            if event_id:
                record.events.add(event_id)
        else:
            record.absent += 1
    by_mobile = defaultdict(list)
    for member in members:
        by_mobile[member.mobile].append(out[member.pk])
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    end_at = timezone.make_aware(datetime.datetime.combine(end, datetime.time()))
    hours = (ServiceRecord.objects.filter(volunteer__mobile__in=list(by_mobile), kind=HoursKind.SERVICE,
                                          status=HoursStatus.VERIFIED, checked_in_at__gte=start_at,
                                          checked_in_at__lt=end_at)
             .values_list("volunteer__mobile", "event_id", "minutes"))
    for mobile, event_id, minutes in hours:
        for record in by_mobile[mobile]:
            record.volunteer_minutes += minutes
            if event_id:
                record.events.add(event_id)
    for mobile in Volunteer.objects.filter(mobile__in=list(by_mobile)).values_list("mobile", flat=True):
        for record in by_mobile[mobile]:
            record.is_volunteer = True
    return out


def workplaces(user) -> list[dict]:
    """The workplace organisations of the members the user reads, with their number of members: one query."""
    return list(PartyMember.objects.visible_to(user).exclude(workplace="").values("workplace")
                .annotate(members=Count("id")).order_by("workplace"))


def workplace_return(user, workplace: str, period: Period) -> list[dict]:
    """The quarterly return to one workplace organisation: each of its members registered here (that the user reads)
    with where they are registered, the meetings due there in the quarter, those attended and missed, the events
    attended and the volunteer hours. Five queries whatever the number of members."""
    members = list(PartyMember.objects.visible_to(user).filter(workplace=workplace)
                   .select_related("organization__place__parent__parent")
                   .defer("organization__place__boundary", "organization__place__parent__boundary",
                          "organization__place__parent__parent__boundary")
                   .order_by("organization__place__code", "name", "id"))
    due = dict(BranchMeeting.objects.filter(organization__in={m.organization_id for m in members},
                                           due_on__gte=period.start, due_on__lt=period.end)
               .values("organization_id").annotate(n=Count("id")).values_list("organization_id", "n"))
    records = participation(members, period.start, period.end)
    rows = []
    for member in members:
        place = member.organization.place
        # A member of a community's own organisation has no grid: their community is the place itself.
        grid, community = (place, place.parent) if place.level == Level.GRID else (None, place)
        rows.append({"member": member, "organization": member.organization, "grid": grid,
                     "community": community, "street": community.parent, "due": due.get(member.organization_id, 0),
                     "record": records[member.pk]})
    return rows


