"""Re-checks under parallel clicks (PostgreSQL, real connections): a doubled "draw" makes one draw, and two results
recorded at once for one re-check leave exactly one."""

from __future__ import annotations

import pytest
from django.db import connection

from grids.models import Role
from inspections.models import Recheck, RecheckDraw, RecheckResult, Rectification, TaskStatus, TaskStep
from inspections.services import rechecks
from tests.cast import build_cast
from tests.test_concurrency import _race

from .reports_world import the_round, world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]


@pytest.mark.django_db(transaction=True)
def test_parallel_draw_clicks_make_one_draw():
    cast = build_cast()
    round_, _ = world(cast, ticked=10, percent=20)
    office = cast.user(Role.INSPECTION_OFFICE)
    results = _race(lambda i: rechecks.recheck_draw(office, the_round(), seed=f"s{i}", number=1).pk, 4)
    assert {kind for kind, _ in results} == {"ok"}, results
    assert len({pk for _, pk in results}) == 1
    assert RecheckDraw.objects.filter(round=round_).count() == 1
    assert Recheck.objects.filter(round=round_).count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_results_record_once():
    cast = build_cast()
    round_, _ = world(cast, ticked=10, percent=10)
    rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="p")
    pk = Recheck.objects.get(round=round_).pk
    people = [cast.user(Role.INSPECTION_OFFICE), cast.user(Role.INSPECTOR)]
    outcomes = [RecheckResult.PASSED, RecheckResult.FAILED]

    def record(i):
        recheck = Recheck.objects.select_related("task").get(pk=pk)
        return rechecks.recheck_record(people[i], recheck, result=outcomes[i], note="现场核查").result

    results = _race(record, 2)
    ok = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(ok) == 1 and len(errors) == 1 and "已经记录" in errors[0].messages[0], results
    recheck = Recheck.objects.get(pk=pk)
    assert recheck.result == ok[0]
    reopened = TaskStep.objects.filter(task_id=recheck.task_id, action="recheck_failed").count()
    assert reopened == (1 if ok[0] == RecheckResult.FAILED else 0)
    status = Rectification.objects.get(pk=recheck.task_id).status
    assert status == (TaskStatus.REOPENED if ok[0] == RecheckResult.FAILED else TaskStatus.TICKED_OFF)
