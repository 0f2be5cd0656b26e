"""The unit head signs a 督办通知书 on a phone (360 px): the documents page lists it, unsigned only; 签收 marks it and the
button goes; the PDF downloads."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from inspections.models import Ladder, Notice
from inspections.services import ladder
from tests.browser.test_bulletin_journey import log_in
from tests.cast import build_cast
from tests.inspections.ladder_helpers import make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_unit_head_signs_a_notice_on_a_phone(live_server, phone, screenshot):
    cast = build_cast()
    task = make_task(cast, deadline=datetime.date.today() + datetime.timedelta(days=30))
    notice = ladder.issue_notice(task, Ladder.NOTICE)
    base = live_server.url

    log_in(phone, base, cast.user("community_official"))
    phone.goto(f"{base}/xuncha/ladder/?unacknowledged=on")
    row = phone.locator(f"[data-notice-row='{notice.pk}']")
    expect(row).to_contain_text("督办通知书")
    expect(row).to_contain_text(notice.number)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "inspection-ladder-phone")

    pdf = phone.request.get(f"{base}/xuncha/ladder/{notice.pk}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    row.locator("[data-acknowledge]").click()
    expect(phone.locator(".alert")).to_contain_text("已签收督办通知书")
    expect(phone.locator(f"[data-notice-row='{notice.pk}']")).to_have_count(0)  # the filter keeps unsigned only
    phone.goto(f"{base}/xuncha/ladder/")
    expect(phone.locator(f"[data-notice-row='{notice.pk}']")).to_contain_text("已签收")
    assert Notice.objects.get().acknowledged_by == cast.user("community_official")
    screenshot(phone, "inspection-ladder-signed-phone")
    assert phone.problems == []
