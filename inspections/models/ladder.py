"""The escalation ladder (五书制) and the reminders of the deadline loop.

`Notice`: a document issued on a task — 督办通知书 on assignment, 提醒书 before the deadline, 告诫书 when overdue
(with a final deadline), 问责书 when severely overdue — numbered, rendered as a PDF, acknowledged by the owner unit's
head. A 督办通知书 of an assignment or reassignment names that step (`step`): it is issued once per step, so a new
owner gets their own even when the deadline stays; the other documents (and a notice issued by hand) are issued once
per (task, kind, deadline), so that they move with a reassigned deadline. `Reminder`: one message sent about one task's deadline to one person; unique, so that a beat task run twice
sends nothing twice, and keyed by the deadline and the recipient, so that a reassigned task's reminders move with it.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User

from .gates import DistrictRecords, ThroughTask
from .tasks import Ladder, Rectification, TaskStep


class Notice(models.Model):
    task = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("文书"), max_length=16, choices=[c for c in Ladder.choices if c[0] != Ladder.NONE])
    number = models.CharField(_("文号"), max_length=40, unique=True)
    # The deadline the document names (the final deadline for a 告诫书).
    deadline = models.DateField(_("期限"))
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The assign or reassign step a 督办通知书 follows (who assigned is that step's actor); None for the schedule's
    # documents, a notice issued by hand, and the notices issued before notices were keyed by their step.
    step = models.ForeignKey(TaskStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ThroughTask.as_manager()

    class Meta:
        verbose_name = _("督办文书")
        verbose_name_plural = _("督办文书")
        ordering = ["task", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "deadline"], condition=Q(step__isnull=True),
                                    name="notice_once"),
            models.UniqueConstraint(fields=["step"], condition=Q(step__isnull=False), name="notice_once_per_step"),
        ]
        indexes = [models.Index(fields=["kind", "issued_at"], name="notice_kind_issued"),
                   # The documents page's filters (a kind, the unacknowledged ones), newest first.
                   models.Index(fields=["kind", "acknowledged_at", "id"], name="notice_kind_ack")]

    def __str__(self) -> str:
        return self.number


class ReminderKind(models.TextChoices):
    WEEK_BEFORE = "week_before", _("到期前 7 天提醒")
    DAY_BEFORE = "day_before", _("到期前 1 天提醒")
    OVERDUE = "overdue", _("逾期通报")


class Reminder(models.Model):
    task = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    deadline = models.DateField()
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改提醒")
        verbose_name_plural = _("整改提醒")
        ordering = ["task", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "kind", "deadline", "recipient"],
                                               name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.deadline}"


class NoticeCounter(models.Model):
    """Per-district, per-year sequence of the ladder's document numbers (文号). The row is locked while a number is
    taken (as outreach's CertificateCounter): a rolled-back issue gives its number back, two never share one."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = DistrictRecords.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="notice_counter_once")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year} {self.last}"
