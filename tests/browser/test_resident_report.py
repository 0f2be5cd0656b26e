"""The resident's way in, on a phone: from the public notice to the self-service form, the place picked with the
labelled map or "use my location", named in words and confirmed, a truthful status after sending (待受理), and
the progress found again with the reference and the mobile number."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, LimitUnit, Status
from cases.services import case_category_create
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Inside 董庄社区's 第1网格 (G1: 113.0–113.25 E, 34.5–35.0 N in the cast).
AT_DONGZHUANG_G1 = {"longitude": 113.1, "latitude": 34.75}


def test_resident_reports_a_problem_from_the_public_notice(live_server, phone, screenshot):
    cast = build_cast()
    case_category_create(actor=cast.admin, district=cast.place("D"), code="shirong", name="市容环境",
                         department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    base = live_server.url
    phone.context.grant_permissions(["geolocation"], origin=base)
    phone.context.set_geolocation(AT_DONGZHUANG_G1)

    # The public notice offers the form.
    phone.goto(f"{base}/gongshi/")
    phone.locator("[data-report-entry]").get_by_role("link", name="我要反映问题").click()
    phone.wait_for_url(f"{base}/suqiu/")
    phone.wait_for_selector("#case-map[data-ready='true']")

    # The map is labelled: zoomed out, with the communities' names (the grids are too small to name).
    shown = "#case-map .leaflet-tooltip:not(.label-hidden)"
    assert {"董庄社区", "健康社区", "丁庄社区"} <= set(phone.locator(f"{shown}.community-label").all_inner_texts())
    phone.locator("#case-map").scroll_into_view_if_needed()
    screenshot(phone, "resident-report-map-phone", full_page=False)

    # A tap in 董庄's second grid names it in words.
    box = phone.locator("path.grid-shape >> nth=1").bounding_box()
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)
    assert "董庄社区 · 第2网格" in phone.locator("[data-picked]").inner_text()

    # "Use my location" moves the point to where the phone is: 董庄社区 第1网格.
    phone.get_by_role("button", name="使用我的当前位置").click()
    # (a locator wait: a string predicate polled by wait_for_function is compiled in the page, which its CSP refuses)
    expect(phone.locator("[data-picked]")).to_contain_text("第1网格")
    assert phone.locator("[data-picked]").inner_text() == "已选位置：新兴街道 · 董庄社区 · 第1网格"
    assert phone.input_value("#id_grid") == cast.place("G1").code
    # Zoomed in on the point, the grid is named on the map with its community.
    phone.locator(f"{shown}.picker-grid-label", has_text=re.compile(r"董庄社区\s*第1网格")).wait_for()
    assert "董庄社区\n第1网格" in phone.locator(f"{shown}.picker-grid-label").all_inner_texts()
    screenshot(phone, "resident-report-located-phone", full_page=False)

    phone.fill("#id_mobile", "13812345678")
    phone.select_option("#id_category", label="市容环境")
    phone.fill("#id_description", "小区门口路灯不亮已经一周")
    phone.get_by_role("button", name="提交", exact=True).click()

    # Before sending, the place is said in words and confirmed.
    confirm = phone.locator("[data-confirm-place]")
    confirm.wait_for(state="visible")
    assert re.search(r"新兴街道 · 董庄社区 · 第1网格", confirm.locator("[data-place-words]").inner_text())
    assert Case.objects.count() == 0
    screenshot(phone, "resident-report-confirm-phone", full_page=False)
    confirm.get_by_role("button", name="位置无误，提交").click()

    # The status said is the true one: received, waiting to be accepted.
    phone.wait_for_url(re.compile(r"/suqiu/t/[^/]+/$"))
    case = Case.objects.get()
    assert case.status == Status.REPORTED and case.grid_id == cast.place("G1").pk
    message = phone.locator(".alert-success").inner_text()
    assert "待受理" in message and "已受理" not in message and case.reference in message
    assert phone.locator("[data-status]").inner_text() == "待受理"
    assert "董庄社区 · 第1网格" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "resident-report-submitted-phone")

    # Later, the resident finds it again with the reference and the mobile number.
    phone.goto(f"{base}/suqiu/chaxun/")
    phone.fill("#id_reference", case.reference)
    phone.fill("#id_mobile", "13812345678")
    phone.get_by_role("button", name=re.compile("查询")).click()
    phone.wait_for_url(re.compile(r"/suqiu/t/[^/]+/$"))
    assert phone.locator("[data-reference]").inner_text() == case.reference
    assert phone.locator("[data-status]").inner_text() == "待受理"
    screenshot(phone, "resident-report-tracked-phone")
    assert not phone.problems, phone.problems
