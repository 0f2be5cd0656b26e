"""A real worker and beat on Redis and PostgreSQL: tasks run, beat's heartbeat arrives, /healthz sees them.

transactional_db: the worker writes through its own connection, so the test must see committed rows.
"""

import time

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from wudu.models import Heartbeat
from wudu.tasks import heartbeat_task, ping_task

pytestmark = pytest.mark.celery_live


def wait_for(predicate, live, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        live.assert_running()
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout} s\n{live.log_tail()}")


def heartbeat():
    return Heartbeat.objects.filter(name="beat").first()


def test_task_sent_with_delay_runs_on_the_worker(transactional_db, live_worker):
    assert ping_task.delay().get(timeout=20) == "pong"
    assert heartbeat() is None  # beat is not running yet: only the task below can write the row

    heartbeat_task.delay()

    row = wait_for(heartbeat, live_worker, "the heartbeat task's write")
    assert row.worker == live_worker.worker_name


def test_beat_schedules_the_heartbeat_from_the_database(transactional_db, live_beat):
    first = wait_for(heartbeat, live_beat, "beat's first heartbeat")
    assert first.worker == live_beat.worker_name
    task = PeriodicTask.objects.get(name="heartbeat")  # CELERY_BEAT_SCHEDULE, synced into the tables
    assert (task.task, task.interval.every, task.interval.period) == ("wudu.tasks.heartbeat_task", 1, "seconds")

    wait_for(lambda: heartbeat().beat_at > first.beat_at, live_beat, "the heartbeat moving forward")
    report = PeriodicTask.objects.get(name="daily-report")  # 日报告 at 21:00 Shanghai time, in the same tables
    assert report.task == "ledger.tasks.daily_report_build_task"
    assert (report.crontab.hour, report.crontab.minute, str(report.crontab.timezone)) == ("21", "0", "Asia/Shanghai")
    timers = PeriodicTask.objects.get(name="case-timers")  # the case timers, every 15 minutes
    assert (timers.task, timers.crontab.minute) == ("cases.tasks.case_timers_task", "*/15")
    bulletins = PeriodicTask.objects.get(name="bulletins")  # 月通报: the 1st at 08:00 Shanghai time
    assert bulletins.task == "bulletins.tasks.bulletins_build_task"
    assert (bulletins.crontab.day_of_month, bulletins.crontab.hour, bulletins.crontab.minute,
            str(bulletins.crontab.timezone)) == ("1", "8", "0", "Asia/Shanghai")


def test_healthz_sees_broker_worker_and_beat(client, transactional_db, live_beat, settings):
    # This process judges beat's age by the same period as the beat it runs beside.
    settings.CELERY_BEAT_SCHEDULE = {
        "heartbeat": {**settings.CELERY_BEAT_SCHEDULE["heartbeat"], "schedule": float(live_beat.heartbeat_seconds)}
    }
    wait_for(heartbeat, live_beat, "a heartbeat")

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert {part: body[part]["status"] for part in ("database", "broker", "worker", "beat")} == dict.fromkeys(
        ("database", "broker", "worker", "beat"), "ok"
    ), body
    assert body["status"] == "ok"
    assert body["beat"]["age_s"] <= body["beat"]["threshold_s"] == 3 * live_beat.heartbeat_seconds + 15


def test_the_daily_report_is_built_on_the_worker(transactional_db, live_beat):
    import datetime

    from django.utils import timezone

    from grids.models import Level, Place
    from ledger.models import DailyReport
    from ledger.tasks import daily_report_build_task
    from tests.cast import build_cast

    cast = build_cast()
    day = timezone.localdate() - datetime.timedelta(days=1)
    written = daily_report_build_task.delay(day.isoformat()).get(timeout=30)
    places = Place.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]).count()
    assert written == places == DailyReport.objects.filter(date=day).count()
    assert DailyReport.objects.get(date=day, place=cast.place("D")).grids_total == 4


def test_case_timers_run_on_the_worker_and_notify_once(transactional_db, live_beat):
    """The timer task marks an overdue case on the real worker and a second run changes nothing (the department
    hears once). Beat's 15-minute entry is checked with the others above."""
    import datetime
    import uuid

    from cases import services
    from cases.models import Alert, Notification
    from cases.tasks import case_timers_task
    from tests.cast import build_cast

    cast = build_cast()
    center = cast.user("command_center")
    category = services.case_category_create(actor=cast.admin, district=cast.place("D"), code="t", name="时限测试",
                                             department=cast.departments["chengguan@D"], time_limit=1,
                                             limit_unit="hours")
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=3)
    case = services.case_create(actor=center, source="hotline", grid=cast.place("G1"), category=category,
                                description="超期测试", key=uuid.uuid4(), now=past)
    case = services.case_act(actor=center, case=case, action="dispatch", version=case.version, now=past)

    assert case_timers_task.delay().get(timeout=30) == {"overdue": 1, "due_soon": 0}
    assert case_timers_task.delay().get(timeout=30) == {"overdue": 0, "due_soon": 0}
    case.refresh_from_db()
    assert case.alert == Alert.OVERDUE
    assert Notification.objects.filter(user=cast.user("department_staff"), case=case, kind="overdue").count() == 1


def test_the_workers_log_of_a_residents_notice_holds_no_link_nor_mobile(transactional_db, live_worker):
    """The notice task runs on the real worker with its own logging (celery replaces the root handlers): the log
    file it wrote says a notice went out, masked, never the resident's tracking token or whole mobile number."""
    import uuid

    from cases import services
    from cases.models import LimitUnit
    from tests.cast import build_cast

    cast = build_cast()
    category = services.case_category_create(
        actor=cast.admin, district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    mobile = "13812345678"
    case = services.case_submit_public(category=category, description="路灯不亮", resident_mobile=mobile,
                                       key=uuid.uuid4(), lng=113.1, lat=34.7, client_ip="203.0.113.9")
    worker_log = live_worker.logdir / "worker.log"
    # (An earlier test's case may have had the same reference: wait for the resident's own notice.)
    wait_for(lambda: "notice to 138****5678" in worker_log.read_text(errors="replace"), live_worker,
             "the worker's notice to the resident", timeout=30)
    text = "\n".join(path.read_text(errors="replace") for path in live_worker.logdir.glob("*.log"))
    assert f"编号 {case.reference}" in text
    assert case.tracking_token not in text and mobile not in text


def test_the_monthly_bulletins_are_built_on_the_worker(transactional_db, live_worker):
    """The task of beat's entry for 月通报 (the entry itself is checked with the others above: a transactional
    test's flush empties beat's tables after it), run on the real worker, builds last month's drafts for the
    district, its streets and communities; a second run adds none."""
    from bulletins.models import Bulletin, Kind, Stage
    from bulletins.tasks import bulletins_build_task
    from grids.models import Level, Place
    from tests.cast import build_cast
    from wudu.measures import Period

    build_cast()
    first = bulletins_build_task.delay().get(timeout=60)
    places = Place.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY]).count()
    month = Period.last_closed(Period.MONTH)
    drafts = Bulletin.objects.filter(kind=Kind.BULLETIN, period=month.key, stage=Stage.DRAFT)
    assert drafts.count() >= places and len(first) >= places
    assert bulletins_build_task.delay().get(timeout=60) == first  # idempotent: the same drafts, rebuilt
    assert drafts.count() == len(set(first))
