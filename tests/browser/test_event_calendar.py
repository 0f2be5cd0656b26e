"""An official publishes an event on a desktop and a resident finds it in the community's public calendar on a
360 px phone."""

import datetime

import pytest
from django.utils import timezone

from grids.models import Role
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_publishes_an_event_and_it_shows_in_the_public_calendar(live_server, desktop, phone, screenshot):
    cast = build_cast()
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    base = live_server.url

    desktop.goto(f"{base}/accounts/login/")
    desktop.fill("#id_username", official.username)
    desktop.fill("#id_password", PASSWORD)
    desktop.get_by_role("button", name="登录").click()
    desktop.wait_for_load_state()

    desktop.goto(f"{base}/outreach/events/")
    desktop.locator("[data-new-event]").click()
    starts_at = (timezone.localtime() + datetime.timedelta(days=5)).replace(hour=9, minute=30)
    desktop.select_option("#id_kind", "lecture")
    desktop.fill("#id_title", "垃圾分类宣讲进社区")
    desktop.fill("#id_topic", "厨余垃圾怎么分")
    desktop.select_option("#id_venue", cast.place("C1").code)
    desktop.fill("#id_starts_at", starts_at.strftime("%Y-%m-%dT%H:%M"))
    desktop.fill("#id_ends_at", (starts_at + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    desktop.fill("#id_address", "董庄社区党群服务中心")
    desktop.fill("#id_speakers", "李红霞、王志强")
    desktop.fill("#id_planned_audience", "80")
    # The venue's point: a tap on the grids' map fills in the longitude and latitude and names the place.
    desktop.wait_for_selector("#event-map[data-ready='true']")
    desktop.locator("#event-map").scroll_into_view_if_needed()
    grid, frame = desktop.locator("#event-map path.grid-shape >> nth=0").bounding_box(), \
        desktop.locator("#event-map").bounding_box()
    top, bottom = max(grid["y"], frame["y"]), min(grid["y"] + grid["height"], frame["y"] + frame["height"])
    left, right = max(grid["x"], frame["x"]), min(grid["x"] + grid["width"], frame["x"] + frame["width"])
    desktop.mouse.click((left + right) / 2, (top + bottom) / 2)
    assert desktop.locator("[data-picked]").inner_text() == "地图位置：新兴街道 · 董庄社区 · 第1网格"
    lng, lat = float(desktop.input_value("#id_lng")), float(desktop.input_value("#id_lat"))
    screenshot(desktop, "events-create-desktop")
    desktop.get_by_role("button", name="保存").click()
    desktop.wait_for_selector("[data-publish]")
    desktop.locator("[data-publish] button[type=submit]").click()
    desktop.wait_for_selector("text=已在公开活动日历中显示")
    assert desktop.locator("[data-status]").get_attribute("data-status") == "published"
    from outreach.models import Event

    saved = Event.objects.get(title="垃圾分类宣讲进社区")
    assert (round(saved.lng, 6), round(saved.lat, 6)) == (lng, lat)
    screenshot(desktop, "events-published-desktop")

    phone.goto(f"{base}/gongshi/{cast.place('G1').code}/")
    phone.locator("[data-events-calendar]").click()
    phone.wait_for_selector("[data-upcoming]")
    event = phone.locator("[data-public-event]")
    assert event.count() == 1
    text = event.inner_text()
    assert "垃圾分类宣讲进社区" in text and "董庄社区党群服务中心" in text and "09:30" in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "events-calendar-phone")
    assert phone.problems == []
