"""Rectification (整改): each finding becomes one or more tasks (任务清单) with an owner unit, a responsible person
and a deadline (责任清单). A task's life is a deadline loop like a case's: assigned, in progress (the owner reports
progress with evidence), submitted for verification, ticked off (销号) by the team — never by the owner — or sent
back; reopened by a failed re-check or a problem that came back. Every step is a `TaskStep` (immutable).

The owner unit is the office of a place (a community or street committee) or a department: the gate anchors a task
at its finding's place (`finding__place__code`) and lets a department read and act on the tasks it owns
(`owner_department_id`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from grids.models import Department, Place, User
from wudu.models import AppendOnly
from wudu.scope import ScopedQuerySet

from .findings import Finding


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待核验")
    TICKED_OFF = "ticked_off", _("已销号")
    REOPENED = "reopened", _("已重启")


OPEN_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED, TaskStatus.REOPENED)


class Ladder(models.TextChoices):
    """The escalation ladder (五书制): the highest document a task has been issued (inspections/ladder)."""

    NONE = "none", _("无")
    NOTICE = "notice", _("督办通知书")
    REMINDER = "reminder", _("提醒书")
    WARNING = "warning", _("告诫书")
    ACCOUNTABILITY = "accountability", _("问责书")


class RectificationQuerySet(ScopedQuerySet):
    scope_resource = "rectification"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Rectification(models.Model):
    finding = models.ForeignKey(Finding, verbose_name=_("巡察问题"), on_delete=models.PROTECT, related_name="tasks")
    measure = models.CharField(_("整改措施"), max_length=300)
    # The owner unit: the office of a place or a department (exactly one).
    owner_place = models.ForeignKey(Place, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="rectifications")
    owner_department = models.ForeignKey(Department, verbose_name=_("责任部门"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="rectifications")
    responsible = models.ForeignKey(User, verbose_name=_("责任人"), on_delete=models.PROTECT,
                                    related_name="rectifications")
    deadline = models.DateField(_("整改期限"))
    # Set with the 告诫书: the last day before the 问责书.
    final_deadline = models.DateField(_("最后期限"), null=True, blank=True)
    status = FSMField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    ladder = models.CharField(_("督办层级"), max_length=16, choices=Ladder.choices, default=Ladder.NONE)
    ticked_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    ticked_off_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reopen_count = models.PositiveSmallIntegerField(_("重启次数"), default=0)

    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_place__isnull=False, owner_department__isnull=True)
                | Q(owner_place__isnull=True, owner_department__isnull=False),
                name="rectification_one_owner", violation_error_message=_("整改任务须有且只有一个责任单位。")),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="rect_status_deadline"),
            models.Index(fields=["finding", "id"], name="rect_finding"),
            models.Index(fields=["owner_place", "status"], name="rect_owner_place"),
            models.Index(fields=["owner_department", "status"], name="rect_owner_department"),
            models.Index(fields=["responsible", "status"], name="rect_responsible"),
            models.Index(fields=["deadline", "id"], name="rect_deadline_id"),
        ]

    def __str__(self) -> str:
        return self.measure

    @property
    def owner(self):
        return self.owner_place or self.owner_department

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TaskStep(AppendOnly):
    """One step of a task (the step table): immutable once written, like a case's events."""

    task = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(max_length=16, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=TaskStatus.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("整改流转记录")
        verbose_name_plural = _("整改流转记录")
        ordering = ["task", "id"]
        indexes = [models.Index(fields=["task", "id"], name="task_step_task"),
                   models.Index(fields=["action", "at"], name="task_step_action_at")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.from_status}→{self.to_status}"


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("文件材料")
    PHOTO = "photo", _("带定位的现场照片")
    RESIDENT = "resident", _("当事群众确认")


def task_evidence_path(instance, filename: str) -> str:
    return f"inspections/tasks/{instance.task_id}/{filename}"


class TaskEvidence(models.Model):
    """Evidence of rectification, attached to a progress step: a document, a photo taken on site with its position,
    or the affected resident's confirmation (given through a private link sent to their phone)."""

    task = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="evidence")
    step = models.ForeignKey(TaskStep, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=task_evidence_path, blank=True, db_index=True)
    thumbnail = models.ImageField(upload_to=task_evidence_path, blank=True, db_index=True)
    name = models.CharField(_("说明"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    # A resident's confirmation: asked of a named resident, answered through a private link.
    resident_name = models.CharField(_("群众姓名"), max_length=50, blank=True)
    resident_mobile = models.CharField(_("群众手机号"), max_length=11, blank=True)
    token = models.CharField(max_length=64, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmation_note = models.CharField(_("群众意见"), max_length=300, blank=True)
    # The resident's answer: 已解决 (True) or 未解决 (False); None until they answer. Only 已解决 counts as evidence.
    resident_resolved = models.BooleanField(_("群众确认已解决"), null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["task", "id"]
        indexes = [models.Index(fields=["task", "kind"], name="task_evidence_kind")]
        constraints = [
            # A photo is evidence of the site only with the position it was taken at.
            models.CheckConstraint(condition=~Q(kind="photo") | Q(lng__isnull=False, lat__isnull=False),
                                   name="task_evidence_photo_position",
                                   violation_error_message=_("现场照片须带拍摄位置。")),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
