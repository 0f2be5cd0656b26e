"""A grid worker's first sign-in with the second factor required, on a phone: the QR code shows under the CSP,
the secret typed into an authenticator gives a code that enrols, the recovery codes show once, work goes on."""

import base64
import time

import pytest
from django_otp.oath import TOTP

from tests.cast import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret_text: str) -> str:
    key = base64.b32decode(secret_text.replace(" ", ""))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_grid_worker_enrols_an_authenticator_at_first_sign_in(live_server, phone, screenshot, settings):
    settings.TWO_FACTOR_REQUIRED = True
    build_cast()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "u_grid_worker")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/accounts/2fa/setup/**")

    qr = phone.locator("img[data-otp-qr]")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: image is allowed by the CSP
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "twofactor-setup-phone")

    # The menu's notification badge (fetched by a script) is refused, not filled with the setup page.
    phone.wait_for_load_state("networkidle")
    assert phone.locator("nav [data-otp-secret]").count() == 0
    secret = phone.locator("[data-otp-secret]").inner_text()
    phone.fill("#id_code", _code(secret))
    phone.get_by_role("button", name="完成绑定").click()
    codes = phone.locator("[data-recovery-codes] li")
    codes.first.wait_for()
    assert codes.count() == 10
    screenshot(phone, "twofactor-recovery-codes-phone")

    phone.get_by_role("link", name="我已保存，继续").click()
    phone.wait_for_load_state()
    assert "/accounts/2fa/" not in phone.url
    phone.goto(f"{live_server.url}/cases/")
    assert phone.url.endswith("/cases/")
    # The one refusal is the badge's, asked before the factor was passed (the response, and its console line).
    assert sorted(phone.problems) == sorted([
        f"HTTP 403: {live_server.url}/notifications/badge/",
        "console error: Failed to load resource: the server responded with a status of 403 (Forbidden)",
    ])
