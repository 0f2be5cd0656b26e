"""`make run`'s tasks run on their own: scripts/run_tasks.sh (what the Makefile starts beside the dev server) brings
up a Celery worker, beat and the outbox relay on the embedded broker (a folder, no service), and an overdue case
gets its mark from beat's timer entry, with nobody asking.

The stack shares a SQLite file, as under `make run`: the test database (the in-memory SQLite of the first phase)
is copied to a file with the case in it, and the test watches that file. On PostgreSQL it steps aside (the same
test runs in the SQLite phase); the Redis broker's worker and beat are tests/celery_live's.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import time
import uuid

import pytest
from django.db import connection

from cases import services
from cases.models import Alert
from tests.processes import REPO, Processes, copy_sqlite_database

TIMERS_EVERY = 2  # seconds: beat's case-timers entry, shortened for the test (CASE_TIMERS_SECONDS)
WITHIN = 120  # seconds at most for the worker and beat to start and the mark to appear (a loaded CI machine)
# Settings the stack must not inherit from the test run (tests/run.sh's phase sets some of them).
INHERITED = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DEBUG", "DEMO_MODE",
             "ALLOWED_HOSTS", "SECRET_KEY", "HEARTBEAT_SECONDS", "WUDU_ENV", "EMBEDDED_BROKER")

pytestmark = pytest.mark.skipif((REPO / ".env").exists(), reason="a .env file would fill in the settings unset here")


def _overdue_case(cast):
    center = cast.user("command_center")
    category = services.case_category_create(actor=cast.admin, district=cast.place("D"), code="t", name="时限测试",
                                             department=cast.departments["chengguan@D"], time_limit=1,
                                             limit_unit="hours")
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=3)
    case = services.case_create(actor=center, source="hotline", grid=cast.place("G1"), category=category,
                                description="超期测试", key=uuid.uuid4(), now=past)
    return services.case_act(actor=center, case=case, action="dispatch", version=case.version, now=past)


@pytest.mark.sqlite_only
def test_make_runs_tasks_mark_an_overdue_case_without_anyone_asking(cast, tmp_path):
    assert connection.vendor == "sqlite", "sqlite_only: `make run`'s stack shares a SQLite file (tests/run.sh runs it in its SQLite phase)"
    case = _overdue_case(cast)
    assert case.alert == Alert.NONE and case.deadline < datetime.datetime.now(datetime.UTC)
    database = copy_sqlite_database(connection, tmp_path / "run.sqlite3")
    logs = tmp_path / "logs"
    env = {key: value for key, value in os.environ.items() if key not in INHERITED}
    env.update(WUDU_ENV="development", DJANGO_SETTINGS_MODULE="wudu.settings", DATABASE_URL=f"sqlite:///{database}",
               EMBEDDED_BROKER="on", EMBEDDED_BROKER_DIR=str(tmp_path / "broker"),
               CASE_TIMERS_SECONDS=str(TIMERS_EVERY), OUTBOX_RELAY_INTERVAL_SECONDS="0.5")
    stack = Processes(env=env, logdir=logs)
    started = time.monotonic()
    # The script writes the worker's, beat's and the relay's logs beside its own.
    process = stack.start("run_tasks", ["bash", str(REPO / "scripts" / "run_tasks.sh"), str(logs)])
    try:
        alert = None
        while time.monotonic() - started < WITHIN:
            stack.assert_running()
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
                alert = db.execute("SELECT alert FROM cases_case WHERE id = ?", [case.pk]).fetchone()[0]
                told = db.execute("SELECT count(*) FROM cases_notification WHERE case_id = ? AND kind = 'overdue'",
                                  [case.pk]).fetchone()[0]
            if alert == Alert.OVERDUE and told:
                break
            time.sleep(0.5)
        took = time.monotonic() - started
        assert alert == Alert.OVERDUE, f"no overdue mark within {WITHIN} s\n{stack.log_tail()}"
        print(f"overdue mark {took:.1f} s after the stack's start")
        worker_log = (logs / "celery-worker.log").read_text(errors="replace")
        assert "cases.tasks.case_timers_task" in worker_log  # beat's entry, run on the worker through the folder
    finally:
        stack.stop_all(grace=30)  # SIGTERM, as `make run`'s Ctrl-C: the worker ends warmly, beat and the relay
    assert process.returncode is not None
