"""The lesson loop on a 360 px phone: a resident orders a micro party lesson (点单) without an account, the lecturer
accepts it on their page (接单), and a listener rates it through the request's link (评单)."""

import datetime

import pytest
from django.utils import timezone

from grids.models import User
from outreach import services
from outreach.models import LessonRating, LessonRequest, RequestStatus
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_accept_and_rate_a_lesson_on_a_phone(live_server, phone, screenshot):
    cast = build_cast()
    organiser = cast.user("street_official")
    account = User.objects.create_user(username="lect1", password=PASSWORD, real_name="王老师", mobile="13611110001")
    lecturer = services.lecturer_create(actor=organiser, home=cast.place("C1"), name="王老师", mobile="13611110001",
                                        kind="teacher", user=account)
    topic = services.lecturer_topic_add(actor=organiser, lecturer=lecturer, title="红色家风代代传")
    services.lecturer_topic_review(actor=cast.user("district_official"), topic=topic)

    # 点单: the resident's form fits the phone.
    phone.goto(f"{live_server.url}/xuanjiang/")
    phone.select_option("#id_community", label="新兴街道 · 董庄社区")
    phone.fill("#id_topic_wish", "想听红色家风的故事")
    phone.fill("#id_name", "张大爷")
    phone.fill("#id_mobile", "13598765432")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "lesson-order-phone")
    phone.get_by_role("button", name="提交点单").click()
    phone.wait_for_selector("[data-status='requested']")
    track_url = phone.url
    lesson = LessonRequest.objects.get()
    assert track_url.endswith(f"/xuanjiang/t/{lesson.rating_token}/")

    # 派单 (the organiser, here through the service), then 接单 on the lecturer's own page.
    services.lesson_request_assign(actor=organiser, request=lesson, lecturer=lecturer, topic=topic)
    phone.goto(f"{live_server.url}/accounts/login/?next=/outreach/lecturers/mine/")
    phone.fill("input[name=username]", "lect1")
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("button[type=submit]").click()
    phone.wait_for_selector(f"[data-request='{lesson.pk}']")
    starts = timezone.localtime() + datetime.timedelta(days=2)
    phone.locator(f"[data-request='{lesson.pk}'] input[type=datetime-local]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "lesson-accept-phone")
    phone.get_by_role("button", name="接单").click()
    phone.wait_for_url(f"{live_server.url}/outreach/lecturers/mine/")
    lesson.refresh_from_db()
    assert lesson.status == RequestStatus.ACCEPTED

    # The lesson is given; a listener rates it on the link, with a tap on the stars.
    services.lesson_request_deliver(actor=organiser, request=lesson, audience=140,
                                    now=lesson.event.starts_at + datetime.timedelta(hours=1))
    phone.context.clear_cookies()
    phone.goto(track_url)
    phone.fill("#id_mobile", "13512340001")
    phone.locator("label", has_text="4 ★").click()
    phone.fill("#id_comment", "讲得生动")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "lesson-rate-phone")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("text=感谢您的评价")
    assert list(LessonRating.objects.values_list("score", "comment")) == [(4, "讲得生动")]
    assert phone.problems == []
