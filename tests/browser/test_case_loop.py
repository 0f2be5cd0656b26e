"""The whole case loop across roles in a real browser: a grid worker reports on a phone, the command center
dispatches on a desktop, the department returns it once and then feeds back, the grid worker verifies on the
spot, and the resident rates the result through the private link on a phone."""

import re

import pytest

from cases.models import Case, CaseEvent, LimitUnit, Status
from cases.notify import OUTBOX, tracking_url
from cases.services import case_category_create
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def take_step(page, label: str, note: str = ""):
    """Open a step on the case page, fill its reason, confirm it, and wait for the page to come back."""
    page.get_by_role("button", name=label, exact=True).click()
    form = page.locator("form.step-form.show")
    form.wait_for()
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_role("button", name=f"确认{label}").click()
    page.wait_for_selector(".alert-success")


def test_the_whole_loop_across_roles(live_server, phone, desktop, screenshot, caplog, settings):
    caplog.set_level("INFO", logger="wudu.notify")
    # The SMS gateway is outside: the memory channel stands in for the resident's phone; the log channel too.
    settings.NOTIFY_CHANNELS = ["log", "memory"]
    OUTBOX.clear()
    cast = build_cast()
    case_category_create(actor=cast.admin, district=cast.place("D"), code="shirong", name="市容环境",
                         department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    base = live_server.url
    worker, center, dept = cast.user("grid_worker"), cast.user("command_center"), cast.user("department_staff")

    # 1. The grid worker reports on the phone, for a resident who gives her mobile.
    log_in(phone, base, worker)
    phone.goto(f"{base}/cases/new/")
    phone.select_option("#id_category", label="市容环境")
    phone.fill("#id_description", "3号楼东侧堆放建筑垃圾，堵住消防通道")
    phone.fill("#id_resident_mobile", "13812345678")
    screenshot(phone, "case-report-phone")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/cases/\d{13}/$"))
    reference = phone.locator("[data-reference]").inner_text()
    assert phone.locator("[data-status]").inner_text() == "待受理"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # 2. The command center finds it in its queue, files it and dispatches it.
    log_in(desktop, base, center)
    assert desktop.url.endswith("/cases/center/")
    desktop.get_by_role("link", name=re.compile(reference)).click()
    screenshot(desktop, "case-center-detail-desktop")
    take_step(desktop, "立案")
    take_step(desktop, "派遣")
    assert desktop.locator("[data-status]").inner_text() == "待签收"

    # 3. The department returns it once, with its reason …
    log_in(desktop, base, dept)
    assert desktop.url.endswith("/cases/department/")
    desktop.get_by_role("link", name=re.compile(reference)).click()
    take_step(desktop, "退回", "该点位属于住建部门管理的在建工地")

    # … the command center dispatches it again …
    log_in(desktop, base, center)
    desktop.goto(f"{base}/cases/center/?queue=returned")
    desktop.get_by_role("link", name=re.compile(reference)).click()
    take_step(desktop, "派遣", "经核实属城市管理职责，请按时处置")

    # … and the department signs and feeds back.
    log_in(desktop, base, dept)
    desktop.goto(f"{base}/cases/{reference}/")
    take_step(desktop, "签收")
    take_step(desktop, "反馈结果", "已组织清运，消防通道已恢复畅通")
    screenshot(desktop, "case-department-fed-back-desktop")

    # 4. The grid worker verifies on the spot, on the phone.
    phone.goto(f"{base}/cases/{reference}/")
    take_step(phone, "核查通过", "现场查看已清理干净")
    assert phone.locator("[data-status]").inner_text() == "已结案"
    screenshot(phone, "case-verified-phone")

    # 5. The resident opens the private link from the SMS and rates the result, without an account.
    sms = [message for mobile, message in OUTBOX if mobile == "13812345678"]
    assert len(sms) == 2 and reference in sms[0] and "已办结，请评价" in sms[1]
    link = re.search(r"http://\S+/suqiu/t/\S+/", sms[1]).group(0)
    case = Case.objects.get(reference=reference)
    assert link == tracking_url(case)
    # The log says a notice went out, never the link that opens the case nor the whole mobile number.
    logged = [r.getMessage() for r in caplog.records if r.name == "wudu.notify"]
    assert len([line for line in logged if "138****5678" in line]) == 2
    assert not [line for line in logged if case.tracking_token in line or "13812345678" in line]
    phone.context.clear_cookies()
    phone.goto(link.replace("http://127.0.0.1:8000", base))
    assert dept.real_name not in phone.content() and worker.real_name not in phone.content()
    phone.locator("label", has_text="满意").first.click()
    phone.fill("textarea[name=comment]", "处理很及时")
    screenshot(phone, "case-track-evaluate-phone")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("[data-verdict='satisfied']")
    screenshot(phone, "case-track-done-phone")

    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.evaluation == "satisfied" and case.returns == 1
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "create", "accept", "dispatch", "send_back", "dispatch", "sign", "feed_back", "verify", "evaluate"]
    for page in (phone, desktop):
        # Requests cut short by the next navigation (the badge, the icon) are not problems.
        assert not [p for p in page.problems if "HTTP 4" not in p and "ERR_ABORTED" not in p], page.problems
