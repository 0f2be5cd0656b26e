from django.urls import reverse

from grids.models import Role
from tests.cast import PASSWORD


def test_wrong_password_gives_a_clear_message(client, cast):
    response = client.post(reverse("login"), {"username": "u_grid_worker", "password": "wrong"})
    assert response.status_code == 200
    assert "正确的用户名和密码" in response.content.decode()


def test_login_lands_on_the_users_terminal(client, cast):
    response = client.post(reverse("login"), {"username": "u_grid_worker", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("terminal", args=[cast.place("G1").code])


def test_five_failures_lock_the_account_even_with_the_right_password(client, cast):
    for _ in range(5):
        client.post(reverse("login"), {"username": "u_grid_worker", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "u_grid_worker", "password": PASSWORD})
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, cast):
    for _ in range(5):
        client.post(reverse("login"), {"username": "u_grid_worker", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "u_grid_head", "password": PASSWORD})
    assert response.status_code == 302
    assert cast.user(Role.GRID_HEAD).pk == int(client.session["_auth_user_id"])


# Behind the documented load balancer (NUM_PROXIES=1) every request arrives from the balancer's address and names
# its client in X-Forwarded-For, as the balancer appended it.
BALANCER = {"REMOTE_ADDR": "10.0.0.2"}


def through_balancer(client, client_address: str, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password},
                       HTTP_X_FORWARDED_FOR=client_address, **BALANCER)


def test_a_stranger_behind_the_balancer_cannot_lock_the_owner_out(client, cast, settings):
    settings.NUM_PROXIES = 1
    for _ in range(5):
        through_balancer(client, "198.51.100.7", "u_grid_worker", "wrong")
    # The stranger's own address is locked for this account …
    assert through_balancer(client, "198.51.100.7", "u_grid_worker", PASSWORD).status_code == 429
    # … the owner, at another address behind the same balancer, signs in.
    response = through_balancer(client, "203.0.113.5", "u_grid_worker", PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == cast.user(Role.GRID_WORKER).pk


def test_guessing_from_many_addresses_meets_a_back_off_not_a_lock(client, cast, settings, monkeypatch):
    from wudu import auth

    settings.NUM_PROXIES = 1
    clock = [1_000_000.0]
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    for i in range(settings.LOGIN_BACKOFF_FREE):  # a spread-out guesser: two tries per address, never locked
        through_balancer(client, f"198.51.100.{i // 2 + 1}", "u_grid_worker", "wrong")
    # The next attempt, even with the right password from a fresh browser, must wait; the page says how long.
    response = through_balancer(client, "203.0.113.5", "u_grid_worker", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "请 2 秒后再试" in response.content.decode()
    # Waiting does it: the back-off is seconds, not an hour's lock.
    clock[0] += 3
    response = through_balancer(client, "203.0.113.5", "u_grid_worker", PASSWORD)
    assert response.status_code == 302


def test_the_back_off_doubles_and_has_a_ceiling(cast, settings, monkeypatch):
    from wudu import auth

    clock = [1_000_000.0]
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    waits = []
    for _ in range(settings.LOGIN_BACKOFF_FREE + 12):
        auth._record_failure("u_grid_worker")
        waits.append(auth.wait_seconds("u_grid_worker"))
    assert waits[: settings.LOGIN_BACKOFF_FREE - 1] == [0] * (settings.LOGIN_BACKOFF_FREE - 1)
    assert waits[settings.LOGIN_BACKOFF_FREE - 1: settings.LOGIN_BACKOFF_FREE + 3] == [2, 4, 8, 16]
    assert waits[-1] == settings.LOGIN_BACKOFF_MAX_SECONDS
    assert auth.wait_seconds("U_Grid_Worker ") == settings.LOGIN_BACKOFF_MAX_SECONDS  # one account, however typed


def test_the_owners_own_browser_is_not_slowed_by_a_strangers_guessing(client, cast, settings):
    settings.NUM_PROXIES = 1
    assert through_balancer(client, "203.0.113.5", "u_grid_worker", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    stranger = type(client)()
    for i in range(settings.LOGIN_BACKOFF_FREE + 3):
        through_balancer(stranger, f"198.51.100.{i // 2 + 1}", "u_grid_worker", "wrong")
    assert "请" in through_balancer(stranger, "198.51.100.99", "u_grid_worker", PASSWORD).content.decode()
    # The owner's phone carries the device cookie of the earlier sign-in.
    response = through_balancer(client, "203.0.113.5", "u_grid_worker", PASSWORD)
    assert response.status_code == 302
