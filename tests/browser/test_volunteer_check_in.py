"""A volunteer checks in and out on a 360×740 phone, without an account: the code from the organiser's QR link,
their registered mobile, the phone's position near the venue."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outreach import services
from outreach.models import HoursStatus, ServiceRecord
from tests.cast import PASSWORD, build_cast
from tests.outreach.hours_fixtures import VENUE, event, organization, volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_volunteer_checks_in_and_out_on_a_phone_and_the_organiser_countersigns(live_server, phone, desktop):
    cast = build_cast()
    lecture = event(cast, organization(cast), starts=timezone.now() - datetime.timedelta(hours=2), hours=3,
                    title="垃圾分类进社区")
    person = volunteer(cast, "王志愿")
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"longitude": VENUE[0], "latitude": VENUE[1] + 0.001})  # ≈ 110 m away

    phone.goto(f"{live_server.url}/outreach/qd/?c={services.checkin_code(lecture)}")
    expect(phone.locator("[name=lat]")).not_to_have_value("")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.fill("[name=mobile]", person.mobile)
    button = phone.get_by_role("button", name="签到")
    assert button.bounding_box()["height"] >= 48  # a thumb's target
    phone.screenshot(path="/tmp/hours-checkin-form.png", full_page=True)
    button.click()
    phone.wait_for_selector(".alert-success")
    assert "已签到" in phone.locator(".alert-success").inner_text()
    record = ServiceRecord.objects.get()
    assert record.check_in_lat == pytest.approx(VENUE[1] + 0.001) and record.flags == [] and record.device
    phone.screenshot(path="/tmp/hours-checked-in.png", full_page=True)

    # 90 minutes later (the clock is the database's: the check-in moves back), the volunteer checks out.
    ServiceRecord.objects.update(checked_in_at=record.checked_in_at - datetime.timedelta(minutes=90))
    assert phone.input_value("[name=mobile]") == person.mobile  # remembered for the check-out
    phone.get_by_role("button", name="签退").click()
    phone.wait_for_selector(".alert-success")
    assert "已签退" in phone.locator(".alert-success").inner_text()
    assert "1.5 小时" in phone.locator(".alert-success").inner_text()
    phone.screenshot(path="/tmp/hours-checked-out.png", full_page=True)
    record = ServiceRecord.objects.get()
    assert record.minutes == 90 and record.status == HoursStatus.PENDING
    assert phone.problems == []

    # The organiser's attendance page: the QR and the code, who is in, 全部确认.
    official = cast.user("community_official")
    desktop.goto(f"{live_server.url}/accounts/login/")
    desktop.fill("#id_username", official.username)
    desktop.fill("#id_password", PASSWORD)
    desktop.get_by_role("button", name="登录").click()
    desktop.wait_for_load_state()
    desktop.goto(f"{live_server.url}/outreach/events/{lecture.pk}/attendance/")
    assert desktop.locator("img[alt='签到二维码']").evaluate("img => img.naturalWidth") > 0
    assert desktop.locator("[data-code]").inner_text() == services.checkin_code(lecture)
    assert "王志愿" in desktop.locator(f"[data-record='{record.pk}']").inner_text()
    desktop.get_by_role("button", name="全部确认").click()
    desktop.wait_for_selector(".alert-success")
    desktop.screenshot(path="/tmp/hours-attendance.png", full_page=True)
    assert ServiceRecord.objects.get().status == HoursStatus.VERIFIED
    assert desktop.problems == []
