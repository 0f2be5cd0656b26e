"""A certificate verified by its QR code: the official issues it on the page and downloads the PDF; a phone (360 px)
opens the address in the QR code and sees the partial data; the official's page counts the look."""

from __future__ import annotations

import datetime
import subprocess

import pytest
import zxingcpp
from PIL import Image

from outreach.models import Certificate
from tests.browser.test_bulletin_journey import log_in
from tests.cast import build_cast
from tests.outreach import certs_world as w

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verify_a_certificate_by_its_qr_code_on_a_phone(live_server, phone, desktop, screenshot):
    cast = build_cast()
    org = w.org(cast.places["C1"])
    who = w.volunteer(cast.places["G1"], "张晓明")
    w.record(who, org, datetime.date(2026, 3, 7), 120, title="垃圾分类宣讲")
    w.record(who, org, datetime.date(2026, 4, 11), 90, title="校园环保课")
    base = live_server.url

    # The community official issues it: the form shows the hours it will cover, then the certificate.
    log_in(desktop, base, cast.user("community_official"))
    desktop.goto(f"{base}/outreach/certificates/new/?organization={org.pk}&volunteer={who.pk}"
                 "&period_from=2026-01-01&period_to=2026-06-30")
    assert "服务时长 3.5 小时（2 条记录）" in desktop.locator("[data-coverage]").inner_text()
    desktop.locator("[data-issue]").click()
    desktop.wait_for_load_state()
    certificate = Certificate.objects.get()
    assert desktop.url.endswith(f"/outreach/certificates/{certificate.pk}/")
    screenshot(desktop, "certificate-detail-desktop")

    # The PDF it downloads carries a QR code; scanning it gives the public address.
    pdf = desktop.request.get(f"{base}/outreach/certificates/{certificate.pk}/pdf/")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    with open("/tmp/certs-browser.pdf", "wb") as out:
        out.write(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "/tmp/certs-browser.pdf", "/tmp/certs-browser"],
                   check=True)
    [code] = zxingcpp.read_barcodes(Image.open("/tmp/certs-browser.png"))
    assert code.text == f"{base}/zhengshu/{certificate.token}/"

    # A phone opens it, without signing in: valid, the given name masked, the hours, the issuer.
    phone.goto(code.text)
    assert phone.locator("[data-verdict='valid']").is_visible()
    assert phone.locator("[data-name]").inner_text() == "张*明"
    assert phone.locator("[data-hours]").inner_text() == "3.5 小时"
    assert phone.locator("[data-number]").inner_text() == certificate.number
    assert "张晓明" not in phone.content() and who.mobile not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path="/tmp/certs-verify-phone.png", full_page=True)
    screenshot(phone, "certificate-verify-phone")
    assert phone.problems == []

    # The official's page counts the look.
    desktop.reload()
    assert desktop.locator("[data-verifications]").inner_text() == "1"

    # A made-up address says so clearly.
    phone.goto(f"{base}/zhengshu/not-a-real-token-000000/")
    assert phone.locator("[data-verdict='missing']").is_visible()
    phone.screenshot(path="/tmp/certs-missing-phone.png", full_page=True)
