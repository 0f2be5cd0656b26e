"""A bulletin in a real browser, on the hand-worked October (tests/bulletins/conftest.py): a street official opens
the district's draft, clicks a rate's numerator and lands on exactly the rows counted, then objects to a case
counted on the street's line; the command center accepts the objection and takes the case out, and the figure
changes on the page."""

import re

import pytest
from django.utils import timezone

from bulletins import services
from bulletins.models import Objection, ObjectionStatus
from tests.bulletins import conftest as hand_worked
from tests.cast import PASSWORD, build_cast
from wudu.measures import Period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(transactional_db):
    """The cast in committed rows: the live server's thread must see them."""
    return build_cast()


# The hand-worked October, built on this module's cast.
category = hand_worked.category
october = hand_worked.october


def log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def figure(page, unit: str, measure: str):
    return page.locator(f"[data-section] tr[data-unit='{unit}'] td[data-cell='{measure}']").first


def test_open_a_bulletin_click_a_rate_and_object_and_settle(live_server, cast, october, phone, desktop, screenshot):
    bulletin = services.bulletin_build(place=cast.place("D"), period=Period.month(2026, 10), now=timezone.now())
    base, s1 = live_server.url, cast.place("S1").code
    official, center = cast.user("street_official"), cast.user("command_center")

    # 1. The street official opens the draft on a phone and clicks the numerator of 按期处置率 on the street's line.
    log_in(phone, base, official)
    phone.goto(f"{base}/bulletins/{bulletin.pk}/")
    on_time = figure(phone, s1, "case.handling_on_time")
    assert "37.50%" in on_time.inner_text() and "3/8" in on_time.inner_text().replace("\n", "")
    screenshot(phone, "bulletin-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    on_time.locator("a[data-part=n]").click()
    phone.wait_for_url(re.compile(r"/rows/\?"))
    listed = set(phone.locator("a[data-reference]").all_inner_texts())
    assert listed == {october.case(name).reference for name in "AGP"}
    assert phone.locator("[data-n]").inner_text() == "3" and phone.locator("[data-d]").inner_text() == "8"
    screenshot(phone, "bulletin-rows-phone")

    # 2. The denominator's rows, and today's, are a tap away.
    phone.get_by_role("link", name="分母的记录").click()
    phone.wait_for_load_state()
    assert len(phone.locator("a[data-reference]").all_inner_texts()) == 8

    # 3. The official objects: N is suspended (挂账) with the district's consent and should not count as overdue.
    phone.goto(f"{base}/bulletins/{bulletin.pk}/#objections")
    phone.get_by_role("button", name="对本单位的数据提出申诉").click()
    form = phone.locator("form#object")
    form.wait_for()
    form.locator("#id_measure").select_option(label="超期待处置率")
    form.locator("#id_case_reference").fill(october.case("N").reference)
    form.locator("#id_reason").fill("N 经区里同意挂账，待规划审批，不应计为超期")
    form.get_by_role("button", name="提交申诉").click()
    phone.wait_for_selector(".alert-success")
    assert phone.locator("[data-objection-status]").inner_text() == "待处理"
    screenshot(phone, "bulletin-objection-phone")

    # 4. The command center accepts it on a desktop, taking the case out of the street's figures.
    log_in(desktop, base, center)
    desktop.goto(f"{base}/bulletins/{bulletin.pk}/")
    objection = Objection.objects.get()
    decide = desktop.locator(f"[data-objection='{objection.pk}'] form")
    decide.locator("textarea").fill("挂账经区指挥中心批准，核减")
    decide.locator("input[type=checkbox]").check()
    screenshot(desktop, "bulletin-decide-desktop")
    decide.get_by_role("button", name="采纳", exact=True).click()
    desktop.wait_for_selector(".alert-success")
    assert desktop.locator("[data-objection-status]").inner_text() == "已采纳"
    assert Objection.objects.get().status == ObjectionStatus.ACCEPTED
    assert "1/7" in figure(desktop, s1, "case.overdue_open").inner_text().replace("\n", "")
    screenshot(desktop, "bulletin-desktop")
    assert not phone.problems and not desktop.problems, phone.problems + desktop.problems
