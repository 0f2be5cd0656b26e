"""The events' staff pages and the public calendar: what an official and a resident see, and the query counts."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from outreach import services
from outreach.models import Event, EventStatus
from tests.scope.matrix import BACKEND

HOUR = datetime.timedelta(hours=1)


def _event(cast, *, place="C1", starts_in=HOUR * 48, title="垃圾分类宣讲", publish=True, **extra) -> Event:
    official = cast.user(Role.DISTRICT_OFFICIAL)  # created by the admin, published by another: a back-entry may be
    starts_at = timezone.now() + starts_in
    event = services.event_create(actor=cast.admin, kind=extra.pop("kind", "lecture"), title=title,
                                  venue=cast.place(place), starts_at=starts_at, ends_at=starts_at + 2 * HOUR, **extra)
    if publish:
        event = services.event_publish(actor=official, event=event,
                                       back_entry_reason="" if starts_in > datetime.timedelta(0) else "补录测试")
    return event


def _held(cast, *, report: str, place="C1", title="往期宣讲") -> Event:
    event = _event(cast, place=place, title=title, starts_in=-HOUR * 30)
    return services.event_report(actor=cast.admin, event=event, actual_audience=45, audience_counted_by="headcount",
                                 report=report)


def _sign_in(client, cast, role):
    client.force_login(cast.user(role), backend=BACKEND)


def test_an_official_creates_publishes_and_reports_through_the_pages(client, cast):
    _sign_in(client, cast, Role.COMMUNITY_OFFICIAL)
    starts_at = timezone.localtime() + datetime.timedelta(days=3)
    page = client.get(reverse("outreach_events:create"))
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    data = {"kind": "performance", "title": "红色文艺进社区", "venue": cast.place("C1").code, "organizer": "",
            "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts_at + 2 * HOUR).strftime("%Y-%m-%dT%H:%M"), "stream_url": "https://live.example.cn/1",
            "planned_audience": "200", "idempotency_key": key}
    created = client.post(reverse("outreach_events:create"), data)
    assert created.status_code == 302
    assert client.post(reverse("outreach_events:create"), data).status_code == 302  # a double submit saves once
    event = Event.objects.get()
    detail = client.get(created.url)
    assert "发布" in detail.content.decode()
    published = client.post(reverse("outreach_events:publish", args=[event.pk]), {"version": event.version},
                            follow=True)
    assert "已在公开活动日历中显示" in published.content.decode()
    assert Event.objects.get().status == EventStatus.PUBLISHED


def test_an_event_that_ends_before_it_starts_is_refused_on_the_page(client, cast):
    _sign_in(client, cast, Role.COMMUNITY_OFFICIAL)
    starts_at = timezone.localtime() + datetime.timedelta(days=3)
    response = client.post(reverse("outreach_events:create"), {
        "kind": "lecture", "title": "宣讲", "venue": cast.place("C1").code,
        "starts_at": starts_at.strftime("%Y-%m-%dT%H:%M"), "ends_at": (starts_at - HOUR).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间" in response.content.decode()
    assert not Event.objects.exists()


def test_the_report_page_refuses_an_impossible_audience(client, cast):
    event = _event(cast, starts_in=-HOUR * 30)
    _sign_in(client, cast, Role.STREET_OFFICIAL)
    response = client.post(reverse("outreach_events:report", args=[event.pk]), {
        "version": event.version, "actual_audience": "999999", "audience_counted_by": "estimate", "report": "好"})
    assert response.status_code == 400 and "超出合理范围" in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == EventStatus.PUBLISHED


def test_a_grid_worker_reads_events_but_is_offered_no_forms(client, cast):
    event = _event(cast, place="G1")
    _sign_in(client, cast, Role.GRID_WORKER)
    listed = client.get(reverse("outreach_events:list"))
    assert [row.pk for row in listed.context["rows"]] == [event.pk] and not listed.context["may_create"]
    assert client.get(reverse("outreach_events:create")).status_code == 403
    assert client.post(reverse("outreach_events:publish", args=[event.pk]), {"version": 1}).status_code == 403


def test_the_list_filters_by_kind_place_and_month(client, cast):
    lecture = _event(cast, place="G1", title="宣讲")
    _event(cast, place="C3", title="别处", kind="performance")
    _sign_in(client, cast, Role.DISTRICT_OFFICIAL)
    month = f"{timezone.localtime(lecture.starts_at):%Y-%m}"
    rows = client.get(reverse("outreach_events:list"), {"kind": "lecture", "place": cast.place("C1").code,
                                                        "month": month}).context["rows"]
    assert [row.pk for row in rows] == [lecture.pk]
    assert client.get(reverse("outreach_events:list"), {"month": "2026-13x"}).status_code == 400


def test_the_list_pages_with_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    _sign_in(client, cast, Role.STREET_OFFICIAL)
    _event(cast)
    # session, user, grants, place choices, one page of events with venue and organiser
    with django_assert_num_queries(5):
        assert client.get(reverse("outreach_events:list")).status_code == 200
    for n in range(8):
        _event(cast, place=("G1", "C2", "S1", "G2")[n % 4], title=f"活动{n}", publish=n % 2 == 0)
    with django_assert_num_queries(5):
        response = client.get(reverse("outreach_events:list"))
    assert len(response.context["rows"]) == 9


# ---------------------------------------------------------------------------------------------- the public calendar


def test_the_public_calendar_shows_published_and_held_events_never_drafts(client, cast):
    upcoming = _event(cast, place="G1", title="主题党日活动", kind="party_day")
    draft = _event(cast, title="还在草稿", publish=False)
    elsewhere = _event(cast, place="C2", title="健康社区的活动")
    past = _held(cast, report="联系人王先生 13912345678，讲解垃圾分类四分法。")
    response = client.get(reverse("events_public:calendar", args=[cast.place("C1").code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert upcoming.title in html and past.title in html
    assert draft.title not in html and elsewhere.title not in html
    assert "13912345678" not in html and "[电话]" in html  # the report is redacted
    street = client.get(reverse("events_public:calendar", args=[cast.place("S1").code])).content.decode()
    assert elsewhere.title in street and upcoming.title in street


def test_the_public_calendar_is_for_districts_streets_and_communities(client, cast):
    assert client.get(reverse("events_public:calendar", args=[cast.place("G1").code])).status_code == 404
    assert client.get(reverse("events_public:calendar", args=["999"])).status_code == 404


def test_the_public_calendar_uses_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    code = cast.place("C1").code
    _event(cast)
    _held(cast, report="简报")
    # the place, upcoming events, held events, months with held events
    with django_assert_num_queries(4):
        client.get(reverse("events_public:calendar", args=[code]))
    for n in range(6):
        _event(cast, place="G1", title=f"活动{n}")
        _held(cast, report=f"简报{n}", title=f"往期{n}")
    with django_assert_num_queries(4):
        response = client.get(reverse("events_public:calendar", args=[code]))
    assert sum(len(m.events) for m in response.context["calendar"].upcoming) == 7
    assert len(response.context["calendar"].past) == 7


def test_the_calendar_feed_lists_published_events(client, cast):
    event = _event(cast, title="微型党课：初心使命", kind="party_lesson")
    _event(cast, title="草稿不出现", publish=False)
    response = client.get(reverse("events_public:ics", args=[cast.place("S1").code]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and f"UID:event-{event.pk}@" in body
    assert "微型党课：初心使命" in body.replace("\r\n ", "") and "草稿不出现" not in body


def test_the_grid_notice_links_to_its_community_calendar(client, cast):
    response = client.get(reverse("public:grid", args=[cast.place("G1").code]))
    assert reverse("events_public:calendar", args=[cast.place("C1").code]) in response.content.decode()


def test_event_photos_are_served_to_those_who_see_the_event_only(client, cast, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="JPEG")
    event = _event(cast, starts_in=-HOUR * 30)
    event = services.event_report(actor=cast.admin, event=event, actual_audience=5, audience_counted_by="headcount",
                                  report="x", photos=[SimpleUploadedFile("a.jpg", out.getvalue())])
    url = event.photos.get().image.url
    assert client.get(url).status_code == 404  # the public: no photos
    _sign_in(client, cast, Role.COMMUNITY_OFFICIAL)
    assert client.get(url).status_code == 200  # the event is at 董庄社区
    client.force_login(cast.user(Role.GRID_WORKER).__class__.objects.get(username="worker_G3"), backend=BACKEND)
    assert client.get(url).status_code == 404
