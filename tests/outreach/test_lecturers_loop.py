"""The lecturers' pool and its lesson loop (点单 → 派单 → 接单 → 评单): the loop end to end, each refusal with its
message, idempotent creates, versioned steps, and the figures worked by hand (lead time, ratings)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from grids.models import User
from outreach import selectors, services
from outreach.models import (
    Event,
    EventKind,
    EventStatus,
    Lecturer,
    LessonRating,
    LessonRequest,
    RequestSource,
    RequestStatus,
)
from tests.scope.matrix import BACKEND
from wudu.errors import Conflict

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))  # a Monday morning, local time


def at(days: float, hours: float = 0) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days, hours=hours)


def lecturer_with_topic(cast, *, home="C1", name="王老师", mobile="13611110001", reviewed=True, user=None, **kw):
    organiser = cast.user("street_official")
    lecturer = services.lecturer_create(actor=organiser, home=cast.places[home], name=name, mobile=mobile,
                                        kind="teacher", user=user, **kw)
    topic = services.lecturer_topic_add(actor=organiser, lecturer=lecturer, title=f"{name}讲二十大精神",
                                        summary="八分钟微党课", duration_minutes=8)
    if reviewed:
        topic = services.lecturer_topic_review(actor=cast.user("district_official"), topic=topic, now=at(-30))
    return lecturer, topic


def ordered(cast, *, community="C1", now=T0, wish="想听党的二十大精神") -> LessonRequest:
    official = cast.user("community_official" if community == "C1" else "street_official")
    return services.lesson_request_create(
        actor=official, community=cast.places[community], requester_name="李主任",
        requester_mobile="13712345678", topic_wish=wish, expected_audience=120, now=now)


def delivered(cast, lecturer, topic, *, requested: float, given: float, audience: int = 140,
              community="C1") -> LessonRequest:
    organiser = cast.user("street_official")
    lesson = ordered(cast, community=community, now=at(requested))
    lesson = services.lesson_request_assign(actor=organiser, request=lesson, lecturer=lecturer, topic=topic,
                                            now=at(requested, 1))
    lesson = services.lesson_request_accept(actor=organiser, request=lesson, starts_at=at(given, 6),
                                            now=at(requested, 2))
    return services.lesson_request_deliver(actor=organiser, request=lesson, audience=audience, report="座无虚席",
                                           now=at(given, 7))


# ---------------------------------------------------------------------------------------------- the loop


def test_the_loop_from_a_residents_order_to_the_audiences_rating(cast, client):
    lecturer_user = User.objects.create_user(username="lect1", real_name="王老师", mobile="13611110001")
    lecturer, topic = lecturer_with_topic(cast, user=lecturer_user)

    # 点单: a resident orders a lesson on the public form, without an account.
    page = client.get(reverse("outreach_public_lessons:request"))
    assert page.status_code == 200
    response = client.post(reverse("outreach_public_lessons:request"), {
        "community": cast.places["C1"].pk, "name": "张大爷", "mobile": "13598765432", "topic_wish": "想听红色故事",
        "expected_audience": 80, "key": str(uuid.uuid4())})
    lesson = LessonRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/xuanjiang/t/{lesson.rating_token}/")
    assert (lesson.source, lesson.status, lesson.requested_by) == (RequestSource.PUBLIC, RequestStatus.REQUESTED, None)

    # 派单: the street's organiser assigns it on the request's page.
    client.force_login(cast.user("street_official"), backend=BACKEND)
    queue = client.get(reverse("outreach_lecturers:queue"))
    assert lesson in queue.context["rows"]
    response = client.post(reverse("outreach_lecturers:assign", args=[lesson.pk]),
                           {"topic": topic.pk, "version": lesson.version})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.status, lesson.lecturer, lesson.topic) == (RequestStatus.ASSIGNED, lecturer, topic)

    # 接单: the lecturer accepts on their own page, with the date agreed; the lesson is published as an event.
    client.force_login(lecturer_user, backend=BACKEND)
    mine = client.get(reverse("outreach_lecturers:mine"))
    assert [row.pk for row in mine.context["rows"]] == [lesson.pk]
    starts = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(reverse("outreach_lecturers:accept", args=[lesson.pk]), {
        "from": "mine", "version": lesson.version, "starts_at": starts.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302 and response["Location"] == reverse("outreach_lecturers:mine")
    lesson.refresh_from_db()
    event = lesson.event
    assert lesson.status == RequestStatus.ACCEPTED
    assert (event.kind, event.status, event.venue, event.organizer_place) == (
        EventKind.PARTY_LESSON, EventStatus.PUBLISHED, cast.places["C1"], cast.places["C1"])
    assert event.ends_at - event.starts_at == datetime.timedelta(minutes=8)
    assert event.speakers == "王老师"

    # Before the lesson, the link says so and takes no rating.
    client.logout()
    track = reverse("outreach_public_lessons:track", args=[lesson.rating_token])
    assert "宣讲结束后" in client.get(track).content.decode()
    refused = client.post(track, {"mobile": "13512340001", "score": 5})
    assert refused.status_code == 400 and LessonRating.objects.count() == 0

    # Delivered (recorded by the organiser after the lesson).
    services.lesson_request_deliver(actor=cast.user("street_official"), request=lesson, audience=136,
                                    now=event.starts_at + datetime.timedelta(hours=1))
    lesson.refresh_from_db()
    assert lesson.status == RequestStatus.DELIVERED and Event.objects.get().status == EventStatus.HELD
    assert Event.objects.get().actual_audience == 136

    # 评单: two listeners rate; the same phone a second time is refused with a message.
    assert client.post(track, {"mobile": "13512340001", "score": 5, "comment": "讲得好"}).status_code == 302
    assert client.post(track, {"mobile": "13512340002", "score": 4}).status_code == 302
    again = client.post(track, {"mobile": "13512340001", "score": 1})
    assert again.status_code == 400 and "已经评价过" in again.content.decode()
    assert sorted(LessonRating.objects.values_list("score", flat=True)) == [4, 5]
    figures = selectors.lecturer_figures([lecturer.pk])[lecturer.pk]
    assert (figures.lessons, figures.rating_sum, figures.rating_count, figures.rating) == (1, 9, 2, 4.5)
    # The phone is not kept, only its keyed digest.
    assert "13512340001" not in str(list(LessonRating.objects.values_list("mobile_digest", "comment")))


# ---------------------------------------------------------------------------------------------- refusals


def test_an_inactive_lecturer_cannot_be_assigned(cast):
    lecturer, topic = lecturer_with_topic(cast)
    services.lecturer_update(actor=cast.user("street_official"), lecturer=lecturer, active=False)
    with pytest.raises(ValidationError, match="已不在宣讲员库中"):
        services.lesson_request_assign(actor=cast.user("street_official"), request=ordered(cast), lecturer=lecturer,
                                       topic=topic)


def test_a_topic_not_reviewed_cannot_be_assigned(cast):
    lecturer, topic = lecturer_with_topic(cast, reviewed=False)
    lesson = ordered(cast)
    with pytest.raises(ValidationError, match="尚未审核"):
        services.lesson_request_assign(actor=cast.user("street_official"), request=lesson, lecturer=lecturer,
                                       topic=topic)
    lesson.refresh_from_db()
    assert lesson.status == RequestStatus.REQUESTED and lesson.lecturer is None


def test_a_lecturer_cannot_review_their_own_topic(cast):
    official = cast.user("community_official")
    lecturer, topic = lecturer_with_topic(cast, reviewed=False, user=official)
    with pytest.raises(ValidationError, match="不能审核自己的课题"):
        services.lecturer_topic_review(actor=official, topic=topic)


def test_another_topic_of_another_lecturer_is_refused(cast):
    lecturer, _topic = lecturer_with_topic(cast)
    _other, other_topic = lecturer_with_topic(cast, name="赵劳模", mobile="13611110002")
    with pytest.raises(ValidationError, match="不属于该宣讲员"):
        services.lesson_request_assign(actor=cast.user("street_official"), request=ordered(cast), lecturer=lecturer,
                                       topic=other_topic)


def test_accepting_a_request_not_assigned_to_you_is_refused(cast, client):
    mine = User.objects.create_user(username="lect1", real_name="王老师", mobile="13611110001")
    stranger = User.objects.create_user(username="lect2", real_name="赵劳模", mobile="13611110002")
    lecturer, topic = lecturer_with_topic(cast, user=mine)
    lecturer_with_topic(cast, name="赵劳模", mobile="13611110002", user=stranger)
    lesson = services.lesson_request_assign(actor=cast.user("street_official"), request=ordered(cast),
                                            lecturer=lecturer, topic=topic, now=at(0, 1))
    for someone in (stranger, cast.user("street_official")):  # the organiser neither, when the lecturer has an account
        with pytest.raises(PermissionDenied, match="没有派给您"):
            services.lesson_request_accept(actor=someone, request=lesson, starts_at=at(5), now=at(1))
    # On the page, the other lecturer does not even find it.
    client.force_login(stranger, backend=BACKEND)
    response = client.post(reverse("outreach_lecturers:accept", args=[lesson.pk]),
                           {"from": "mine", "version": lesson.version, "starts_at": "2099-01-01T09:00"})
    assert response.status_code == 404
    lesson.refresh_from_db()
    assert lesson.status == RequestStatus.ASSIGNED and Event.objects.count() == 0


def test_a_declined_request_goes_back_to_be_assigned_again(cast):
    organiser = cast.user("street_official")
    lecturer, topic = lecturer_with_topic(cast)
    other, other_topic = lecturer_with_topic(cast, name="赵劳模", mobile="13611110002")
    lesson = services.lesson_request_assign(actor=organiser, request=ordered(cast), lecturer=lecturer, topic=topic)
    with pytest.raises(ValidationError, match="原因"):
        services.lesson_request_decline(actor=organiser, request=lesson, reason="  ")
    lesson = services.lesson_request_decline(actor=organiser, request=lesson, reason="那天出差")
    assert (lesson.status, lesson.declines, lesson.decline_reason) == (RequestStatus.DECLINED, 1, "那天出差")
    lesson = services.lesson_request_assign(actor=organiser, request=lesson, lecturer=other, topic=other_topic)
    assert (lesson.status, lesson.lecturer) == (RequestStatus.ASSIGNED, other)


def test_a_lesson_is_accepted_for_a_future_date_and_delivered_only_after_it_starts(cast):
    organiser = cast.user("street_official")
    lecturer, topic = lecturer_with_topic(cast)
    lesson = services.lesson_request_assign(actor=organiser, request=ordered(cast), lecturer=lecturer, topic=topic,
                                            now=at(0, 1))
    with pytest.raises(ValidationError, match="须晚于现在"):
        services.lesson_request_accept(actor=organiser, request=lesson, starts_at=at(0, 1), now=at(0, 2))
    lesson = services.lesson_request_accept(actor=organiser, request=lesson, starts_at=at(4), now=at(0, 2))
    with pytest.raises(ValidationError, match="尚未开始"):
        services.lesson_request_deliver(actor=organiser, request=lesson, audience=100, now=at(3))
    with pytest.raises(ValidationError, match="0 到 5000"):
        services.lesson_request_deliver(actor=organiser, request=lesson, audience=-1, now=at(4, 1))
    lesson.refresh_from_db()
    assert lesson.status == RequestStatus.ACCEPTED and lesson.event.status == EventStatus.PUBLISHED


def test_rating_before_delivery_or_twice_is_refused(cast):
    lecturer, topic = lecturer_with_topic(cast)
    waiting = ordered(cast)
    with pytest.raises(ValidationError, match="尚未进行"):
        services.lesson_rate_public(token=waiting.rating_token, mobile="13512340001", score=5)
    lesson = delivered(cast, lecturer, topic, requested=0, given=3)
    services.lesson_rate_public(token=lesson.rating_token, mobile="13512340001", score=5)
    with pytest.raises(ValidationError, match="已经评价过"):
        services.lesson_rate_public(token=lesson.rating_token, mobile="13512340001", score=3)
    with pytest.raises(ValidationError, match="1 到 5"):
        services.lesson_rate_public(token=lesson.rating_token, mobile="13512340002", score=6)
    assert LessonRating.objects.count() == 1


def test_a_step_on_a_stale_version_is_refused(cast):
    organiser = cast.user("street_official")
    lecturer, topic = lecturer_with_topic(cast)
    lesson = ordered(cast)
    seen = lesson.version
    services.lesson_request_cancel(actor=organiser, request=LessonRequest.objects.get(pk=lesson.pk), reason="改期",
                                   expected_version=seen)
    with pytest.raises(Conflict):
        services.lesson_request_assign(actor=organiser, request=lesson, lecturer=lecturer, topic=topic,
                                       expected_version=seen)
    assert LessonRequest.objects.get(pk=lesson.pk).status == RequestStatus.CANCELLED


def test_cancelling_an_accepted_lesson_cancels_its_event(cast):
    organiser = cast.user("street_official")
    lecturer, topic = lecturer_with_topic(cast)
    lesson = services.lesson_request_assign(actor=organiser, request=ordered(cast), lecturer=lecturer, topic=topic)
    lesson = services.lesson_request_accept(actor=organiser, request=lesson,
                                            starts_at=timezone.now() + datetime.timedelta(days=2))
    services.lesson_request_cancel(actor=organiser, request=lesson, reason="场地临时征用")
    assert Event.objects.get().status == EventStatus.CANCELLED


def test_creates_are_idempotent(cast):
    organiser = cast.user("street_official")
    key = uuid.uuid4()
    first = services.lecturer_create(actor=organiser, home=cast.places["C1"], name="王老师", mobile="13611110001",
                                     kind="teacher", idempotency_key=key)
    again = services.lecturer_create(actor=organiser, home=cast.places["C1"], name="王老师", mobile="13611110001",
                                     kind="teacher", idempotency_key=key)
    assert first == again and Lecturer.objects.count() == 1
    key = uuid.uuid4()
    kwargs = dict(community=cast.places["C1"], name="张大爷", mobile="13598765432", topic_wish="红色故事", key=key)
    assert services.lesson_request_submit_public(**kwargs) == services.lesson_request_submit_public(**kwargs)
    assert LessonRequest.objects.count() == 1


def test_the_same_mobile_joins_the_pool_once(cast):
    lecturer_with_topic(cast)
    with pytest.raises(ValidationError, match="已在宣讲员库中"):
        services.lecturer_create(actor=cast.user("street_official"), home=cast.places["C2"], name="王老师",
                                 mobile="13611110001", kind="teacher")


@override_settings(LESSON_REQUESTS_PER_MOBILE_DAY=2)
def test_public_orders_are_limited_per_mobile(cast, client):
    data = {"community": cast.places["C1"].pk, "name": "张大爷", "mobile": "13598765432", "topic_wish": "红色故事"}
    url = reverse("outreach_public_lessons:request")
    assert [client.post(url, data).status_code for _ in range(3)] == [302, 302, 429]
    assert LessonRequest.objects.count() == 2


def test_a_public_order_names_a_community_and_a_preferred_date_not_in_the_past(cast):
    with pytest.raises(ValidationError, match="请选择社区"):
        services.lesson_request_submit_public(community=cast.places["S1"], name="张", mobile="13598765432",
                                              topic_wish="x")
    with pytest.raises(ValidationError, match="不能早于今天"):
        services.lesson_request_submit_public(community=cast.places["C1"], name="张", mobile="13598765432",
                                              topic_wish="x", preferred_from=timezone.localdate() - datetime.timedelta(days=1))
    assert LessonRequest.objects.count() == 0


# ---------------------------------------------------------------------------------------------- figures


def test_lead_time_and_rating_worked_by_hand(cast):
    """王老师: requested day 0, given day 10 (lead 10); requested day 5, given day 8 (lead 3) → 13 / 2 = 6.5 days.
    Ratings 5 and 4 on the first, 3 on the second → 12 / 3 = 4.0 (each listener counts once, not each lesson).
    赵劳模: one lesson at 健康社区, requested day 2, given day 9 (lead 7), rated 2 → 2.0. An assigned request that was
    never delivered counts in neither."""
    wang, wang_topic = lecturer_with_topic(cast)
    zhao, zhao_topic = lecturer_with_topic(cast, name="赵劳模", mobile="13611110002", home="C2")
    first = delivered(cast, wang, wang_topic, requested=0, given=10, audience=150)
    second = delivered(cast, wang, wang_topic, requested=5, given=8, audience=130)
    third = delivered(cast, zhao, zhao_topic, requested=2, given=9, audience=100, community="C2")
    services.lesson_request_assign(actor=cast.user("street_official"), request=ordered(cast), lecturer=wang,
                                   topic=wang_topic)
    for lesson, phone, score in ((first, "13500000001", 5), (first, "13500000002", 4), (second, "13500000001", 3),
                                 (third, "13500000003", 2)):
        services.lesson_rate_public(token=lesson.rating_token, mobile=phone, score=score)

    assert (first.lead_days, second.lead_days, third.lead_days) == (10, 3, 7)
    figures = selectors.lecturer_figures([wang.pk, zhao.pk])
    assert (figures[wang.pk].lessons, figures[wang.pk].audience) == (2, 280)
    assert (figures[wang.pk].lead_days_sum, figures[wang.pk].lead_count, figures[wang.pk].lead_days) == (13, 2, 6.5)
    assert (figures[wang.pk].rating_sum, figures[wang.pk].rating_count, figures[wang.pk].rating) == (12, 3, 4.0)
    assert (figures[zhao.pk].lessons, figures[zhao.pk].lead_days, figures[zhao.pk].rating) == (1, 7.0, 2.0)

    by_community = {row["name"]: row["figures"] for row in selectors.lessons_by_community(cast.user("district_official"))}
    assert (by_community["董庄社区"].lessons, by_community["董庄社区"].audience, by_community["董庄社区"].lead_days) == (
        2, 280, 6.5)
    assert (by_community["健康社区"].lessons, by_community["健康社区"].rating) == (1, 2.0)
    # The community official of 董庄 sees its own community only.
    assert [row["name"] for row in selectors.lessons_by_community(cast.user("community_official"))] == ["董庄社区"]


def test_lead_time_counts_local_calendar_days(cast):
    """Requested at 23:30 on one day, given at 08:00 two days later: 2 days (local dates), not 1 (32.5 hours)."""
    organiser = cast.user("street_official")
    lecturer, topic = lecturer_with_topic(cast)
    late = timezone.make_aware(datetime.datetime(2026, 3, 2, 23, 30))
    lesson = ordered(cast, now=late)
    lesson = services.lesson_request_assign(actor=organiser, request=lesson, lecturer=lecturer, topic=topic, now=late)
    lesson = services.lesson_request_accept(actor=organiser, request=lesson, now=late,
                                            starts_at=timezone.make_aware(datetime.datetime(2026, 3, 4, 8, 0)))
    lesson = services.lesson_request_deliver(actor=organiser, request=lesson, audience=90,
                                             now=timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 0)))
    assert lesson.lead_days == 2
