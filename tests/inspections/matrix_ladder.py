"""The ladder's and the re-checks' drivers of the scope matrix: the documents (督办文书) and re-checks (反向核查) of the
world's tasks, one of each at every grid (see matrix_tasks), and the draws and number counters of each district.

They have no policy of their own: a document is seen exactly as its task, a re-check as the round's report shows it
(its round and its task both visible), a draw and a counter as their round's district (their managers, inspections/models/gates.py).
Offered through the API (/api/v1/rectification-notices/, /api/v1/rechecks/) and the admin, read-only there; the
signature and the recording of a result are the services' rules, tested in tests/inspections/test_api_*.py."""

from __future__ import annotations

import datetime

from django.utils import timezone

from inspections.models import Ladder, Notice, NoticeCounter, Recheck, RecheckDraw, Rectification, Round
from tests.inspections.matrix_rounds import NAME, round_anchor
from tests.scope.matrix import GRIDS_IN_ORDER, Driver, grid_anchor

READ_SURFACES = ("api", "admin")


def _task(world, key: str) -> Rectification:
    return Rectification.objects.get(finding__place=world.cast.places[key], measure="矩阵整改")


DRIVERS = {
    "notice": Driver(
        key="notice", model=Notice, admin_name="inspections_notice", api_basename="rectification-notice",
        anchor=grid_anchor, mutable_field="number", surfaces=READ_SURFACES,
        find=lambda world, key: Notice.objects.get(task=_task(world, key), kind=Ladder.NOTICE),
    ),
    "recheck": Driver(
        key="recheck", model=Recheck, admin_name="inspections_recheck", api_basename="recheck",
        anchor=grid_anchor, mutable_field="result", surfaces=READ_SURFACES,
        find=lambda world, key: Recheck.objects.get(task=_task(world, key)),
    ),
    "recheck_draw": Driver(
        key="recheck_draw", model=RecheckDraw, admin_name="inspections_recheckdraw", api_basename="",
        anchor=round_anchor, mutable_field="seed", surfaces=("admin",),
        find=lambda world, key: RecheckDraw.objects.get(round__district=world.cast.places[key], round__name=NAME),
    ),
    "notice_counter": Driver(
        key="notice_counter", model=NoticeCounter, admin_name="inspections_noticecounter", api_basename="",
        anchor=round_anchor, mutable_field="last", surfaces=("admin",),
        find=lambda world, key: NoticeCounter.objects.get(district=world.cast.places[key]),
    ),
}


def populate(world) -> None:
    """At every grid, a 督办通知书 and a pending re-check of the grid's task; in each district, a draw of its round
    and the counter of the documents' numbers."""
    now = timezone.now()
    for key in GRIDS_IN_ORDER:
        task = _task(world, key)
        Notice.objects.create(task=task, kind=Ladder.NOTICE, number=f"矩阵督〔{now.year}〕{key}号",
                              deadline=task.deadline, issued_at=now)
        Recheck.objects.create(round=task.finding.round, task=task, drawn_at=now)
    for key in ("D", "D2"):
        district = world.cast.places[key]
        RecheckDraw.objects.create(round=Round.objects.get(district=district, name=NAME), number=1, seed=f"矩阵{key}",
                                   percent=10, candidates=[], size=0, drawn_at=now - datetime.timedelta(hours=1))
        NoticeCounter.objects.create(district=district, year=now.year, last=len(GRIDS_IN_ORDER))
