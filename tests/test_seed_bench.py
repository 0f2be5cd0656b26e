"""The bench generator at a tiny scale, so it cannot rot: counts, codes, reports, and a worker's ledger page."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from grids.management.commands.seed_bench import bench_usernames
from grids.models import DailyReport, Household, Level, Membership, Patrol, Place, Role, User, Visit
from grids.reports import daily_report_build

DAYS = 14
REPORT_FIELDS = ("patrols", "patrol_seconds", "visits", "households_reached", "findings", "open_findings",
                 "grids_total", "grids_patrolled", "workers_on_duty", "short_grids")


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_bench", scale=0.002, days=DAYS, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_bench_tiny_scale_builds_a_consistent_district():
    seed()
    assert Place.objects.filter(level=Level.GRID).count() == 1
    district = Place.objects.get(code="411002")
    grid = Place.objects.get(level=Level.GRID)
    assert grid.code == "411002001001001" and grid.code.startswith(grid.parent.code)
    assert district.next_child_seq == 2 and grid.parent.next_child_seq == 2
    assert Membership.objects.filter(role=Role.GRID_WORKER).count() == 3
    assert Household.objects.count() == 20
    patrols, visits = Patrol.objects.count(), Visit.objects.count()
    assert 0 < patrols <= 3 * DAYS and patrols <= visits <= 5 * patrols
    assert not Visit.objects.filter(visited_at__gte=timezone.now()).exists()
    assert DailyReport.objects.count() == DAYS * 4  # district, street, community, grid per day
    # The seeded reports are what daily_report_build computes from the same rows.
    day = timezone.localdate() - datetime.timedelta(days=3)
    seeded = {r.place_id: [getattr(r, f) for f in REPORT_FIELDS] for r in DailyReport.objects.filter(date=day)}
    daily_report_build(day)
    rebuilt = {r.place_id: [getattr(r, f) for f in REPORT_FIELDS] for r in DailyReport.objects.filter(date=day)}
    assert seeded == rebuilt


@pytest.mark.django_db
def test_seed_bench_reuses_a_database_seeded_at_the_same_scale():
    seed()
    assert "nothing to do" in seed()
    assert Place.objects.filter(code="411002").count() == 1


@pytest.mark.django_db
def test_seeded_grid_worker_loads_their_ledger_page(client):
    seed()
    worker = User.objects.get(username=bench_usernames()["grid_worker"])
    client.force_login(worker)
    response = client.get("/ledger/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows and all(row.worker_id in set(Membership.objects.filter(
        place__code=rows[0].grid.code).values_list("user_id", flat=True)) for row in rows)
