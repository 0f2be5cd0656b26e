"""Writes of the lecturers' pool (宣讲团) and the demand loop of its lessons: 点单 → 派单 → 接单 → 评单.

Every step is versioned (a step taken on a stale page is refused: someone else moved the request meanwhile) and
refused with a message saying why: an inactive lecturer, a topic not reviewed, a request not assigned to the person
answering it, a rating before the lesson or a second one from the same phone.

The lesson's event (kind party_lesson) belongs to the events area (outreach.models.events / its services). This
module makes the one event a lesson needs through the plain ORM, in two small steps kept here on purpose: it is
published when the lecturer accepts (a date in the future, as any published event) and marked held, with its
audience, when the lesson is delivered. Nothing else of the event is touched.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from grids.models import Level, Place
from wudu import quota, scope
from wudu.writes import create_once, update_versioned

from ..models import (
    AudienceCount,
    Event,
    EventKind,
    EventStatus,
    Lecturer,
    LecturerTopic,
    LessonRating,
    LessonRequest,
    RequestSource,
    RequestStatus,
)

__all__ = [
    "lecturer_create", "lecturer_update", "lecturer_topic_add", "lecturer_topic_review", "lesson_request_create",
    "lesson_request_submit_public", "lesson_request_assign", "lesson_request_accept", "lesson_request_decline",
    "lesson_request_deliver", "lesson_request_cancel", "lesson_rate_public", "rating_digest",
]

LECTURER_FIELDS = {"name", "mobile", "kind", "unit", "active", "user", "party_member"}


# ---------------------------------------------------------------------------------------------- the pool


def lecturer_create(
    *, actor, home: Place, name: str, mobile: str, kind: str, unit: str = "", user=None, party_member=None,
    idempotency_key=None,
) -> Lecturer:
    scope.require_create(actor, "lecturer", home)
    if home.level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        raise ValidationError({"home": _("宣讲员登记在区、街道或社区。")}, code="wrong_level")

    def create() -> Lecturer:
        lecturer = Lecturer(home=home, name=name.strip(), mobile=mobile, kind=kind, unit=unit.strip(), user=user,
                            party_member=party_member)
        lecturer.full_clean()
        lecturer.save()
        return lecturer

    return create_once(key=idempotency_key, actor=actor, model=Lecturer, create=create)


def lecturer_update(*, actor, lecturer: Lecturer, expected_version: int | None = None, **changes) -> Lecturer:
    scope.require_change(actor, lecturer, "lecturer")
    fields = {k: v for k, v in changes.items() if k in LECTURER_FIELDS}
    return update_versioned(lecturer, expected_version=expected_version, fields=fields)


def lecturer_topic_add(
    *, actor, lecturer: Lecturer, title: str, summary: str = "", duration_minutes: int = 8, idempotency_key=None,
) -> LecturerTopic:
    """A topic the lecturer offers; it waits for review before it can be assigned."""
    scope.require_change(actor, lecturer, "lecturer")

    def create() -> LecturerTopic:
        topic = LecturerTopic(lecturer=lecturer, title=title.strip(), summary=summary.strip(),
                              duration_minutes=duration_minutes)
        topic.full_clean()
        topic.save()
        return topic

    return create_once(key=idempotency_key, actor=actor, model=LecturerTopic, create=create)


def lecturer_topic_review(*, actor, topic: LecturerTopic, expected_version: int | None = None,
                          now: datetime.datetime | None = None) -> LecturerTopic:
    """The lesson's content is checked once before any delivery, by someone other than its lecturer."""
    scope.require_change(actor, topic.lecturer, "lecturer")
    if topic.lecturer.user_id is not None and topic.lecturer.user_id == actor.pk:
        raise ValidationError(_("不能审核自己的课题。"), code="own_topic")
    if topic.is_reviewed:
        return topic  # reviewed already: a second click changes nothing
    return update_versioned(topic, expected_version=expected_version,
                            fields={"reviewed_by": actor, "reviewed_at": now or timezone.now()})


# ---------------------------------------------------------------------------------------------- 点单


def _new_token() -> str:
    return secrets.token_urlsafe(18)[:24]


def _check_request(community: Place, preferred_from, preferred_until, now) -> None:
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("请选择社区。")}, code="wrong_level")
    if preferred_from and preferred_from < timezone.localdate(now):
        raise ValidationError({"preferred_from": _("希望日期不能早于今天。")}, code="past")
    if preferred_from and preferred_until and preferred_until < preferred_from:
        raise ValidationError({"preferred_until": _("希望日期的结束不能早于开始。")}, code="range")


def _new_request(*, community, source, requester_name, requester_mobile, requested_by, topic_wish, preferred_from,
                 preferred_until, expected_audience, now) -> LessonRequest:
    request = LessonRequest(
        community=community, source=source, requester_name=requester_name.strip(), requester_mobile=requester_mobile,
        requested_by=requested_by, requested_at=now, topic_wish=topic_wish.strip(), preferred_from=preferred_from,
        preferred_until=preferred_until, expected_audience=expected_audience, rating_token=_new_token(),
    )
    request.full_clean()
    request.save()
    return request


def lesson_request_create(
    *, actor, community: Place, requester_name: str, requester_mobile: str, topic_wish: str,
    preferred_from: datetime.date | None = None, preferred_until: datetime.date | None = None,
    expected_audience: int | None = None, idempotency_key=None, now: datetime.datetime | None = None,
) -> LessonRequest:
    """A community official orders a lesson for their community (社区点单)."""
    now = now or timezone.now()
    scope.require_create(actor, "lesson_request", community)
    _check_request(community, preferred_from, preferred_until, now)
    return create_once(key=idempotency_key, actor=actor, model=LessonRequest, create=lambda: _new_request(
        community=community, source=RequestSource.OFFICIAL, requester_name=requester_name,
        requester_mobile=requester_mobile, requested_by=actor, topic_wish=topic_wish, preferred_from=preferred_from,
        preferred_until=preferred_until, expected_audience=expected_audience, now=now))


def lesson_request_submit_public(
    *, community: Place, name: str, mobile: str, topic_wish: str, preferred_from: datetime.date | None = None,
    preferred_until: datetime.date | None = None, expected_audience: int | None = None, key=None,
    client_ip: str = "", now: datetime.datetime | None = None,
) -> LessonRequest:
    """A resident orders a lesson without an account (居民点单). Held to a few a day per mobile and per network,
    counted inside the insert's transaction (wudu.quota)."""
    now = now or timezone.now()
    _check_request(community, preferred_from, preferred_until, now)

    def create() -> LessonRequest:
        per_mobile, per_ip = settings.LESSON_REQUESTS_PER_MOBILE_DAY, settings.LESSON_REQUESTS_PER_IP_HOUR
        allowed = quota.take("lesson_request_mobile", mobile, limit=per_mobile, period=quota.DAY, now=now)
        if allowed and client_ip:
            allowed = quota.take("lesson_request_ip", client_ip, limit=per_ip, period=quota.HOUR, now=now)
        if not allowed:
            raise ValidationError(_("提交过于频繁，请明天再试或联系社区。"), code="rate_limited")
        return _new_request(community=community, source=RequestSource.PUBLIC, requester_name=name,
                            requester_mobile=mobile, requested_by=None, topic_wish=topic_wish,
                            preferred_from=preferred_from, preferred_until=preferred_until,
                            expected_audience=expected_audience, now=now)

    return create_once(key=key, actor=None, model=LessonRequest, create=create)


# ---------------------------------------------------------------------------------------------- 派单


def lesson_request_assign(
    *, actor, request: LessonRequest, lecturer: Lecturer, topic: LecturerTopic, expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> LessonRequest:
    """The organiser gives the request to a lecturer of the pool, with one of their reviewed topics."""
    scope.require_change(actor, request, "lesson_request")
    if not Lecturer.objects.visible_to(actor).filter(pk=lecturer.pk).exists():
        raise ValidationError({"lecturer": _("宣讲员不存在或无权访问。")}, code="not_visible")
    if request.status not in (RequestStatus.REQUESTED, RequestStatus.DECLINED):
        raise ValidationError(_("该点单当前为“%(status)s”，不能派单。") % {"status": request.get_status_display()},
                              code="wrong_status")
    if not lecturer.active:
        raise ValidationError({"lecturer": _("%(name)s已不在宣讲员库中，不能派单。") % {"name": lecturer.name}},
                              code="inactive")
    if topic.lecturer_id != lecturer.pk:
        raise ValidationError({"topic": _("所选课题不属于该宣讲员。")}, code="not_their_topic")
    if not topic.is_reviewed:
        raise ValidationError({"topic": _("课题“%(title)s”尚未审核，审核通过后才能派单。") % {"title": topic.title}},
                              code="not_reviewed")
    if not topic.active:
        raise ValidationError({"topic": _("课题“%(title)s”已停用。") % {"title": topic.title}}, code="inactive_topic")
    return update_versioned(request, expected_version=expected_version, fields={
        "status": RequestStatus.ASSIGNED, "lecturer": lecturer, "topic": topic, "assigned_by": actor,
        "assigned_at": now or timezone.now(), "decline_reason": "",
    })


# ---------------------------------------------------------------------------------------------- 接单


def _require_answerer(actor, request: LessonRequest) -> None:
    """The lecturer answers their own assignments; for a lecturer without an account (answering by phone) the
    organiser records the answer."""
    if request.status != RequestStatus.ASSIGNED:
        raise ValidationError(_("该点单当前为“%(status)s”，不能接单或谢绝。") % {"status": request.get_status_display()},
                              code="wrong_status")
    lecturer = request.lecturer
    if lecturer.user_id is not None:
        if lecturer.user_id != actor.pk:
            raise PermissionDenied(_("这条点单没有派给您。"))
        return
    if not scope.can_change(actor, request, "lesson_request"):
        raise PermissionDenied(_("这条点单没有派给您。"))


def lesson_request_accept(
    *, actor, request: LessonRequest, starts_at: datetime.datetime, expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> LessonRequest:
    """The lecturer accepts, with the date agreed: the lesson is published as an event (kind party_lesson) at the
    community, lasting the topic's length."""
    now = now or timezone.now()
    _require_answerer(actor, request)
    if starts_at <= now:
        raise ValidationError({"starts_at": _("宣讲时间须晚于现在。")}, code="past")
    topic = request.topic
    with transaction.atomic():
        event = Event(
            kind=EventKind.PARTY_LESSON, title=topic.title[:100], topic=request.topic_wish[:200],
            status=EventStatus.PUBLISHED, venue=request.community, starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=topic.duration_minutes),
            organizer_place=request.community, speakers=request.lecturer.name,
            planned_audience=request.expected_audience, created_by=actor,
        )
        event.full_clean()
        event.save()
        return update_versioned(request, expected_version=expected_version, fields={
            "status": RequestStatus.ACCEPTED, "accepted_at": now, "event": event})


def lesson_request_decline(
    *, actor, request: LessonRequest, reason: str, expected_version: int | None = None,
) -> LessonRequest:
    """The lecturer declines: the request goes back to the organiser to assign again."""
    _require_answerer(actor, request)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明谢绝的原因。")}, code="required")
    return update_versioned(request, expected_version=expected_version, fields={
        "status": RequestStatus.DECLINED, "decline_reason": reason.strip()[:200], "declines": request.declines + 1})


# ---------------------------------------------------------------------------------------------- delivery


def lesson_request_deliver(
    *, actor, request: LessonRequest, audience: int, counted_by: str = AudienceCount.HEADCOUNT, report: str = "",
    expected_version: int | None = None, now: datetime.datetime | None = None,
) -> LessonRequest:
    """The lesson was given: its event is held with the audience counted, and the request's lead time is kept."""
    now = now or timezone.now()
    if not (request.lecturer and request.lecturer.user_id == actor.pk):
        scope.require_change(actor, request, "lesson_request")
    if request.status != RequestStatus.ACCEPTED:
        raise ValidationError(_("该点单当前为“%(status)s”，不能登记宣讲。") % {"status": request.get_status_display()},
                              code="wrong_status")
    event = request.event
    if now < event.starts_at:
        raise ValidationError(_("宣讲尚未开始，不能登记为已宣讲。"), code="not_yet")
    if audience is None or audience < 0 or audience > 5000:
        raise ValidationError({"audience": _("听众人数应在 0 到 5000 之间。")}, code="audience")
    lead_days = (timezone.localdate(event.starts_at) - timezone.localdate(request.requested_at)).days
    with transaction.atomic():
        update_versioned(event, expected_version=None, fields={
            "status": EventStatus.HELD, "actual_audience": audience, "audience_counted_by": counted_by,
            "report": report.strip()})
        return update_versioned(request, expected_version=expected_version, fields={
            "status": RequestStatus.DELIVERED, "delivered_at": event.starts_at, "lead_days": max(lead_days, 0)})


def lesson_request_cancel(
    *, actor, request: LessonRequest, reason: str, expected_version: int | None = None,
) -> LessonRequest:
    scope.require_change(actor, request, "lesson_request")
    if request.status not in (RequestStatus.REQUESTED, RequestStatus.ASSIGNED, RequestStatus.DECLINED,
                              RequestStatus.ACCEPTED):
        raise ValidationError(_("该点单当前为“%(status)s”，不能取消。") % {"status": request.get_status_display()},
                              code="wrong_status")
    if not reason.strip():
        raise ValidationError({"reason": _("请填写取消原因。")}, code="required")
    with transaction.atomic():
        if request.event_id is not None:
            update_versioned(request.event, expected_version=None, fields={"status": EventStatus.CANCELLED})
        return update_versioned(request, expected_version=expected_version, fields={
            "status": RequestStatus.CANCELLED, "cancel_reason": reason.strip()[:200]})


# ---------------------------------------------------------------------------------------------- 评单


def rating_digest(mobile: str) -> str:
    """A phone's keyed digest: enough to refuse a second rating, useless to call anyone."""
    return salted_hmac("outreach.lesson_rating", mobile, algorithm="sha256").hexdigest()


def lesson_rate_public(
    *, token: str, mobile: str, score: int, comment: str = "", client_ip: str = "",
    now: datetime.datetime | None = None,
) -> LessonRating:
    """A listener rates a delivered lesson through its public link: 1–5 and a comment, once per phone."""
    now = now or timezone.now()
    request = LessonRequest.objects.filter(rating_token=token).first()
    if request is None:
        raise ValidationError(_("链接无效。"), code="not_found")
    if request.status != RequestStatus.DELIVERED:
        raise ValidationError(_("宣讲尚未进行，暂不能评价。"), code="not_delivered")
    if not (isinstance(score, int) and 1 <= score <= 5):
        raise ValidationError({"score": _("评分应为 1 到 5 分。")}, code="score")
    digest = rating_digest(mobile)
    if LessonRating.objects.filter(request=request, mobile_digest=digest).exists():
        raise ValidationError({"mobile": _("这个手机号码已经评价过本次宣讲。")}, code="duplicate")
    try:
        with transaction.atomic():
            if client_ip and not quota.take("lesson_rating_ip", client_ip, limit=settings.LESSON_RATINGS_PER_IP_HOUR,
                                            period=quota.HOUR, now=now):
                raise ValidationError(_("提交过于频繁，请稍后再试。"), code="rate_limited")
            rating = LessonRating(request=request, score=score, comment=comment.strip()[:300], mobile_digest=digest,
                                  created_at=now)
            rating.full_clean(exclude=["mobile_digest"])
            rating.save()
            return rating
    except IntegrityError:  # the same phone a moment before, in parallel
        raise ValidationError({"mobile": _("这个手机号码已经评价过本次宣讲。")}, code="duplicate") from None
