"""A grid worker's first sign-in with the second factor required, on a phone: the QR code shows under the CSP,
the secret typed into an authenticator gives a code that enrols, the recovery codes show once, work goes on."""

import base64
import time

import pytest
from django_otp.oath import TOTP

from tests.cast import PASSWORD, build_cast
from tests.twofactor.conftest import recovery_codes

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
    # The menu's notification badge (fetched by a script) is refused, not filled with the setup page.
    with phone.expect_response(lambda response: "/notifications/badge/" in response.url) as badge:
        phone.click("button[type=submit]")
        phone.wait_for_url("**/accounts/2fa/setup/**")
    assert badge.value.status == 403

    qr = phone.locator("img[data-otp-qr]")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: image is allowed by the CSP
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "twofactor-setup-phone")

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


def test_official_adds_a_passkey_and_signs_in_with_it(live_server, desktop, screenshot, settings):
    """WebAuthn through Chromium's virtual authenticator (the same ceremony a security key or a phone's passkey
    goes through): registered on 账户安全, then used as the second factor at the next sign-in."""
    from django_otp_webauthn.models import WebAuthnCredential

    from grids.models import Role
    from wudu.signals import access_event

    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    events = []
    access_event.connect(receiver := (lambda sender, kind, detail, **kw: events.append((kind, detail))), weak=False)
    cast = build_cast()
    official = cast.user(Role.DISTRICT_OFFICIAL)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    app = TOTPDevice.objects.create(user=official, name="手机", confirmed=True)
    recovery_codes(official, "abcd-efgh-ijkl")

    cdp = desktop.context.new_cdp_session(desktop)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})

    def sign_in():
        desktop.goto(f"{live_server.url}/accounts/login/")
        desktop.fill("#id_username", official.username)
        desktop.fill("#id_password", PASSWORD)
        desktop.get_by_role("button", name="登录").last.click()
        desktop.wait_for_url("**/accounts/2fa/verify/**")

    sign_in()
    key = base64.b32encode(app.bin_key).decode()
    desktop.fill("#id_code", _code(key))
    desktop.get_by_role("button", name="验证", exact=True).click()
    desktop.wait_for_url(lambda url: "/accounts/2fa/" not in url)

    desktop.goto(f"{live_server.url}/accounts/2fa/")
    desktop.locator("#passkey-register-button").click()
    desktop.wait_for_url(f"{live_server.url}/accounts/2fa/")  # back on the page (no new codes: they had some)
    desktop.locator("[data-kind=webauthn]").wait_for()
    assert WebAuthnCredential.objects.filter(user=official, confirmed=True).count() == 1
    assert ("factor_added", {"factor": "webauthn", "name": "通行密钥"}) in events
    screenshot(desktop, "twofactor-security-with-passkey-desktop")
    # The two "add" buttons look alike: neither stretches across the card.
    card = desktop.locator("section.card").first.bounding_box()["width"]
    add_app = desktop.get_by_role("link", name="再添加一个验证器").bounding_box()["width"]
    add_passkey = desktop.locator("#passkey-register-button").bounding_box()["width"]
    assert add_app < card / 2 and add_passkey < card / 2

    desktop.context.clear_cookies()
    sign_in()
    screenshot(desktop, "twofactor-verify-with-passkey-desktop")
    desktop.locator("#passkey-verification-button").click()
    desktop.wait_for_url(lambda url: "/accounts/2fa/" not in url)
    desktop.goto(f"{live_server.url}/cases/")
    assert desktop.url.endswith("/cases/")
    assert ("login", {"factor": "webauthn", "step": "second_factor"}) in events
    access_event.disconnect(receiver)
    assert [p for p in desktop.problems if "notifications/badge" not in p and "403" not in p] == []
