"""/api/v1/events/ and /api/v1/volunteer-organizations/: the same services as the pages, gated, filtered."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from outreach import services
from outreach.models import Event, EventStatus, VolunteerOrganization
from tests.scope.matrix import BACKEND

HOUR = datetime.timedelta(hours=1)


def _as(client, cast, role):
    client.force_login(cast.user(role), backend=BACKEND)
    return client


def _body(cast, place="C1", starts_in=HOUR * 48, **extra):
    starts_at = timezone.now() + starts_in
    return {"venue": cast.place(place).code, "kind": "lecture", "title": "垃圾分类宣讲",
            "starts_at": starts_at.isoformat(), "ends_at": (starts_at + 2 * HOUR).isoformat(), **extra}


def test_an_event_is_created_published_and_listed_with_filters(client, cast):
    _as(client, cast, Role.COMMUNITY_OFFICIAL)
    created = client.post(reverse("api:event-list"), _body(cast), content_type="application/json",
                          HTTP_IDEMPOTENCY_KEY="6c5b1f0e-3f1c-4d1a-9a51-0d6a1a2b3c4d")
    assert created.status_code == 201, created.content
    again = client.post(reverse("api:event-list"), _body(cast), content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="6c5b1f0e-3f1c-4d1a-9a51-0d6a1a2b3c4d")
    assert again.json()["id"] == created.json()["id"] and Event.objects.count() == 1
    pk = created.json()["id"]
    published = client.post(reverse("api:event-publish", args=[pk]), {"version": 1}, content_type="application/json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    start = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    end = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    listed = client.get(reverse("api:event-list"), {"kind": "lecture", "under": cast.place("S1").code,
                                                    "from": start, "to": end}).json()["results"]
    assert [row["id"] for row in listed] == [pk]
    assert client.get(reverse("api:event-list"), {"kind": "performance"}).json()["results"] == []


def test_bad_input_answers_400_and_saves_nothing(client, cast):
    _as(client, cast, Role.COMMUNITY_OFFICIAL)
    body = _body(cast)
    body["ends_at"] = body["starts_at"]
    refused = client.post(reverse("api:event-list"), body, content_type="application/json")
    assert refused.status_code == 400 and "结束时间必须晚于开始时间" in str(refused.json())
    refused = client.post(reverse("api:event-list"), _body(cast, planned_audience=-5), content_type="application/json")
    assert refused.status_code == 400
    assert not Event.objects.exists()


def test_a_past_event_needs_a_reason_and_a_second_person(client, cast):
    _as(client, cast, Role.COMMUNITY_OFFICIAL)
    pk = client.post(reverse("api:event-list"), _body(cast, starts_in=-HOUR * 50),
                     content_type="application/json").json()["id"]
    refused = client.post(reverse("api:event-publish", args=[pk]), {"back_entry_reason": "补录"},
                          content_type="application/json")
    assert refused.status_code == 400 and "创建人以外" in str(refused.json())
    _as(client, cast, Role.STREET_OFFICIAL)
    no_reason = client.post(reverse("api:event-publish", args=[pk]), {}, content_type="application/json")
    assert no_reason.status_code == 400 and "补录原因" in str(no_reason.json())
    ok = client.post(reverse("api:event-publish", args=[pk]), {"back_entry_reason": "停电未能及时登记"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["back_entry_approved_by"] == cast.user(Role.STREET_OFFICIAL).pk
    reported = client.post(reverse("api:event-report", args=[pk]), {
        "actual_audience": 40, "audience_counted_by": "registration", "report": "签到 40 人。"},
        content_type="application/json")
    assert reported.status_code == 200 and reported.json()["status"] == EventStatus.HELD


def test_a_reader_may_not_publish(client, cast):
    event = services.event_create(actor=cast.admin, kind="lecture", title="宣讲", venue=cast.place("G1"),
                                  starts_at=timezone.now() + 48 * HOUR, ends_at=timezone.now() + 50 * HOUR)
    _as(client, cast, Role.GRID_WORKER)
    assert client.get(reverse("api:event-detail", args=[event.pk])).status_code == 200
    assert client.post(reverse("api:event-publish", args=[event.pk]), {}, content_type="application/json"
                       ).status_code == 403
    _as(client, cast, Role.COMMUNITY_OFFICIAL)
    hidden = services.event_create(actor=cast.admin, kind="lecture", title="别处", venue=cast.place("C3"),
                                   starts_at=timezone.now() + 48 * HOUR, ends_at=timezone.now() + 50 * HOUR)
    assert client.get(reverse("api:event-detail", args=[hidden.pk])).status_code == 404


def test_the_event_list_uses_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    _as(client, cast, Role.STREET_OFFICIAL)
    for n in range(2):
        services.event_create(actor=cast.admin, kind="lecture", title=f"宣讲{n}", venue=cast.place("C1"),
                              starts_at=timezone.now() + 48 * HOUR, ends_at=timezone.now() + 50 * HOUR)
    # session, user, grants, the page of events with venue and organiser, their photos
    with django_assert_num_queries(5):
        assert client.get(reverse("api:event-list")).status_code == 200
    for n in range(8):
        services.event_create(actor=cast.admin, kind="performance", title=f"演出{n}", venue=cast.place("G1"),
                              starts_at=timezone.now() + 48 * HOUR, ends_at=timezone.now() + 50 * HOUR)
    with django_assert_num_queries(5):
        assert len(client.get(reverse("api:event-list")).json()["results"]) == 10


def test_volunteer_organisations_through_the_api(client, cast):
    _as(client, cast, Role.STREET_OFFICIAL)
    created = client.post(reverse("api:volunteer-organization-list"), {
        "place": cast.place("S1").code, "name": "新兴街道巾帼志愿服务队"}, content_type="application/json")
    assert created.status_code == 201
    wrong = client.post(reverse("api:volunteer-organization-list"), {
        "place": cast.place("G1").code, "name": "网格队"}, content_type="application/json")
    assert wrong.status_code == 400
    _as(client, cast, Role.GRID_WORKER)  # read along the line, written by officials
    assert [row["name"] for row in client.get(reverse("api:volunteer-organization-list")).json()["results"]] == [
        "新兴街道巾帼志愿服务队"]
    pk = VolunteerOrganization.objects.get().pk
    assert client.patch(reverse("api:volunteer-organization-detail", args=[pk]), {"name": "改"},
                        content_type="application/json").status_code == 403
