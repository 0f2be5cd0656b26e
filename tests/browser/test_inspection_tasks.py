"""Rectification in a real browser: the owner (董庄社区's official) uploads a geotagged photo and a document on a
360 px phone and submits; the team's inspector ticks the task off on a desktop."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image

from inspections.models import Category, EvidenceKind, Finding, Round, TaskEvidence, TaskStatus, Team
from inspections.services import tasks as task_services
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, format="JPEG")
    return out.getvalue()


def test_the_owner_uploads_evidence_on_a_phone_and_the_team_ticks_off_on_a_desktop(live_server, phone, desktop,
                                                                                    screenshot):
    cast = build_cast()
    base = live_server.url
    team = Team.objects.get(round=Round.objects.get(name="矩阵巡察轮次"), name="第一巡察组")
    finding = Finding.objects.create(
        round=team.round, team=team, place=cast.place("C1"), category=Category.WORK_STYLE,
        title="村务公开栏长期未更新", facts="公开栏内容停留在去年",
        found_on=timezone.localdate() - datetime.timedelta(days=5), recorded_by=cast.user("inspector"))
    task = task_services.task_assign(actor=cast.user("inspector"), finding=finding, measure="更新公开栏并建立月度更新制度",
                                     owner_place=cast.place("C1"), responsible=cast.user("community_official"))
    phone.context.grant_permissions(["geolocation"], origin=base)
    phone.context.set_geolocation({"latitude": 34.7, "longitude": 113.1})

    # 1. The community official reports progress with a photo (the phone's position) and a document.
    log_in(phone, base, cast.user("community_official"))
    phone.goto(f"{base}/xuncha/tasks/{task.pk}/")
    form = phone.locator("[data-evidence-form]")
    form.locator("textarea[name=note]").fill("公开栏已更新，附照片和制度文件")
    form.locator("input[name=photos]").set_input_files(
        [{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    form.locator("input[name=documents]").set_input_files(
        [{"name": "月度更新制度.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 rules"}])
    from playwright.sync_api import expect

    expect(form.locator("[data-position]")).to_have_text("已获取拍摄位置。")
    wide = phone.evaluate("Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 361).map(e => e.tagName + '.' + e.className + '#' + (e.name || '')).slice(0, 8)")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, wide
    screenshot(phone, "rectification-evidence-phone")
    form.get_by_role("button", name="报告整改进展").click()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.locator("[data-status]").first).to_have_text("整改中")
    photo = TaskEvidence.objects.get(task=task, kind=EvidenceKind.PHOTO)
    assert (round(photo.lng, 3), round(photo.lat, 3)) == (113.1, 34.7)
    expect(phone.locator("[data-evidence] [data-kind=photo] img")).to_be_visible()

    # 2. … and submits it for verification.
    phone.locator("details[data-step=submit] summary").click()
    phone.locator("details[data-step=submit]").get_by_role("button", name="提交核验").click()
    expect(phone.locator("[data-status]").first).to_have_text("待核验")
    assert phone.locator("details[data-step=verify]").count() == 0  # the owner never ticks off
    screenshot(phone, "rectification-submitted-phone")

    # 3. The team's inspector ticks it off on a desktop.
    log_in(desktop, base, cast.user("inspector"))
    desktop.goto(f"{base}/xuncha/tasks/")
    desktop.get_by_role("link", name=re.compile("更新公开栏")).click()
    step = desktop.locator("details[data-step=verify]")
    step.locator("textarea[name=note]").fill("现场照片与制度文件属实")
    step.get_by_role("button", name="核验销号").click()
    expect(desktop.locator("[data-status]").first).to_have_text("已销号")
    expect(desktop.locator("[data-ticked-off]")).to_contain_text(cast.user("inspector").real_name)
    expect(desktop.locator("[data-evidence] [data-kind=document]")).to_contain_text("月度更新制度.pdf")
    screenshot(desktop, "rectification-ticked-off-desktop")
    task.refresh_from_db()
    assert task.status == TaskStatus.TICKED_OFF
    assert not desktop.problems and not phone.problems, (desktop.problems, phone.problems)
