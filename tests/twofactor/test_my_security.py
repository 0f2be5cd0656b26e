"""账户安全: a person sees their factors, adds a second one, regenerates recovery codes after a current code,
removes a factor but never the last one while a factor is required."""

import re

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from grids.models import Role
from tests.twofactor.conftest import code_for, recovery_codes
from wudu.models import RecoveryCode

SECURITY = reverse("twofactor:security")
SETUP = reverse("twofactor:setup")
VERIFY = reverse("twofactor:verify")
RECOVERY = reverse("twofactor:recovery")


def _signed_in(client, user, device):
    client.force_login(user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def _codes(response) -> list[str]:
    return re.findall(r'<span class="user-select-all">([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</span>', response.content.decode())


def _stored(user) -> set[str]:
    return set(RecoveryCode.objects.filter(device__user=user).values_list("digest", flat=True))


def _digests(codes) -> set[str]:
    return {RecoveryCode.digest_of(code) for code in codes}


def test_the_page_lists_the_factors_and_the_codes_left(client, cast, required, authenticator):
    official = cast.user(Role.STREET_OFFICIAL)
    device = authenticator(official, name="工作手机")
    _signed_in(client, official, device)
    html = client.get(SECURITY).content.decode()
    assert "账户安全" in html and "工作手机" in html
    assert 'data-codes-left="0"' in html
    # The only factor cannot be removed while one is required: its button is disabled.
    assert re.search(r'<button class="btn btn-sm btn-outline-danger" type="submit" disabled', html)


def test_a_verified_person_adds_a_second_authenticator_without_new_recovery_codes(
        client, cast, required, authenticator, events):
    official = cast.user(Role.COMMAND_CENTER)
    device = authenticator(official)
    recovery_codes(official, "abcd-efgh-ijkl")
    _signed_in(client, official, device)
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=official, confirmed=False)
    response = client.post(SETUP, {"code": code_for(pending)})
    assert response.status_code == 302 and response["Location"] == SECURITY
    assert TOTPDevice.objects.filter(user=official, confirmed=True).count() == 2
    assert list(RecoveryCode.objects.filter(device__user=official).values_list("digest", flat=True)) == [
        RecoveryCode.digest_of("abcd-efgh-ijkl")]
    assert events[-1][0] == "factor_added"


def test_regenerating_codes_needs_a_current_code_and_voids_the_old_ones(client, cast, required, authenticator,
                                                                        events):
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker)
    _signed_in(client, worker, device)
    first = _codes(client.post(RECOVERY, {"code": code_for(device, steps_ahead=1)}))
    assert len(first) == 10
    assert events[-1][:3] == ("factor_added", worker, f"grids.User:{worker.pk}")
    assert events[-1][3] == {"factor": "recovery", "codes": 10}

    response = client.post(RECOVERY, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 302 and response["Location"] == SECURITY
    assert _stored(worker) == _digests(first)
    assert events[-1][0] == "login_failed"

    # A recovery code does not do instead of the authenticator here.
    client.post(RECOVERY, {"code": first[0]})
    assert _stored(worker) == _digests(first)

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None, throttling_failure_count=0)
    second = _codes(client.post(RECOVERY, {"code": code_for(device, steps_ahead=2)}))
    assert len(second) == 10 and not set(second) & set(first)
    other = client.__class__()
    other.force_login(worker)
    assert other.post(VERIFY, {"code": first[1]}).status_code == 400


def test_the_last_factor_cannot_be_removed_while_required(client, cast, required, authenticator, events):
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker)
    _signed_in(client, worker, device)
    response = client.post(reverse("twofactor:remove", args=[device.persistent_id]), follow=True)
    assert "唯一的验证方式" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not [e for e in events if e[0] == "factor_removed"]


def test_one_of_two_factors_is_removed_and_the_session_stays_verified(client, cast, required, authenticator,
                                                                      events):
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker, name="旧手机")
    spare = authenticator(worker, name="新手机")
    _signed_in(client, worker, device)
    response = client.post(reverse("twofactor:remove", args=[device.persistent_id]))
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=worker)) == [spare]
    assert client.get(reverse("cases:list")).status_code == 200
    assert events[-1] == ("factor_removed", worker, f"grids.User:{worker.pk}", {"factor": "totp", "name": "旧手机"})


def test_nobody_removes_another_persons_factor(client, cast, required, authenticator):
    worker = cast.user(Role.GRID_WORKER)
    head = cast.user(Role.GRID_HEAD)
    device = authenticator(worker)
    theirs = authenticator(head)
    authenticator(head, name="备用")
    _signed_in(client, worker, device)
    response = client.post(reverse("twofactor:remove", args=[theirs.persistent_id]), follow=True)
    assert "没有找到" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()
    for crafted in (f"grids.user/{head.pk}", "nonsense", "otp_static.staticdevice/1", "a.b/c"):
        response = client.post(reverse("twofactor:remove", args=[crafted]), follow=True)
        assert response.status_code == 200 and "没有找到" in response.content.decode()


def test_without_the_requirement_the_last_factor_may_go(client, cast, settings, authenticator):
    settings.TWO_FACTOR_REQUIRED = False
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker)
    client.force_login(worker)
    client.post(reverse("twofactor:remove", args=[device.persistent_id]))
    assert not TOTPDevice.objects.filter(user=worker).exists()


# ---------------------------------------------------------------------------------------------- passkeys only


def _passkey_only(client, user):
    """A person whose one factor is a passkey, in a session that passed it (as the WebAuthn ceremony leaves it)."""
    from django_otp import login as otp_login
    from django_otp_webauthn.models import WebAuthnCredential

    passkey = WebAuthnCredential.objects.create(
        user=user, name="通行密钥", confirmed=True, credential_id=b"id-" + str(user.pk).encode(),
        public_key=b"key", sign_count=0, transports=[])
    client.force_login(user)
    request = type("R", (), {"session": client.session, "user": user})()
    otp_login(request, passkey)
    request.session.save()
    return passkey


def test_a_passkey_only_person_regenerates_codes_with_their_password(client, cast, required, events):
    from tests.cast import PASSWORD

    official = cast.user(Role.DISTRICT_OFFICIAL)
    _passkey_only(client, official)
    recovery_codes(official, "aaaa-bbbb-cccc")
    page = client.get(SECURITY).content.decode()
    assert "data-recovery-regenerate" in page and 'autocomplete="current-password"' in page

    wrong = client.post(RECOVERY, {"password": "not-the-password"}, follow=True)
    assert "密码不正确" in wrong.content.decode()
    assert _stored(official) == _digests(["aaaa-bbbb-cccc"])

    codes = _codes(client.post(RECOVERY, {"password": PASSWORD}))
    assert len(codes) == 10 and _stored(official) == _digests(codes)
    assert events[-1][0] == "factor_added" and events[-1][3] == {"factor": "recovery", "codes": 10}


def test_a_password_does_not_make_codes_in_a_session_that_has_not_passed_the_passkey(client, cast, required):
    from django_otp_webauthn.models import WebAuthnCredential

    from tests.cast import PASSWORD

    official = cast.user(Role.DISTRICT_OFFICIAL)
    WebAuthnCredential.objects.create(user=official, name="通行密钥", confirmed=True, credential_id=b"x",
                                      public_key=b"key", sign_count=0, transports=[])
    client.force_login(official)  # the password only
    response = client.post(RECOVERY, {"password": PASSWORD})
    assert response.status_code in (302, 403) and not _codes(response)
    assert not RecoveryCode.objects.filter(device__user=official).exists()
