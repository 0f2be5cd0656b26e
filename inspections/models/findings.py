"""Findings (巡察发现的问题): the 问题清单. Each is anchored at the place where the problem is (`place__code`), found
by a team of a round, by category (domain.md §7), with its facts, evidence, a severity and a disclosure level.

A finding may name the case category of a residents' problem (`case_category`): a new case of that category at the
same place soon after the finding was rectified means the problem came back (`Recurrence`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseCategory
from grids.models import Place, User
from wudu.scope import ScopedQuerySet

from .rounds import Round, Team


class Category(models.TextChoices):
    POLITICAL = "political", _("政治纪律")
    ORGANISATION = "organisation", _("组织纪律")
    WORK_STYLE = "work_style", _("作风建设")
    INTEGRITY = "integrity", _("廉洁纪律")
    RESIDENTS = "residents", _("侵害群众利益")
    IDEOLOGY = "ideology", _("意识形态")
    FORMALISM = "formalism", _("形式主义官僚主义")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    SEVERE = "severe", _("严重")


class Disclosure(models.TextChoices):
    INTERNAL = "internal", _("内部")
    # Shown on the round's public progress page with the redacted summary only (`public_summary`).
    PUBLIC = "public", _("公开（脱敏）")


class FindingStatus(models.TextChoices):
    RECORDED = "recorded", _("已记录")
    DISMISSED = "dismissed", _("不予认定")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    REOPENED = "reopened", _("已重启")


class FindingQuerySet(ScopedQuerySet):
    scope_resource = "finding"


class Finding(models.Model):
    round = models.ForeignKey(Round, verbose_name=_("巡察轮次"), on_delete=models.PROTECT, related_name="findings")
    team = models.ForeignKey(Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="findings")
    place = models.ForeignKey(Place, verbose_name=_("问题所在"), on_delete=models.PROTECT,
                              related_name="inspection_findings")
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    title = models.CharField(_("问题"), max_length=200)
    facts = models.TextField(_("事实"), max_length=4000)
    disclosure = models.CharField(_("公开范围"), max_length=10, choices=Disclosure.choices,
                                  default=Disclosure.INTERNAL)
    public_summary = models.CharField(_("公开摘要（脱敏）"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=FindingStatus.choices,
                              default=FindingStatus.RECORDED)
    found_on = models.DateField(_("发现日期"))
    # The rectification report is due here: the round's feedback day plus its months unless set otherwise.
    rectification_due = models.DateField(_("整改报告期限"), null=True, blank=True)
    case_category = models.ForeignKey(CaseCategory, verbose_name=_("对应事件类别"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    dismissed_reason = models.CharField(_("不予认定理由"), max_length=300, blank=True)

    recorded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    # The role of the grant the finding was recorded under (a team member's or the inspection office's).
    recorded_role = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡察问题")
        verbose_name_plural = _("巡察问题")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["round", "category"], name="finding_round_category"),
            models.Index(fields=["place", "status"], name="finding_place_status"),
            models.Index(fields=["status", "found_on"], name="finding_status_found"),
            models.Index(fields=["found_on", "id"], name="finding_found_id"),
            # A new case looks for the rectified findings of its category (inspections/services/recurrence.py).
            models.Index(fields=["case_category", "status"], name="finding_case_category_status"),
            models.Index(fields=["category", "status"], name="finding_category_status"),
            models.Index(fields=["severity", "found_on"], name="finding_severity_found"),
        ]

    def __str__(self) -> str:
        return self.title


def finding_evidence_path(instance, filename: str) -> str:
    return f"inspections/findings/{instance.finding_id}/{filename}"


class FindingEvidence(models.Model):
    """A document or photo the team attaches to a finding; served through wudu/media.py to those who see it."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=finding_evidence_path, db_index=True)
    name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问题佐证材料")
        verbose_name_plural = _("问题佐证材料")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["finding", "sha256"], name="finding_evidence_unique")]

    def __str__(self) -> str:
        return self.name


class Recurrence(models.Model):
    """A finding's problem came back: a later finding of the same category at the same place, or a new case of its
    case category there, within INSPECTION_RECURRENCE_DAYS of its rectification. Linked once; it reopens the finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="recurrences")
    by_finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    noticed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问题反弹")
        verbose_name_plural = _("问题反弹")
        ordering = ["finding", "id"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "by_finding"], name="recurrence_by_finding_once"),
            models.UniqueConstraint(fields=["finding", "by_case"], name="recurrence_by_case_once"),
            models.CheckConstraint(
                condition=models.Q(by_finding__isnull=False, by_case__isnull=True)
                | models.Q(by_finding__isnull=True, by_case__isnull=False),
                name="recurrence_one_source"),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} ← {self.by_finding_id or self.by_case_id}"
