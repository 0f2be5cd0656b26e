"""The rectification measures (inspections/measures), worked by hand: 整改完成率 and 销号可信度 per community."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from bulletins import exports as bulletin_exports
from bulletins import tables
from bulletins.figures import live_figures
from grids.models import Level, Role
from inspections.models import Recheck, RecheckResult
from inspections.services import rechecks
from wudu import measures
from wudu.measures import Period

from .reports_world import at_noon, finding, task, the_round, tick_off

pytestmark = pytest.mark.django_db
OCT = datetime.date(2026, 10, 1)


def test_completion_and_reliability_by_hand(cast):
    from inspections.models import Round
    round_ = the_round()
    Round.objects.filter(pk=round_.pk).update(recheck_percent=100)
    round_.refresh_from_db()
    c1, c2 = finding(cast, round_), finding(cast, round_, place="C2")
    t1 = tick_off(cast, task(cast, c1, deadline=OCT.replace(day=10)), at=at_noon(OCT.replace(day=5)))
    t2 = tick_off(cast, task(cast, c1, deadline=OCT.replace(day=20)), at=at_noon(OCT.replace(day=18)))
    task(cast, c1, deadline=OCT.replace(day=31))  # open: due, not done
    task(cast, c1, deadline=datetime.date(2026, 11, 3))  # due in November: not in October's count
    tick_off(cast, task(cast, c2, deadline=OCT.replace(day=25), owner="C2"), at=at_noon(OCT.replace(day=20)))
    rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="m")
    assert Recheck.objects.filter(round=round_).count() == 3
    rechecks.recheck_record(cast.user(Role.INSPECTION_OFFICE), Recheck.objects.get(task=t1),
                            result=RecheckResult.PASSED)
    rechecks.recheck_record(cast.user(Role.INSPECTOR), Recheck.objects.get(task=t2), result=RecheckResult.FAILED,
                            note="未整改")

    s1, c1_code, c2_code = (cast.place(k).code for k in ("S1", "C1", "C2"))
    completion = live_figures(measures.get("inspection.rectification_completion"), s1, Period.month(2026, 10),
                              Level.COMMUNITY)
    # C1: t1 ticked off; t2 reopened by the failed re-check; the third still open → 1 of 3. C2: 1 of 1.
    assert completion == {c1_code: [1, 3], c2_code: [1, 1]}
    today = timezone.localdate()
    reliability = live_figures(measures.get("inspection.closure_reliability"), s1, Period.month(today.year, today.month),
                               Level.COMMUNITY)
    assert reliability == {c1_code: [1, 2]}  # C2's re-check is still pending: not counted
    assert measures.get("inspection.closure_reliability").section == "inspections"
    assert "inspections" in tables.SECTIONS and "inspections" in bulletin_exports.SECTIONS
