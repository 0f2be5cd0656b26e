"""The lecturers' pool (宣讲团) and the demand loop of its lessons: 点单 → 派单 → 接单 → 评单.

A lecturer (宣讲员) is an ordinary party member — a community cadre, a teacher, a model worker — registered at a
home place (a community, a street or the district) that anchors them in the gate (`home__code`). Each offers
topics (课题), short lessons (a micro party lesson runs about 8 minutes) reviewed before any is delivered.

A lesson request (点单) comes from a resident (the public form, no account) or a community official, for a community
(`community__code` anchors it). The organiser assigns a lecturer and one of their reviewed topics (派单); the
lecturer accepts, with the date agreed, or declines (接单); the accepted lesson is published as an event of kind
party_lesson (outreach.models.events, owned by the events area) and, once held, recorded as delivered with its
audience; the audience rates it through the request's public link (评单), one rating per phone.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User
from wudu.rules import mobile_validator
from wudu.scope import ScopedQuerySet

from .events import Event
from .party import PartyMember


class LecturerKind(models.TextChoices):
    CADRE = "cadre", _("社区干部")
    TEACHER = "teacher", _("教师")
    MODEL_WORKER = "model_worker", _("劳动模范")
    OTHER = "other", _("其他")


class LecturerQuerySet(ScopedQuerySet):
    scope_resource = "lecturer"


class Lecturer(models.Model):
    """A member of the pool. The mobile is personal: shown to those who assign and call (the gate's
    personal_fields), masked elsewhere."""

    home = models.ForeignKey(Place, verbose_name=_("所属地点"), on_delete=models.PROTECT, related_name="lecturers")
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, validators=[mobile_validator])
    kind = models.CharField(_("身份"), max_length=16, choices=LecturerKind.choices)
    unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    active = models.BooleanField(_("在库"), default=True)
    party_member = models.ForeignKey(PartyMember, verbose_name=_("党员登记"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="lecturer_profiles")
    # A lecturer with an account accepts or declines their lessons on their own page.
    user = models.ForeignKey(User, verbose_name=_("账号"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="lecturer_profiles")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LecturerQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣讲员")
        verbose_name_plural = _("宣讲员")
        ordering = ["home__code", "name", "id"]
        constraints = [
            # One person, one place in the pool: a second registration with the same mobile finds the first.
            models.UniqueConstraint(fields=["mobile"], name="lecturer_unique_mobile",
                                    violation_error_message=_("该手机号码已在宣讲员库中。")),
        ]
        indexes = [
            models.Index(fields=["home", "name"], name="lecturer_home_name"),
            models.Index(fields=["active", "kind"], name="lecturer_active_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class LecturerTopic(models.Model):
    """A lesson a lecturer offers. Read and written with its lecturer (no gate of its own)."""

    lecturer = models.ForeignKey(Lecturer, verbose_name=_("宣讲员"), on_delete=models.PROTECT, related_name="topics")
    title = models.CharField(_("课题"), max_length=100)
    summary = models.TextField(_("内容简介"), blank=True, max_length=1000)
    duration_minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"), default=8, validators=[MinValueValidator(1), MaxValueValidator(120)])
    # Reviewed before any delivery (a lesson's content is checked once, by someone other than its lecturer).
    reviewed_by = models.ForeignKey(User, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    active = models.BooleanField(_("可点"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("宣讲课题")
        verbose_name_plural = _("宣讲课题")
        ordering = ["lecturer", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lecturer", "title"], name="lecturer_topic_unique_title",
                                    violation_error_message=_("该宣讲员已有同名课题。")),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1, duration_minutes__lte=120),
                                   name="lecturer_topic_duration_range"),
            models.CheckConstraint(condition=Q(reviewed_at__isnull=True) | Q(reviewed_by__isnull=False),
                                   name="lecturer_topic_reviewed_by_someone"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class RequestSource(models.TextChoices):
    PUBLIC = "public", _("居民点单")
    OFFICIAL = "official", _("社区点单")


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("待派单")
    ASSIGNED = "assigned", _("待接单")
    DECLINED = "declined", _("已谢绝，待改派")
    ACCEPTED = "accepted", _("已接单")
    DELIVERED = "delivered", _("已宣讲")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.ASSIGNED, RequestStatus.DECLINED, RequestStatus.ACCEPTED)


class LessonRequestQuerySet(ScopedQuerySet):
    scope_resource = "lesson_request"


class LessonRequest(models.Model):
    community = models.ForeignKey(Place, verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="lesson_requests")
    source = models.CharField(_("来源"), max_length=16, choices=RequestSource.choices)
    requester_name = models.CharField(_("点单人"), max_length=50)
    requester_mobile = models.CharField(_("联系电话"), max_length=11, validators=[mobile_validator])
    requested_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("点单时间"))
    topic_wish = models.CharField(_("想听的内容"), max_length=200)
    preferred_from = models.DateField(_("希望日期（起）"), null=True, blank=True)
    preferred_until = models.DateField(_("希望日期（止）"), null=True, blank=True)
    expected_audience = models.PositiveIntegerField(_("预计听众人数"), null=True, blank=True,
                                                    validators=[MaxValueValidator(5000)])

    status = models.CharField(_("状态"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    # 派单
    lecturer = models.ForeignKey(Lecturer, verbose_name=_("宣讲员"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="lesson_requests")
    topic = models.ForeignKey(LecturerTopic, verbose_name=_("课题"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="lesson_requests")
    assigned_by = models.ForeignKey(User, verbose_name=_("派单人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    assigned_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    # 接单 (or its refusal: the organiser assigns again)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    decline_reason = models.CharField(_("谢绝原因"), max_length=200, blank=True)
    declines = models.PositiveSmallIntegerField(_("谢绝次数"), default=0)
    # The lesson itself: an event of kind party_lesson, published when accepted, held when delivered.
    event = models.OneToOneField(Event, verbose_name=_("活动"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="lesson_request")
    delivered_at = models.DateTimeField(_("宣讲时间"), null=True, blank=True)
    # Days from the request to the delivery (local dates), kept when delivered: the pool's lead time.
    lead_days = models.PositiveIntegerField(_("响应天数"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    # The public link of the requester (and the audience they pass it to): rating, without an account.
    rating_token = models.CharField(max_length=32, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LessonRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣讲点单")
        verbose_name_plural = _("宣讲点单")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_until__isnull=True) | Q(preferred_from__isnull=True)
                | Q(preferred_until__gte=models.F("preferred_from")),
                name="lesson_request_preferred_range",
                violation_error_message=_("希望日期的结束不能早于开始。")),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "declined", "cancelled"])
                | Q(lecturer__isnull=False, topic__isnull=False),
                name="lesson_request_assigned_has_lecturer"),
            models.CheckConstraint(condition=~Q(status="delivered") | Q(event__isnull=False, delivered_at__isnull=False),
                                   name="lesson_request_delivered_has_event"),
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="lesson_request_status"),
            models.Index(fields=["community", "requested_at"], name="lesson_request_community"),
            models.Index(fields=["lecturer", "status"], name="lesson_request_lecturer"),
            models.Index(fields=["requested_at", "id"], name="lesson_request_newest"),
        ]

    def __str__(self) -> str:
        return self.topic_wish


class LessonRating(models.Model):
    """One listener's rating of a delivered lesson (评单): 1–5 with a comment, one per phone per lesson. The phone
    is kept only as a keyed digest (to refuse a second rating), never as a number."""

    request = models.ForeignKey(LessonRequest, verbose_name=_("宣讲点单"), on_delete=models.PROTECT,
                                related_name="ratings")
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("评价"), max_length=300, blank=True)
    mobile_digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("宣讲评价")
        verbose_name_plural = _("宣讲评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "mobile_digest"], name="lesson_rating_once_per_phone",
                                    violation_error_message=_("这个手机号码已经评价过本次宣讲。")),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="lesson_rating_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.score}"
