"""The district's dashboard in a real browser: a district official lands on the terminal, opens the dashboard in one
click, every chart is drawn by the vendored ECharts under the site's CSP (no console error), nothing overflows a
390 px phone, the tables fold behind their charts and open again, a grid on the map opens that grid's dashboard,
and a figure of the rates table lands on exactly the cases it counts."""

import re
import uuid

import pytest
from django.utils import timezone

from bulletins.dashboard import RATE_MEASURES
from cases import services as case_services
from cases.models import Level, LimitUnit, Source
from ledger import services as ledger_services
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def drawn(page):
    page.wait_for_selector("body[data-charts-drawn='5']")
    assert page.locator("[data-chart] svg").count() == 5


def test_the_district_dashboard_draws_and_drills_down(live_server, phone, desktop, screenshot):
    cast = build_cast()
    category = case_services.case_category_create(
        actor=cast.admin, district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    worker = cast.user("grid_worker")
    for n in range(3):  # settled in the grid today: registered and closed
        case_services.case_create(actor=worker, source=Source.PATROL, grid=cast.place("G1"), category=category,
                                  description=f"就地解决{n}", key=str(uuid.uuid4()), level=Level.GRID,
                                  settled_result="已劝离")
    ledger_services.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(),
                                 started_at=timezone.now())
    base = live_server.url
    official = cast.user("district_official")

    phone.set_viewport_size(PHONE)
    log_in(phone, base, official)
    assert phone.url == f"{base}/places/{cast.place('D').code}/"  # the terminal: the dashboard one click away
    phone.get_by_role("link", name="数据看板").click()
    drawn(phone)
    assert phone.locator("details.dashboard-table[open]").count() == 0  # folded behind their charts
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "dashboard-district-phone")
    # the grids are drawn from their own boundaries (no tile server): one shape per grid of the district
    assert phone.locator("[data-chart=map] svg path").count() >= 4
    # a table opens again with one tap, and scrolls sideways inside itself
    phone.locator("#map summary").click()
    assert phone.locator("#map details[open] tr[data-grid]").count() == 4
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.problems == []

    desktop.set_viewport_size(DESKTOP)
    log_in(desktop, base, official)
    desktop.goto(f"{base}/bulletins/dashboard/")
    drawn(desktop)
    screenshot(desktop, "dashboard-district-desktop")
    # the rates table: 新兴街道's closing rate has nothing due ("—"); its denominator opens an empty list
    rates = desktop.locator("section[aria-labelledby=rates-title]")
    rates.locator("summary").click()
    row = rates.locator("tr", has=desktop.get_by_role("link", name="新兴街道"))
    cells = row.locator("td[data-measure]")
    assert cells.count() == len(RATE_MEASURES)
    assert cells.first.locator(".fw-semibold").inner_text() == "—"
    # a grid on the map opens its dashboard: G1's table row link (the map's own click goes to the same place)
    desktop.locator(f"tr[data-grid='{cast.place('G1').code}'] a").click()
    desktop.wait_for_url(re.compile(rf"/dashboard/{cast.place('G1').code}/$"))
    drawn(desktop)
    # today's three settled reports behind the daily chart's last point
    desktop.locator("section[aria-labelledby=daily-title] summary").click()
    desktop.locator("section[aria-labelledby=daily-title] tbody tr").last.get_by_role("link").first.click()
    desktop.wait_for_url(re.compile(r"/cases/\?series=registered&day="))
    assert desktop.locator(".case-rows a.list-group-item").count() == 3
    assert desktop.problems == []
