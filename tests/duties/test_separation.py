"""三权分立: the system, security and audit administrators each do their own job and not another's; nobody holds
two duties; nobody approves their own change."""

from __future__ import annotations

import datetime
import uuid

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from bulletins import services as bulletin_services
from cases import services as cases_services
from grids import lockouts, services
from grids.managed import _appoint_kwargs
from grids.models import Membership, Role, User
from ledger import services as ledger_services
from ledger.models import Household
from outreach.models import PartyMember
from tests.cast import ROLE_PLACES
from tests.duties.conftest import of_kind
from wudu.duties import Duty, duties_of, has_duty

BACKEND = "django.contrib.auth.backends.ModelBackend"
ADMINS = {Duty.SYSTEM: Role.SYSTEM_ADMIN, Duty.SECURITY: Role.SECURITY_ADMIN, Duty.AUDIT: Role.AUDIT_ADMIN}


def _fresh(cast) -> User:
    return User.objects.create_user(username=f"new_{uuid.uuid4().hex[:8]}", real_name="新人员",
                                    mobile="13512345678")


def _lock(username: str) -> None:
    AccessAttempt.objects.create(username=username, ip_address="10.0.0.9", user_agent="pytest", get_data="",
                                 post_data="", http_accept="*/*", path_info="/accounts/login/",
                                 failures_since_start=5, attempt_time=timezone.now())


def _household(cast) -> Household:
    return ledger_services.household_create(actor=cast.admin, grid=cast.place("G1"), address="董庄路1号",
                                            head_name="张三", phone="13611112222")


# Each action, done by `actor` through the service (or the page) that does it; True if it was allowed.
def _create_account(cast, client, actor):
    client.force_login(actor, backend=BACKEND)
    return client.get(reverse("admin:grids_user_add")).status_code == 200


def _deactivate_account(cast, client, actor):
    services.person_set_active(actor=actor, person=cast.user(Role.GRID_WORKER), active=False)
    return True


def _rename_place(cast, client, actor):
    place = cast.place("G1")
    services.place_update(actor=actor, place=place, name="改名网格")
    return True


def _grant_role(cast, client, actor):
    services.membership_create(actor=actor, user=_fresh(cast), role=Role.GRID_WORKER, place=cast.place("G1"))
    return True


def _grant_duty(cast, client, actor):
    services.membership_create(actor=actor, user=_fresh(cast), role=Role.AUDIT_ADMIN, place=cast.place("D"))
    return True


def _end_role(cast, client, actor):
    membership = Membership.objects.get(user=cast.user(Role.GRID_WORKER))
    services.membership_end(actor=actor, membership=membership)
    return True


def _release_lockout(cast, client, actor):
    _lock("u_grid_worker")
    lockouts.lockout_release(actor=actor, username="u_grid_worker", reason="本人来电确认")
    return True


def _open_lockout_page(cast, client, actor):
    client.force_login(actor, backend=BACKEND)
    return client.get(reverse("lockouts")).status_code == 200


def _read_households(cast, client, actor):
    household = _household(cast)
    return Household.objects.visible_to(actor).filter(pk=household.pk).exists()


def _read_party_members(cast, client, actor):
    return PartyMember.objects.visible_to(actor).exists()


def _open_terminal(cast, client, actor):
    client.force_login(actor, backend=BACKEND)
    return client.get(reverse("terminal", args=[cast.place("D").code])).status_code == 200


def _enter_holiday(cast, client, actor):
    cases_services.holiday_save(actor=actor, date=datetime.date(2031, 10, 8), is_workday=False, name="国庆节")
    return True


def _edit_weight_scheme(cast, client, actor):
    scheme = bulletin_services.default_scheme()
    bulletin_services.scheme_save(actor=actor, name=f"方案{uuid.uuid4().hex[:6]}", weights=scheme.weights,
                                  min_volume=scheme.min_volume)
    return True


def _read_audit(cast, client, actor):
    return has_duty(actor, Duty.AUDIT)  # the /audit/ pages ask exactly this (built by the audit stream)


ACTIONS = {
    "create_account": _create_account,
    "deactivate_account": _deactivate_account,
    "rename_place": _rename_place,
    "grant_role": _grant_role,
    "grant_duty": _grant_duty,
    "end_role": _end_role,
    "release_lockout": _release_lockout,
    "open_lockout_page": _open_lockout_page,
    "read_households": _read_households,
    "read_party_members": _read_party_members,
    "open_terminal": _open_terminal,
    "enter_holiday": _enter_holiday,
    "edit_weight_scheme": _edit_weight_scheme,
    "read_audit": _read_audit,
}
JOBS = {
    Duty.SYSTEM: {"create_account", "deactivate_account", "rename_place", "read_households", "read_party_members",
                  "open_terminal", "enter_holiday", "edit_weight_scheme"},
    Duty.SECURITY: {"grant_role", "grant_duty", "end_role", "release_lockout", "open_lockout_page"},
    Duty.AUDIT: {"read_audit"},
}
CASES = [(duty, action) for duty in Duty for action in ACTIONS]


@pytest.mark.parametrize(("duty", "action"), CASES, ids=[f"{d.value}-{a}" for d, a in CASES])
def test_each_administrator_does_their_own_job_and_no_other(cast, client, duty, action):
    actor = User.objects.get(pk=cast.user(ADMINS[duty]).pk)
    try:
        allowed = ACTIONS[action](cast, client, actor)
    except PermissionDenied:
        allowed = False
    assert allowed == (action in JOBS[duty])


@pytest.mark.parametrize("role", list(ROLE_PLACES), ids=str)
def test_a_duty_is_held_through_its_role_only(cast, role):
    user = User.objects.get(pk=cast.user(role).pk)
    expected = [duty for duty, held_by in ADMINS.items() if held_by == role]
    assert duties_of(user) == expected


def test_a_superuser_holds_every_duty_outside_production_and_none_in_production(cast):
    assert duties_of(cast.admin) == list(Duty)
    with override_settings(PRODUCTION=True):
        assert duties_of(User.objects.get(pk=cast.admin.pk)) == []
        with pytest.raises(PermissionDenied):
            services.membership_create(actor=cast.admin, user=_fresh(cast), role=Role.SECURITY_ADMIN,
                                       place=cast.place("D"))


@pytest.mark.parametrize("action", ["enter_holiday", "edit_weight_scheme"])
def test_the_calendar_and_weight_schemes_ask_the_system_duty_not_the_superuser_flag(cast, client, action):
    """In production the superuser is the sealed break-glass account: it holds no duty, so it keeps neither the
    holiday calendar nor the weight schemes; the system administrator does (and the command center, by role)."""
    with override_settings(PRODUCTION=True):
        with pytest.raises(PermissionDenied):
            ACTIONS[action](cast, client, User.objects.get(pk=cast.admin.pk))
        assert ACTIONS[action](cast, client, User.objects.get(pk=cast.user(Role.SYSTEM_ADMIN).pk))
        assert ACTIONS[action](cast, client, User.objects.get(pk=cast.user(Role.COMMAND_CENTER).pk))


def test_break_glass_command_appoints_the_first_security_administrator(cast, events):
    person = _fresh(cast)
    with override_settings(PRODUCTION=True):
        call_command("appoint_administrator", person.username, "security", "--district", cast.place("D").code)
        assert has_duty(User.objects.get(pk=person.pk), Duty.SECURITY)
    [event] = of_kind(events, "role_changed")
    assert event["user"] is None and event["target"] == f"grids.User:{person.pk}"


def test_a_person_holds_at_most_one_duty(cast):
    security = cast.user(Role.SECURITY_ADMIN)
    person = _fresh(cast)
    services.membership_create(actor=security, user=person, role=Role.AUDIT_ADMIN, place=cast.place("D"))
    with pytest.raises(ValidationError) as refused:
        services.membership_create(actor=security, user=person, role=Role.SYSTEM_ADMIN, place=cast.place("D"))
    assert refused.value.error_dict["role"][0].code == "second_duty"
    assert "三者只能任其一" in refused.value.messages[0]
    # the same duty at a second district is still one duty
    services.membership_create(actor=cast.admin, user=person, role=Role.AUDIT_ADMIN, place=cast.place("D2"))
    assert duties_of(User.objects.get(pk=person.pk)) == [Duty.AUDIT]


def test_officials_appoint_no_administrator(cast):
    official = cast.user(Role.DISTRICT_OFFICIAL)
    with pytest.raises(PermissionDenied):
        services.membership_create(actor=official, user=_fresh(cast), role=Role.SYSTEM_ADMIN, place=cast.place("D"))


def test_the_appointment_form_offers_the_administrators_roles_to_the_security_administrator_only(cast, client):
    client.force_login(cast.user(Role.SECURITY_ADMIN), backend=BACKEND)
    response = client.get(reverse("manage:create", args=["membership"]) + f"?place={cast.place('D').code}")
    assert response.status_code == 200
    choices = {value for value, _label in response.context["form"].fields["role"].choices}
    assert {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN} <= choices
    for role in (Role.DISTRICT_OFFICIAL, Role.SYSTEM_ADMIN):
        offered = _appoint_kwargs(cast.user(role), cast.place("D"))["roles"]
        assert not set(offered) & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


# --------------------------------------------------------------------------------------------- self-approval


def test_a_security_administrator_grants_no_role_to_themselves(cast):
    security = cast.user(Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied, match="本人"):
        services.membership_create(actor=security, user=security, role=Role.GRID_WORKER, place=cast.place("G1"))


def test_a_security_administrator_ends_no_role_of_their_own(cast):
    security = cast.user(Role.SECURITY_ADMIN)
    with pytest.raises(PermissionDenied, match="本人"):
        services.membership_end(actor=security, membership=Membership.objects.get(user=security))
    assert Membership.objects.filter(user=security).exists()


def test_a_security_administrator_releases_no_lockout_of_their_own(cast):
    security = cast.user(Role.SECURITY_ADMIN)
    _lock(security.username)
    with pytest.raises(PermissionDenied, match="本人"):
        lockouts.lockout_release(actor=security, username=security.username, reason="我自己")
    assert AccessAttempt.objects.filter(username=security.username).exists()


def test_a_system_administrator_changes_neither_their_own_active_nor_staff_flag(cast, client):
    system = cast.user(Role.SYSTEM_ADMIN)
    with pytest.raises(PermissionDenied, match="本人"):
        services.person_set_active(actor=system, person=system, active=False)
    with pytest.raises(PermissionDenied):
        services.check_account_change(actor=system, person=system, changed=["is_staff"])
    client.force_login(system, backend=BACKEND)
    page = client.get(reverse("admin:grids_user_change", args=[system.pk]))
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    assert "is_active" not in form_fields and "is_staff" not in form_fields
    other = client.get(reverse("admin:grids_user_change", args=[cast.user(Role.DISTRICT_OFFICIAL).pk]))
    assert "is_active" in other.context["adminform"].form.fields
    assert "is_superuser" not in other.context["adminform"].form.fields  # only a superuser makes one


# --------------------------------------------------------------------------------------------- lockouts


def test_the_security_administrator_releases_a_locked_account_with_a_reason(cast, client, events):
    security = cast.user(Role.SECURITY_ADMIN)
    _lock("u_grid_worker")
    client.force_login(security, backend=BACKEND)
    page = client.get(reverse("lockouts"))
    assert [lockout.username for lockout in page.context["lockouts"]] == ["u_grid_worker"]
    refused = client.post(reverse("lockouts"), {"username": "u_grid_worker", "reason": ""})
    assert refused.status_code == 400 and AccessAttempt.objects.filter(username="u_grid_worker").exists()
    released = client.post(reverse("lockouts"), {"username": "u_grid_worker", "reason": "本人来电核实"})
    assert released.status_code == 302
    assert not AccessAttempt.objects.filter(username="u_grid_worker").exists()
    [event] = of_kind(events, "lockout_reset")
    assert event["user"] == security
    assert event["target"] == f"grids.User:{cast.user(Role.GRID_WORKER).pk}"
    assert event["detail"]["reason"] == "本人来电核实"


def test_an_expired_lockout_is_not_listed(cast):
    _lock("u_grid_head")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(days=2))
    assert lockouts.locked_accounts() == []


# --------------------------------------------------------------------------------------------- role events


def test_a_grant_and_its_end_each_send_one_role_event(cast, events):
    security = cast.user(Role.SECURITY_ADMIN)
    person = _fresh(cast)
    membership = services.membership_create(actor=security, user=person, role=Role.GRID_WORKER,
                                            place=cast.place("G1"))
    services.membership_end(actor=security, membership=membership)
    granted, ended = of_kind(events, "role_changed")
    for event, action in ((granted, "granted"), (ended, "ended")):
        assert event["user"] == security and event["target"] == f"grids.User:{person.pk}"
        assert event["detail"] == {"role": "grid_worker", "place": cast.place("G1").code, "action": action}


# --------------------------------------------------------------------------------------------- landing


@pytest.mark.parametrize(("role", "landing"), [(Role.SECURITY_ADMIN, "/security/lockouts/"),
                                               (Role.AUDIT_ADMIN, "/audit/")])
def test_the_security_and_audit_administrators_land_on_their_own_pages(cast, client, role, landing):
    client.force_login(cast.user(role), backend=BACKEND)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == landing
