"""便民服务 in a real browser (issue 20): a resident on a 360 px phone (no account, a throttled line) finds 居住证明 in
董庄社区's catalogue, proves their mobile with the code the "SMS" carried, applies with two files and lands on the
private tracking page; the community official receives it and asks ONCE for two materials (一次性告知, both ticked in
one request); the resident sees both named, uploads both and resubmits; the official accepts, processes and approves
with a certificate; the resident downloads the certificate (a PDF whose first page renders Chinese), opens the
address in its QR code and sees it valid; the official closes and the resident rates 非常满意."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
import zxingcpp
from PIL import Image, ImageOps
from playwright.sync_api import expect

from affairs import services
from affairs.models import Application, Mode, Rating, Satisfaction, Status
from cases import notify
from grids.models import Role
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_bulletin_journey import log_in
from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13912345678"
# Chrome's "Fast 3G" (CDP Network.emulateNetworkConditions): a phone on an ordinary mobile line.
PHONE_LINE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
              "uploadThroughput": 750_000 / 8}
# The smallest valid PNG (1×1, grey) and a one-page PDF: what a phone's camera or scanner app would upload.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010800000000"
                    "3a7e9b550000000a49444154789c63680000008200816e3a3b0d0000000049454e44ae426082")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture(autouse=True)
def _memory_sms(settings, tmp_path):
    """The code and the notices go to the in-memory channel; the live server runs in this process, so the test
    reads what the resident's phone received."""
    settings.NOTIFY_CHANNELS = ["memory"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    notify.OUTBOX.clear()


def sms_to(mobile: str) -> list[str]:
    return [message for to, message in notify.OUTBOX if to == mobile]


WIDER_THAN_360 = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 360)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} ${e.getAttribute('name') || ''}`)"""


def fits_360(page) -> None:
    """No horizontal scroll at 360 px (when there is, say which elements stick out)."""
    if page.evaluate("document.documentElement.scrollWidth") > 360:
        pytest.fail(f"horizontal scroll on {page.url}: {page.evaluate(WIDER_THAN_360)}")


def act(desktop, action: str, done: str) -> None:
    """Press a step's button on the official's page and see it done."""
    card = desktop.locator(f"form[data-action='{action}']")
    card.locator("button[type=submit]").click()
    desktop.wait_for_load_state()
    expect(desktop.locator(".alert-success")).to_contain_text(f"已完成：{done}")


def test_a_resident_applies_on_a_phone_is_asked_once_for_two_materials_and_gets_a_certificate(
        live_server, phone, desktop, screenshot, tmp_path):
    cast = build_cast()
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    item = services.service_item_create(
        actor=official, place=cast.place("C1"), unit_place=cast.place("C1"), name="居住证明", applicants="本社区居民",
        time_limit=3, mode=Mode.ONLINE, legal_basis="《居住证暂行条例》",
        materials=[{"name": "身份证", "example": "正反面照片"}, {"name": "户口簿", "example": "户主页和本人页"},
                   {"name": "租房合同", "example": "双方签字页"}])
    id_card, household_book, lease = item.materials.order_by("sort_order")
    base = live_server.url
    files = {}
    for name, data in (("id.png", PNG), ("hukou.pdf", PDF), ("lease.pdf", PDF), ("hukou-2.png", PNG),
                       ("lease-2.pdf", PDF)):
        files[name] = tmp_path / name
        files[name].write_bytes(data)
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", PHONE_LINE)

    # --- The resident, on a phone: the catalogue, their community, the item.
    phone.goto(f"{base}/affairs/")
    phone.select_option("#place", label="新兴街道 · 董庄社区")
    phone.get_by_role("button", name="查看").click()
    phone.wait_for_load_state()
    phone.locator("[data-items]").get_by_role("link", name=re.compile("居住证明")).click()
    phone.wait_for_url(re.compile(rf"/affairs/item/{item.pk}/"))
    materials = phone.locator("[data-materials]").inner_text()
    assert "身份证" in materials and "户口簿" in materials and "示例：双方签字页" in materials
    assert phone.locator("[data-mode]").inner_text() == "全程网办"
    fits_360(phone)
    screenshot(phone, "affairs-item-phone")

    # Applying: the mobile, the code the SMS carried, the form with the files.
    phone.get_by_role("link", name="网上申请").click()
    phone.fill("#id_mobile", MOBILE)
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator("[data-stage]")).to_have_attribute("data-stage", "code")
    [sms] = sms_to(MOBILE)
    code = re.search(r"验证码为 (\d{6})", sms).group(1)
    phone.fill("#id_code", code)
    phone.get_by_role("button", name="验证").click()
    expect(phone.locator("[data-stage]")).to_have_attribute("data-stage", "form")
    fits_360(phone)
    phone.fill("#id_name", "王秀兰")
    phone.set_input_files(f"#id_material_{id_card.pk}", files["id.png"])
    phone.set_input_files(f"#id_material_{household_book.pk}", files["hukou.pdf"])
    phone.set_input_files(f"#id_material_{lease.pk}", files["lease.pdf"])
    screenshot(phone, "affairs-apply-form-phone")
    phone.get_by_role("button", name="提交申请").click()

    # The private tracking page: the reference, the true status, the link also sent by SMS.
    phone.wait_for_url(re.compile(r"/affairs/t/[^/]+/$"))
    tracking = phone.url
    application = Application.objects.get()
    assert application.status == Status.SUBMITTED and application.applicant_mobile == MOBILE
    assert application.reference in phone.locator(".alert-success").inner_text()
    assert phone.locator("[data-reference]").inner_text() == application.reference
    assert phone.locator("[data-status]").inner_text() == "已提交"
    assert MOBILE not in phone.content()
    assert tracking.removeprefix(base) in sms_to(MOBILE)[-1]
    fits_360(phone)
    screenshot(phone, "affairs-submitted-phone")

    # --- The community official: the desk, the application, receive; then ask once for two materials.
    log_in(desktop, base, official)
    desktop.goto(f"{base}/affairs/desk/")
    desktop.get_by_role("link", name=re.compile(application.reference)).first.click()
    desktop.wait_for_url(re.compile(rf"/affairs/desk/{application.reference}/$"))
    assert "王秀兰" in desktop.locator("[data-personal]").inner_text()
    act(desktop, "receive", "接收")
    ask = desktop.locator("form[data-action='request_materials']")
    ask.get_by_label("户口簿").check()
    ask.get_by_label("租房合同").check()
    ask.locator("textarea").fill("户口簿照片模糊；租房合同缺房东签字页")
    screenshot(desktop, "affairs-request-materials-desktop")
    ask.locator("button[type=submit]").click()
    desktop.wait_for_load_state()
    expect(desktop.locator(".alert-success")).to_contain_text("已完成：一次性告知补正材料")
    assert desktop.locator("[data-status]").inner_text() == "待补正材料"
    application.refresh_from_db()
    assert application.status == Status.MATERIALS_REQUESTED and application.material_requests == 1
    assert "需补正材料" in sms_to(MOBILE)[-1]

    # --- The resident opens the tracking link again: both materials named at once, both uploaded, resubmitted.
    phone.goto(tracking)
    assert phone.locator("[data-status]").inner_text() == "待补正材料"
    missing = phone.locator("[data-missing]")
    assert "请一次补齐以下材料" in missing.inner_text()
    assert missing.locator("li").all_inner_texts() == ["户口簿（户主页和本人页）", "租房合同（双方签字页）"]
    assert "需补正：户口簿、租房合同" in phone.locator("[data-timeline]").inner_text()
    assert "户口簿照片模糊" in phone.locator("[data-timeline]").inner_text()
    fits_360(phone)
    screenshot(phone, "affairs-materials-requested-phone")
    missing.get_by_label("户口簿").set_input_files(files["hukou-2.png"])
    missing.get_by_label("租房合同").set_input_files(files["lease-2.pdf"])
    missing.get_by_role("button", name="提交补正材料").click()
    phone.wait_for_load_state()
    expect(phone.locator(".alert-success")).to_contain_text("补正材料已提交")
    assert phone.locator("[data-status]").inner_text() == "已补正"
    assert phone.locator("[data-missing]").count() == 0
    timeline = phone.locator("[data-step='resubmit']").inner_text()
    assert "已补交：户口簿、租房合同" in timeline and "需补正" not in timeline
    fits_360(phone)

    # --- The official sees the new files, accepts, processes and approves with a certificate.
    desktop.reload()
    assert desktop.locator("[data-status]").inner_text() == "已补正"
    uploaded = desktop.locator("[data-materials]").inner_text()
    assert "hukou-2.png" in uploaded and "lease-2.pdf" in uploaded
    act(desktop, "accept", "受理")
    act(desktop, "process", "开始办理")
    approve = desktop.locator("form[data-action='approve']")
    approve.get_by_label("办理结果").select_option(label="出具证明")
    approve.get_by_label(re.compile("结果说明")).fill("该居民自2024年3月起居住在董庄社区董庄路3号。")
    act(desktop, "approve", "准予办理")
    assert desktop.locator("[data-status]").inner_text() == "准予办理"
    assert desktop.locator("[data-certificate='valid']").is_visible()
    screenshot(desktop, "affairs-approved-desktop")

    # --- The resident sees the approval and downloads the certificate.
    phone.goto(tracking)
    assert phone.locator("[data-status]").inner_text() == "准予办理"
    assert "该居民自2024年3月起居住在董庄社区董庄路3号" in phone.locator("dl").inner_text()
    fits_360(phone)
    screenshot(phone, "affairs-approved-phone")
    with phone.expect_download() as download:
        phone.locator("[data-certificate]").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "兹证明" in text and "王秀兰" in text and "居住证明" in text and "董庄社区" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    # Every font is Noto Sans CJK, embedded: no glyph fell back to a font without Chinese (that would be tofu).
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("NotoSansCJK" in row[0].replace("-", "") and "yes" in row[-5] for row in rows), fonts

    # Page 1 as an image (kept with the screenshots): not blank, and the QR code on it reads.
    SCREENSHOTS.mkdir(exist_ok=True)
    page_png = SCREENSHOTS / "affairs-certificate-page1.png"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(page_png.with_suffix(""))], check=True)
    image = Image.open(page_png).convert("L")
    inked = sum(ImageOps.invert(image).point(lambda v: 255 if v > 64 else 0).histogram()[255:])
    assert inked > 0.01 * image.width * image.height, "the certificate's first page is (nearly) blank"
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(page_png.read_bytes())))
    urls = [c.text for c in codes]
    assert len(urls) == 1 and urls[0].startswith(f"{base}/affairs/verify/")
    assert urls[0] in "".join(text.split())  # the address is also printed under the code (wrapped over two lines)

    # The QR code's address on the phone: valid, the name masked.
    phone.goto(urls[0])
    assert phone.locator("[data-verdict='valid']").inner_text().startswith("此证明真实有效")
    assert phone.locator("[data-name]").inner_text() == "王*兰"
    assert phone.locator("[data-number]").inner_text() == application.certificate.number
    assert "王秀兰" not in phone.content() and MOBILE not in phone.content()
    fits_360(phone)
    screenshot(phone, "affairs-verify-phone")

    # --- The official closes; the resident rates 非常满意.
    act(desktop, "close", "办结归档")
    assert desktop.locator("[data-status]").inner_text() == "已办结"
    phone.goto(tracking)
    assert phone.locator("[data-status]").inner_text() == "已办结"
    rate = phone.locator("[data-rate]")
    rate.get_by_label("非常满意", exact=True).check()
    rate.get_by_label(re.compile("评价意见")).fill("手机上就办好了，一次都没跑。")
    fits_360(phone)
    screenshot(phone, "affairs-rate-phone")
    rate.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    expect(phone.locator(".alert-success")).to_contain_text("感谢您的评价")
    assert "非常满意" in phone.locator("[data-rating]").inner_text()
    assert phone.locator("[data-rate]").count() == 0
    assert Rating.objects.get(application=application).level == Satisfaction.VERY_SATISFIED
    application.refresh_from_db()
    assert application.status == Status.CLOSED and application.material_requests == 1  # asked once, and only once
    fits_360(phone)
    screenshot(phone, "affairs-rated-phone")
    cdp.detach()
    assert not phone.problems, phone.problems
    assert not desktop.problems, desktop.problems
