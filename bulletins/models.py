"""月通报 and 季排名: snapshots of the measures (wudu.measures) for a place and a period, objections to a draft, weight
schemes, and restatements when late data changes a published month. A published version never changes: a
correction is a new version with its reason, and the old one stays readable."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Department, Place
from wudu.scope import ScopedQuerySet


class Kind(models.TextChoices):
    BULLETIN = "bulletin", _("月通报")
    RANKING = "ranking", _("季排名")


class Stage(models.TextChoices):
    DRAFT = "draft", _("征求意见稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被更正")


def default_weights() -> list[dict]:
    """domain.md §6: 处置率×30 + 按期处置率×20 + (1−返工率)×20 + (1−超期待处置率)×20 + (1−延期率)×10."""
    return [
        {"measure": "case.handling", "weight": 30},
        {"measure": "case.handling_on_time", "weight": 20},
        {"measure": "case.rework", "weight": 20},
        {"measure": "case.overdue_open", "weight": 20},
        {"measure": "case.extension", "weight": 10},
    ]


def default_bands() -> list[dict]:
    return [{"label": "优秀", "min": 90}, {"label": "良好", "min": 80}, {"label": "合格", "min": 60},
            {"label": "不合格", "min": 0}]


class WeightScheme(models.Model):
    """权重方案: the measures of the quarterly score and their weights (summing to 100; a measure where lower is
    better counts as 1 − rate), the minimum volume below which a unit is listed but not ranked, the grade bands."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    weights = models.JSONField(_("权重"), default=default_weights)
    min_volume = models.PositiveIntegerField(_("最低样本量"), default=5,
                                             help_text=_("应结案事件少于此数的单位列出但不排名（样本不足）。"))
    bands = models.JSONField(_("等次"), default=default_bands)
    is_default = models.BooleanField(_("默认方案"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("权重方案")
        verbose_name_plural = _("权重方案")
        ordering = ["-is_default", "name"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="weight_scheme_one_default")]

    def __str__(self) -> str:
        return self.name


class BulletinQuerySet(ScopedQuerySet):
    scope_resource = "bulletin"


class Bulletin(models.Model):
    """One version of a bulletin or ranking of a place for a period. `snapshot` holds every figure as built
    (numerators, denominators, ranks, scores, intervals, the weights and limits in force); `BulletinRow` holds
    the records each figure counted, so the drill-down of a published figure shows exactly those."""

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    place = models.ForeignKey(Place, verbose_name=_("地点"), on_delete=models.PROTECT, related_name="bulletins")
    period = models.CharField(_("期间"), max_length=8)  # "2026-10" or "2026-Q3"
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日（不含）"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    stage = models.CharField(_("状态"), max_length=16, choices=Stage.choices, default=Stage.DRAFT)
    scheme = models.ForeignKey(WeightScheme, verbose_name=_("权重方案"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="bulletins")
    snapshot = models.JSONField(default=dict)
    rows_counted = models.PositiveIntegerField(_("计入记录数"), default=0)
    exclusions = models.JSONField(_("经申诉核减的事件"), default=list, blank=True)
    reason = models.CharField(_("更正原因"), max_length=500, blank=True)
    built_at = models.DateTimeField(_("生成时间"))
    objection_until = models.DateTimeField(_("申诉截止"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # The audit's hash chain as it stood at publication (its latest day seal, wudu.seals): printed on the bulletin,
    # so that a later rewrite of the records behind it would break a head anyone can compare.
    audit_seal_date = models.DateField(_("审计封存日"), null=True, blank=True, editable=False)
    audit_seal_head = models.CharField(_("审计链封存值"), max_length=64, blank=True, editable=False)
    lock = models.PositiveIntegerField(default=1, editable=False)  # optimistic version for edits

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-period_start", "place__code", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "place", "period", "version"], name="bulletin_version_unique"),
            # One draft at a time per bulletin: rebuilding a period rewrites its draft, it never adds a second.
            models.UniqueConstraint(fields=["kind", "place", "period"], condition=Q(stage="draft"),
                                    name="bulletin_one_draft"),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="bulletin_period_order"),
        ]
        indexes = [models.Index(fields=["place", "kind", "-period_start"], name="bulletin_place_kind_period"),
                   models.Index(fields=["kind", "stage", "-period_start"], name="bulletin_kind_stage_period")]

    def __str__(self) -> str:
        return f"{self.place.name} {self.period} {self.get_kind_display()} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            stored = Bulletin.objects.filter(pk=self.pk).values_list("stage", flat=True).first()
            if stored in (Stage.PUBLISHED, Stage.SUPERSEDED):
                raise ValidationError(_("已发布的通报不可修改；请发布更正版本。"))
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.stage == Stage.DRAFT


class BulletinRow(models.Model):
    """A record counted by one figure of a bulletin: the measure, the unit's line (a place code, or `d<id>` for
    a department), the record's id, and whether it is in the numerator (every row is in the denominator)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="rows")
    measure = models.CharField(max_length=40)
    unit = models.CharField(max_length=32)  # the child place's code, the bulletin's own place's code
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    numerator = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["bulletin", "measure", "unit", "numerator", "object_id"], name="bulletin_row_unit"),
            models.Index(fields=["bulletin", "measure", "department", "numerator", "object_id"],
                         name="bulletin_row_department"),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.measure} {self.unit} {self.object_id}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class ObjectionQuerySet(ScopedQuerySet):
    scope_resource = "objection"


class Objection(models.Model):
    """申诉: a unit named in a draft objects to its own line, with a reason and evidence, within the window. The
    command center accepts it (naming the case to take out, if any: the draft is rebuilt without it) or rejects
    it, with a reason either way."""

    client_id = models.UUIDField(unique=True)
    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="objections")
    place = models.ForeignKey(Place, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    measure = models.CharField(_("指标"), max_length=40, blank=True)
    case_reference = models.CharField(_("涉及事件编号"), max_length=20, blank=True)
    reason = models.TextField(_("申诉理由"), max_length=1000)
    evidence = models.TextField(_("证据说明"), max_length=1000, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_role = models.CharField(max_length=32)
    filed_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(_("处理结果"), max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING)
    decision = models.CharField(_("处理意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    excluded_case_id = models.BigIntegerField(null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["bulletin", "status"], name="objection_bulletin_status")]
        constraints = [models.CheckConstraint(condition=Q(place__isnull=False) | Q(department__isnull=False),
                                              name="objection_names_a_line")]

    def __str__(self) -> str:
        return f"{self.bulletin_id} · {self.get_status_display()}"

    @property
    def line_label(self) -> str:
        return self.department.name if self.department_id else self.place.name


class Restatement(models.Model):
    """更正说明: late data changed the figures of a published version; the difference is shown, history is not
    rewritten."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="restatements")
    found_at = models.DateTimeField(_("发现时间"))
    differences = models.JSONField(default=list)  # [{unit, label, measure, was: [n, d], now: [n, d]}]

    class Meta:
        verbose_name = _("数据变动说明")
        verbose_name_plural = _("数据变动说明")
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"{self.bulletin_id} · {self.found_at:%Y-%m-%d}"
