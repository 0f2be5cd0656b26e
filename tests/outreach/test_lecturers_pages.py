"""The lecturers' pages and API: what each shows, masked mobiles, and query counts pinned at two sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach import services
from outreach.models import Lecturer, LessonRequest, RequestStatus
from tests.outreach.test_lecturers_loop import delivered, lecturer_with_topic, ordered
from tests.scope.matrix import BACKEND

pytestmark = pytest.mark.django_db


def grow(cast, n: int, start: int = 0) -> None:
    """n more lecturers, each with a reviewed topic, a delivered and rated lesson and a waiting request."""
    for i in range(start, start + n):
        lecturer, topic = lecturer_with_topic(cast, name=f"宣讲员{i:02d}", mobile=f"136{i:08d}")
        lesson = delivered(cast, lecturer, topic, requested=i, given=i + 4, audience=100 + i)
        services.lesson_rate_public(token=lesson.rating_token, mobile="13500000001", score=1 + i % 5)
        ordered(cast, wish=f"点单{i}")


def queries(client, url, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


# session, user, grants (3) and then: the pool page 6 (a page of lecturers, their topics, figures by lecturer in two
# grouped queries, lessons by community in two); the queue 1; the API's pool 2 (a page with its figures as
# subqueries, the topics); the requests 1 (+1 for the count of the page); the stats 2.
@pytest.mark.parametrize("url, most", [("outreach_lecturers:pool", 9), ("outreach_lecturers:queue", 4),
                                       ("api:lecturer-list", 6), ("api:lesson-request-list", 5),
                                       ("api:lecturer-stats", 5)])
def test_lists_use_a_constant_number_of_queries(cast, client, url, most):
    client.force_login(cast.user("street_official"), backend=BACKEND)
    grow(cast, 2)
    small, _ = queries(client, reverse(url))
    grow(cast, 10, start=2)
    large, response = queries(client, reverse(url))
    assert small == large
    assert large <= most, large
    if url == "outreach_lecturers:pool":
        assert len(response.context["rows"]) == 12


def test_the_pool_shows_each_lecturers_topics_and_figures(cast, client):
    wang, topic = lecturer_with_topic(cast)
    _zhao, _pending = lecturer_with_topic(cast, name="赵劳模", mobile="13611110002", reviewed=False)
    for requested, given in ((0, 10), (5, 8)):
        lesson = delivered(cast, wang, topic, requested=requested, given=given)
        services.lesson_rate_public(token=lesson.rating_token, mobile="13500000001", score=4 if given == 10 else 5)
    client.force_login(cast.user("community_official"), backend=BACKEND)
    page = client.get(reverse("outreach_lecturers:pool"))
    row = next(r for r in page.context["rows"] if r.pk == wang.pk)
    assert (row.figures.lessons, row.figures.lead_days, row.figures.rating) == (2, 6.5, 4.5)
    html = page.content.decode()
    assert "王老师讲二十大精神" in html and "待审" in html  # 赵劳模's topic waits for review
    assert page.context["communities"][0]["figures"].lessons == 2


def test_a_lecturers_mobile_is_masked_for_those_who_need_not_call(cast, client):
    lecturer, _topic = lecturer_with_topic(cast, mobile="13611112222")
    url = reverse("outreach_lecturers:lecturer", args=[lecturer.pk])
    client.force_login(cast.user("department_staff"), backend=BACKEND)
    html = client.get(url).content.decode()
    assert "136****2222" in html and "13611112222" not in html
    client.force_login(cast.user("street_official"), backend=BACKEND)
    assert "13611112222" in client.get(url).content.decode()
    api = client.get(reverse("api:lecturer-detail", args=[lecturer.pk])).json()
    assert api["mobile"] == "13611112222"
    client.force_login(cast.user("department_staff"), backend=BACKEND)
    assert client.get(reverse("api:lecturer-detail", args=[lecturer.pk])).json()["mobile"] is None


def test_the_organiser_reviews_and_assigns_on_the_pages(cast, client):
    lecturer, topic = lecturer_with_topic(cast, reviewed=False)
    lesson = ordered(cast)
    client.force_login(cast.user("street_official"), backend=BACKEND)
    # Not reviewed yet: not offered for assignment, and refused if posted anyway.
    page = client.get(reverse("outreach_lecturers:request", args=[lesson.pk]))
    assert topic not in page.context["assign_form"].fields["topic"].queryset
    refused = client.post(reverse("outreach_lecturers:assign", args=[lesson.pk]),
                          {"topic": topic.pk, "version": lesson.version})
    assert refused.status_code == 400
    client.post(reverse("outreach_lecturers:topic_review", args=[lecturer.pk, topic.pk]))
    topic.refresh_from_db()
    assert topic.reviewed_by == cast.user("street_official")
    done = client.post(reverse("outreach_lecturers:assign", args=[lesson.pk]),
                       {"topic": topic.pk, "version": lesson.version})
    assert done.status_code == 302
    # A second submit of the same (now stale) page is refused, nothing changes.
    stale = client.post(reverse("outreach_lecturers:assign", args=[lesson.pk]),
                        {"topic": topic.pk, "version": lesson.version})
    assert stale.status_code == 400 and "不能派单" in stale.content.decode()
    assert LessonRequest.objects.get(pk=lesson.pk).version == lesson.version + 1


def test_the_api_takes_the_loop_and_answers_the_figures(cast, client):
    lecturer, topic = lecturer_with_topic(cast)
    client.force_login(cast.user("street_official"), backend=BACKEND)
    created = client.post(reverse("api:lesson-request-list"), {
        "community": cast.places["C1"].code, "requester_name": "李主任", "requester_mobile": "13712345678",
        "topic_wish": "反诈宣传"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    step = reverse("api:lesson-request-assign", args=[body["id"]])
    assigned = client.post(step, {"topic": topic.pk, "version": body["version"]}, content_type="application/json")
    assert assigned.status_code == 200 and assigned.json()["status"] == RequestStatus.ASSIGNED
    stale = client.post(step, {"topic": topic.pk, "version": body["version"]}, content_type="application/json")
    assert stale.status_code in (400, 409)
    starts = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).isoformat()
    accepted = client.post(reverse("api:lesson-request-accept", args=[body["id"]]),
                           {"starts_at": starts, "version": assigned.json()["version"]}, content_type="application/json")
    assert accepted.status_code == 200 and accepted.json()["starts_at"]

    delivered(cast, lecturer, topic, requested=0, given=10, audience=150)
    row = client.get(reverse("api:lecturer-detail", args=[lecturer.pk])).json()
    assert row["topics"][0]["title"] == topic.title and row["topics"][0]["reviewed"] is True
    assert {k: row["figures"][k] for k in ("lessons", "audience", "lead_days_sum", "lead_days_count", "lead_days")} == {
        "lessons": 1, "audience": 150, "lead_days_sum": 10, "lead_days_count": 1, "lead_days": 10.0}
    assert row["figures"]["rating"] is None
    stats = client.get(reverse("api:lecturer-stats")).json()
    assert [(s["name"], s["lessons"], s["audience"]) for s in stats] == [("董庄社区", 1, 150)]
    # Another street's official sees neither the lecturer nor the requests.
    client.force_login(cast.user("grid_worker"), backend=BACKEND)
    assert client.get(reverse("api:lecturer-detail", args=[lecturer.pk])).status_code == 404


def test_public_pages_fit_a_phone_and_hide_the_requester(cast, client):
    lecturer, topic = lecturer_with_topic(cast)
    lesson = delivered(cast, lecturer, topic, requested=0, given=3)
    LessonRequest.objects.filter(pk=lesson.pk).update(topic_wish="请联系13712345678的李主任")
    page = client.get(reverse("outreach_public_lessons:track", args=[lesson.rating_token]))
    html = page.content.decode()
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
    assert "13712345678" not in html and "李主任" not in html.replace("某", "")
    assert 'name="viewport"' in html and "data-rating-form" in html
    assert client.get(reverse("outreach_public_lessons:track", args=["nope"])).status_code == 404


def test_an_official_registers_a_lecturer_and_a_topic_on_the_pages(cast, client):
    client.force_login(cast.user("community_official"), backend=BACKEND)
    created = client.post(reverse("manage:create", args=["lecturer"]) + f"?place={cast.places['C1'].code}", {
        "name": "钱老师", "mobile": "13611113333", "kind": "teacher", "unit": "实验小学",
        "idempotency_key": "5b0e4a40-4c55-4d8f-9a53-000000000001"})
    assert created.status_code == 302
    lecturer = Lecturer.objects.get(mobile="13611113333")
    page = reverse("outreach_lecturers:lecturer", args=[lecturer.pk])
    added = client.post(reverse("outreach_lecturers:topic_add", args=[lecturer.pk]), {
        "title": "红色家风", "summary": "八分钟", "duration_minutes": 8,
        "idempotency_key": "5b0e4a40-4c55-4d8f-9a53-000000000002"})
    assert added.status_code == 302 and added["Location"] == page
    refused = client.post(reverse("outreach_lecturers:topic_add", args=[lecturer.pk]), {
        "title": "红色家风", "duration_minutes": 8})
    assert refused.status_code == 400 and "同名课题" in refused.content.decode()
    html = client.get(page).content.decode()
    assert "红色家风" in html and "审核通过" in html  # waiting for review, with the button
    # A grid worker reads nothing of it (outside their grid); a department reads it without the buttons.
    client.force_login(cast.user("department_staff"), backend=BACKEND)
    html = client.get(page).content.decode()
    assert "待审" in html and "data-topic-form" not in html
