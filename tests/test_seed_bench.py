"""The bench generator at a tiny scale, so it cannot rot: counts, codes, reports, a worker's ledger page, and the
cases with their timelines and reference counters."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bench.management.commands.seed_bench import CASE_STATES, bench_usernames
from cases import services
from cases.models import AT_DEPARTMENT, Case, CaseEvent, ReferenceCounter
from grids.models import Level, Membership, Place, Role, User
from ledger.models import DailyReport, Household, Patrol, Visit
from ledger.reports import daily_report_build

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


@pytest.mark.django_db
def test_seeded_cases_cover_every_state_with_consistent_timelines():
    seed()
    cases = list(Case.objects.all())
    assert {c.status for c in cases} == set(CASE_STATES)
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("case_id", "id"):
        events.setdefault(event.case_id, []).append(event)
    now = timezone.now()
    for case in cases:
        timeline = events[case.pk]
        assert timeline[0].action == "create" and timeline[0].from_status == "", case
        assert timeline[0].at == case.created_at and timeline[-1].at <= now, case
        for before, after in zip(timeline, timeline[1:], strict=False):
            assert after.from_status == before.to_status and before.at <= after.at, (case, after)
        assert timeline[-1].to_status == case.status and case.version == len(timeline), case
        if case.status in AT_DEPARTMENT:
            assert case.department_id and case.deadline > case.dispatched_at, case
            assert (case.alert == "overdue") == (case.deadline <= now), case
    assert len({c.tracking_token for c in cases}) == len(cases)


@pytest.mark.django_db
def test_reference_counters_cover_the_seeded_references_so_new_cases_do_not_collide():
    seed()
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    counters = dict(ReferenceCounter.objects.values_list("day", "last"))
    for reference in references:
        assert len(reference) == 13
        day = datetime.date(int(reference[:4]), int(reference[4:6]), int(reference[6:8]))
        assert counters[day] >= int(reference[8:]), reference
    # the next case of a seeded day gets the number after the seeded ones
    day = max(counters)
    assert services._next_reference(day) == f"{day:%Y%m%d}{counters[day] + 1:05d}"


@pytest.mark.django_db
def test_seeded_command_center_dispatches_a_seeded_case_to_the_seeded_department():
    seed()
    names = bench_usernames()
    center, staff = User.objects.get(username=names["command_center"]), User.objects.get(username=names["department_staff"])
    case = Case.objects.filter(status="filed").first()
    case = services.case_act(actor=center, case=case, action="dispatch", version=case.version, now=timezone.now())
    assert case.status == "dispatched" and case.events.count() == case.version
    assert Case.objects.visible_to(staff).exists()
    assert set(Case.objects.visible_to(staff).values_list("department__short_code", flat=True)) == {"chengguan"}
