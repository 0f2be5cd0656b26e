"""The dispatcher at a 1280×800 desk, counting clicks: a reported case accepted and dispatched in two clicks once
opened, a page of filed cases dispatched in two clicks from the queue, a case found by the caller's mobile."""

import re

import pytest

from cases.models import Case, CaseEvent, LimitUnit, Source, Status
from cases.services import case_category_create, case_create
from tests.cast import build_cast

from .test_case_loop import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Clicks:
    """Every click the dispatcher makes, counted."""

    def __init__(self):
        self.n = 0

    def __call__(self, locator):
        self.n += 1
        locator.click()


def test_the_dispatcher_accepts_and_dispatches_in_two_clicks_and_a_batch_in_two(live_server, desktop, screenshot):
    cast = build_cast()
    category = case_category_create(actor=cast.admin, district=cast.place("D"), code="shirong", name="市容环境",
                                    department=cast.departments["chengguan@D"], time_limit=3,
                                    limit_unit=LimitUnit.WORKING_DAYS)
    worker, center = cast.user("grid_worker"), cast.user("command_center")
    reported = case_create(actor=worker, source=Source.PATROL, grid=cast.place("G1"), category=category,
                           description="3号楼东侧堆放建筑垃圾", key=None, resident_mobile="13812345678")
    filed = [case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), category=category,
                         description=f"热线反映：占道经营第{i}处", key=None) for i in range(3)]
    base = live_server.url

    log_in(desktop, base, center)
    assert desktop.url.endswith("/cases/center/")
    row = desktop.locator(f"[data-row='{reported.reference}']")
    assert row.locator("[data-state='mine']").count() == 1  # 待受理 is the center's move: blue, not grey
    screenshot(desktop, "desk-queue-new-desktop", full_page=False)

    # 1. One case: open it from the queue, then accept and dispatch it in two clicks.
    desktop.get_by_role("link", name=re.compile(reported.reference)).click()
    click = Clicks()
    click(desktop.get_by_role("button", name="立案并派遣", exact=True))
    form = desktop.locator("form.step-form.show")
    form.wait_for()
    screenshot(desktop, "desk-accept-dispatch-desktop", full_page=False)
    click(form.get_by_role("button", name="确认立案并派遣"))
    desktop.wait_for_selector(".alert-success")
    assert click.n == 2
    assert desktop.locator("[data-status]").inner_text() == "待签收"
    assert list(CaseEvent.objects.filter(case=reported).values_list("action", flat=True)) == [
        "create", "accept", "dispatch"]

    # 2. A page of filed cases from the queue: pick all, dispatch, two clicks for the three of them.
    desktop.goto(f"{base}/cases/center/?queue=dispatch")
    click = Clicks()
    click(desktop.get_by_label("全选本页"))
    assert desktop.locator("[data-picked]").inner_text() == "3"
    screenshot(desktop, "desk-batch-picked-desktop", full_page=False)
    click(desktop.get_by_role("button", name=re.compile("派遣所选")))
    desktop.wait_for_selector(".alert-success")
    assert click.n == 2
    assert "已派遣 3 件事件。" in desktop.locator(".alert-success").inner_text()
    assert {c.status for c in Case.objects.filter(pk__in=[c.pk for c in filed])} == {Status.DISPATCHED}
    screenshot(desktop, "desk-batch-done-desktop", full_page=False)

    # 3. The caller rings again: the case is found by their whole mobile number, in any state.
    desktop.fill("#desk-q", "13812345678")
    desktop.keyboard.press("Enter")
    desktop.wait_for_selector("[data-search]")
    assert desktop.locator(f"[data-row='{reported.reference}']").count() == 1
    assert desktop.locator(".case-row").count() == 1
    screenshot(desktop, "desk-search-mobile-desktop", full_page=False)

    # 4. A new call: the grid is found by its street or community, not picked from a flat list of 第N网格, or by a
    #    point on the map; either way the grid chosen is said in words.
    desktop.goto(f"{base}/cases/new/")
    desktop.wait_for_selector("#case-map[data-ready='true']")
    assert desktop.locator("#id_grid optgroup").count() == 2  # 新兴街道, 丁庄街道
    picked = desktop.locator("[data-picked]")
    search = desktop.get_by_placeholder("按街道、社区或网格名查找")
    search.fill("健康")  # the only one left is chosen
    assert desktop.locator("#id_grid").input_value() == str(cast.place("G2").pk)
    assert picked.inner_text() == "已选网格：新兴街道 · 健康社区 · 第1网格"
    search.fill("董庄")  # part of a community's name: its grids are left, the dispatcher picks one
    left = desktop.locator("#id_grid option:not([hidden]):not([value=''])")
    assert left.all_inner_texts() == ["董庄社区 · 第1网格", "董庄社区 · 第2网格"]
    desktop.select_option("#id_grid", str(cast.place("G1").pk))
    assert picked.inner_text() == "已选网格：新兴街道 · 董庄社区 · 第1网格"
    screenshot(desktop, "desk-hotline-grid-search-desktop", full_page=False)
    # The caller says where instead: a click on the map in 董庄's second grid chooses it and names it.
    desktop.locator("#case-map").scroll_into_view_if_needed()
    grid, frame = desktop.locator("#case-map path.grid-shape >> nth=1").bounding_box(), \
        desktop.locator("#case-map").bounding_box()
    top, bottom = max(grid["y"], frame["y"]), min(grid["y"] + grid["height"], frame["y"] + frame["height"])
    left, right = max(grid["x"], frame["x"]), min(grid["x"] + grid["width"], frame["x"] + frame["width"])
    desktop.mouse.click((left + right) / 2, (top + bottom) / 2)  # the middle of the part of it in view
    assert picked.inner_text() == "已选网格：新兴街道 · 董庄社区 · 第2网格"
    assert desktop.locator("#id_grid").input_value() == str(cast.place("G1b").pk)
    screenshot(desktop, "desk-hotline-map-desktop", full_page=False)
    desktop.select_option("#id_category", label="市容环境")
    desktop.fill("#id_description", "来电反映：小区东门路灯不亮")
    desktop.get_by_role("button", name="提交", exact=True).click()
    desktop.wait_for_url(re.compile(r"/cases/\d{13}/$"))
    called = Case.objects.get(description="来电反映：小区东门路灯不亮")
    assert (called.source, called.grid_id) == (Source.HOTLINE, cast.place("G1b").pk)
    assert called.lng is not None and called.lat is not None  # the point clicked, inside that grid
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1280

    # 5. The queue by nearest deadline: the order changes as soon as it is chosen.
    desktop.goto(f"{base}/cases/center/")
    desktop.select_option("#desk-sort", "deadline")
    desktop.wait_for_url(re.compile(r"sort=deadline"))
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1280
    assert not [p for p in desktop.problems if "ERR_ABORTED" not in p], desktop.problems
