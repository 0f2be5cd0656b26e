"""The daily report: each grid's day and the sums of every level, rebuilt exactly."""

import datetime
import uuid

import pytest
from django.utils import timezone

from grids.models import Role
from ledger import services as ledger
from ledger.models import DailyReport, FindingCategory
from ledger.reports import daily_report_build
from ledger.tasks import daily_report_build_task


@pytest.fixture
def yesterday():
    return timezone.localdate() - datetime.timedelta(days=1)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def patrolled(cast, yesterday, settings):
    """Yesterday: the G1 worker patrolled 90 min with 3 visits (one open finding); G1b's worker 20 min, 1 visit."""
    settings.MIN_DAILY_PATROL_MINUTES = 60
    worker = cast.user(Role.GRID_WORKER)
    household = ledger.household_create(actor=worker, grid=cast.place("G1"), address="幸福路 1 号")
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(),
                                 started_at=_at(yesterday, 9))
    safety = FindingCategory.objects.get(code="safety")
    for minute, kwargs in ((10, {"household": household}), (30, {"household": household}),
                           (50, {"category": safety, "settled": False})):
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
                            visited_at=_at(yesterday, 9, minute), **kwargs)
    ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(yesterday, 10, 30))
    other = cast.user_model.objects.get(username="worker_G1b")
    p2 = ledger.patrol_start(actor=other, grid=cast.place("G1b"), client_id=uuid.uuid4(), started_at=_at(yesterday, 14))
    ledger.visit_record(actor=other, patrol=p2, client_id=uuid.uuid4(), visit_type="patrol",
                        visited_at=_at(yesterday, 14, 5))
    ledger.patrol_end(actor=other, patrol=p2, ended_at=_at(yesterday, 14, 20))
    return yesterday


def _report(cast, key, day):
    return DailyReport.objects.get(place=cast.place(key), date=day)


def test_each_grid_gets_its_day(cast, patrolled):
    daily_report_build(patrolled)
    g1 = _report(cast, "G1", patrolled)
    assert (g1.patrols, g1.patrol_seconds, g1.visits, g1.households_reached, g1.findings, g1.open_findings) == (
        1, 90 * 60, 3, 1, 1, 1)
    assert g1.short_grids == []
    g1b = _report(cast, "G1b", patrolled)
    assert (g1b.patrol_seconds, g1b.visits, g1b.short_grids) == (20 * 60, 1, [cast.place("G1b").code])


def test_levels_sum_their_grids_with_coverage_and_short_grids(cast, patrolled):
    daily_report_build(patrolled)
    c1 = _report(cast, "C1", patrolled)
    assert (c1.grids_total, c1.grids_patrolled, c1.workers_on_duty, c1.visits) == (2, 2, 2, 4)
    district = _report(cast, "D", patrolled)
    assert (district.grids_total, district.grids_patrolled, district.patrol_seconds) == (4, 2, 110 * 60)
    assert district.short_grids == sorted(cast.place(k).code for k in ("G1b", "G2", "G3"))
    assert _report(cast, "D2", patrolled).grids_total == 1


def test_rebuilding_a_day_replaces_it_exactly(cast, patrolled):
    first = daily_report_build(patrolled)
    snapshot = list(DailyReport.objects.filter(date=patrolled).order_by("place_id").values(
        "place_id", "visits", "patrol_seconds", "short_grids"))
    assert daily_report_build(patrolled) == first
    again = list(DailyReport.objects.filter(date=patrolled).order_by("place_id").values(
        "place_id", "visits", "patrol_seconds", "short_grids"))
    assert again == snapshot and DailyReport.objects.filter(date=patrolled).count() == first


def test_a_late_visit_rebuilds_its_day(cast, patrolled, django_capture_on_commit_callbacks):
    daily_report_build(patrolled)
    worker = cast.user(Role.GRID_WORKER)
    patrol = worker.patrols.get()
    with django_capture_on_commit_callbacks(execute=True):
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                            visited_at=_at(patrolled, 10, 20))
    assert _report(cast, "G1", patrolled).visits == 4
    assert _report(cast, "D", patrolled).visits == 5


def test_the_task_builds_today_by_default(cast):
    assert daily_report_build_task.delay().get() == DailyReport.objects.filter(date=timezone.localdate()).count()
    assert DailyReport.objects.filter(date=timezone.localdate(), place=cast.place("G1")).exists()


def test_building_a_day_costs_the_same_queries_whatever_the_grids(
    # the districts, then per district (two here) one INSERT … SELECT … ON CONFLICT in a savepoint
    cast, patrolled, django_assert_num_queries):
    from grids import services

    with django_assert_num_queries(7):
        daily_report_build(patrolled)
    for n in range(5):
        services.place_create(actor=cast.admin, parent=cast.place("C2"), name=f"新网格{n}")
    with django_assert_num_queries(7):
        daily_report_build(patrolled)


def test_a_worker_patrolling_two_grids_counts_once_above_them(cast, patrolled):
    """Workers on duty are distinct people at every level, not a sum of the grids' counts."""
    from grids.models import Membership

    worker = cast.user(Role.GRID_WORKER)
    Membership.objects.create(user=worker, role=Role.GRID_WORKER, place=cast.place("G1b"))
    worker = cast.user_model.objects.get(pk=worker.pk)  # its grants are read afresh
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1b"), client_id=uuid.uuid4(),
                                 started_at=_at(patrolled, 16))
    ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(patrolled, 16, 30))
    daily_report_build(patrolled)
    assert _report(cast, "G1b", patrolled).workers_on_duty == 2
    assert _report(cast, "G1", patrolled).workers_on_duty == 1
    c1 = _report(cast, "C1", patrolled)
    assert (c1.workers_on_duty, c1.grids_patrolled, c1.patrols) == (2, 2, 3)
    assert _report(cast, "D", patrolled).workers_on_duty == 2
