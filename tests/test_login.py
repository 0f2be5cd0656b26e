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
