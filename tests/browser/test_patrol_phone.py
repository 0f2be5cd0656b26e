"""A grid worker's day on a 360×740 phone: 继续巡查 from home, 保存 within reach, ending with a summary, the
ledger as cards with 上报事件 on screen, the notices' bell outside the folded menu."""

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grids.models import Role
from ledger import services as ledger
from ledger.models import FindingCategory
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH, PHONE_HEIGHT = 360, 740


def _in_view(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH \
        and box["y"] + box["height"] <= PHONE_HEIGHT


def test_worker_continues_a_patrol_saves_within_reach_ends_it_and_reports_from_the_ledger(live_server, phone,
                                                                                          screenshot):
    cast = build_cast()
    safety, _created = FindingCategory.objects.get_or_create(code="safety", defaults={"name": "安全隐患"})
    worker = cast.user(Role.GRID_WORKER)
    for n in range(8):  # a grid with households: the visit form is longer than the screen
        ledger.household_create(actor=worker, grid=cast.place("G1"), address=f"幸福路 {n + 1} 号")
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(),
                                 started_at=timezone.now() - timezone.timedelta(minutes=3))
    ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                        category=safety, finding="楼道堆物", settled=False)

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", worker.username)
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server.url}/places/{cast.place('G1').code}/")
    # The bell beside the folded menu carries the unread count's link; the menu itself stays folded.
    assert phone.locator(".navbar [data-badge-url].d-md-none a").is_visible()
    assert phone.locator("#nav").is_hidden()
    link = phone.locator("[data-patrol-link]")
    assert link.inner_text() == "继续巡查"
    link.click()
    phone.wait_for_selector("[data-open-panel]:not([hidden])")
    assert _in_view(phone, "[data-save]"), "保存 needs a scroll at 360×740"
    assert phone.locator("[data-today-minutes]").inner_text() in {"3", "4"}
    screenshot(phone, "patrol-open-phone", full_page=False)

    phone.locator("[data-end-confirm] > summary").click()
    confirm = phone.get_by_role("button", name="确认结束")
    confirm.scroll_into_view_if_needed()
    # (filled by the details' toggle event, which the browser fires a moment after the click)
    expect(phone.locator("[data-end='visits']")).to_have_text("1")
    expect(phone.locator("[data-end='findings']")).to_have_text("1")
    screenshot(phone, "patrol-end-confirm-phone", full_page=False)
    confirm.click()
    phone.wait_for_selector("[data-ended-summary]:not([hidden])")
    phone.wait_for_selector("#patrol-app[data-queue-count='0']", state="attached", timeout=20_000)
    patrol.refresh_from_db()
    assert not patrol.is_open
    assert phone.locator("[data-sum='findings']").inner_text() == "1"
    assert phone.locator("[data-sum='minutes']").inner_text() in {"3", "4"}

    phone.goto(f"{live_server.url}/ledger/")
    report = phone.get_by_role("button", name="上报事件")
    report.scroll_into_view_if_needed()
    box = report.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert "第1网格" in phone.locator("#id_place option:checked").inner_text()
    screenshot(phone, "ledger-cards-phone")
    assert phone.problems == []
