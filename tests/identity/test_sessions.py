"""Sessions: idle and absolute limits, a new key at sign-in, a real sign-out, and their access events."""

from django.contrib.sessions.models import Session
from django.urls import reverse

from grids.models import Role
from tests.cast import PASSWORD
from tests.identity.conftest import kinds
from wudu import sessions


def sign_in(client, username="u_grid_worker"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def at(monkeypatch, seconds: float):
    monkeypatch.setattr(sessions, "_now", lambda: seconds)


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out_with_a_message(client, cast, settings, monkeypatch):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    at(monkeypatch, 1_000_000)
    sign_in(client)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    at(monkeypatch, 1_000_000 + 29 * 60)
    assert client.get(reverse("profile")).status_code == 200
    at(monkeypatch, 1_000_000 + 29 * 60 + 31 * 60)  # 31 minutes after the last request
    response = client.get(reverse("profile"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "长时间未操作" in response.content.decode()
    assert not Session.objects.filter(session_key=old_key).exists()  # flushed on the server


def test_activity_keeps_the_session_alive_until_the_absolute_limit(client, cast, settings, monkeypatch):
    settings.SESSION_ABSOLUTE_HOURS = 12
    start = 1_000_000
    at(monkeypatch, start)
    sign_in(client)
    for minutes in range(20, 12 * 60, 20):  # a request every 20 minutes, for 12 hours
        at(monkeypatch, start + minutes * 60)
        assert client.get(reverse("profile")).status_code == 200, minutes
    at(monkeypatch, start + 12 * 3600 + 60)
    response = client.get(reverse("profile"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "登录已超过有效时长" in response.content.decode()


def test_the_idle_timeout_is_configurable(client, cast, settings, monkeypatch):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    at(monkeypatch, 1_000_000)
    sign_in(client)
    at(monkeypatch, 1_000_000 + 6 * 60)
    assert client.get(reverse("profile")).status_code == 302


def test_the_apis_session_authentication_is_timed_out_too(client, cast, monkeypatch):
    at(monkeypatch, 1_000_000)
    sign_in(client)
    assert client.get("/api/v1/places/").status_code == 200
    at(monkeypatch, 1_000_000 + 31 * 60)
    response = client.get("/api/v1/places/")
    assert response.status_code in (401, 403)
    assert client.get("/api/v1/places/").status_code in (401, 403)  # and stays signed out


def test_the_last_use_is_written_at_most_once_a_minute(client, cast, monkeypatch, django_assert_num_queries):
    at(monkeypatch, 1_000_000)
    sign_in(client)
    at(monkeypatch, 1_000_000 + 10)
    client.get(reverse("profile"))
    key = client.cookies["sessionid"].value
    before = Session.objects.get(session_key=key).session_data
    at(monkeypatch, 1_000_000 + 20)
    client.get(reverse("profile"))
    assert Session.objects.get(session_key=key).session_data == before
    at(monkeypatch, 1_000_000 + 90)
    client.get(reverse("profile"))
    assert Session.objects.get(session_key=key).session_data != before


def test_signing_in_gives_a_new_session_key(client, cast, settings):
    session = client.session
    session["before_sign_in"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    anonymous_key = session.session_key
    sign_in(client)
    signed_in_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()  # a fixated key is worth nothing


def test_sign_out_ends_the_session_on_the_server_and_a_replayed_cookie_is_refused(client, cast, settings):
    sign_in(client)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("profile")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=old_cookie).exists()
    replay = type(client)()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = replay.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert replay.get("/api/v1/places/").status_code in (401, 403)


def test_sign_out_is_a_post_form_and_get_does_not_sign_out(client, cast):
    sign_in(client)
    page = client.get(reverse("profile")).content.decode()
    assert f'action="{reverse("logout")}" method="post"' in page
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("profile")).status_code == 200


def test_sign_in_failure_and_sign_out_are_access_events(client, cast, events, monkeypatch):
    client.post(reverse("login"), {"username": "u_grid_worker", "password": "wrong"})
    sign_in(client)
    client.post(reverse("logout"))
    at(monkeypatch, 1_000_000)
    sign_in(client)
    at(monkeypatch, 1_000_000 + 31 * 60)
    client.get(reverse("profile"))
    assert kinds(events) == ["login_failed", "login", "logout", "login", "logout"]
    worker = cast.user(Role.GRID_WORKER)
    failed, login, logout, _login, idle = events
    assert failed[1] is None and failed[3]["username"] == "u_grid_worker"
    assert "wrong" not in str(failed[3])  # never the password
    assert login[1].pk == worker.pk and login[2] == f"grids.User:{worker.pk}"
    assert logout[1].pk == worker.pk and logout[3] == {}
    assert idle[3] == {"reason": "idle"}


def test_a_token_sign_in_is_recorded_and_signs_no_session_in(client, cast, events):
    response = client.post("/api/v1/auth/token/", {"username": "u_grid_worker", "password": PASSWORD})
    assert response.status_code == 200
    assert kinds(events) == ["login", "token_issued"]
    assert not [s for s in Session.objects.all() if "_auth_user_id" in s.get_decoded()]
