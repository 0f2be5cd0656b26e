"""Writes of outreach events (活动) and of the volunteer organisations that hold them.

An event's life: created as a draft (`event_create`), published (`event_publish`), edited while it is planned
(`event_update`, versioned), cancelled (`event_cancel`) or, after it took place, reported (`event_report`: the
actual audience and how it was counted, a short report and photos; the event is then held).

Only a future event is published. A past one is a back-entry (补录): it carries a reason, and it is published by
a second person who may record events at its venue — never its creator — whose publishing is the approval
(`back_entry_approved_by`). So one person can never back-fill an event alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Department, Level, Place
from wudu import scope
from wudu.images import store_photos
from wudu.rules import MAX_PHOTOS, phone_validator
from wudu.writes import create_once, update_versioned

from ..models import (
    AudienceCount,
    Event,
    EventKind,
    EventPhoto,
    EventStatus,
    PartyOrganization,
    VolunteerOrganization,
)

__all__ = [
    "EVENT_FIELDS", "EVENT_WRITERS", "VENUE_LEVELS", "event_cancel", "event_create", "event_publish", "event_report", "event_update",
    "volunteer_org_create", "volunteer_org_update",
]

# Where an event takes place: a grid, a community, a street or the district (a venue is a place of the hierarchy,
# with an address and a map point of its own).
VENUE_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
ORG_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
# What a planned event's edit may change (the organiser is fixed once created: it decides who records hours).
EVENT_FIELDS = ("kind", "title", "topic", "address", "lng", "lat", "starts_at", "ends_at", "speakers", "stream_url",
                "planned_audience", "counts_as_service")
# Who records events (the `event` policy's writers): offered the create button.
EVENT_WRITERS = tuple(scope.POLICIES["event"].write)
ORGANIZER_FIELDS = ("party_organization", "volunteer_organization", "organizer_department", "organizer_place")
LONGEST_EVENT = datetime.timedelta(days=3)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _check_times(starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("请填写开始和结束时间。")}, code="required")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")}, code="ends_before_start")
    if ends_at - starts_at > LONGEST_EVENT:
        raise ValidationError({"ends_at": _("一次活动最长 3 天；连续多日的活动请按天分别登记。")}, code="too_long")


def _check_audience(value, field: str) -> None:
    if value is None:
        return
    if value < 0:
        raise ValidationError({field: _("人数不能为负数。")}, code="negative")
    if value > settings.EVENT_MAX_AUDIENCE:
        raise ValidationError({field: _("人数 %(n)d 超出合理范围（最多 %(most)d 人），请核对。")
                               % {"n": value, "most": settings.EVENT_MAX_AUDIENCE}}, code="implausible")


def _check_point(lng, lat) -> None:
    if (lng is None) != (lat is None):
        raise ValidationError({"lng": _("经度和纬度须同时填写。")}, code="half_point")
    if lng is not None and not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise ValidationError({"lng": _("地图位置无效。")}, code="bad_point")


def _organizer(actor, venue: Place, organizer) -> dict:
    """The one organiser as the event's four columns; the venue's own office when none is named. The organiser must
    be one the actor sees (the same 'missing or not yours' answer otherwise)."""
    if organizer is None:
        return {"organizer_place": venue}
    missing = ValidationError({"organizer": _("主办方不存在或无权访问。")}, code="organizer_hidden")
    for model, field in ((PartyOrganization, "party_organization"), (VolunteerOrganization, "volunteer_organization"),
                         (Department, "organizer_department"), (Place, "organizer_place")):
        if isinstance(organizer, model):
            if not model.objects.visible_to(actor).filter(pk=organizer.pk).exists():
                raise missing
            return {field: organizer}
    raise missing


def event_create(
    *, actor, kind: str, title: str, venue: Place, starts_at: datetime.datetime, ends_at: datetime.datetime,
    organizer=None, topic: str = "", address: str = "", lng: float | None = None, lat: float | None = None,
    speakers: str = "", stream_url: str = "", planned_audience: int | None = None, counts_as_service: bool = False,
    back_entry_reason: str = "", idempotency_key=None,
) -> Event:
    """A draft event at `venue`. A past event may be drafted with the reason for its back-entry; another person
    publishes it (`event_publish`)."""
    scope.require_create(actor, "event", venue)
    if venue.level not in VENUE_LEVELS:
        raise ValidationError({"venue": _("活动地点须为区、街道、社区或网格。")}, code="wrong_level")
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("请选择活动类别。")}, code="kind")
    _check_times(starts_at, ends_at)
    _check_audience(planned_audience, "planned_audience")
    _check_point(lng, lat)
    organizer_fields = _organizer(actor, venue, organizer)

    def create() -> Event:
        event = Event(
            kind=kind, title=title.strip(), topic=topic.strip(), venue=venue, address=address.strip(), lng=lng,
            lat=lat, starts_at=starts_at, ends_at=ends_at, speakers=speakers.strip(), stream_url=stream_url.strip(),
            planned_audience=planned_audience, counts_as_service=counts_as_service,
            back_entry_reason=back_entry_reason.strip(), created_by=actor, **organizer_fields,
        )
        event.full_clean()
        event.save()
        return event

    return create_once(key=idempotency_key, actor=actor, model=Event, create=create)


def event_publish(
    *, actor, event: Event, expected_version: int | None = None, back_entry_reason: str = "",
    now: datetime.datetime | None = None,
) -> Event:
    """Publish a draft: at once when it is still to come; a past (or started) one only as a back-entry with a
    reason, published by someone other than its creator who may record events at its venue (the approver)."""
    scope.require_change(actor, event, "event")
    if event.status != EventStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的活动可以发布（当前：%(status)s）。") % {"status": event.get_status_display()},
                              code="not_draft")
    fields: dict = {"status": EventStatus.PUBLISHED}
    if event.starts_at <= _now(now):
        reason = (back_entry_reason or event.back_entry_reason).strip()
        if not reason:
            raise ValidationError({"back_entry_reason": _("该活动的开始时间已过，只能补录：请填写补录原因，并由创建人以外、"
                                                          "有权限的人员审批发布。")}, code="back_entry_reason")
        if event.created_by_id == actor.pk:
            raise ValidationError({"back_entry_reason": _("补录的活动须由创建人以外、有权限的人员审批发布。")},
                                  code="back_entry_self")
        fields.update(back_entry_reason=reason, back_entry_approved_by=actor)
    return update_versioned(event, expected_version=expected_version, fields=fields)


def event_update(*, actor, event: Event, expected_version: int | None = None, now: datetime.datetime | None = None,
                 **changes) -> Event:
    """Edit a draft or a published event that has not taken place. A published event cannot be moved into the
    past (that would publish a past event without a back-entry)."""
    scope.require_change(actor, event, "event")
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise ValidationError(_("已举办或已取消的活动不能再修改。"), code="closed")
    fields = {name: value for name, value in changes.items() if name in EVENT_FIELDS}
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    starts_at = fields.get("starts_at", event.starts_at)
    _check_times(starts_at, fields.get("ends_at", event.ends_at))
    _check_audience(fields.get("planned_audience"), "planned_audience")
    _check_point(fields.get("lng", event.lng), fields.get("lat", event.lat))
    if event.status == EventStatus.PUBLISHED and starts_at != event.starts_at and starts_at <= _now(now):
        raise ValidationError({"starts_at": _("已发布的活动不能改到已过去的时间。")}, code="into_the_past")
    return update_versioned(event, expected_version=expected_version, fields=fields)


def event_cancel(*, actor, event: Event, expected_version: int | None = None) -> Event:
    scope.require_change(actor, event, "event")
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise ValidationError(_("已举办或已取消的活动不能取消。"), code="closed")
    return update_versioned(event, expected_version=expected_version, fields={"status": EventStatus.CANCELLED})


def event_report(
    *, actor, event: Event, actual_audience: int, audience_counted_by: str, report: str, photos: Iterable = (),
    expected_version: int | None = None, now: datetime.datetime | None = None,
) -> Event:
    """After a published event has ended: the actual audience and how it was counted, a short report and photos.
    The event is then held (已举办). A held event's report may be corrected and photos added (up to 5)."""
    scope.require_change(actor, event, "event")
    if event.status not in (EventStatus.PUBLISHED, EventStatus.HELD):
        raise ValidationError(_("只有已发布的活动可以填写活动简报。"), code="not_published")
    if event.ends_at > _now(now):
        raise ValidationError(_("活动结束后才能填写活动简报。"), code="not_over")
    if actual_audience is None:
        raise ValidationError({"actual_audience": _("请填写实际受众人数。")}, code="required")
    _check_audience(actual_audience, "actual_audience")
    if audience_counted_by not in AudienceCount.values:
        raise ValidationError({"audience_counted_by": _("请选择人数的计数方式。")}, code="required")
    report = (report or "").strip()
    if not report:
        raise ValidationError({"report": _("请填写活动简报。")}, code="required")
    photos = list(photos)
    if event.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("每个活动最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}}, code="too_many_photos")
    with transaction.atomic():
        event = update_versioned(event, expected_version=expected_version, fields={
            "status": EventStatus.HELD, "actual_audience": actual_audience, "audience_counted_by": audience_counted_by,
            "report": report})
        store_photos(photos, model=EventPhoto, owner={"event": event})
    return event


# ---------------------------------------------------------------------------------------------- volunteer organisations

ORG_FIELDS = ("name", "contact_name", "phone", "description", "founded_on")


def _check_org(fields: dict) -> None:
    founded_on = fields.get("founded_on")
    if founded_on and founded_on > timezone.localdate():
        raise ValidationError({"founded_on": _("成立日期不能晚于今天。")}, code="future")
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    if fields.get("phone"):
        try:
            phone_validator(fields["phone"])
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}, code="phone") from None


def volunteer_org_create(
    *, actor, place: Place, name: str, contact_name: str = "", phone: str = "", description: str = "",
    founded_on: datetime.date | None = None, idempotency_key=None,
) -> VolunteerOrganization:
    """Register a volunteer organisation (志愿服务组织) at the district, a street or a community."""
    scope.require_create(actor, "volunteer_org", place)
    if place.level not in ORG_LEVELS:
        raise ValidationError({"place": _("志愿服务组织须登记在区、街道或社区。")}, code="wrong_level")
    fields = {"name": name, "contact_name": contact_name.strip(), "phone": phone.strip(), "description": description,
              "founded_on": founded_on}
    _check_org(fields)

    def create() -> VolunteerOrganization:
        organization = VolunteerOrganization(place=place, **fields)
        organization.full_clean()
        organization.save()
        return organization

    return create_once(key=idempotency_key, actor=actor, model=VolunteerOrganization, create=create)


def volunteer_org_update(
    *, actor, organization: VolunteerOrganization, expected_version: int | None = None, **changes
) -> VolunteerOrganization:
    scope.require_change(actor, organization, "volunteer_org")
    fields = {name: value for name, value in changes.items() if name in ORG_FIELDS}
    _check_org(fields)
    return update_versioned(organization, expected_version=expected_version, fields=fields)

