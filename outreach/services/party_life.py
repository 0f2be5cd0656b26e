"""Writes of party life: the schedule of due meetings (三会一课 and 主题党日) and the record of a meeting held, with
its minutes and attendance (the members' 双报到 participation record)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
    ServiceRecord,
    period_for,
)

__all__ = [
    "attendance_check_in", "attendance_check_out", "branch_meeting_record", "branch_meetings_schedule",
    "meeting_attendance_credit", "meetings_credited", "party_members_of",
]

# The kinds of Event that may stand for a meeting (the same activity entered once, as an event with its venue and
# check-ins): a 主题党日 for a party day, a party lesson for a 党课, a branch meeting for the others.
EVENT_KINDS = {
    MeetingKind.PARTY_DAY: {EventKind.PARTY_DAY},
    MeetingKind.LESSON: {EventKind.PARTY_LESSON, EventKind.BRANCH_MEETING},
    MeetingKind.ASSEMBLY: {EventKind.BRANCH_MEETING},
    MeetingKind.COMMITTEE: {EventKind.BRANCH_MEETING},
    MeetingKind.GROUP: {EventKind.BRANCH_MEETING},
    MeetingKind.PARTY_COMMITTEE: {EventKind.BRANCH_MEETING},
    MeetingKind.GENERAL_COMMITTEE: {EventKind.BRANCH_MEETING},
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


# ---------------------------------------------------------------------------------------------- one activity, once

# The events whose check-ins are a party meeting's attendance: a 主题党日 and a branch meeting.
CREDITED_EVENT_KINDS = (EventKind.PARTY_DAY, EventKind.BRANCH_MEETING)


def _meetings_to_credit(event: Event, members: list[PartyMember]) -> list[tuple[BranchMeeting, PartyMember]]:
    """For each member, the meeting the event stands for in the member's own organisation: the meeting linked to the
    event; else, for a 主题党日, the organisation's 主题党日 of the event's month, unless that one was held on another
    day or is linked to another event. A branch-meeting event with no linked meeting credits nothing (which of
    the 三会 it was is for the secretary to say)."""
    day = timezone.localtime(event.starts_at).date()
    linked = BranchMeeting.objects.filter(event=event).first()
    out = []
    for member in members:
        if linked is not None and linked.organization_id == member.organization_id:
            out.append((linked, member))
            continue
        if event.kind != EventKind.PARTY_DAY:
            continue
        period = period_for(MeetingKind.PARTY_DAY, day).key
        meeting = BranchMeeting.objects.filter(organization_id=member.organization_id, kind=MeetingKind.PARTY_DAY,
                                               period=period).first()
        if meeting is None:
            branch_meetings_schedule(day=day, organizations=[member.organization])
            meeting = BranchMeeting.objects.filter(organization_id=member.organization_id,
                                                   kind=MeetingKind.PARTY_DAY, period=period).first()
        if meeting is None or (meeting.event_id not in (None, event.pk)) or (
                meeting.held_on is not None and meeting.held_on != day):
            continue
        out.append((meeting, member))
    return out


def party_members_of(*, mobile: str, user_id: int | None = None) -> list[PartyMember]:
    """The party members a check-in names: registered with that mobile, or with that user account."""
    match = Q(mobile=(mobile or "").strip())
    if user_id is not None:
        match |= Q(user_id=user_id)
    return list(PartyMember.objects.filter(match).select_related("organization"))


def meetings_credited(event: Event, members: list[PartyMember]) -> list[tuple[BranchMeeting, PartyMember]]:
    """The (meeting, member) pairs a check-in at `event` would credit (none for an event of another kind)."""
    if event.kind not in CREDITED_EVENT_KINDS or not members:
        return []
    return _meetings_to_credit(event, members)


def attendance_check_in(*, event: Event, members: list[PartyMember],
                        at: datetime.datetime) -> list[MeetingAttendance]:
    """The members' check-in at the event as their attendance at the meetings it stands for: a row per meeting and
    member, made once (a retry finds the first, with its first time); a row the secretary already wrote (present,
    or absent with a reason) is left as they wrote it. Returns the rows, made or found."""
    rows = []
    for meeting, member in meetings_credited(event, members):
        row, _ = MeetingAttendance.objects.get_or_create(meeting=meeting, member=member,
                                                         defaults={"present": True, "checked_in_at": at})
        rows.append(row)
    return rows


def attendance_check_out(*, event: Event, members: list[PartyMember],
                         at: datetime.datetime) -> list[MeetingAttendance]:
    """The members' check-out: the first check-out stands. Only rows made by a check-in (the others have no time
    to close). Returns those rows."""
    pairs = meetings_credited(event, members)
    if not pairs:
        return []
    match = Q()
    for meeting, member in pairs:
        match |= Q(meeting=meeting, member=member)
    rows = list(MeetingAttendance.objects.select_for_update().filter(match, checked_in_at__isnull=False))
    for row in rows:
        if row.checked_out_at is None:
            row.checked_out_at = max(at, row.checked_in_at)
            row.save(update_fields=["checked_out_at"])
    return rows


def meeting_attendance_credit(*, record: ServiceRecord) -> int:
    """Nothing entered twice: a volunteer's check-in at a 主题党日 or branch-meeting event is the party member's
    attendance at the meeting it stands for (the 双报到 record), when the volunteer is a registered party member
    (the same user account, or the same mobile). A system act following the volunteer's own check-in: the code at
    the venue is the evidence, as for the hours. Idempotent (attendance_check_in); a checked-out record closes the
    rows its check-in made. The secretary's form finds the credited members ticked. Returns the number of rows."""
    event = record.event
    if event is None or event.kind not in CREDITED_EVENT_KINDS:
        return 0
    volunteer = record.volunteer
    members = party_members_of(mobile=volunteer.mobile, user_id=volunteer.user_id)
    rows = attendance_check_in(event=event, members=members, at=record.checked_in_at)
    if record.checked_out_at is not None:
        attendance_check_out(event=event, members=members, at=record.checked_out_at)
    return len(rows)
