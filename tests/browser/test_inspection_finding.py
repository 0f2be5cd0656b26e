"""The cast's inspector records a finding with a photo on a 360 px phone at the community their team covers, then
finds it in the 问题清单."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from inspections.models import Finding, FindingEvidence
from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_records_a_finding_with_a_photo_on_a_phone(live_server, phone, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cast = build_cast()
    picture = tmp_path / "louDao.jpg"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(out, format="JPEG")
    picture.write_bytes(out.getvalue())

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", cast.user("inspector").username)
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_load_state()
    phone.goto(f"{live_server.url}/xuncha/findings/new/")
    expect(phone.locator("[name=where] option")).to_have_count(1)
    expect(phone.locator("[name=where]")).to_contain_text("董庄社区")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.select_option("[name=category]", "residents")
    phone.select_option("[name=severity]", "major")
    phone.fill("[name=title]", "楼道堆物长期未清理")
    phone.fill("[name=facts]", "3 栋 2 单元楼道堆放杂物，居民多次反映未处理。")
    phone.set_input_files("[name=files]", str(picture))
    phone.screenshot(path="/tmp/inspection-finding-form.png", full_page=True)
    button = phone.get_by_role("button", name="保存")
    assert button.bounding_box()["height"] >= 38
    button.click()
    expect(phone.locator("[data-finding-title]")).to_have_text("楼道堆物长期未清理")
    expect(phone.locator("[data-evidence-item] img")).to_have_count(1)
    assert phone.locator("[data-evidence-item] img").evaluate("img => img.naturalWidth") > 0  # served to the team
    finding = Finding.objects.get()
    assert finding.team.name == "第一巡察组" and FindingEvidence.objects.filter(finding=finding).count() == 1

    phone.goto(f"{live_server.url}/xuncha/findings/")
    row = phone.locator(f"[data-finding-row='{finding.pk}']")
    expect(row).to_contain_text("楼道堆物长期未清理")
    expect(row).to_contain_text("董庄社区")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path="/tmp/inspection-finding-list.png", full_page=True)
    assert phone.problems == []
