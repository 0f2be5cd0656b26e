from django.conf import settings
from django.urls import reverse

from grids.models import Role
from tests.cast import PASSWORD

TOKEN = reverse("api:token")
ME = reverse("api:person-me")


def test_token_for_right_password_authenticates_api_requests(api, cast):
    response = api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token", "expiry"}
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(ME).json()["username"] == "u_grid_worker"
    # Another device signing in gets a token of its own; the first one keeps working.
    other = api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}).json()["token"]
    assert other != token and api.get(ME).status_code == 200


def test_token_sign_in_records_last_login(api, cast):
    api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json")
    cast.user(Role.GRID_WORKER).refresh_from_db()
    assert cast.user(Role.GRID_WORKER).last_login is not None


def test_wrong_password_is_refused_in_chinese(api, cast):
    response = api.post(TOKEN, {"username": "u_grid_worker", "password": "wrong-password"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["用户名或密码不正确。"]}
    unknown = api.post(TOKEN, {"username": "nobody", "password": "wrong-password"}, format="json")
    assert unknown.json() == response.json()  # an unknown name is not told apart


def test_five_wrong_passwords_lock_the_account(api, cast):
    for _attempt in range(4):
        response = api.post(TOKEN, {"username": "u_grid_worker", "password": "wrong-password"}, format="json")
        assert response.status_code == 400
    fifth = api.post(TOKEN, {"username": "u_grid_worker", "password": "wrong-password"}, format="json")
    assert fifth.status_code == 429
    cool_off_seconds = int(settings.AXES_COOLOFF_TIME * 3600)
    assert "锁定" in fifth.json()["detail"] and f"{cool_off_seconds // 60} 分钟" in fifth.json()["detail"]
    assert fifth["Retry-After"] == str(cool_off_seconds)
    # Locked means locked: the right password does not open it either.
    right = api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json")
    assert right.status_code == 429 and "锁定" in right.json()["detail"]
    # Other accounts are not affected.
    assert api.post(TOKEN, {"username": "u_grid_head", "password": PASSWORD}).status_code == 200


def test_successful_sign_in_resets_the_failure_count(api, cast):
    for _round in range(2):
        for _attempt in range(4):
            api.post(TOKEN, {"username": "u_grid_worker", "password": "wrong-password"}, format="json")
        assert api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}).status_code == 200


def test_token_needs_both_fields(api, cast):
    response = api.post(TOKEN, {"username": "u_grid_worker"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"password"}


def test_inactive_person_gets_no_token(api, cast):
    worker = cast.user(Role.GRID_WORKER)
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    assert api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}).status_code == 400


def test_api_needs_authentication(api, cast):
    response = api.get(reverse("api:place-list"))
    # 403 while SessionAuthentication comes first in settings; 401 with a Token challenge once Token leads.
    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "身份认证信息未提供。"}


def test_guessing_one_account_from_many_addresses_backs_off_the_api_too(api, cast, settings, monkeypatch):
    """The token endpoint goes through the same per-username back-off as the login page (wudu/auth.py)."""
    from wudu import auth

    settings.NUM_PROXIES = 1
    monkeypatch.setattr(auth, "_now", lambda: 1_000_000.0)  # a stopped clock: a slow machine cannot wait it out
    for i in range(settings.LOGIN_BACKOFF_FREE):
        api.post(TOKEN, {"username": "u_grid_worker", "password": "wrong"}, format="json",
                 REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{i // 2 + 1}")
    response = api.post(TOKEN, {"username": "u_grid_worker", "password": PASSWORD}, format="json",
                        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 429
    assert response["Retry-After"] == "2"
    assert "秒后再试" in response.json()["detail"]
