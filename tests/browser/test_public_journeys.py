"""Journeys that need a real browser: a resident finding their grid, a grid worker logging in."""

import re

import pytest

from grids.models import Role
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_map(page):
    page.wait_for_function("window.L && typeof window.L.version === 'string'")
    page.wait_for_selector("#public-map[data-ready='true']")


def test_resident_finds_grid_by_community_then_by_map(live_server, phone, desktop, screenshot):
    cast = build_cast()
    g1, g1_url = cast.place("G1"), f"/gongshi/{cast.place('G1').code}/"

    # The vendored Leaflet is served by the live server and loads.
    leaflet = phone.request.get(f"{live_server.url}/static/vendor/leaflet/leaflet.js")
    assert leaflet.ok

    phone.goto(f"{live_server.url}/gongshi/")
    wait_for_map(phone)
    assert phone.locator("path.leaflet-interactive").count() == 5
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "public-index-phone")

    # Pick 董庄社区: the form submits itself and lists the community's grids.
    phone.select_option("#community-select", label="董庄社区")
    phone.wait_for_url(re.compile(r"community=" + cast.place("C1").code))
    result = phone.locator("[data-community-result]")
    assert result.get_by_role("link").count() == 2
    assert phone.locator(f"details[data-street='{cast.place('S1').code}']").get_attribute("open") is not None
    screenshot(phone, "public-index-community-phone")
    result.get_by_role("link", name=re.compile("第1网格")).click()
    phone.wait_for_url(f"{live_server.url}{g1_url}")

    # The grid's notice: its head, its work phone, its boundary drawn on the map, and its QR code.
    wait_for_map(phone)
    head = phone.locator("[data-role='grid_head']")
    assert "网格长甲" in head.locator(".fw-semibold").inner_text() and "网格长" in head.locator(".badge").inner_text()
    assert phone.locator("a[href='tel:0374-5550001']").count() == 3
    assert "13900000001" not in phone.content()
    assert phone.locator("#public-map path.leaflet-interactive.grid-current").count() == 1
    # Its neighbour in the same community is drawn faintly around it, with its name.
    phone.wait_for_selector("#public-map[data-context-ready='true']")
    assert phone.locator(f"#public-map path.grid-neighbour.grid-{cast.place('G1b').code}").count() == 1
    assert phone.locator(".leaflet-tooltip.grid-label").all_inner_texts() == ["第1网格", "第2网格"]
    assert phone.locator("img.qr-image").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(phone, "public-grid-phone")
    # Nothing overflows sideways on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    desktop.goto(f"{live_server.url}{g1_url}")
    wait_for_map(desktop)
    desktop.wait_for_selector("#public-map[data-context-ready='true']")
    screenshot(desktop, "public-grid-desktop")
    desktop.goto(f"{live_server.url}/gongshi/")
    wait_for_map(desktop)
    screenshot(desktop, "public-index-desktop")

    # Back on the index, a tap on the map inside G1 opens G1's page (the server finds the grid).
    phone.goto(f"{live_server.url}/gongshi/")
    wait_for_map(phone)
    box = phone.locator(f"path.grid-{g1.code}").bounding_box()
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.wait_for_url(f"{live_server.url}{g1_url}")
    assert "第1网格" in phone.locator("h1").inner_text()

    # A tap between the two districts, where there is no grid, says so on the index.
    phone.goto(f"{live_server.url}/gongshi/")
    wait_for_map(phone)
    west = phone.locator(f"path.grid-{cast.place('G3').code}").bounding_box()
    east = phone.locator(f"path.grid-{cast.place('G4').code}").bounding_box()
    phone.mouse.click((west["x"] + west["width"] + east["x"]) / 2, west["y"] + west["height"] / 2)
    phone.wait_for_url(re.compile(r"/gongshi/locate/\?lng="))
    assert "不在任何网格内" in phone.locator("[data-public-message]").inner_text()
    screenshot(phone, "public-locate-miss-phone", full_page=False)

    assert phone.problems == [] and desktop.problems == []


def test_poster_prints_on_one_page(live_server, desktop, screenshot):
    cast = build_cast()
    desktop.goto(f"{live_server.url}/gongshi/{cast.place('G1').code}/poster/")
    assert desktop.locator(".poster-name").count() == 3
    assert desktop.locator(".poster-qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(desktop, "public-poster-desktop")
    desktop.emulate_media(media="print")
    assert desktop.locator("nav.app-nav").is_hidden()
    screenshot(desktop, "public-poster-print")
    pdf = desktop.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one A4 sheet
    assert desktop.problems == []


def test_grid_worker_logs_in_and_lands_on_their_grid(live_server, phone, screenshot):
    cast = build_cast()
    worker = cast.user(Role.GRID_WORKER)
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", worker.username)
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"{live_server.url}/places/{cast.place('G1').code}/")
    assert "第1网格" in phone.locator("h1").inner_text()
    card = phone.locator(".card", has_text="一长两员")
    for name in ("网格长甲", "党建指导员甲", "网格员甲"):
        assert card.get_by_text(name).count() == 1
    screenshot(phone, "worker-grid-phone")
    assert phone.problems == []
