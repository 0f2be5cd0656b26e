"""API tokens (等保 身份鉴别): stored hashed, expiring, one per device, rotated, revoked one by one or all at once."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from grids.models import Role
from tests.cast import PASSWORD
from wudu import tokens
from wudu.signals import access_event

TOKEN = reverse("api:token")
ROTATE = reverse("api:token-rotate")
TOKENS = reverse("api:tokens")
ME = reverse("api:person-me")


def sign_in(username="u_grid_worker", **extra) -> str:
    response = APIClient().post(TOKEN, {"username": username, "password": PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = client_with(key).get(ME).status_code
    assert status in (200, 401)
    return status == 200


@pytest.fixture
def events():
    seen = []

    def receiver(sender, kind, request, user, target, detail, **kwargs):
        seen.append({"kind": kind, "user": user, "target": target, "detail": detail})

    access_event.connect(receiver, weak=False)
    yield seen
    access_event.disconnect(receiver)


def test_the_database_never_holds_the_key(cast):
    key = sign_in()
    assert works(key)
    row = AuthToken.objects.get(user=cast.user(Role.GRID_WORKER))
    assert row.digest != key and row.token_key == key[:15] and len(key) == 64
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        stored = [str(value) for record in cursor.fetchall() for value in record]
    assert stored and not any(key in value for value in stored)
    assert not any(key[15:30] in value for value in stored)  # not even the secret part's fragment


def test_sign_in_answers_the_token_and_its_expiry(cast, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    before = timezone.now()
    response = APIClient().post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and set(response.json()) == {"token", "expiry"}
    expiry = datetime.datetime.fromisoformat(response.json()["expiry"])
    assert before + datetime.timedelta(hours=2) <= expiry <= timezone.now() + datetime.timedelta(hours=2)


def test_a_token_stops_working_when_it_expires(cast, settings, monkeypatch):
    settings.API_TOKEN_TTL_HOURS = 8
    key = sign_in()
    real_now = timezone.now
    monkeypatch.setattr(tokens.timezone, "now", lambda: real_now() + datetime.timedelta(hours=7, minutes=59))
    assert works(key)
    monkeypatch.setattr(tokens.timezone, "now", lambda: real_now() + datetime.timedelta(hours=8, seconds=1))
    response = client_with(key).get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "API 令牌已过期，请重新登录获取新令牌。"
    assert response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.filter(token_key=key[:15]).exists()  # an expired token is deleted when seen


def test_each_device_gets_its_own_token(cast):
    phone, tablet = sign_in(), sign_in()
    assert phone != tablet and works(phone) and works(tablet)
    listed = client_with(phone).get(TOKENS).json()
    assert [(row["token_key"], row["current"]) for row in listed] == [(tablet[:15], False), (phone[:15], True)]
    assert phone not in str(listed) and tablet not in str(listed)


def test_past_the_limit_signing_in_revokes_the_oldest_token(cast, settings, events):
    settings.API_TOKENS_PER_USER = 2
    first, second, third = sign_in(), sign_in(), sign_in()
    assert not works(first) and works(second) and works(third)
    revoked = [e["detail"] for e in events if e["kind"] == "token_revoked"]
    assert revoked == [{"token": first[:15], "reason": "limit"}]


def test_rotation_gives_a_new_token_and_revokes_the_old_one_at_once(cast, events):
    old = sign_in()
    response = client_with(old).post(ROTATE)
    assert response.status_code == 200 and set(response.json()) == {"token", "expiry"}
    new = response.json()["token"]
    assert new != old and works(new) and not works(old)
    again = client_with(old).post(ROTATE)
    assert again.status_code == 401 and again["WWW-Authenticate"] == "Token"
    assert AuthToken.objects.filter(user=cast.user(Role.GRID_WORKER)).count() == 1
    kinds = [(e["kind"], e["detail"]) for e in events if e["kind"].startswith("token_")]
    assert kinds[-2:] == [
        ("token_revoked", {"token": old[:15], "reason": "rotated"}),
        ("token_issued", {"token": new[:15], "replaces": old[:15]}),
    ]


def test_rotation_keeps_the_sign_in_time_and_never_renews_past_the_absolute_limit(cast, settings):
    settings.API_TOKEN_TTL_HOURS, settings.API_TOKEN_MAX_LIFETIME_DAYS = 8, 30
    key = sign_in()
    signed_in = timezone.now() - datetime.timedelta(days=30) + datetime.timedelta(hours=2)
    AuthToken.objects.filter(user=cast.user(Role.GRID_WORKER)).update(created=signed_in)
    response = client_with(key).post(ROTATE)
    assert response.status_code == 200
    row = AuthToken.objects.get(user=cast.user(Role.GRID_WORKER))
    # Two hours left of the 30 days: the new token lasts those two hours, not eight.
    assert row.created == signed_in and row.expiry == signed_in + datetime.timedelta(days=30)
    assert datetime.datetime.fromisoformat(response.json()["expiry"]) == row.expiry


def test_a_token_signed_in_too_long_ago_is_not_rotated_the_app_signs_in_again(cast, settings, events):
    settings.API_TOKEN_MAX_LIFETIME_DAYS = 30
    key = sign_in()
    AuthToken.objects.filter(user=cast.user(Role.GRID_WORKER)).update(
        created=timezone.now() - datetime.timedelta(days=30, minutes=1))
    response = client_with(key).post(ROTATE)
    assert response.status_code == 401 and response.json()["detail"] == "登录已超过 30 天，令牌不能再续期：请重新登录。"
    assert not [e for e in events if e["detail"].get("reason") == "rotated"]
    assert works(sign_in())  # signing in again gives a token with a new sign-in time


def test_rotation_and_revocation_need_a_token_not_a_web_session(cast, client):
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.post(ROTATE).status_code == 401
    assert client.delete(TOKEN).status_code == 401


def test_revoking_the_presented_token_ends_it_and_no_other(cast, events):
    phone, tablet = sign_in(), sign_in()
    response = client_with(phone).delete(TOKEN)
    assert response.status_code == 204
    assert not works(phone) and works(tablet)
    assert client_with(phone).delete(TOKEN).status_code == 401
    revoked = [e for e in events if e["kind"] == "token_revoked"]
    assert [e["detail"] for e in revoked] == [{"token": phone[:15], "reason": "revoked"}]
    assert revoked[0]["user"] == cast.user(Role.GRID_WORKER)


def test_revoking_all_tokens_ends_every_device(cast):
    keys = [sign_in() for _device in range(3)]
    other = sign_in("u_grid_head")
    response = client_with(keys[0]).delete(TOKENS)
    assert response.status_code == 200 and response.json() == {"revoked": 3}
    assert not any(works(key) for key in keys)
    assert works(other)  # someone else's tokens are untouched


def test_only_an_administrator_revokes_someone_elses_tokens(cast):
    from django.core.exceptions import PermissionDenied

    phone = sign_in()
    worker = cast.user(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        tokens.token_revoke_all(actor=cast.user(Role.GRID_HEAD), user=worker)
    assert works(phone)
    assert tokens.token_revoke_all(actor=cast.admin, user=worker, reason="lost_phone") == 1
    assert not works(phone)


def test_a_web_session_can_revoke_all_tokens_of_a_lost_phone(cast, client):
    phone = sign_in()
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.delete(TOKENS).json() == {"revoked": 1}
    assert not works(phone)


def test_a_deactivated_persons_tokens_stop_working(cast):
    key = sign_in()
    worker = cast.user(Role.GRID_WORKER)
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    response = client_with(key).get(ME)
    assert response.status_code == 401 and response.json()["detail"] == "用户未激活或者已删除。"


def test_tokens_are_not_handed_out_by_the_admin():
    from django.contrib import admin

    assert not admin.site.is_registered(AuthToken)


def test_a_made_up_token_is_refused(cast):
    key = sign_in()
    forged = key[:15] + "0" * 49  # the stored prefix is not enough
    assert not works(forged)
    response = client_with("ü-not-hex").get(ME)
    assert response.status_code == 401


def test_signing_in_ignores_a_stale_token_still_sent(cast):
    old = sign_in()
    client_with(old).delete(TOKEN)
    response = client_with(old).post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_the_lockout_still_applies_to_token_sign_in(api, cast):
    for _attempt in range(5):
        api.post(TOKEN, {"username": "u_grid_worker", "password": "wrong-password"}, format="json")
    response = api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json")
    assert response.status_code == 429 and "锁定" in response.json()["detail"]
    assert not AuthToken.objects.filter(user=cast.user(Role.GRID_WORKER)).exists()


def test_issuing_is_audited_with_the_token_prefix_only(cast, events):
    key = sign_in()
    issued = [e for e in events if e["kind"] == "token_issued"]
    assert len(issued) == 1
    assert issued[0]["detail"] == {"token": key[:15]}
    assert issued[0]["user"] == cast.user(Role.GRID_WORKER)
    assert issued[0]["target"] == f"grids.User:{cast.user(Role.GRID_WORKER).pk}"
    assert not any(key in str(e) for e in events)


def test_web_logout_keeps_the_apps_tokens(cast, client):
    key = sign_in()
    client.force_login(cast.user(Role.GRID_WORKER))
    client.post(reverse("logout"))
    assert works(key)


def test_sign_out_everywhere_ends_every_session_and_token(cast, client, events):
    from django.test import Client

    worker = cast.user(Role.GRID_WORKER)
    key = sign_in()
    other_browser, someone_else = Client(), Client()
    other_browser.force_login(worker)
    someone_else.force_login(cast.user(Role.GRID_HEAD))
    client.force_login(worker)
    assert other_browser.get(reverse("profile")).status_code == 200
    response = client.post(reverse("logout_everywhere"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "已在所有设备上退出：2 个登录会话和 1 个接口令牌已失效。" in response.content.decode()
    assert not works(key)
    assert other_browser.get(reverse("profile")).status_code == 302  # back to the login page
    assert client.get(reverse("profile")).status_code == 302
    assert someone_else.get(reverse("profile")).status_code == 200
    logout = [e for e in events if e["kind"] == "logout"]
    assert logout[-1]["detail"] == {"everywhere": True, "sessions": 2, "tokens": 1}


def test_sign_out_everywhere_is_a_post(cast, client):
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.get(reverse("logout_everywhere")).status_code == 405
    assert "在所有设备上退出" in client.get(reverse("profile")).content.decode()


# ---------------------------------------------------------------------------------------------- second factor


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_when_two_factors_are_required_a_token_needs_a_current_code(cast, settings):
    settings.TWO_FACTOR_REQUIRED = True
    api = APIClient()
    body = {"username": "u_grid_worker", "password": PASSWORD}
    unset = api.post(TOKEN, body, format="json")
    assert unset.status_code == 400 and "尚未绑定身份验证器" in unset.json()["otp"][0]
    device = totp_device(cast.user(Role.GRID_WORKER))
    missing = api.post(TOKEN, body, format="json")
    assert missing.status_code == 400 and missing.json() == {"otp": ["请填写动态验证码（身份验证器应用中的 6 位数字）。"]}
    right = api.post(TOKEN, {**body, "otp": current_code(device)}, format="json")
    assert right.status_code == 200 and works(right.json()["token"])


def test_a_wrong_code_is_refused_and_counts_toward_the_lockout(cast, settings):
    settings.TWO_FACTOR_REQUIRED = True
    device = totp_device(cast.user(Role.GRID_WORKER))
    wrong = "000000" if current_code(device) != "000000" else "111111"
    api = APIClient()
    body = {"username": "u_grid_worker", "password": PASSWORD, "otp": wrong}
    first = api.post(TOKEN, body, format="json")
    assert first.status_code == 400 and first.json() == {"otp": ["动态验证码不正确或已过期。"]}
    for _attempt in range(3):
        api.post(TOKEN, body, format="json")
    fifth = api.post(TOKEN, body, format="json")
    assert fifth.status_code == 429 and "锁定" in fifth.json()["detail"]
    assert not AuthToken.objects.exists()


def test_a_person_with_a_second_factor_gives_it_even_when_not_required(cast, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert sign_in("u_grid_head")  # no device: the password suffices
    device = totp_device(cast.user(Role.GRID_WORKER))
    body = {"username": "u_grid_worker", "password": PASSWORD}
    assert APIClient().post(TOKEN, body, format="json").status_code == 400
    assert sign_in(otp=current_code(device))


# ---------------------------------------------------------------------------------------------- schema


def test_every_token_endpoint_is_documented_with_its_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    sign_in_op = paths["/api/v1/auth/token/"]["post"]
    assert set(sign_in_op["responses"]) == {"200", "400", "413", "415", "429"} and not sign_in_op.get("security")
    assert "otp" in schema["components"]["schemas"]["TokenInputRequest"]["properties"]
    # Each answers what it can (a signed-in write may also meet 403, every call 429), at least these:
    assert {"204", "401", "429"} <= set(paths["/api/v1/auth/token/"]["delete"]["responses"])
    assert {"200", "401", "429"} <= set(paths["/api/v1/auth/token/rotate/"]["post"]["responses"])
    assert {"200", "401", "429"} <= set(paths["/api/v1/auth/tokens/"]["get"]["responses"])
    assert {"200", "401", "429"} <= set(paths["/api/v1/auth/tokens/"]["delete"]["responses"])
    assert paths["/api/v1/auth/token/rotate/"]["post"]["security"] == [{"tokenAuth": []}]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    assert set(schema["components"]["schemas"]["TokenOutput"]["properties"]) == {"token", "expiry"}
