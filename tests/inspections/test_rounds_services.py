"""Rounds, teams and coverage through inspections.services.rounds: the office writes, the dated grants follow the
round's dates, coverage reaches only covered places, bad input is refused with a clear message and nothing half-saved,
a retried create saves once, a concurrent edit is refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grids.models import Role, User
from inspections.grants import TeamCoverageGrants
from inspections.models import Coverage, Finding, Round, Team, TeamMember
from inspections.services import rounds as services
from tests.inspections.rounds_fixtures import DAY, a_finding, a_round, a_team, office, person
from wudu import scope
from wudu.errors import Conflict


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---------------------------------------------------------------------------------------------- grants and dates


@pytest.mark.parametrize("starts_in, follow_in, holds", [
    (3, 60, False),     # the round starts in three days: nothing yet
    (0, 60, True),      # its first day
    (-40, 0, True),     # the last day of its follow-up period
    (-40, -1, False),   # the follow-up ended yesterday
])
def test_a_team_member_holds_the_inspector_grant_only_within_the_round_and_its_follow_up(
        cast, starts_in, follow_in, holds):
    member = person("duty_member")
    round_ = a_round(cast, starts_in=starts_in, days=10,
                     follow_until=timezone.localdate() + DAY * follow_in)
    a_team(cast, round_, member, places=("C2",))
    grants = [g for g in scope.grants_for(_fresh(member)) if g.role == Role.INSPECTOR]
    assert [g.code for g in grants] == ([cast.place("C2").code] if holds else [])
    holders = set(TeamCoverageGrants().holders(cast.place("C2").code, False).values_list("team__members__user_id",
                                                                                       flat=True))
    assert (member.pk in holders) is holds


def test_coverage_reaches_only_the_covered_places(cast):
    member = person("cover_member")
    a_team(cast, a_round(cast), member, places=("C2",))
    member = _fresh(member)
    assert scope.can_read_code(member, "finding", cast.place("G2").code)  # a grid of the covered community
    assert not scope.can_read_code(member, "finding", cast.place("C1").code)
    assert not scope.can_read_code(member, "finding", cast.place("S1").code)  # not the street above it


def test_removing_a_member_ends_their_grants_now(cast):
    leader, member = person("rm_leader"), person("rm_member")
    team = a_team(cast, a_round(cast), leader, members=[member])
    assert scope.grants_for(_fresh(member))
    services.team_member_remove(actor=office(cast), team=team, user=member)
    assert scope.grants_for(_fresh(member)) == ()


# ---------------------------------------------------------------------------------------------- who writes


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICIAL, Role.INSPECTOR, Role.SYSTEM_ADMIN, Role.COMMUNITY_OFFICIAL])
def test_only_the_inspection_office_plans_and_staffs_rounds(cast, role):
    round_ = a_round(cast)
    actor = _fresh(cast.user(role))
    with pytest.raises(PermissionDenied):
        services.round_create(actor=actor, district=cast.place("D"), name="越权轮次", starts_on=round_.starts_on,
                              ends_on=round_.ends_on)
    with pytest.raises(PermissionDenied):
        services.round_update(actor=actor, round=round_, name="越权修改")
    with pytest.raises(PermissionDenied):
        services.team_create(actor=actor, round=round_, name="越权组", leader=person("x_leader"),
                             places=[cast.place("C2")])
    assert not Round.objects.filter(name__startswith="越权").exists() and not Team.objects.filter(name="越权组").exists()


def test_the_office_of_one_district_does_not_plan_in_another(cast):
    with pytest.raises(PermissionDenied):
        services.round_create(actor=office(cast), district=cast.place("D2"), name="外区轮次",
                              starts_on=timezone.localdate(), ends_on=timezone.localdate() + DAY)


# ---------------------------------------------------------------------------------------------- validation


def test_a_round_create_retried_with_its_key_saves_once(cast):
    key = "0d7f7a4e-6d1b-4f8e-9c55-3b2a1c0d9e8f"
    first = a_round(cast, name="重试轮次", idempotency_key=key)
    again = a_round(cast, name="重试轮次", idempotency_key=key)
    assert again.pk == first.pk and Round.objects.filter(name="重试轮次").count() == 1


def test_a_team_create_retried_with_its_key_saves_once(cast):
    round_, leader = a_round(cast), person("retry_leader")
    key = "5f0c2a77-1e2d-4c3b-8a9f-7e6d5c4b3a21"
    kwargs = {"actor": office(cast), "round": round_, "name": "重试组", "leader": leader,
              "places": [cast.place("C2")], "idempotency_key": key}
    assert services.team_create(**kwargs).pk == services.team_create(**kwargs).pk
    assert Team.objects.filter(round=round_).count() == 1 and TeamMember.objects.filter(team__round=round_).count() == 1


def test_round_dates_are_checked_with_clear_messages(cast):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as ends:
        services.round_create(actor=office(cast), district=cast.place("D"), name="倒序", starts_on=today,
                              ends_on=today - DAY)
    assert ends.value.message_dict["ends_on"] == ["结束日期不能早于进驻日期。"]
    round_ = a_round(cast, days=30)
    with pytest.raises(ValidationError) as follow:
        services.round_update(actor=office(cast), round=round_, follow_up_until=round_.ends_on - DAY)
    assert follow.value.message_dict["follow_up_until"] == ["跟踪督办截止不能早于结束日期。"]
    assert Round.objects.get(pk=round_.pk).follow_up_until == round_.follow_up_until


def test_dates_that_would_strand_a_finding_outside_the_round_are_refused(cast):
    round_ = a_round(cast, starts_in=-5)
    team = a_team(cast, round_, person("strand_leader"))
    a_finding(team, cast.place("C2"), found_on=round_.starts_on + DAY * 2)
    with pytest.raises(ValidationError) as error:
        services.round_update(actor=office(cast), round=round_, starts_on=round_.starts_on + DAY * 3)
    assert "不能把它排除在本轮之外" in error.value.message_dict["starts_on"][0]
    moved = services.round_update(actor=office(cast), round=round_, starts_on=round_.starts_on + DAY * 2)
    assert moved.version == 2


def test_a_concurrent_round_edit_is_refused(cast):
    round_ = a_round(cast)
    first, second = Round.objects.get(pk=round_.pk), Round.objects.get(pk=round_.pk)
    services.round_update(actor=office(cast), round=first, expected_version=1, name="甲的名称")
    with pytest.raises(Conflict):
        services.round_update(actor=office(cast), round=second, expected_version=1, name="乙的名称")
    assert Round.objects.get(pk=round_.pk).name == "甲的名称"


def test_one_team_per_person_per_round(cast):
    round_ = a_round(cast)
    shared = person("shared", "共用人员")
    a_team(cast, round_, shared, name="一组")
    with pytest.raises(ValidationError) as error:
        a_team(cast, round_, person("other_leader"), members=[shared], name="二组", places=("C3",))
    assert error.value.message_dict["members"] == ["共用人员 已在本轮的另一个巡察组。"]
    assert not Team.objects.filter(name="二组").exists()  # nothing half-saved
    second = a_team(cast, round_, person("other_leader2"), name="二组", places=("C3",))
    with pytest.raises(ValidationError):
        services.team_member_add(actor=office(cast), team=second, user=shared)
    a_team(cast, a_round(cast, name="下一轮"), shared, name="下一轮一组")  # another round: allowed


def test_a_team_keeps_one_leader(cast):
    leader, member = person("keep_leader"), person("keep_member")
    team = a_team(cast, a_round(cast), leader, members=[member])
    with pytest.raises(ValidationError) as error:
        services.team_member_remove(actor=office(cast), team=team, user=leader)
    assert "请先指定新的组长" in _messages(error.value)
    services.team_set_leader(actor=office(cast), team=team, user=member)
    assert list(team.members.filter(is_leader=True).values_list("user_id", flat=True)) == [member.pk]
    services.team_member_remove(actor=office(cast), team=team, user=leader)
    assert list(team.members.values_list("user_id", flat=True)) == [member.pk]
    with pytest.raises(ValidationError):
        services.team_set_leader(actor=office(cast), team=team, user=leader)  # no longer a member


def test_team_update_changes_leader_members_and_places_at_once_or_not_at_all(cast):
    leader, member, newcomer = person("tu_leader"), person("tu_member"), person("tu_new")
    team = a_team(cast, a_round(cast), leader, members=[member], places=("C2",))
    services.team_update(actor=office(cast), team=team, name="新组名", leader=newcomer, members=[member],
                         places=[cast.place("C1"), cast.place("S2")])
    team = Team.objects.get(pk=team.pk)
    assert team.name == "新组名"
    assert {(m.user_id, m.is_leader) for m in team.members.all()} == {(newcomer.pk, True), (member.pk, False)}
    assert {c.place_id for c in team.coverage.all()} == {cast.place("C1").pk, cast.place("S2").pk}
    # a place of another district: refused, and the name given with it is not saved either
    with pytest.raises(ValidationError) as error:
        services.team_update(actor=office(cast), team=team, name="不该保存", places=[cast.place("C4")])
    assert error.value.message_dict["places"] == ["东社区 不是本区的街道或社区。"]
    assert Team.objects.get(pk=team.pk).name == "新组名"


def test_coverage_is_a_street_or_community_of_the_district(cast):
    team = a_team(cast, a_round(cast), person("cov_leader"))
    for key in ("G1", "D", "C4"):
        with pytest.raises(ValidationError):
            services.coverage_add(actor=office(cast), team=team, place=cast.place(key))
    services.coverage_add(actor=office(cast), team=team, place=cast.place("S2"))
    services.coverage_add(actor=office(cast), team=team, place=cast.place("S2"))  # again: nothing changes
    assert Coverage.objects.filter(team=team).count() == 2


def test_a_place_where_the_team_has_findings_stays_covered(cast):
    team = a_team(cast, a_round(cast), person("fc_leader"), places=("S1", "C3"))
    a_finding(team, cast.place("G2"))  # under 新兴街道
    with pytest.raises(ValidationError) as error:
        services.coverage_remove(actor=office(cast), team=team, place=cast.place("S1"))
    assert error.value.message_dict["places"] == ["该组已在 新兴街道 记录了问题，不能移出巡察范围。"]
    services.coverage_remove(actor=office(cast), team=team, place=cast.place("C3"))
    assert [c.place_id for c in team.coverage.all()] == [cast.place("S1").pk]
    assert Finding.objects.filter(team=team).count() == 1


def test_the_last_place_of_a_team_cannot_be_removed(cast):
    team = a_team(cast, a_round(cast), person("last_leader"), places=("C2",))
    with pytest.raises(ValidationError) as error:
        services.coverage_remove(actor=office(cast), team=team, place=cast.place("C2"))
    assert error.value.message_dict["places"] == ["巡察组至少须覆盖一个街道或社区。"]


def test_a_person_out_of_the_offices_sight_cannot_be_put_on_a_team(cast):
    # a grid worker of the other district serves where the office does not see
    foreign = User.objects.get(username="worker_G4")
    with pytest.raises(ValidationError) as error:
        a_team(cast, a_round(cast), foreign)
    assert error.value.message_dict["members"] == ["找不到该人员，或您无权选择此人。"]


def test_months_after_keeps_to_the_months_last_day():
    assert services.months_after(datetime.date(2026, 12, 31), 2) == datetime.date(2027, 2, 28)
