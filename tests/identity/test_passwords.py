"""Passwords: self-service change and reset, the change forced on an administrator's password and on an old one,
the history, and the administrator's page."""

import datetime
import logging
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from cases import notify
from grids import services
from grids.models import Role, User
from tests.cast import PASSWORD
from tests.identity.conftest import kinds
from wudu.models import PasswordHistory

NEW = "Qiu-shui-gong-chang-tian-7"


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def change(client, old, new):
    return client.post(reverse("password_change"),
                       {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.fixture
def outbox(settings):
    settings.NOTIFY_CHANNELS = ["memory"]
    notify.OUTBOX.clear()
    yield notify.OUTBOX
    notify.OUTBOX.clear()


@pytest.fixture
def ask_reset(client, django_capture_on_commit_callbacks):
    """Ask for a reset link on the page; the outbox's task runs when the request's transaction commits (eager)."""

    def ask(username: str, on=None):
        with django_capture_on_commit_callbacks(execute=True):
            return (on or client).post(reverse("password_reset"), {"username": username})

    return ask


def link_in(text: str) -> str:
    return re.search(r"http://\S+/accounts/reset/\S+?/\S+?/", text).group(0).split("://", 1)[1].split("/", 1)[1]


# ---------------------------------------------------------------------------------------------- change


def test_a_person_changes_their_own_password(client, cast, events):
    worker = cast.user(Role.GRID_WORKER)
    sign_in(client, "u_grid_worker")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200  # still signed in on this device
    worker.refresh_from_db()
    assert worker.check_password(NEW) and not worker.must_change_password
    assert kinds(events)[-1] == "password_changed" and events[-1][1].pk == worker.pk
    client.post(reverse("logout"))
    assert sign_in(client, "u_grid_worker", NEW).status_code == 302


def test_a_wrong_current_password_or_a_common_new_one_is_refused(client, cast):
    sign_in(client, "u_grid_worker")
    assert "旧密码不正确" in change(client, "wrong", NEW).content.decode()
    response = change(client, PASSWORD, "password123")
    assert response.status_code == 200
    assert "这个密码太常见了" in response.content.decode()
    assert cast.user(Role.GRID_WORKER).check_password(PASSWORD)


def test_changing_the_password_ends_the_other_sessions(client, cast):
    phone = type(client)()
    sign_in(phone, "u_grid_worker")
    sign_in(client, "u_grid_worker")
    change(client, PASSWORD, NEW)
    assert phone.get(reverse("profile")).status_code == 302  # the other device is signed out


def test_the_change_page_needs_a_signed_in_person(client, cast):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---------------------------------------------------------------------------------------------- history


def test_the_last_five_passwords_cannot_be_used_again(client, cast, settings):
    assert settings.PASSWORD_HISTORY_COUNT == 5
    sign_in(client, "u_grid_worker")
    used = [PASSWORD] + [f"Chun-mian-bu-jue-xiao-{n}x" for n in range(5)]
    for old, new in zip(used, used[1:], strict=False):
        assert change(client, old, new).status_code == 302, new
    # The current one and the four before it are refused …
    for reused in used[1:]:
        response = change(client, used[-1], reused)
        assert response.status_code == 200, reused
        assert "最近使用过的 5 个密码" in response.content.decode()
    # … the sixth back is allowed again.
    assert change(client, used[-1], PASSWORD).status_code == 302
    assert PasswordHistory.objects.filter(user=cast.user(Role.GRID_WORKER)).count() == 5


def test_the_history_length_is_configurable(client, cast, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [{"NAME": "wudu.passwords.HistoryValidator", "OPTIONS": {"count": 2}}]
    sign_in(client, "u_grid_worker")
    assert change(client, PASSWORD, "Ye-lai-feng-yu-sheng-1").status_code == 302
    assert change(client, "Ye-lai-feng-yu-sheng-1", "Hua-luo-zhi-duo-shao-2").status_code == 302
    assert change(client, "Hua-luo-zhi-duo-shao-2", "Ye-lai-feng-yu-sheng-1").status_code == 200  # one back
    assert change(client, "Hua-luo-zhi-duo-shao-2", PASSWORD).status_code == 302  # two back: allowed with 2


# ---------------------------------------------------------------------------------------------- forced change


def test_an_administrators_password_must_be_changed_at_first_sign_in(client, cast, events):
    admin = cast.user(Role.SYSTEM_ADMIN)
    # 三权分立: the security administrator grants the role; the system administrator sets the password.
    person = services.person_appoint(actor=cast.user(Role.SECURITY_ADMIN), place=cast.place("G1"), role=Role.GRID_WORKER,
                                     username="new_worker", real_name="新网格员", mobile="13900000077").user
    assert not person.has_usable_password()  # no password until someone sets one
    services.person_set_password(actor=admin, person=person, password="Bai-ri-yi-shan-jin-9")
    assert kinds(events)[-1] == "password_reset" and events[-1][3] == {"stage": "set_by_administrator"}

    assert sign_in(client, "new_worker", "Bai-ri-yi-shan-jin-9").status_code == 302
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "由管理员设置" in response.content.decode()
    assert client.get(reverse("cases:list")).status_code == 302
    api = client.get("/api/v1/places/")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"

    assert change(client, "Bai-ri-yi-shan-jin-9", NEW).status_code == 302
    assert client.get(reverse("cases:list")).status_code == 200
    assert client.get("/api/v1/places/").status_code == 200


def test_the_api_refuses_a_token_until_the_password_is_changed(client, cast):
    worker = cast.user(Role.GRID_WORKER)
    User.objects.filter(pk=worker.pk).update(must_change_password=True)
    _token, key = AuthToken.objects.create(user=worker)
    response = client.get("/api/v1/places/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 403
    assert "修改" in response.json()["detail"]


def test_an_expired_password_forces_a_change(client, cast, settings):
    assert settings.PASSWORD_MAX_AGE_DAYS == 90
    worker = cast.user(Role.GRID_WORKER)
    User.objects.filter(pk=worker.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    sign_in(client, "u_grid_worker")
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "90 天" in response.content.decode()
    change(client, PASSWORD, NEW)
    assert client.get(reverse("cases:list")).status_code == 200


def test_expiry_can_be_switched_off(client, cast, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    worker = cast.user(Role.GRID_WORKER)
    User.objects.filter(pk=worker.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=900))
    sign_in(client, "u_grid_worker")
    assert client.get(reverse("cases:list")).status_code == 200


def test_a_password_not_yet_old_is_not_expired(client, cast):
    worker = cast.user(Role.GRID_WORKER)
    User.objects.filter(pk=worker.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=89))
    sign_in(client, "u_grid_worker")
    assert client.get(reverse("cases:list")).status_code == 200


# ---------------------------------------------------------------------------------------------- reset


def test_the_reset_page_answers_the_same_whether_the_account_exists_or_not(client, cast, outbox, ask_reset):
    known = ask_reset("u_grid_worker")
    unknown = ask_reset("nobody_here")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(outbox) == 1


def test_the_reset_request_sends_nothing_itself_it_queues_the_link_in_the_outbox(client, cast, monkeypatch,
                                                                                  django_capture_on_commit_callbacks):
    """Known or unknown, the request calls no SMS or mail sender (their time would tell which accounts exist): a
    known account's link is one outbox row, delivered after the request."""
    from wudu import outside
    from wudu.models import OutboxMessage

    sent = []
    monkeypatch.setattr(outside, "send_to_mobile", lambda mobile, text: sent.append(mobile) or True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for username in ("u_grid_worker", "nobody_here"):
            assert client.post(reverse("password_reset"), {"username": username}).status_code == 302
    assert sent == [] and not mail.outbox
    (queued,) = OutboxMessage.objects.all()
    assert queued.task == "wudu.tasks.password_reset_link_task" and queued.args == [cast.user(Role.GRID_WORKER).pk]
    assert "reset" not in str(queued.kwargs) and len(callbacks) == 1  # the link itself is built by the task
    callbacks[0]()
    assert sent == [cast.user(Role.GRID_WORKER).mobile]


def test_a_reset_message_delivered_twice_sends_one_link(cast, outbox):
    from wudu.tasks import password_reset_link_task

    worker = cast.user(Role.GRID_WORKER)
    for _ in range(2):
        password_reset_link_task.apply([worker.pk], task_id="same-outbox-key")
    assert len(outbox) == 1


def test_a_reset_link_goes_to_the_mobile_and_sets_a_password_once(client, cast, outbox, events, ask_reset):
    worker = cast.user(Role.GRID_WORKER)
    ask_reset("U_Grid_Worker")
    (mobile, message), = outbox
    assert mobile == worker.mobile
    assert events[-1][0] == "password_reset" and events[-1][3] == {"stage": "link_sent", "channel": "sms"}
    link = "/" + link_in(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "设置新密码" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    assert events[-1][0] == "password_reset" and events[-1][3] == {"stage": "done"}
    assert sign_in(type(client)(), "u_grid_worker", NEW).status_code == 302
    # Used once, the link is dead.
    again = type(client)().get(link, follow=True)
    assert "无效或已过期" in again.content.decode()


def test_a_link_chosen_password_clears_the_administrators_flag(client, cast, outbox, ask_reset):
    worker = cast.user(Role.GRID_WORKER)
    User.objects.filter(pk=worker.pk).update(must_change_password=True)
    ask_reset("u_grid_worker")
    form = client.get("/" + link_in(outbox[-1][1]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    worker.refresh_from_db()
    assert not worker.must_change_password


def test_a_person_without_a_mobile_gets_the_link_by_email(client, cast, outbox, ask_reset):
    worker = cast.user(Role.GRID_WORKER)
    User.objects.filter(pk=worker.pk).update(mobile="", email="worker@example.org")
    ask_reset("u_grid_worker")
    assert not outbox
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["worker@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_the_reset_link_is_never_logged(client, cast, settings, caplog, ask_reset):
    settings.NOTIFY_CHANNELS = ["log"]
    with caplog.at_level(logging.INFO):
        ask_reset("u_grid_worker")
    from wudu.logs import RedactingFilter

    lines = []
    for record in caplog.records:
        RedactingFilter().filter(record)
        lines.append(record.getMessage())
    assert any("设置登录密码" in line for line in lines)  # the notice went out through the log channel …
    assert not [line for line in lines if re.search(r"/accounts/reset/[^…\s]", line)]  # … without its link


def test_reset_requests_are_limited_per_account(client, cast, outbox, ask_reset):
    for _ in range(5):
        assert ask_reset("u_grid_worker").status_code == 302
    assert len(outbox) == 3


# ---------------------------------------------------------------------------------------------- the administrator's page


def test_a_system_administrator_sets_an_initial_password_on_the_persons_page(client, cast, events):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(cast.user(Role.SYSTEM_ADMIN))
    detail = client.get(reverse("manage:detail", args=["person", worker.pk])).content.decode()
    url = reverse("manage:person_password", args=[worker.pk])
    assert url in detail
    response = client.post(url, {"action": "set", "password1": "Deng-gao-wang-yuan-8", "password2": "Deng-gao-wang-yuan-8"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.check_password("Deng-gao-wang-yuan-8") and worker.must_change_password
    assert events[-1][0] == "password_reset" and events[-1][2] == f"grids.User:{worker.pk}"


def test_the_administrators_password_follows_the_rules(client, cast):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(cast.user(Role.SYSTEM_ADMIN))
    url = reverse("manage:person_password", args=[worker.pk])
    response = client.post(url, {"action": "set", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 400
    assert cast.user(Role.GRID_WORKER).check_password(PASSWORD)


def test_a_system_administrator_sends_a_link(client, cast, outbox):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(cast.user(Role.SYSTEM_ADMIN))
    response = client.post(reverse("manage:person_password", args=[worker.pk]), {"action": "link"})
    assert response.status_code == 302
    assert outbox[-1][0] == worker.mobile and "/accounts/reset/" in outbox[-1][1]


@pytest.mark.parametrize("role", [Role.COMMUNITY_OFFICIAL, Role.DISTRICT_OFFICIAL, Role.COMMAND_CENTER])
def test_without_the_system_duty_nobody_sets_anothers_password(client, cast, role):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(cast.user(role))
    url = reverse("manage:person_password", args=[worker.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"action": "set", "password1": NEW, "password2": NEW}).status_code in (403, 404)
    assert url not in client.get(reverse("manage:detail", args=["person", worker.pk])).content.decode()
    with pytest.raises(Exception, match="系统管理员"):
        services.person_set_password(actor=cast.user(role), person=worker, password=NEW)
    assert cast.user(Role.GRID_WORKER).check_password(PASSWORD)


def test_an_administrator_sets_no_password_of_their_own_there(client, cast):
    admin = cast.user(Role.SYSTEM_ADMIN)
    client.force_login(admin)
    assert client.get(reverse("manage:person_password", args=[admin.pk])).status_code == 403


def test_the_session_of_a_person_whose_password_the_administrator_set_ends(client, cast):
    sign_in(client, "u_grid_worker")
    assert SESSION_KEY in client.session
    services.person_set_password(actor=cast.user(Role.SYSTEM_ADMIN), person=cast.user(Role.GRID_WORKER),
                                 password="Deng-gao-wang-yuan-8")
    assert client.get(reverse("profile")).status_code == 302


def test_a_password_set_in_the_django_admin_must_be_changed_too(client, cast, events):
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(cast.admin)
    url = reverse("admin:auth_user_password_change", args=[worker.pk])
    response = client.post(url, {"password1": "Deng-gao-wang-yuan-8", "password2": "Deng-gao-wang-yuan-8",
                                 "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    worker.refresh_from_db()
    assert worker.check_password("Deng-gao-wang-yuan-8") and worker.must_change_password
    assert events[-1][0] == "password_reset" and events[-1][3]["via"] == "admin"


def test_an_account_created_in_the_django_admin_must_change_its_password(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("admin:grids_user_add"), {
        "username": "made_in_admin", "password1": "Deng-gao-wang-yuan-8", "password2": "Deng-gao-wang-yuan-8",
        "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="made_in_admin").must_change_password
