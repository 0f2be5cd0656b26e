"""Re-checks: the random draw (size, seed, no task drawn twice, retries) and recording results (who may, once,
a failed one reopens the task and lowers the owner's closure reliability)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grids.models import Role
from inspections.models import Recheck, RecheckDraw, RecheckResult, Rectification, TaskStatus, TaskStep
from inspections.selectors import reports
from inspections.services import rechecks
from inspections.services.rechecks import draw_size, drawn_sample

from .reports_world import world

pytestmark = pytest.mark.django_db


def test_draw_size_by_hand():
    assert draw_size(10, 10) == 1
    assert draw_size(25, 10) == 3  # 2.5 → 3
    assert draw_size(10, 3) == 1  # at least one when any
    assert draw_size(10, 0) == 0
    assert draw_size(100, 4) == 4


def test_ten_percent_of_ten_draws_one(cast):
    round_, tasks = world(cast, ticked=10, open_=2, percent=10)
    draw = rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="s1")
    assert (draw.number, draw.size, len(draw.candidates)) == (1, 1, 10)
    drawn = list(Recheck.objects.filter(draw=draw).values_list("task_id", flat=True))
    assert len(drawn) == 1 and drawn[0] in [t.pk for t in tasks[:10]]  # never an open task


def test_twenty_five_percent_of_ten_draws_three_and_reproduces_by_seed(cast):
    round_, tasks = world(cast, ticked=10, percent=25)
    draw = rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="20261130")
    drawn = sorted(Recheck.objects.filter(draw=draw).values_list("task_id", flat=True))
    assert len(drawn) == 3
    # Anyone redoing the draw from what was recorded gets the same sample.
    assert drawn_sample(draw.seed, draw.candidates, draw.size) == drawn
    assert drawn_sample("20261130", [t.pk for t in tasks], 3) == drawn
    # Another seed gives (in general) another sample: the seed is what decided.
    others = {tuple(drawn_sample(str(s), draw.candidates, 3)) for s in range(20)}
    assert len(others) > 1


def test_no_task_drawn_twice_and_retry_returns_same_draw(cast):
    office = cast.user(Role.INSPECTION_OFFICE)
    round_, tasks = world(cast, ticked=4, percent=50)
    first = rechecks.recheck_draw(office, round_, seed="a", number=1)
    again = rechecks.recheck_draw(office, round_, seed="other", number=1)  # a retried click
    assert again.pk == first.pk and Recheck.objects.filter(round=round_).count() == 2
    second = rechecks.recheck_draw(office, round_, seed="b", number=2)
    assert second.candidates == sorted(set(t.pk for t in tasks) - set(
        Recheck.objects.filter(draw=first).values_list("task_id", flat=True)))
    assert Recheck.objects.filter(round=round_).count() == 3  # ceil(50 % of 2) = 1 more
    ids = list(Recheck.objects.filter(round=round_).values_list("task_id", flat=True))
    assert len(ids) == len(set(ids))
    rechecks.recheck_draw(office, round_, seed="c", number=3)
    with pytest.raises(ValidationError) as error:
        rechecks.recheck_draw(office, round_, seed="d")
    assert "没有尚未抽查" in str(error.value)
    with pytest.raises(ValidationError):
        rechecks.recheck_draw(office, round_, number=9)  # a stale page naming a draw that cannot be next
    assert RecheckDraw.objects.filter(round=round_).count() == 3


def test_only_the_office_draws(cast):
    round_, _ = world(cast, ticked=2)
    for role in (Role.INSPECTOR, Role.COMMUNITY_OFFICIAL, Role.DISTRICT_OFFICIAL):
        with pytest.raises(PermissionDenied):
            rechecks.recheck_draw(cast.user(role), round_)
    assert not RecheckDraw.objects.exists()


def _one_recheck(cast, ticked=10):
    round_, _ = world(cast, ticked=ticked, percent=10)
    rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="x")
    return round_, Recheck.objects.select_related("task").get(round=round_)


def test_owner_unit_may_not_recheck(cast):
    _, recheck = _one_recheck(cast)
    with pytest.raises(ValidationError) as error:
        rechecks.recheck_record(cast.user(Role.COMMUNITY_OFFICIAL), recheck, result=RecheckResult.PASSED)
    assert "责任单位" in str(error.value)
    # an official elsewhere is no team member and no office: refused too
    with pytest.raises(PermissionDenied):
        rechecks.recheck_record(cast.user(Role.STREET_OFFICIAL), recheck, result=RecheckResult.PASSED)
    assert Recheck.objects.get(pk=recheck.pk).result == RecheckResult.PENDING


def test_failed_recheck_reopens_and_lowers_reliability(cast):
    round_, recheck = _one_recheck(cast)
    assert reports.round_report(cast.user(Role.INSPECTION_OFFICE), round_)["by_unit"][0]["figures"].reliability == "—"
    with pytest.raises(ValidationError):  # a failed re-check needs what was found
        rechecks.recheck_record(cast.user(Role.INSPECTOR), recheck, result=RecheckResult.FAILED, note=" ")
    rechecks.recheck_record(cast.user(Role.INSPECTOR), recheck, result=RecheckResult.FAILED,
                            note="走访 7 户，4 户不知情：虚假整改。")
    task = Rectification.objects.get(pk=recheck.task_id)
    assert task.status == TaskStatus.REOPENED and task.reopen_count == 1 and task.ticked_off_at is None
    step = TaskStep.objects.filter(task=task).last()
    assert (step.action, step.actor_id, step.note) == ("recheck_failed", cast.user(Role.INSPECTOR).pk,
                                                       "走访 7 户，4 户不知情：虚假整改。")
    with pytest.raises(ValidationError) as error:  # recorded once
        rechecks.recheck_record(cast.user(Role.INSPECTION_OFFICE), recheck, result=RecheckResult.PASSED)
    assert "已经记录" in str(error.value)
    report = reports.round_report(cast.user(Role.INSPECTION_OFFICE), round_)
    unit = report["by_unit"][0]
    assert (unit["unit"], unit["figures"].passed, unit["figures"].failed) == ("董庄社区", 0, 1)
    assert unit["figures"].reliability == "0.0%"
    assert unit["figures"].ticked == 9 and report["total"].completion == "90.0%"
    assert reports.reliability_by_unit(round_) == [
        {"unit": "董庄社区", "passed": 0, "failed": 1, "reliability": "0.0%"}]


def test_passed_recheck_by_office_keeps_task_ticked_off(cast):
    round_, recheck = _one_recheck(cast)
    rechecks.recheck_record(cast.user(Role.INSPECTION_OFFICE), recheck, result=RecheckResult.PASSED, note="属实")
    assert Rectification.objects.get(pk=recheck.task_id).status == TaskStatus.TICKED_OFF
    unit = reports.round_report(cast.user(Role.INSPECTION_OFFICE), round_)["by_unit"][0]
    assert unit["figures"].reliability == "100.0%"


def test_member_of_another_team_not_covering_the_place_may_not_record(cast):
    from grids.models import User
    from inspections.services import rounds

    round_, recheck = _one_recheck(cast, ticked=3)
    other = User.objects.create_user(username="insp_other", password="x-Password-2026", real_name="二组组员")
    rounds.team_create(actor=cast.user(Role.INSPECTION_OFFICE), round=round_, name="第二巡察组", leader=other,
                       places=[cast.places["C3"]])
    with pytest.raises(PermissionDenied):
        rechecks.recheck_record(other, recheck, result=RecheckResult.PASSED)
    assert Recheck.objects.get(pk=recheck.pk).result == RecheckResult.PENDING
