"""The daily report built per district (or subtree) and day by one upsert; late records debounced into one rebuild."""

import datetime
import uuid

import pytest
from django.utils import timezone

from grids.models import Role
from ledger import services as ledger
from ledger.models import DailyReport, Patrol
from ledger.reports import daily_report_build
from ledger.tasks import daily_report_build_task
from wudu import outbox
from wudu.models import OutboxMessage

TASK = "ledger.tasks.daily_report_build_task"


@pytest.fixture
def day():
    return timezone.localdate() - datetime.timedelta(days=1)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _rows(day, *keys, cast):
    places = [cast.place(k) for k in keys]
    return {r.place_id: r for r in DailyReport.objects.filter(date=day, place__in=places)}


def _worker(cast, grid_key):
    return cast.user(Role.GRID_WORKER) if grid_key == "G1" else cast.user_model.objects.get(username=f"worker_{grid_key}")


def _patrol(cast, grid_key, day, minutes):
    """A closed patrol written directly (no late-record rebuild): the figures change under the stored reports."""
    worker = _worker(cast, grid_key)
    start = _at(day, 9)
    return Patrol.objects.create(worker=worker, grid=cast.place(grid_key), client_id=uuid.uuid4(), started_at=start,
                                 ended_at=start + datetime.timedelta(minutes=minutes), duration_seconds=minutes * 60)


def test_a_district_build_writes_only_that_districts_places(cast, day):
    assert daily_report_build(day, cast.place("D2").code) == 4  # district, street, community, grid
    assert set(DailyReport.objects.filter(date=day).values_list("place__code", flat=True)) == {
        cast.place(k).code for k in ("D2", "S3", "C4", "G4")}


def test_a_district_rebuild_leaves_the_other_districts_rows_alone(cast, day):
    daily_report_build(day)
    before = {r.pk: (r.built_at, r.patrol_seconds) for r in DailyReport.objects.filter(date=day, place__code__startswith=cast.place("D").code)}
    _patrol(cast, "G1", day, 30)
    _patrol(cast, "G4", day, 45)
    assert daily_report_build(day, cast.place("D2").code) == 4
    after = {r.pk: (r.built_at, r.patrol_seconds) for r in DailyReport.objects.filter(date=day, place__code__startswith=cast.place("D").code)}
    assert after == before  # D's G1 patrol waits for D's build
    assert _rows(day, "G4", cast=cast)[cast.place("G4").pk].patrol_seconds == 45 * 60


def test_an_upsert_updates_the_figures_in_place_and_keeps_every_row(cast, day, settings):
    settings.MIN_DAILY_PATROL_MINUTES = 60
    written = daily_report_build(day)
    ids = dict(DailyReport.objects.filter(date=day).values_list("place_id", "pk"))
    assert written == len(ids) and _rows(day, "C1", cast=cast)[cast.place("C1").pk].short_grids == sorted(
        cast.place(k).code for k in ("G1", "G1b"))
    _patrol(cast, "G1", day, 75)
    assert daily_report_build(day, cast.place("D").code) == written - 4
    assert dict(DailyReport.objects.filter(date=day).values_list("place_id", "pk")) == ids  # same rows, same ids
    rows = _rows(day, "G1", "C1", "S1", "D", "G2", cast=cast)
    assert [rows[cast.place(k).pk].patrol_seconds for k in ("G1", "C1", "S1", "D", "G2")] == [4500] * 4 + [0]
    assert rows[cast.place("C1").pk].short_grids == [cast.place("G1b").code]  # G1 now patrolled long enough
    assert rows[cast.place("G2").pk].grids_total == 1  # an idle grid keeps its (zero) row


def test_a_subtree_build_updates_its_places_and_not_those_above(cast, day):
    daily_report_build(day)
    _patrol(cast, "G1", day, 30)
    assert daily_report_build(day, cast.place("C1").code) == 3  # C1, G1, G1b
    rows = _rows(day, "G1", "C1", "S1", cast=cast)
    assert [rows[cast.place(k).pk].patrol_seconds for k in ("G1", "C1", "S1")] == [1800, 1800, 0]


def test_a_code_that_is_no_place_level_is_refused(cast, day):
    with pytest.raises(ValueError):
        daily_report_build(day, cast.place("D").code + "1")


def test_the_task_builds_one_district(cast, day):
    assert daily_report_build_task.delay(day.isoformat(), cast.place("D2").code).get() == 4


# ---------------------------------------------------------------------------------------------- late records


@pytest.fixture
def broker(monkeypatch, settings):
    """A broker that is up and keeps what it is given (nothing runs until the test says so)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DAILY_REPORT_REBUILD_DELAY_SECONDS = 60
    received = []
    monkeypatch.setattr(outbox, "publish", lambda message, connection: received.append(message))
    monkeypatch.setattr(outbox, "broker_connection", lambda: _Null())
    return received


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_many_late_visits_queue_one_rebuild_that_counts_them_all(cast, day, broker,
                                                                   django_capture_on_commit_callbacks):
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=_at(day, 9))
    daily_report_build(day)  # 21:00 came; the phone was offline all day
    with django_capture_on_commit_callbacks(execute=True):
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(day, 11))
    for minute in range(1, 6):  # its queue arrives: one request per visit, each committed on its own
        with django_capture_on_commit_callbacks(execute=True):
            ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                                visited_at=_at(day, 9, minute))
    queued = list(OutboxMessage.objects.filter(task=TASK))
    assert len(queued) == 1 and queued[0].args == [day.isoformat(), cast.place("D").code]
    assert broker == []  # nothing sent on commit: it waits for the burst to end
    assert outbox.relay()["sent"] == 0
    assert outbox.relay(now=timezone.now() + datetime.timedelta(seconds=61))["sent"] == 1
    assert [m.key for m in broker] == [queued[0].key]

    daily_report_build_task.apply(broker[0].args, task_id=broker[0].key)
    rows = _rows(day, "G1", "D", cast=cast)
    assert [(r.visits, r.patrol_seconds) for r in rows.values()] == [(5, 7200)] * 2

    with django_capture_on_commit_callbacks(execute=True):  # later still: the rebuild was sent, a new one waits
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                            visited_at=_at(day, 10))
    assert OutboxMessage.objects.filter(task=TASK, sent_at__isnull=True).count() == 1
    assert OutboxMessage.objects.filter(task=TASK).count() == 2


def test_late_records_of_another_district_or_day_wait_apart(cast, day, broker, django_capture_on_commit_callbacks):
    daily_report_build(day)
    daily_report_build(day - datetime.timedelta(days=1))
    for key, when in (("G1", day), ("G4", day), ("G1", day - datetime.timedelta(days=1))):
        worker = _worker(cast, key)
        with django_capture_on_commit_callbacks(execute=True):
            ledger.patrol_start(actor=worker, grid=cast.place(key), client_id=uuid.uuid4(), started_at=_at(when, 9))
            patrol = worker.patrols.get(started_at=_at(when, 9))
            ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(when, 10))
    assert sorted(m.args for m in OutboxMessage.objects.filter(task=TASK)) == sorted([
        [day.isoformat(), cast.place("D").code], [day.isoformat(), cast.place("D2").code],
        [(day - datetime.timedelta(days=1)).isoformat(), cast.place("D").code]])


def test_the_stored_figures_are_the_orms_on_every_day_and_minimum(cast, day, settings):
    """The statement is compiled once; each build puts its own day, subtree and minimum into it."""
    from ledger.reports import FIGURE_COLUMNS, day_figures

    _patrol(cast, "G1", day, 50)
    _patrol(cast, "G2", day - datetime.timedelta(days=1), 20)
    for when, minimum in ((day, 45), (day - datetime.timedelta(days=1), 15)):
        settings.MIN_DAILY_PATROL_MINUTES = minimum
        daily_report_build(when)
        figures = day_figures(when)
        for report in DailyReport.objects.filter(date=when).select_related("place"):
            expected = [next((f[report.place.code][c] for f in figures if c in f.get(report.place.code, {})), 0)
                        for c in FIGURE_COLUMNS]
            assert [getattr(report, c) for c in FIGURE_COLUMNS] == expected, report.place.code
    d = _rows(day, "D", cast=cast)[cast.place("D").pk]
    assert d.short_grids == sorted(cast.place(k).code for k in ("G1b", "G2", "G3"))  # G1: 50 ≥ 45 minutes
    before = _rows(day - datetime.timedelta(days=1), "D", cast=cast)[cast.place("D").pk]
    assert before.short_grids == sorted(cast.place(k).code for k in ("G1", "G1b", "G3"))  # G2: 20 ≥ 15
