"""Grants come from registered providers: the grids app's memberships today, and (the interface allows it) a
dated grant such as an inspection team's coverage of a community between two dates."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case
from grids.models import Membership, User
from tests.cast import PASSWORD
from wudu import scope
from wudu.scope import Grant, Role

ROOT = Path(__file__).resolve().parents[2]


class TeamCoverage:
    """A small dated provider, shaped like the coming inspection team's coverage: person → (role, place, from, to).

    Real providers read a table; this one reads a dict, which is all the gate needs to see."""

    name = "test_team"

    def __init__(self):
        self.rows: list[tuple[int, str, object, datetime.date, datetime.date]] = []

    def grants_of(self, user):
        return [Grant(role, place.pk, place.code, valid_from=start, valid_until=end, provider=self.name)
                for user_id, role, place, start, end in self.rows if user_id == user.pk]

    def holders(self, prefix: str, strictly_below: bool):
        today = timezone.localdate()
        ids = [user_id for user_id, _role, place, start, end in self.rows
               if place.code.startswith(prefix) and not (strictly_below and place.code == prefix)
               and start <= today <= end]
        return User.objects.filter(pk__in=ids).values("pk")


@pytest.fixture
def team():
    provider = scope.register_grant_provider(TeamCoverage())
    yield provider
    scope.unregister_grant_provider(provider.name)


@pytest.fixture
def inspector(cast):
    return User.objects.create_user(username="inspector", password=PASSWORD, real_name="督查组员")


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_the_apps_register_memberships_and_team_coverage_as_the_providers(cast):
    assert [provider.name for provider in scope.grant_providers()] == ["membership", "inspection_team"]
    worker = fresh(cast.user("grid_worker"))
    assert [(g.role, g.code, g.provider) for g in scope.grants_for(worker)] == [
        (Role.GRID_WORKER, cast.place("G1").code, "membership")]


def test_a_dated_grant_counts_between_its_dates_only(cast, team, inspector):
    today = timezone.localdate()
    community = cast.place("C2")
    team.rows.append((inspector.pk, Role.COMMUNITY_OFFICIAL, community, today - datetime.timedelta(days=3),
                      today + datetime.timedelta(days=3)))
    grants = scope.grants_for(fresh(inspector))
    assert [(g.role, g.code, g.provider) for g in grants] == [(Role.COMMUNITY_OFFICIAL, community.code, "test_team")]
    assert scope.can_read_code(fresh(inspector), "case", cast.place("G2").code)
    assert not scope.can_read_code(fresh(inspector), "case", cast.place("G1").code)
    # The people of 健康社区's officials see the team member serving there; a neighbouring community does not.
    assert User.objects.visible_to(fresh(cast.user("street_official"))).filter(pk=inspector.pk).exists()
    assert not User.objects.visible_to(fresh(cast.user("community_official"))).filter(pk=inspector.pk).exists()


def test_a_dated_grant_outside_its_dates_grants_nothing(cast, team, inspector):
    today = timezone.localdate()
    team.rows.append((inspector.pk, Role.COMMUNITY_OFFICIAL, cast.place("C2"), today - datetime.timedelta(days=30),
                      today - datetime.timedelta(days=1)))
    assert scope.grants_for(fresh(inspector)) == ()
    assert not Case.objects.visible_to(fresh(inspector)).exists() and not scope.can_read_code(
        fresh(inspector), "case", cast.place("G2").code)
    assert not User.objects.visible_to(fresh(cast.user("street_official"))).filter(pk=inspector.pk).exists()


def test_grants_of_all_providers_add_up_and_cost_one_query_each(cast, team, django_assert_num_queries):
    worker = cast.user("grid_worker")
    today = timezone.localdate()
    team.rows.append((worker.pk, Role.STREET_OFFICIAL, cast.place("S2"), today, today))
    worker = fresh(worker)
    with django_assert_num_queries(1):  # the memberships; the test provider reads no table
        roles = {g.role for g in scope.grants_for(worker)}
    assert roles == {Role.GRID_WORKER, Role.STREET_OFFICIAL}
    assert Membership.objects.filter(user=worker).count() == 1


def test_roles_are_the_gates_and_the_membership_choices_are_them():
    from grids.models import Role as GridsRole

    assert GridsRole is Role
    assert Membership._meta.get_field("role").choices == Role.choices


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):  # every import, at the top or inside a function (a lazy import hides a cycle)
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            out.add(base if node.level == 0 else "." * node.level + base)
            out |= {f"{'.' * node.level}{base}.{alias.name}".replace("..", ".") for alias in node.names}
    return out


def test_the_gate_imports_no_app():
    imports = _imports(ROOT / "wudu" / "scope.py")
    assert not {name for name in imports if name.split(".")[0] in {"grids", "cases", "outreach", "ledger"}}


def test_case_tasks_do_not_import_the_services_that_schedule_them():
    for module in ("tasks", "timers", "notify", "holidays"):
        imports = _imports(ROOT / "cases" / f"{module}.py")
        assert not {name for name in imports if "services" in name}, module
