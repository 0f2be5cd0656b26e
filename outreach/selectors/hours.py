"""Reads of volunteers and their hours, through the gate (`volunteer`, `service_hours`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from wudu import scope

from ..models import (
    BranchMeeting,
    Event,
    EventKind,
    HoursFlag,
    HoursKind,
    HoursStatus,
    MeetingAttendance,
    MeetingKind,
    ServiceRecord,
    Volunteer,
    period_for,
)
from ..services.hours import Stars, star_level

NO_POSITION = HoursFlag.NO_POSITION.value

__all__ = [
    "access_service_record", "access_volunteer", "event_attendance", "event_member_check_ins", "may_see_attendance", "flagged_records", "volunteer_record",
    "volunteers_with_hours", "with_minutes",
]


def _sum(condition: Q):
    return Coalesce(Sum("service_records__minutes", filter=condition), Value(0), output_field=IntegerField())


_VERIFIED_SERVICE = Q(service_records__kind=HoursKind.SERVICE, service_records__status=HoursStatus.VERIFIED)
_VERIFIED_HONOUR = Q(service_records__kind=HoursKind.HONOUR, service_records__status=HoursStatus.VERIFIED)
_PENDING = Q(service_records__status=HoursStatus.PENDING)


def with_minutes(queryset: QuerySet) -> QuerySet:
    """Each volunteer with verified service minutes, verified honour minutes (apart) and pending minutes."""
    return queryset.annotate(service_minutes=_sum(_VERIFIED_SERVICE), honour_minutes=_sum(_VERIFIED_HONOUR),
                             pending_minutes=_sum(_PENDING))


def volunteers_with_hours(user) -> QuerySet:
    """The volunteers the user sees with their minutes (one query, the mobile's visibility annotated)."""
    queryset = with_minutes(Volunteer.objects.visible_to(user).select_related("home").defer("home__boundary"))
    return scope.with_field_access(queryset, user, "volunteer")


def access_volunteer(user, pk) -> Volunteer:
    return scope.access(scope.with_field_access(Volunteer.objects.select_related("home"), user, "volunteer"),
                        user, pk=pk)


def access_service_record(user, pk) -> ServiceRecord:
    return scope.access(ServiceRecord.objects.select_related("volunteer", "organization__place", "event"), user,
                        pk=pk)


@dataclass
class KindHours:
    kind: str
    label: str
    verified: int = 0
    pending: int = 0
    declined: int = 0


@dataclass
class VolunteerRecord:
    volunteer: Volunteer
    by_kind: dict[str, KindHours]
    stars: Stars
    records: list[ServiceRecord] = field(default_factory=list)

    @property
    def service_hours(self) -> float:
        return round(self.by_kind[HoursKind.SERVICE].verified / 60, 1)

    @property
    def honour_hours(self) -> float:
        return round(self.by_kind[HoursKind.HONOUR].verified / 60, 1)


def volunteer_record(user, volunteer: Volunteer, *, limit: int = 50) -> VolunteerRecord:
    """A volunteer's hours by kind (service and honour apart) and status, their stars (verified service only),
    and their latest records the user sees: two queries."""
    records = ServiceRecord.objects.visible_to(user).filter(volunteer=volunteer)
    by_kind = {kind: KindHours(kind=kind, label=str(label)) for kind, label in HoursKind.choices}
    for row in records.order_by().values("kind", "status").annotate(total=Sum("minutes")):
        setattr(by_kind[row["kind"]], row["status"], row["total"] or 0)
    latest = list(records.select_related("event", "organization").order_by("-created_at", "-id")[:limit])
    return VolunteerRecord(volunteer=volunteer, by_kind=by_kind,
                           stars=star_level(by_kind[HoursKind.SERVICE].verified), records=latest)


def event_attendance(user, event: Event) -> list[ServiceRecord]:
    """Who checked in at the event (the records the user sees), first in first."""
    return list(ServiceRecord.objects.visible_to(user).filter(event=event, kind=HoursKind.SERVICE)
                .select_related("volunteer", "organization__place").order_by("checked_in_at", "id"))


def event_member_check_ins(user, event: Event) -> list[MeetingAttendance]:
    """The party members who checked in at the event: their attendance rows, made by a check-in inside the event's
    window, at the meetings it stands for (the meeting linked to it; for a 主题党日, the party days of its month
    not linked to another event), of the organisations the user sees; first in first."""
    stands_for = Q(event=event)
    if event.kind == EventKind.PARTY_DAY:
        month = period_for(MeetingKind.PARTY_DAY, timezone.localtime(event.starts_at).date()).key
        stands_for |= Q(kind=MeetingKind.PARTY_DAY, period=month, event__isnull=True)
    early = datetime.timedelta(minutes=settings.VOLUNTEER_CHECKIN_EARLY_MINUTES)
    return list(MeetingAttendance.objects
                .filter(meeting__in=BranchMeeting.objects.visible_to(user).filter(stands_for),
                        checked_in_at__gte=event.starts_at - early, checked_in_at__lte=event.ends_at)
                .select_related("member", "meeting__organization").order_by("checked_in_at", "id"))


def may_see_attendance(user, event: Event) -> bool:
    """Who sees an event's check-in code and who checked in: the recording organisation's readers of hours; at a
    party organisation's event, the readers of its party life."""
    if event.volunteer_organization is not None:
        return scope.can_read_code(user, "service_hours", event.volunteer_organization.place.code)
    if event.party_organization is not None:
        return scope.can_read_code(user, "branch_meeting", event.party_organization.place.code)
    return False


def flagged_records(user) -> QuerySet:
    """Records with an anomaly flag, for review (newest first). A missing position alone is noted, not listed (it is
    written first, so a record with it and another flag is listed); JSON containment is not portable to SQLite."""
    return (ServiceRecord.objects.visible_to(user).exclude(flags=[]).exclude(flags=[NO_POSITION])
            .select_related("volunteer", "organization", "event").order_by("-created_at", "-id"))
