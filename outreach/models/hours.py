"""Volunteer hours with their evidence (志愿服务时长). 谁组织谁记录、谁记录谁证明: a record belongs to the
organisation that organised the service, and only that organisation verifies it and certifies it.

Two kinds, never mixed: service hours (服务时长) come only from a check-in and check-out at an event, countersigned
by the organiser; honour hours (荣誉时长) are entered by an administrator with a reason and an approver, capped,
and shown apart. A record is never deleted: it is pending, verified or declined.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grids.models import User
from wudu.scope import ScopedQuerySet

from .events import Event
from .volunteers import Volunteer, VolunteerOrganization


def as_hours(minutes: int) -> float:
    """Minutes as hours the way they are shown and certified: to a tenth of an hour."""
    return round(minutes / 60, 1)


class HoursKind(models.TextChoices):
    SERVICE = "service", _("服务时长")
    HONOUR = "honour", _("荣誉时长")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    VERIFIED = "verified", _("已确认")
    DECLINED = "declined", _("未通过")


class HoursFlag(models.TextChoices):
    """Anomaly flags (stored as codes in ServiceRecord.flags; computed by outreach.services.hours)."""

    NO_CHECKIN_BURST = "no_checkin_burst", _("无签到时长集中录入")
    SHARED_DEVICE = "shared_device", _("同一设备多人签到")
    OVERLAP = "overlap", _("同一时段多场活动")
    OVER_DAILY = "over_daily", _("单日时长超出合理范围")
    BACK_ENTRY_BURST = "back_entry_burst", _("集中补录")
    CHECKOUT_CAPPED = "checkout_capped", _("未签退，按活动结束计")
    NO_POSITION = "no_position", _("签到未提供位置")


# Flags that put a record on the review list (a missing position is noted, not an anomaly).
REVIEW_FLAGS = [flag.value for flag in HoursFlag if flag != HoursFlag.NO_POSITION]


class ServiceRecordQuerySet(ScopedQuerySet):
    scope_resource = "service_hours"

    def verified(self):
        return self.filter(status=HoursStatus.VERIFIED)


class ServiceRecord(models.Model):
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT,
                                  related_name="service_records")
    # The recording organisation (谁组织谁记录): for service hours, the event's organiser.
    organization = models.ForeignKey(VolunteerOrganization, verbose_name=_("记录组织"), on_delete=models.PROTECT,
                                     related_name="service_records")
    event = models.ForeignKey(Event, verbose_name=_("活动"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="service_records")
    kind = models.CharField(_("时长类别"), max_length=16, choices=HoursKind.choices, default=HoursKind.SERVICE)
    status = models.CharField(_("状态"), max_length=16, choices=HoursStatus.choices, default=HoursStatus.PENDING)

    # The evidence of a service record: when and where the volunteer checked in and out, from which device.
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    check_in_lng = models.FloatField(null=True, blank=True)
    check_in_lat = models.FloatField(null=True, blank=True)
    check_out_lng = models.FloatField(null=True, blank=True)
    check_out_lat = models.FloatField(null=True, blank=True)
    # A keyed hash of the device that checked in (one device checking in many people is an anomaly); never raw.
    device = models.CharField(max_length=64, blank=True, editable=False)
    # A forgotten check-out: closed at the event's end (never later), and flagged.
    checkout_capped = models.BooleanField(_("未签退，按活动结束计"), default=False)

    # The credited time, in minutes (capped: never more than the event's length, nor an honour cap).
    minutes = models.PositiveIntegerField(_("时长（分钟）"), default=0)
    # Anomaly flags (codes, see outreach.services.hours): listed for review, never silently dropped.
    flags = models.JSONField(_("异常标记"), default=list, blank=True)

    # Honour hours: why, and who approved them.
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    approved_by = models.ForeignKey(User, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    # The countersignature (service hours) or the decision (honour hours) of the recording organisation.
    countersigned_by = models.ForeignKey(User, verbose_name=_("确认人"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    countersigned_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    declined_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)

    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务时长记录")
        verbose_name_plural = _("志愿服务时长记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One service record per volunteer and event: a retried check-in finds the first.
            models.UniqueConstraint(fields=["volunteer", "event"], condition=Q(kind="service"),
                                    name="service_record_one_per_event"),
            models.CheckConstraint(condition=Q(kind="honour") | Q(event__isnull=False, checked_in_at__isnull=False),
                                   name="service_record_service_has_checkin"),
            models.CheckConstraint(condition=Q(kind="service") | (~Q(reason="") & Q(approved_by__isnull=False)),
                                   name="service_record_honour_has_reason"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="service_record_out_after_in"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "status", "kind"], name="service_record_volunteer"),
            models.Index(fields=["organization", "status", "created_at"], name="service_record_org"),
            models.Index(fields=["event", "status"], name="service_record_event"),
            models.Index(fields=["device", "checked_in_at"], name="service_record_device"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.get_kind_display()} · {self.minutes}"

    @property
    def flag_labels(self) -> list[str]:
        labels = dict(HoursFlag.choices)
        return [str(labels.get(code, code)) for code in self.flags]

    @property
    def hours(self) -> float:
        return as_hours(self.minutes)
