"""Signing in with a second factor: enrolment (QR code, secret, first code, recovery codes once), verification
with a real TOTP code, wrong codes refused, throttled and recorded, recovery codes used once."""

import re

from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from grids.models import Role
from tests.cast import PASSWORD
from tests.twofactor.conftest import code_for
from wudu.models import RecoveryCode

LOGIN = reverse("login")
VERIFY = reverse("twofactor:verify")
SETUP = reverse("twofactor:setup")
SECURITY = reverse("twofactor:security")


def _lands_past_the_factor(client) -> bool:
    response = client.get(reverse("cases:list"))
    return response.status_code == 200


def test_password_login_of_an_enrolled_official_leads_to_the_verify_page(client, cast, required, authenticator):
    official = cast.user(Role.STREET_OFFICIAL)
    authenticator(official)
    response = client.post(LOGIN, {"username": official.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert "第二步验证" in response.content.decode()
    assert not _lands_past_the_factor(client)


def test_password_login_without_a_factor_leads_to_enrolment(client, cast, required):
    worker = cast.user(Role.GRID_WORKER)
    response = client.post(LOGIN, {"username": worker.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)


def test_enrolment_shows_a_qr_code_and_the_secret_and_a_first_code_confirms_it(client, cast, required, events):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker)
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    secret = re.search(r"data-otp-secret>([A-Z2-7 ]+)<", html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret) == device.bin_key  # the text a person types in is the QR code's key
    assert page["Cache-Control"].count("no-store") == 1
    # Reloading the page keeps the same secret (the app may already hold it).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=worker).count() == 1

    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r'<span class="user-select-all">([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</span>', response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    # Only their digests are kept: the database alone gives no code back.
    stored = set(RecoveryCode.objects.filter(device__user=worker).values_list("digest", flat=True))
    assert stored == {RecoveryCode.digest_of(code) for code in codes} and not stored & set(codes)
    device.refresh_from_db()
    assert device.confirmed
    assert _lands_past_the_factor(client)  # the first code verified this session
    assert ("factor_added", worker, f"grids.User:{worker.pk}", {"factor": "totp", "name": device.name}) in events
    # The codes were shown once: the security page gives their number, not the codes.
    security = client.get(SECURITY).content.decode()
    assert 'data-codes-left="10"' in security and codes[0] not in security


def test_a_wrong_first_code_does_not_confirm_the_authenticator(client, cast, required):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=worker)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not RecoveryCode.objects.filter(device__user=worker).exists()
    assert not _lands_past_the_factor(client)


def test_a_current_code_verifies_the_session(client, cast, required, authenticator, events):
    head = cast.user(Role.GRID_HEAD)
    device = authenticator(head)
    client.force_login(head)
    assert not _lands_past_the_factor(client)
    target = reverse("cases:list")
    response = client.post(VERIFY, {"code": code_for(device), "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert _lands_past_the_factor(client)
    assert ("login", head, f"grids.User:{head.pk}", {"factor": "totp", "step": "second_factor"}) in events


def test_a_wrong_code_is_refused_recorded_and_the_next_try_waits(client, cast, required, authenticator, events):
    official = cast.user(Role.DISTRICT_OFFICIAL)
    device = authenticator(official)
    client.force_login(official)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert ("login_failed", official, f"grids.User:{official.pk}", {"factor": "totp"}) in events
    # Straight after a failure even the right code must wait (django-otp's throttle: 1, 2, 4 … s).
    response = client.post(VERIFY, {"code": right})
    assert response.status_code == 429
    assert "秒后再试" in response.content.decode()
    assert not _lands_past_the_factor(client)
    assert events[-1][0] == "login_failed" and events[-1][3] == {"factor": "totp", "throttled": True}
    # Once the wait is over, the right code passes.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timezone.timedelta(seconds=5))
    assert client.post(VERIFY, {"code": right}).status_code == 302
    assert _lands_past_the_factor(client)


def test_a_code_cannot_be_replayed(client, cast, required, authenticator):
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker)
    client.force_login(worker)
    code = code_for(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = client.__class__()
    other.force_login(worker)
    assert other.post(VERIFY, {"code": code}).status_code == 400


def test_a_recovery_code_works_once(client, cast, required, authenticator, events):
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker)
    client.force_login(worker)
    client.post(VERIFY, {"code": code_for(device)})
    # Codes come with the first authenticator; here the person regenerates them (a fresh code: no replay).
    response = client.post(reverse("twofactor:recovery"), {"code": code_for(device, steps_ahead=1)})
    codes = re.findall(r'<span class="user-select-all">([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</span>', response.content.decode())
    assert len(codes) == 10

    phone_lost = client.__class__()
    phone_lost.force_login(worker)
    assert phone_lost.post(VERIFY, {"code": codes[0].upper()}).status_code == 302  # case and spaces forgiven
    assert _lands_past_the_factor(phone_lost)
    assert events[-1][0] == "login" and events[-1][3]["factor"] == "recovery"

    again = client.__class__()
    again.force_login(worker)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert not _lands_past_the_factor(again)
    assert events[-1][0] == "login_failed" and events[-1][3] == {"factor": "recovery"}
    assert RecoveryCode.objects.filter(device__user=worker).count() == 9


def test_a_password_alone_cannot_add_an_authenticator_to_an_enrolled_account(client, cast, required, authenticator):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    authenticator(official)
    client.force_login(official)  # the password was right, the factor not yet passed
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(SETUP, {"code": "123456"})
    assert TOTPDevice.objects.filter(user=official).count() == 1


def test_the_migration_hashes_the_plain_recovery_codes_already_stored(cast):
    """Codes made before digests (django-otp's static tokens, in plain text) keep working once, and no plain copy
    is left."""
    import importlib

    from django.apps import apps
    from django_otp import match_token
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    migration = importlib.import_module("wudu.migrations.0008_hash_existing_recovery_codes")
    worker = cast.user(Role.GRID_WORKER)
    device = StaticDevice.objects.create(user=worker, name="recovery", confirmed=True)
    device.token_set.create(token="abcdefgh")
    device.token_set.create(token="ijklmnop")
    migration.hash_codes(apps, None)
    assert not StaticToken.objects.exists() and not StaticDevice.objects.exists()
    assert set(RecoveryCode.objects.filter(device__user=worker).values_list("digest", flat=True)) == {
        RecoveryCode.digest_of("abcdefgh"), RecoveryCode.digest_of("ijklmnop")}
    assert match_token(worker, "ABCD EFGH") is not None
    assert match_token(worker, "abcdefgh") is None  # used once
    assert RecoveryCode.objects.filter(device__user=worker).count() == 1
