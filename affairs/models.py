"""Community services applied for online (便民服务, 只跑一次): the catalogue of service items (事项) a place offers, the
applications residents make (or a grid worker makes on their behalf), their materials and the append-only step
table of their handling. Who may take which step is `affairs.workflow`; every write is `affairs.services`."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wudu.models import AppendOnly
from wudu.rules import resident_mobile_validator
from wudu.scope import ScopedQuerySet

MAX_MATERIAL_KB = 20 * 1024


class Mode(models.TextChoices):
    ONLINE = "online", _("全程网办")
    ONCE = "once", _("网上申请，到现场一次")
    IN_PERSON = "in_person", _("只能现场办理")


class ServiceItemQuerySet(ScopedQuerySet):
    scope_resource = "service_item"

    def offered(self):
        return self.filter(active=True)


class ServiceItem(models.Model):
    """A service a district, street or community offers (事项), and who handles it: a place's office or a
    department of the district (exactly one of the two)."""

    place = models.ForeignKey("grids.Place", verbose_name=_("提供地"), on_delete=models.PROTECT,
                              related_name="service_items")
    name = models.CharField(_("事项名称"), max_length=60)
    applicants = models.CharField(_("申请对象"), max_length=200)
    conditions = models.TextField(_("办理条件"), max_length=1000, blank=True)
    unit_place = models.ForeignKey("grids.Place", verbose_name=_("办理单位"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="handled_service_items")
    department = models.ForeignKey("grids.Department", verbose_name=_("办理部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="service_items")
    time_limit = models.PositiveSmallIntegerField(
        _("承诺时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    mode = models.CharField(_("办理方式"), max_length=16, choices=Mode.choices, default=Mode.ONCE)
    legal_basis = models.CharField(_("设定依据"), max_length=500)
    is_demo = models.BooleanField(_("演示内容"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["place", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="service_item_unique_name"),
            models.CheckConstraint(
                condition=Q(unit_place__isnull=False, department__isnull=True)
                | Q(unit_place__isnull=True, department__isnull=False),
                name="service_item_one_handling_unit", violation_error_message=_("请选择一个办理单位或办理部门。")),
            models.CheckConstraint(condition=Q(time_limit__gte=1, time_limit__lte=60), name="service_item_time_limit",
                                   violation_error_message=_("承诺时限应为 1 至 60 个工作日。")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def applies_online(self) -> bool:
        return self.mode != Mode.IN_PERSON


class MaterialRequirement(models.Model):
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务事项"), on_delete=models.CASCADE,
                             related_name="materials")
    name = models.CharField(_("材料名称"), max_length=60)
    description = models.CharField(_("材料说明"), max_length=300, blank=True)
    example = models.CharField(_("填写示例"), max_length=300, blank=True)
    required = models.BooleanField(_("必须提交"), default=True)
    max_kb = models.PositiveIntegerField(_("大小上限（KB）"), default=5120,
                                         validators=[MinValueValidator(1), MaxValueValidator(MAX_MATERIAL_KB)])
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="material_requirement_unique_name"),
            models.CheckConstraint(condition=Q(max_kb__gte=1, max_kb__lte=MAX_MATERIAL_KB),
                                   name="material_requirement_max_kb"),
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    RECEIVED = "received", _("已接收")
    MATERIALS_REQUESTED = "materials_requested", _("待补正材料")
    RESUBMITTED = "resubmitted", _("已补正")
    ACCEPTED = "accepted", _("已受理")
    PROCESSING = "processing", _("办理中")
    APPROVED = "approved", _("准予办理")
    REFUSED = "refused", _("不予办理")
    CLOSED = "closed", _("已办结")


DECIDED = (Status.APPROVED, Status.REFUSED)
FINISHED = (*DECIDED, Status.CLOSED)


class ResultKind(models.TextChoices):
    CERTIFICATE = "certificate", _("出具证明")
    COLLECT = "collect", _("凭通知到现场领取一次")


class ApplicationQuerySet(ScopedQuerySet):
    scope_resource = "application"

    def open(self):
        return self.exclude(status__in=FINISHED)


class Application(models.Model):
    reference = models.CharField(_("申请编号"), max_length=20, unique=True)
    # The SHA-256 of the secret in the applicant's private tracking link: a leaked table opens no application.
    token_digest = models.CharField(max_length=64, unique=True)
    item = models.ForeignKey(ServiceItem, verbose_name=_("服务事项"), on_delete=models.PROTECT,
                             related_name="applications")
    # The unit that holds the application now (the item's at submission; a transfer moves it).
    unit_place = models.ForeignKey("grids.Place", verbose_name=_("办理单位"), on_delete=models.PROTECT,
                                   related_name="handled_applications")
    department = models.ForeignKey("grids.Department", verbose_name=_("办理部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="applications")
    applicant_name = models.CharField(_("申请人"), max_length=30)
    applicant_mobile = models.CharField(_("手机号码"), max_length=11, validators=[resident_mobile_validator])
    household = models.ForeignKey("ledger.Household", verbose_name=_("住户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="applications")
    # 帮办代办: the grid worker who applied for the resident during a visit.
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代办网格员"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="applications_made")
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    due_soon_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    result_kind = models.CharField(_("办理结果"), max_length=16, choices=ResultKind.choices, blank=True)
    result = models.CharField(_("结果说明"), max_length=500, blank=True)
    refusal_reason = models.CharField(_("不予办理理由"), max_length=500, blank=True)
    refusal_basis = models.CharField(_("不予办理依据"), max_length=500, blank=True)
    material_requests = models.PositiveSmallIntegerField(_("补正告知次数"), default=0)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("办事申请")
        verbose_name_plural = _("办事申请")
        ordering = ["-id"]
        constraints = [
            # An application made on a resident's behalf names their household.
            models.CheckConstraint(condition=Q(on_behalf_of__isnull=True) | Q(household__isnull=False),
                                   name="application_on_behalf_names_household"),
            # A refusal says why and on what basis; an approval says what the applicant gets.
            models.CheckConstraint(
                condition=~Q(status=Status.REFUSED) | (~Q(refusal_reason="") & ~Q(refusal_basis="")),
                name="application_refusal_reasoned"),
            models.CheckConstraint(condition=~Q(status=Status.APPROVED) | (~Q(result_kind="") & ~Q(result="")),
                                   name="application_approval_has_result"),
            # Accepted (受理) starts the clock; a refusal may come before it (不予受理).
            models.CheckConstraint(
                condition=~Q(status__in=[Status.ACCEPTED, Status.PROCESSING, Status.APPROVED])
                | Q(accepted_at__isnull=False, due_at__isnull=False),
                name="application_accepted_has_clock"),
        ]
        indexes = [
            models.Index(fields=["unit_place", "status", "-id"], name="application_unit_queue"),
            models.Index(fields=["department", "status", "-id"], name="application_department_queue"),
            models.Index(fields=["on_behalf_of", "-id"], name="application_on_behalf"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    @property
    def clock(self) -> str:
        """Where an open application stands against its time limit now: "overdue", "due_soon" (80 % of the working
        days used) or "" (no clock yet, in time, or finished)."""
        if not self.is_open or self.due_at is None:
            return ""
        now = timezone.now()
        if now >= self.due_at:
            return "overdue"
        return "due_soon" if self.due_soon_at is not None and now >= self.due_soon_at else ""


def material_path(instance: ApplicationMaterial, filename: str) -> str:
    """A fresh name per upload (nothing guessable; files are served only through the gate, wudu.media)."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    if not suffix.isalnum():
        suffix = "bin"
    return f"affairs/{uuid.uuid4().hex}.{suffix}"


class ApplicationMaterial(models.Model):
    """One uploaded file for one requirement. A new upload replaces the current one and keeps it as history."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(MaterialRequirement, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField(_("文件"), upload_to=material_path, max_length=200)
    original_name = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requirement__sort_order", "requirement_id", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["application", "requirement"], condition=Q(replaced_at__isnull=True),
                                    name="application_material_one_current"),
        ]

    def __str__(self) -> str:
        return self.original_name or str(self.file)


class ApplicationStep(AppendOnly):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="steps")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=24, blank=True)
    action = models.CharField(_("环节"), max_length=24)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # 一次性告知: the requirements a request for materials named (ids), and whether it was a second request.
    materials = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    unit = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(action="request_materials") | ~Q(materials=[]),
                                   name="application_step_request_names_materials"),
        ]

    @property
    def to_status_label(self) -> str:
        return Status(self.to_status).label


class MobileCode(models.Model):
    """A one-time code that proves a resident holds a mobile: the mobile and the code are kept as keyed digests
    only (a leaked table reveals neither), valid a few minutes, refused after a few wrong tries."""

    mobile_digest = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"code {self.pk}"


class ReferenceCounter(models.Model):
    """Per-day sequence of application references (申请编号 B + YYYYMMDD + 5 digits)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


# ---------------------------------------------------------------------------------------------- results and ratings


def new_verify_code() -> str:
    """The code of a certificate's public verification address: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """The certificate (证明) an approval with result "certificate" issues: what it states is copied at issue (a
    certificate says what was true when it was signed). The paper carries a QR code to /affairs/verify/<code>/."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(_("证明编号"), max_length=20, unique=True)
    code = models.CharField(max_length=32, unique=True, default=new_verify_code, editable=False)
    item_name = models.CharField(_("事项"), max_length=60)
    applicant_name = models.CharField(_("申请人"), max_length=30)
    statement = models.CharField(_("证明内容"), max_length=500)
    unit_name = models.CharField(_("出具单位"), max_length=60)
    issued_at = models.DateTimeField(_("出具时间"))
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("办事证明")
        verbose_name_plural = _("办事证明")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                                   name="affairs_certificate_revoked_with_reason"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class Satisfaction(models.IntegerChoices):
    """政务服务好差评: five levels; the two lowest are bad ratings (差评) and open a rectification."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    UNSATISFIED = 2, _("不满意")
    VERY_UNSATISFIED = 1, _("非常不满意")


BAD_RATINGS = (Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED)


class Rating(models.Model):
    """The applicant's rating of a closed application (once: by the tracking link's holder only)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(_("评价"), choices=Satisfaction.choices)
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="affairs_rating_level")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_RATINGS


class Rectification(models.Model):
    """整改 after a bad rating: the handling unit answers what it did within AFFAIRS_RECTIFY_DAYS working days; the
    applicant is told by SMS and sees it on the tracking page. Overdue is computed when read (`is_overdue`)."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="rectification")
    opened_at = models.DateTimeField(_("发起时间"))
    due_at = models.DateTimeField(_("整改时限"))
    answer = models.TextField(_("整改情况"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    role = models.CharField(max_length=24, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        constraints = [
            models.CheckConstraint(condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                                   name="affairs_rectification_answered_with_text"),
        ]
        indexes = [models.Index(fields=["answered_at", "due_at"], name="affairs_rectification_open")]

    def __str__(self) -> str:
        return f"{self.application_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def is_overdue(self) -> bool:
        return self.answered_at is None and timezone.now() >= self.due_at

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.due_at
