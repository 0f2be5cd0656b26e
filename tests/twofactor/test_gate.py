"""Before the second factor is passed: pages redirect to it, the API answers 403, the admin stays closed; who
must pass one; and the setting's defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from knox.models import AuthToken

from grids.models import Role, User
from tests.twofactor.conftest import code_for

VERIFY = reverse("twofactor:verify")
SETUP = reverse("twofactor:setup")
PAGES = [reverse("cases:list"), reverse("ledger:list"), reverse("manage:index"), reverse("profile"),
         reverse("twofactor:security"), reverse("twofactor:reset")]


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.DISTRICT_OFFICIAL, Role.COMMAND_CENTER,
                                  Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN])
def test_every_role_is_sent_to_the_factor_before_any_page(client, cast, required, authenticator, role):
    user = cast.user(role)
    authenticator(user)
    client.force_login(user)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"{VERIFY}?next={page.replace('/', '%2F')}", page


def test_a_person_without_a_factor_is_sent_to_enrolment(client, cast, required):
    client.force_login(cast.user(Role.INSTRUCTOR))
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_a_post_before_the_factor_changes_nothing(client, cast, required, authenticator):
    worker = cast.user(Role.GRID_WORKER)
    authenticator(worker)
    client.force_login(worker)
    response = client.post(reverse("profile"), {"real_name": "改名", "mobile": "13900000009"})
    assert response.status_code == 302 and response["Location"] == VERIFY
    worker.refresh_from_db()
    assert worker.real_name != "改名"


def test_sign_in_and_out_stay_open(client, cast, required, authenticator):
    worker = cast.user(Role.GRID_WORKER)
    authenticator(worker)
    client.force_login(worker)
    assert client.get(VERIFY).status_code == 200
    # The sign-in page answers as for anyone signed in (its own redirect), not with the gate's.
    assert not client.get(reverse("login"))["Location"].startswith(VERIFY)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_api_under_a_session_answers_403_until_verified(client, cast, required, authenticator):
    worker = cast.user(Role.GRID_WORKER)
    device = authenticator(worker)
    client.force_login(worker)
    me = reverse("api:person-me")
    response = client.get(me)
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert "第二步验证" in response.json()["detail"]
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(me).status_code == 200


def test_an_api_token_request_is_left_to_the_token(client, cast, required):
    worker = cast.user(Role.GRID_WORKER)
    _token, key = AuthToken.objects.create(user=worker)
    response = client.get(reverse("api:person-me"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["username"] == worker.username


def test_an_account_without_a_role_or_staff_is_not_asked(client, cast, required):
    plain = User.objects.create_user(username="plain", password="Plain-password-2026")
    client.force_login(plain)
    response = client.get(reverse("profile"))
    assert response.status_code == 200


def test_a_staff_account_without_a_role_is_asked(client, cast, required):
    staff = User.objects.create_user(username="staffer", password="Staff-password-2026", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("profile"))["Location"].startswith(SETUP)


def test_nothing_is_asked_while_the_setting_is_off(client, cast, settings, authenticator):
    settings.TWO_FACTOR_REQUIRED = False
    official = cast.user(Role.DISTRICT_OFFICIAL)
    authenticator(official)
    client.force_login(official)
    assert client.get(reverse("cases:list")).status_code == 200


def test_the_admin_redirects_an_unverified_superuser_to_the_factor(client, cast, required, authenticator):
    device = authenticator(cast.admin)
    client.force_login(cast.admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_itself_refuses_an_unverified_user(client, cast, required, authenticator, settings):
    """Even without the middleware (a changed middleware list), the admin asks for the factor itself."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("SecondFactorMiddleware")]
    device = authenticator(cast.admin)
    client.force_login(cast.admin)
    response = client.get("/admin/grids/user/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/admin/grids/user/").status_code == 200


REPO = Path(__file__).resolve().parents[2]


def _setting_in(env_overrides: dict) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in {"WUDU_ENV", "DEMO_MODE", "DEBUG", "TWO_FACTOR_REQUIRED", "DATABASE_URL", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="wudu.settings", **env_overrides)
    code = "import django; django.setup(); from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.skipif((REPO / ".env").exists(), reason="a .env file would fill in the variables unset here")
def test_required_by_default_in_production_and_off_for_the_demo():
    production = {"WUDU_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(50), "DEMO_MODE": "off",
                  "DEBUG": "off", "ALLOWED_HOSTS": "grid.example.org",
                  "DATABASE_URL": "postgres://wudu@db.example.org:5432/wudu"}
    assert _setting_in(production) == "True"
    assert _setting_in({"WUDU_ENV": "development"}) == "False"
    assert _setting_in({"WUDU_ENV": "development", "TWO_FACTOR_REQUIRED": "on"}) == "True"


def test_a_script_or_htmx_request_is_refused_not_redirected(client, cast, required, authenticator):
    """The menu's notification badge is fetched by a script: redirected, it would put the verify page in the menu."""
    worker = cast.user(Role.GRID_WORKER)
    authenticator(worker)
    client.force_login(worker)
    badge = reverse("notifications:badge")
    response = client.get(badge, HTTP_SEC_FETCH_MODE="cors")
    assert response.status_code == 403 and "第二步验证" in response.content.decode()
    response = client.get(reverse("cases:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response["HX-Redirect"] == VERIFY
    # The browser opening a page is redirected.
    response = client.get(reverse("cases:list"), HTTP_SEC_FETCH_MODE="navigate")
    assert response.status_code == 302


def test_a_password_alone_cannot_register_a_passkey_on_an_enrolled_account(client, cast, required, authenticator):
    from django_otp_webauthn.models import WebAuthnCredential

    official = cast.user(Role.DISTRICT_OFFICIAL)
    device = authenticator(official)
    client.force_login(official)
    begin = reverse("otp_webauthn:credential-registration-begin")
    response = client.post(begin)
    assert response.status_code == 403 and response.json()["code"] == "user_not_verified"
    assert not WebAuthnCredential.objects.filter(user=official).exists()
    # Once verified, the ceremony starts (the browser's part is in tests/browser/test_two_factor_journey.py).
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(begin)
    assert response.status_code == 200 and response.json()["rp"]["id"] == "localhost"


def test_the_admin_never_shows_a_totp_key(client, cast, required, authenticator):
    device = authenticator(cast.admin)
    client.force_login(cast.admin)
    client.post(VERIFY, {"code": code_for(device)})
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
