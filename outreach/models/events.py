"""Outreach events (活动): micro party lessons, performances, volunteer lectures, themed party days and branch
meetings, each held at a venue in the place hierarchy and organised by exactly one organiser.

The event's venue anchors it in the gate (`venue__code`); the organiser says who records it (and, for volunteer
service, who alone may certify its hours: 谁组织谁记录、谁记录谁证明).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grids.models import Department, Place, User
from wudu.scope import ScopedQuerySet

from .party import PartyOrganization
from .volunteers import VolunteerOrganization


class EventKind(models.TextChoices):
    PARTY_LESSON = "party_lesson", _("微型党课")
    PERFORMANCE = "performance", _("文艺演出")
    LECTURE = "lecture", _("志愿宣讲")
    PARTY_DAY = "party_day", _("主题党日")
    BRANCH_MEETING = "branch_meeting", _("支部会议")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class AudienceCount(models.TextChoices):
    """How the actual audience was counted: a figure is only as good as its method."""

    HEADCOUNT = "headcount", _("现场点数")
    REGISTRATION = "registration", _("签到登记")
    ESTIMATE = "estimate", _("估算")


class EventQuerySet(ScopedQuerySet):
    scope_resource = "event"


class Event(models.Model):
    kind = models.CharField(_("类别"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT)

    # Where: a place of the hierarchy (a street, a community or a grid), an address and a map point.
    venue = models.ForeignKey(Place, verbose_name=_("活动地点"), on_delete=models.PROTECT, related_name="events")
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    # Who: exactly one organiser — a party organisation, a volunteer organisation, a department, or the office of a
    # place (a community or street committee as a unit).
    party_organization = models.ForeignKey(PartyOrganization, verbose_name=_("主办党组织"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="events")
    volunteer_organization = models.ForeignKey(VolunteerOrganization, verbose_name=_("主办志愿服务组织"), null=True,
                                               blank=True, on_delete=models.PROTECT, related_name="events")
    organizer_department = models.ForeignKey(Department, verbose_name=_("主办部门"), null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="outreach_events")
    organizer_place = models.ForeignKey(Place, verbose_name=_("主办单位"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="organized_events")

    speakers = models.CharField(_("主讲人 / 表演者"), max_length=200, blank=True)
    stream_url = models.URLField(_("直播链接"), blank=True)
    planned_audience = models.PositiveIntegerField(_("计划受众人数"), null=True, blank=True)
    actual_audience = models.PositiveIntegerField(_("实际受众人数"), null=True, blank=True)
    audience_counted_by = models.CharField(_("计数方式"), max_length=16, choices=AudienceCount.choices, blank=True)
    report = models.TextField(_("活动简报"), blank=True, max_length=4000)
    # Performances and rehearsals give no service hours unless the organiser marks the event as service.
    counts_as_service = models.BooleanField(_("计入志愿服务时长"), default=False)

    # A past event is entered only as a back-entry (补录) with a reason and an approver.
    back_entry_reason = models.CharField(_("补录原因"), max_length=200, blank=True)
    back_entry_approved_by = models.ForeignKey(User, verbose_name=_("补录审批人"), null=True, blank=True,
                                               on_delete=models.PROTECT, related_name="+")

    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start",
                                   violation_error_message=_("结束时间必须晚于开始时间。")),
            models.CheckConstraint(
                condition=(
                    Q(party_organization__isnull=False, volunteer_organization__isnull=True,
                      organizer_department__isnull=True, organizer_place__isnull=True)
                    | Q(party_organization__isnull=True, volunteer_organization__isnull=False,
                        organizer_department__isnull=True, organizer_place__isnull=True)
                    | Q(party_organization__isnull=True, volunteer_organization__isnull=True,
                        organizer_department__isnull=False, organizer_place__isnull=True)
                    | Q(party_organization__isnull=True, volunteer_organization__isnull=True,
                        organizer_department__isnull=True, organizer_place__isnull=False)
                ),
                name="event_exactly_one_organizer",
                violation_error_message=_("活动须有且只有一个主办方。"),
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at", "id"], name="event_starts"),
            models.Index(fields=["venue", "starts_at"], name="event_venue_starts"),
            models.Index(fields=["kind", "starts_at"], name="event_kind_starts"),
            models.Index(fields=["status", "starts_at"], name="event_status_starts"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organizer(self):
        return (self.party_organization or self.volunteer_organization or self.organizer_department
                or self.organizer_place)

    @property
    def is_back_entry(self) -> bool:
        return bool(self.back_entry_reason)


def event_photo_path(instance, filename: str) -> str:
    return f"events/{instance.event.starts_at:%Y/%m}/{filename}"


class EventPhoto(models.Model):
    """A photo of a held event (活动现场照片), stored through the kernel's photo kit (wudu/images.py: re-encoded
    without EXIF, thumbnailed) and served through wudu/media.py to those who see the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    # Indexed: the gated media view finds a file's owner by its path (wudu/media.py).
    image = models.ImageField(upload_to=event_photo_path, db_index=True)
    thumbnail = models.ImageField(upload_to=event_photo_path, db_index=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["event", "sha256"], name="event_photo_unique")]

    def __str__(self) -> str:
        return self.image.name
