"""Party life (组织生活): the calendar of 三会一课 and 主题党日 of each party organisation (a community's, a grid's),
and who attended.

Design: one row per meeting that is *due* (organisation, kind, period), made ahead by a schedule
(`outreach.services.branch_meetings_schedule`: on creating an organisation, and each day by beat, idempotently
through the unique (organisation, kind, period)). A row is then recorded as held, with its minutes and its
attendance. Rows rather than a calendar computed on the fly, because what is due has to be counted: the on-time
measure (outreach/measures.py) and the overdue overview are plain counts of rows, and a meeting that was never held
is a row that stays visible (overdue), never a gap nobody sees.

The attendance (MeetingAttendance) is the one record of a member's participation: the branch's calendar, the
member's 双报到 year and the quarterly return to the workplace all read it; nothing is entered twice. A 主题党日
entered as an outreach Event (kind party_day, organised by the branch) is linked through `BranchMeeting.event`:
the Event carries the venue, the audience and the volunteers' check-ins (their service hours); the meeting
carries the minutes and the members present. Same activity, one record each of what it is.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import User
from wudu.measures import Period
from wudu.scope import ScopedQuerySet

from .events import Event
from .party import OrganizationKind, PartyMember, PartyOrganization


class MeetingKind(models.TextChoices):
    ASSEMBLY = "assembly", _("党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LESSON = "lesson", _("党课")
    PARTY_DAY = "party_day", _("主题党日")
    PARTY_COMMITTEE = "party_committee", _("党委会")
    GENERAL_COMMITTEE = "gen_committee", _("总支委员会")


# How often each kind is due (三会一课: assembly and lesson quarterly, committee and group meeting monthly; 主题党日
# monthly): at least 32 records a branch a year, plus twelve party days.
CADENCE: dict[str, str] = {
    MeetingKind.ASSEMBLY: Period.QUARTER,
    MeetingKind.COMMITTEE: Period.MONTH,
    MeetingKind.GROUP: Period.MONTH,
    MeetingKind.LESSON: Period.QUARTER,
    MeetingKind.PARTY_DAY: Period.MONTH,
    MeetingKind.PARTY_COMMITTEE: Period.MONTH,
    MeetingKind.GENERAL_COMMITTEE: Period.MONTH,
}
# What each kind of organisation holds. A branch (of a grid or a community) holds 三会一课 and its party day; a party
# group (党小组) has no committee and no assembly of its own (those are its branch's), so its group meeting, its
# lesson and its party day. A community's party committee (党委) or general branch (党总支) meets as a committee each
# month and gives a party lesson each quarter (书记讲党课); its 三会一课 proper are its branches', so it holds no
# assembly or group meeting of its own; a community-wide 主题党日 is its own.
_BRANCH = (MeetingKind.ASSEMBLY, MeetingKind.COMMITTEE, MeetingKind.GROUP, MeetingKind.LESSON, MeetingKind.PARTY_DAY)
KINDS_FOR: dict[str, tuple[str, ...]] = {
    OrganizationKind.COMMITTEE: (MeetingKind.PARTY_COMMITTEE, MeetingKind.LESSON, MeetingKind.PARTY_DAY),
    OrganizationKind.GENERAL_BRANCH: (MeetingKind.GENERAL_COMMITTEE, MeetingKind.LESSON, MeetingKind.PARTY_DAY),
    OrganizationKind.BRANCH: _BRANCH,
    OrganizationKind.GROUP: (MeetingKind.GROUP, MeetingKind.LESSON, MeetingKind.PARTY_DAY),
}
# 三会一课 proper.
SANHUI_YIKE = (MeetingKind.ASSEMBLY, MeetingKind.COMMITTEE, MeetingKind.GROUP, MeetingKind.LESSON)
# What the on-time measure counts: 三会一课 and a community committee's own meetings (主题党日 is kept and shown,
# not measured). Each meeting is one row of one organisation: a community's figure is its own organisation's
# meetings and its grids', each once.
ON_TIME_KINDS = (*SANHUI_YIKE, MeetingKind.PARTY_COMMITTEE, MeetingKind.GENERAL_COMMITTEE)


class MeetingState(models.TextChoices):
    DUE = "due", _("待召开")
    HELD = "held", _("已召开")
    OVERDUE = "overdue", _("已逾期")


def period_for(kind: str, day: datetime.date) -> Period:
    """The period of `kind` that contains `day` (a month, or a quarter)."""
    if CADENCE[kind] == Period.MONTH:
        return Period.month(day.year, day.month)
    return Period.quarter(day.year, (day.month - 1) // 3 + 1)


class BranchMeetingQuerySet(ScopedQuerySet):
    scope_resource = "branch_meeting"

    def held(self):
        return self.filter(held_on__isnull=False)

    def overdue(self, today: datetime.date | None = None):
        return self.filter(held_on__isnull=True, due_on__lt=today or timezone.localdate())

    def due(self, today: datetime.date | None = None):
        return self.filter(held_on__isnull=True, due_on__gte=today or timezone.localdate())

    def in_state(self, state: str, today: datetime.date | None = None):
        return {"held": self.held, "overdue": self.overdue, "due": self.due}[state](
            *(() if state == "held" else (today,)))


class BranchMeeting(models.Model):
    organization = models.ForeignKey(PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT,
                                     related_name="meetings")
    kind = models.CharField(_("类别"), max_length=16, choices=MeetingKind.choices)
    period = models.CharField(_("期间"), max_length=7, help_text=_("月：2026-11；季度：2026-Q4。"))
    due_on = models.DateField(_("应召开截止日期"))
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True, max_length=4000)
    # A 主题党日 (or a party lesson) entered as an outreach Event is the same activity: one Event, one meeting.
    event = models.OneToOneField(Event, verbose_name=_("关联活动"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="branch_meeting")
    attendees = models.ManyToManyField(PartyMember, through="MeetingAttendance", related_name="meetings",
                                       verbose_name=_("参会党员"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BranchMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织生活会议")
        verbose_name_plural = _("组织生活会议")
        ordering = ["due_on", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "period"], name="branch_meeting_once_a_period"),
            models.CheckConstraint(condition=Q(held_on__isnull=True) | ~Q(minutes=""),
                                   name="branch_meeting_held_has_minutes",
                                   violation_error_message=_("已召开的会议须有会议记录。")),
        ]
        indexes = [
            models.Index(fields=["due_on", "id"], name="branch_meeting_due"),
            models.Index(fields=["due_on"], condition=Q(held_on__isnull=True), name="branch_meeting_open_due"),
            models.Index(fields=["organization", "due_on"], name="branch_meeting_org_due"),
            models.Index(fields=["kind", "period"], name="branch_meeting_kind_period"),
            models.Index(fields=["held_on"], name="branch_meeting_held"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.period} {self.get_kind_display()}"

    def state(self, today: datetime.date | None = None) -> str:
        if self.held_on is not None:
            return MeetingState.HELD
        return MeetingState.OVERDUE if self.due_on < (today or timezone.localdate()) else MeetingState.DUE

    @property
    def on_time(self) -> bool:
        return self.held_on is not None and self.held_on <= self.due_on

    @property
    def period_start(self) -> datetime.date:
        return Period.parse(self.period).start


class MeetingAttendance(models.Model):
    """A member's attendance at a meeting: present, or absent (with a reason, when one was given). This row is the
    member's participation record (双报到) too."""

    meeting = models.ForeignKey(BranchMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="attendance")
    present = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=100, blank=True)
    # When the row came from the member's own check-in at the event (the code at the venue is the evidence): when
    # they checked in and out. Empty for a row the secretary ticked.
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True, editable=False)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("参会记录")
        verbose_name_plural = _("参会记录")
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="meeting_attendance_once"),
            models.CheckConstraint(condition=Q(present=False) | Q(absence_reason=""),
                                   name="meeting_attendance_present_no_reason"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False,
                                                             checked_out_at__gte=models.F("checked_in_at")),
                name="meeting_attendance_out_after_in"),
        ]
        indexes = [models.Index(fields=["member", "present"], name="meeting_attendance_member")]

    def __str__(self) -> str:
        return f"{self.member} · {self.meeting}"
