"""Writes of party life: the schedule of due meetings (三会一课 and 主题党日) and the record of a meeting held, with
its minutes and attendance (the members' 双报到 participation record)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wudu import scope
from wudu.writes import update_versioned

from ..models import (
    KINDS_FOR,
    BranchMeeting,
    Event,
    EventKind,
    MeetingAttendance,
    MeetingKind,
    PartyMember,
    PartyOrganization,
    period_for,
)

__all__ = ["branch_meeting_record", "branch_meetings_schedule"]

# The kinds of Event that may stand for a meeting (the same activity entered once, as an event with its venue and
# check-ins): a 主题党日 for a party day, a party lesson for a 党课, a branch meeting for the others.
EVENT_KINDS = {
    MeetingKind.PARTY_DAY: {EventKind.PARTY_DAY},
    MeetingKind.LESSON: {EventKind.PARTY_LESSON, EventKind.BRANCH_MEETING},
    MeetingKind.ASSEMBLY: {EventKind.BRANCH_MEETING},
    MeetingKind.COMMITTEE: {EventKind.BRANCH_MEETING},
    MeetingKind.GROUP: {EventKind.BRANCH_MEETING},
}


def branch_meetings_schedule(*, day: datetime.date | None = None,
                             organizations: Iterable[PartyOrganization] | None = None) -> int:
    """Make the rows of the meetings due in the periods containing `day` (today by default) for each organisation
    (all by default): its monthly kinds for the month, its quarterly kinds for the quarter. Idempotent: the unique
    (organisation, kind, period) makes a second run create nothing. A system act (beat, an organisation's
    creation, the demo): it writes no domain data a person chose. Returns the number of rows created."""
    day = day or timezone.localdate()
    every = organizations is None
    organizations = list(PartyOrganization.objects.all() if every else organizations)
    rows = []
    for org in organizations:
        for kind in KINDS_FOR[org.kind]:
            period = period_for(kind, day)
            rows.append(BranchMeeting(organization=org, kind=kind, period=period.key,
                                      due_on=period.end - datetime.timedelta(days=1)))
    if not rows:
        return 0
    # Counted before and after: with ignore_conflicts the database does not say which rows it skipped.
    mine = BranchMeeting.objects.all() if every else BranchMeeting.objects.filter(organization__in=organizations)
    with transaction.atomic():
        before = mine.count()
        BranchMeeting.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        return mine.count() - before


def _attendance(meeting: BranchMeeting, present: Iterable[PartyMember],
                absent: dict[int, str] | None) -> tuple[set[int], dict[int, str]]:
    present_ids = {member.pk for member in present}
    absent = {int(pk): (reason or "").strip() for pk, reason in (absent or {}).items()}
    if not present_ids:
        raise ValidationError({"present": _("请勾选出席的党员。")}, code="no_attendance")
    if present_ids & set(absent):
        raise ValidationError({"present": _("同一党员不能既出席又缺席。")}, code="both")
    members = set(PartyMember.objects.filter(organization=meeting.organization).values_list("pk", flat=True))
    if (present_ids | set(absent)) - members:
        raise ValidationError({"present": _("只能登记本党组织的党员。")}, code="not_a_member")
    if any(len(reason) > 100 for reason in absent.values()):
        raise ValidationError({"absent": _("缺席原因不超过 100 字。")}, code="reason_too_long")
    return present_ids, absent


def _check_event(meeting: BranchMeeting, event: Event | None, held_on: datetime.date) -> None:
    if event is None:
        return
    if event.party_organization_id != meeting.organization_id:
        raise ValidationError({"event": _("关联的活动须由本党组织主办。")}, code="event_other_organizer")
    if event.kind not in EVENT_KINDS[meeting.kind]:
        raise ValidationError({"event": _("该活动的类别与会议类别不符。")}, code="event_kind")
    if timezone.localtime(event.starts_at).date() != held_on:
        raise ValidationError({"held_on": _("召开日期须与关联活动的日期一致。")}, code="event_date")
    taken = BranchMeeting.objects.filter(event=event).exclude(pk=meeting.pk).exists()
    if taken:
        raise ValidationError({"event": _("该活动已关联另一次会议。")}, code="event_taken")


def branch_meeting_record(
    *,
    actor,
    meeting: BranchMeeting,
    held_on: datetime.date,
    minutes: str,
    present: Iterable[PartyMember],
    absent: dict[int, str] | None = None,
    event: Event | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> BranchMeeting:
    """Record a meeting as held (or correct its record: a versioned edit): the day, the minutes, the members present
    and, optionally, those absent with their reasons. Only members of the meeting's organisation; the day not in the
    future nor before the period began; a linked Event of the same organisation, kind and day. The attendance
    replaces the previous one whole, in the same transaction."""
    scope.require_change(actor, meeting, "branch_meeting")
    today = today or timezone.localdate()
    minutes = (minutes or "").strip()
    if held_on is None:
        raise ValidationError({"held_on": _("请填写召开日期。")}, code="required")
    if held_on > today:
        raise ValidationError({"held_on": _("召开日期不能晚于今天。")}, code="future")
    if held_on < meeting.period_start:
        raise ValidationError({"held_on": _("召开日期不能早于该期间的开始（%(start)s）。") % {
            "start": meeting.period_start.isoformat()}}, code="before_period")
    if not minutes:
        raise ValidationError({"minutes": _("请填写会议记录。")}, code="required")
    present_ids, absent_reasons = _attendance(meeting, present, absent)
    _check_event(meeting, event, held_on)
    with transaction.atomic():
        update_versioned(meeting, expected_version=expected_version, fields={
            "held_on": held_on, "minutes": minutes, "event": event, "recorded_by": actor,
            "recorded_at": timezone.now()})
        wanted = {pk: (True, "") for pk in present_ids} | {pk: (False, r) for pk, r in absent_reasons.items()}
        MeetingAttendance.objects.filter(meeting=meeting).exclude(member_id__in=wanted).delete()
        existing = {row.member_id: row for row in MeetingAttendance.objects.filter(meeting=meeting)}
        for pk, (is_present, reason) in wanted.items():
            row = existing.get(pk)
            if row is None:
                MeetingAttendance.objects.create(meeting=meeting, member_id=pk, present=is_present,
                                                 absence_reason=reason)
            elif (row.present, row.absence_reason) != (is_present, reason):
                row.present, row.absence_reason = is_present, reason
                row.save(update_fields=["present", "absence_reason"])
    return meeting
