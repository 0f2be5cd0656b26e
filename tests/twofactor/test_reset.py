"""A security administrator resets a lost factor of another person, with a reason, recorded; not their own,
and nobody without the security duty."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from grids.models import Role
from tests.twofactor.conftest import code_for, recovery_codes
from wudu.models import RecoveryCodes

RESET = reverse("twofactor:reset")
VERIFY = reverse("twofactor:verify")
SETUP = reverse("twofactor:setup")


def _signed_in(client, user, device):
    client.force_login(user)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302


def test_a_security_admin_resets_a_lost_factor_and_the_person_enrols_again(
        client, cast, required, authenticator, security_admin, events):
    worker = cast.user(Role.GRID_WORKER)
    lost = authenticator(worker)
    recovery_codes(worker, "abcd-efgh-ijkl")
    # The worker is signed in somewhere with the phone they then lose.
    worker_client = client.__class__()
    _signed_in(worker_client, worker, lost)

    _signed_in(client, security_admin, authenticator(security_admin))
    assert client.get(RESET).status_code == 200
    response = client.post(RESET, {"username": worker.username, "reason": "手机丢失，本人到场核实"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not RecoveryCodes.objects.filter(user=worker).exists()
    assert events[-1] == ("factor_reset", security_admin, f"grids.User:{worker.pk}",
                          {"reason": "手机丢失，本人到场核实", "devices": 2})
    # The lost phone's session is no longer verified: the next page asks for a new enrolment.
    response = worker_client.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_a_reason_is_required(client, cast, required, authenticator, security_admin, events):
    worker = cast.user(Role.GRID_WORKER)
    authenticator(worker)
    _signed_in(client, security_admin, authenticator(security_admin))
    response = client.post(RESET, {"username": worker.username, "reason": "   "})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=worker).exists()
    assert not [e for e in events if e[0] == "factor_reset"]


def test_a_security_admin_cannot_reset_their_own(client, cast, required, authenticator, security_admin, events):
    own = authenticator(security_admin)
    _signed_in(client, security_admin, own)
    response = client.post(RESET, {"username": security_admin.username, "reason": "自己的手机丢了"})
    assert response.status_code == 400
    assert "不能重置自己的验证方式" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=own.pk).exists()
    assert not [e for e in events if e[0] == "factor_reset"]


def test_without_the_security_duty_the_reset_is_refused(client, cast, required, authenticator, security_admin):
    official = cast.user(Role.DISTRICT_OFFICIAL)
    worker = cast.user(Role.GRID_WORKER)
    authenticator(worker)
    _signed_in(client, official, authenticator(official))
    assert client.get(RESET).status_code == 403
    assert client.post(RESET, {"username": worker.username, "reason": "想试试"}).status_code == 403
    assert TOTPDevice.objects.filter(user=worker).exists()


def test_the_security_page_links_the_reset_only_for_the_security_duty(client, cast, required, authenticator,
                                                                      security_admin):
    _signed_in(client, security_admin, authenticator(security_admin))
    assert RESET in client.get(reverse("twofactor:security")).content.decode()
    other = client.__class__()
    official = cast.user(Role.DISTRICT_OFFICIAL)
    _signed_in(other, official, authenticator(official))
    assert RESET not in other.get(reverse("twofactor:security")).content.decode()


def test_an_unknown_username_is_named(client, cast, required, authenticator, security_admin):
    _signed_in(client, security_admin, authenticator(security_admin))
    response = client.post(RESET, {"username": "nobody-here", "reason": "丢失"})
    assert response.status_code == 400 and "没有这个用户名" in response.content.decode()
