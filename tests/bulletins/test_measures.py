"""Every measure on the hand-worked October (conftest.py), figures worked out on paper:

县 魏都区 D: 新兴街道 S1 (董庄 C1: G1, G1b; 健康 C2: G2), 丁庄街道 S2 (C3: G3).

Due in October in S1 (deadline in October, or overdue and still open on 1 October): A, B, C, D, G, H, N, P = 8
(E is due in November, F was due and closed in September, I was cancelled, K/L/M were never dispatched).
  handled by 31 Oct: A, B, D, G, H, P = 6      on time: A (8 ≤ 10), G (7 ≤ 9), P (9 ≤ 13) = 3
  closed by 31 Oct:  A, B, D, G = 4            on time: A (9 ≤ 10), G (8 ≤ 9) = 2
  reworked: G = 1      open and overdue at the end: C, N (suspended) = 2      extended: H = 1
S2: J, due 1, handled and closed on time.
Default score of S1: 30·6/8 + 20·3/8 + 20·(1−1/8) + 20·(1−2/8) + 10·(1−1/8) = 22.5 + 7.5 + 17.5 + 15 + 8.75 = 71.25.
"""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from bulletins import services
from bulletins.models import BulletinRow, Kind
from cases.models import Case
from ledger import services as ledger_services
from ledger.reports import daily_report_build
from wudu.measures import Period

from .conftest import at

OCTOBER = Period.month(2026, 10)


def build(cast, place="D", period=OCTOBER, kind=Kind.BULLETIN, now=None):
    return services.bulletin_build(place=cast.place(place), period=period, kind=kind, now=now or at(11, 2))


def line(bulletin, unit_key, cast):
    code = cast.place(unit_key).code
    return next(row for row in bulletin.snapshot["lines"] if row["unit"] == code)


def test_the_case_measures_of_the_street_that_did_the_work(october, cast):
    bulletin = build(cast)
    s1 = line(bulletin, "S1", cast)["figures"]
    assert s1["case.handling"] == [6, 8]
    assert s1["case.handling_on_time"] == [3, 8]
    assert s1["case.closing"] == [4, 8]
    assert s1["case.closing_on_time"] == [2, 8]
    assert s1["case.rework"] == [1, 8]
    assert s1["case.overdue_open"] == [2, 8]
    assert s1["case.extension"] == [1, 8]


def test_reports_verdicts_and_the_hotline_three_rates(october, cast):
    s1 = line(build(cast), "S1", cast)["figures"]
    assert s1["case.report_accuracy"] == [1, 2]  # K cancelled as invalid, L accepted
    assert s1["case.self_handled"] == [1, 3]  # M settled in the grid, of K, L, M
    # verdicts given in October: A 满意, B 不满意, and P's 不满意 that reopened the petition
    assert s1["case.satisfaction"] == [1, 3]
    assert s1["hotline.satisfaction"] == [1, 3]
    # hotline calls registered in October: A B C E G H I N; all dispatched or cancelled; A B G closed
    assert s1["hotline.response"] == [8, 8]
    assert s1["hotline.resolution"] == [3, 8]


def test_the_other_street_and_the_department_and_the_district_total(october, cast):
    bulletin = build(cast)
    s2 = line(bulletin, "S2", cast)["figures"]
    assert s2["case.closing_on_time"] == [1, 1] and s2["case.rework"] == [0, 1]
    assert "case.report_accuracy" not in s2  # nothing to count: shown as "—"
    department = next(d for d in bulletin.snapshot["departments"] if d["label"] == "城市管理")
    assert department["figures"]["case.handling"] == [7, 9]
    assert bulletin.snapshot["total"]["case.closing"] == [5, 9]


def test_a_case_counts_in_the_period_of_its_deadline_and_again_while_overdue(october, cast):
    september = build(cast, period=Period.month(2026, 9))
    s1 = line(september, "S1", cast)["figures"]
    # D (due 25 Sep, open at the end of September) and F (closed on time); P was dispatched again in October
    assert s1["case.closing"] == [1, 2] and s1["case.overdue_open"] == [1, 2]
    rows = BulletinRow.objects.filter(bulletin=september, measure="case.closing").values_list("object_id", flat=True)
    assert set(rows) == {october.cases["D"].pk, october.cases["F"].pk}


def test_the_default_score_the_minimum_volume_and_the_lists(october, cast):
    bulletin = build(cast)
    s1, s2 = line(bulletin, "S1", cast), line(bulletin, "S2", cast)
    assert s1["score"] == pytest.approx(71.25) and s1["state"] == "ranked" and s1["rank"] == 1
    # one case, all on time: a perfect 100, but below the minimum volume of 5: listed, not ranked
    assert s2["score"] == pytest.approx(100) and s2["state"] == "small" and s2["rank"] is None
    assert bulletin.snapshot["red"] == [s1["unit"]] and bulletin.snapshot["black"] == []
    assert "样本不足" in bulletin.snapshot["narrative"] and "丁庄街道" in bulletin.snapshot["narrative"]


def test_a_unit_with_nothing_due_is_no_data_not_zero(october, cast):
    bulletin = build(cast, place="S2")
    c3 = line(bulletin, "C3", cast)
    assert c3["figures"]["case.closing"] == [1, 1]
    street = build(cast, place="S1")
    c2 = line(street, "C2", cast)
    assert c2["figures"]["case.handling"] == [1, 1]  # G, in 健康社区
    assert c2["state"] == "small" and c2["score"] is not None


def test_figures_equal_their_rows_in_the_snapshot(october, cast):
    bulletin = build(cast)
    s1 = cast.place("S1").code
    numerator = set(BulletinRow.objects.filter(bulletin=bulletin, measure="case.handling_on_time",
                                               unit__startswith=s1, numerator=True).values_list("object_id", flat=True))
    assert numerator == {october.cases[n].pk for n in "AGP"}
    assert Case.objects.filter(pk__in=numerator).count() == 3


def test_rebuilding_a_period_rewrites_its_draft_and_a_future_period_is_refused(october, cast):
    first = build(cast)
    again = build(cast)
    assert again.pk == first.pk and again.version == 1
    assert BulletinRow.objects.filter(bulletin=first).count() == first.rows_counted
    with pytest.raises(ValidationError, match="尚未结束"):
        build(cast, period=Period.month(2026, 11))
    with pytest.raises(ValidationError, match="按季度"):
        build(cast, kind=Kind.RANKING)


def test_patrol_coverage_time_and_spot_checks_worked_by_hand(cast):
    """Three days of October with their daily reports: G1 walked 70 minutes on the 12th and 30 on the 13th,
    nobody on the 14th; no other grid of 新兴街道 (G1b, G2) walked. Grid-days of S1: 3 grids × 3 days = 9.
    Coverage 2/9, time at the 60-minute minimum 1/9. Two covert checks of G1: 85 passes, 70 does not: 1/2."""
    worker, center = cast.user("grid_worker"), cast.user("command_center")
    for day, minutes in ((12, 70), (13, 30)):
        start = at(10, day, 9)
        patrol = ledger_services.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(),
                                              started_at=start, now=start)
        end = start + datetime.timedelta(minutes=minutes)
        ledger_services.patrol_end(actor=worker, patrol=patrol, ended_at=end, now=end)
    for day in (12, 13, 14):
        daily_report_build(datetime.date(2026, 10, day))
    for score in (85, 70):
        ledger_services.spot_check_record(actor=center, grid=cast.place("G1"), client_id=uuid.uuid4(),
                                          checked_on=datetime.date(2026, 10, 20), findings="楼道堆物", score=score)
    bulletin = build(cast)
    s1, s2 = line(bulletin, "S1", cast)["figures"], line(bulletin, "S2", cast)["figures"]
    assert s1["patrol.coverage"] == [2, 9] and s1["patrol.time"] == [1, 9]
    assert s1["spot_check.pass"] == [1, 2]
    assert s2["patrol.coverage"] == [0, 3] and "spot_check.pass" not in s2  # G3 not walked; no check: "—"
