"""A broker outage and a worker killed whole, on a Redis of this module's own (never the shared one on 6379) and a
real worker beside it, with the test database on PostgreSQL.

1. Redis stopped: a resident's request (/suqiu/), a case created and dispatched over the API, an Open311 request and
   a patrol's late end each answer at once with success; Redis back, `manage.py outbox_relay` sends what the outage
   kept; every notice and SMS arrives once, also when every message is delivered a second time, and yesterday's
   report is rebuilt.
2. A worker SIGKILLed whole in the middle of a task: its message comes back after the (short) visibility timeout,
   a new worker runs it, and its effect happens once.

transactional_db: the worker and the relay write through their own connections.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.celery_live.conftest import CELERY, REPO, LiveCelery, database_url_for, stop_group

pytestmark = pytest.mark.celery_live

VISIBILITY_TIMEOUT = 10  # seconds: the test's worker gets a lost message back quickly
REQUEST_BUDGET = 2.0  # seconds each request may take with the broker down
MOBILE = "13812345678"


def free_port(preferred: int = 6391) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


class OwnRedis:
    """A redis-server of this module only, without persistence: stopped and started again by the tests."""

    def __init__(self, port: int, logdir):
        self.port, self.logdir, self.process = port, logdir, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        with open(self.logdir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.answers, f"redis-server on port {self.port}", timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        assert not self.answers()

    def answers(self) -> bool:
        import redis

        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)


def wait_for(predicate, what: str, timeout: float = 20.0, live: LiveCelery | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if live is not None:
            live.assert_running()
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout} s\n{live.log_tail(60) if live else ''}")


@pytest.fixture(scope="module")
def own_broker(django_db_setup, tmp_path_factory):
    missing = ""
    if connection.vendor != "postgresql":
        missing = "the outbox's live tests need PostgreSQL: the worker and the relay share the test database"
    elif not shutil.which("redis-server"):
        missing = "redis-server is not installed"
    if missing:
        (pytest.fail if os.environ.get("REQUIRE_SERVICES") == "1" else pytest.skip)(missing)
    logdir = tmp_path_factory.mktemp("outbox")
    redis = OwnRedis(free_port(), logdir)
    redis.start()
    live = LiveCelery(
        worker_name=f"wudu-outbox-{uuid.uuid4().hex[:8]}@pytest",
        env={**os.environ, "DATABASE_URL": database_url_for(connection.settings_dict["NAME"]),
             "CELERY_BROKER_URL": redis.url, "CELERY_RESULT_BACKEND": "", "WUDU_ENV": "test",
             "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_TIMEOUT), "NOTIFY_CHANNELS": "log",
             "DJANGO_SETTINGS_MODULE": "wudu.settings"},
        logdir=logdir,
    )
    live.redis = redis
    try:
        started = time.monotonic()
        start_worker(live)
        print(f"outbox live: redis and worker ready in {time.monotonic() - started:.1f} s")
        yield live
    finally:
        started = time.monotonic()
        for process in live.processes.values():  # nothing of these workers is kept: no warm shutdown to wait for
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        redis.stop()
        print(f"outbox live: workers and redis stopped in {time.monotonic() - started:.1f} s")


def start_worker(live: LiveCelery, role: str = "worker") -> None:
    """A worker (its log `<role>.log`) in its own process group, loading the slow task beside the project's."""
    with open(live.logdir / f"{role}.log", "ab") as log:
        live.processes[role] = subprocess.Popen(
            [str(CELERY), "-A", "wudu", "worker", "-l", "info", "-P", "prefork", "-c", "1", "-n",
             f"{role}-{live.worker_name}", "--without-mingle", "--without-gossip",
             "--include", "tests.celery_live.slow_tasks"],
            cwd=REPO, env=live.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ready = f"{role}-{live.worker_name} ready."
    wait_for(lambda: ready in (live.logdir / f"{role}.log").read_text(errors="replace"), f"celery {role} ready",
             timeout=60, live=live)


@pytest.fixture
def on_own_broker(own_broker, settings):
    """This process publishes to the module's Redis, as a web server configured with it would."""
    settings.CELERY_BROKER_URL = own_broker.redis.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.NOTIFY_CHANNELS = ["log"]
    return own_broker


def start_relay(live: LiveCelery) -> subprocess.Popen:
    with open(live.logdir / "relay.log", "ab") as log:
        return subprocess.Popen([sys.executable, "manage.py", "outbox_relay", "--interval", "0.2"], cwd=REPO,
                                env=live.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def worker_log(live: LiveCelery) -> str:
    return "\n".join(path.read_text(errors="replace") for path in live.logdir.glob("worker*.log"))


def runs_of(live: LiveCelery, key: str) -> int:
    return len(re.findall(rf"Task [\w.]+\[{re.escape(key)}\] succeeded", worker_log(live)))


def test_a_broker_outage_loses_nothing_and_blocks_nobody(transactional_db, on_own_broker, settings):
    from django.test import Client
    from django.utils import timezone
    from rest_framework.test import APIClient

    from cases import services as cases
    from cases.models import Case, LimitUnit, Notification
    from grids.models import Role
    from ledger import services as ledger
    from ledger.models import DailyReport
    from ledger.reports import daily_report_build
    from tests.cast import build_cast
    from wudu.models import OutboxEffect, OutboxMessage

    live = on_own_broker
    # The late patrol's rebuild is sent at once, like the notices (its debounce is tests/ledger's; 60 s here).
    settings.DAILY_REPORT_REBUILD_DELAY_SECONDS = 0
    cast = build_cast()
    city = cases.case_category_create(
        actor=cast.admin, district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    nine = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(9)))
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=nine)
    daily_report_build(yesterday)  # 21:00 came; the patrol's end arrives late, during the outage
    assert DailyReport.objects.get(place=cast.place("G1"), date=yesterday).patrol_seconds == 0  # still open
    resident = Client()
    assert resident.get("/suqiu/").status_code == 200  # the resident opens the form while the broker is up
    center, grid_worker = APIClient(), APIClient()
    center.force_authenticate(cast.user(Role.COMMAND_CENTER))
    grid_worker.force_authenticate(worker)

    live.redis.stop()
    answers = {}

    def timed(name, call, status):
        start = time.monotonic()
        response = call()
        answers[name] = round(time.monotonic() - start, 2)
        assert response.status_code == status, (name, response.status_code, response.content[:500])
        return response

    timed("/suqiu/", lambda: resident.post("/suqiu/", {
        "mobile": MOBILE, "name": "王女士", "category": city.pk, "description": "小区门口的垃圾三天没人清运",
        "grid": "", "address": "六一路 12 号院", "key": str(uuid.uuid4()), "website": "", "lng": "113.1",
        "lat": "34.7"}), 302)
    created = timed("API case create", lambda: center.post("/api/v1/cases/", {
        "source": "hotline", "grid": cast.place("G2").code, "category": city.pk, "description": "热线：路灯不亮",
        "resident_mobile": "13812345679"}, format="json", headers={"Idempotency-Key": str(uuid.uuid4())}), 201).json()
    timed("API dispatch", lambda: center.post(f"/api/v1/cases/{created['reference']}/dispatch/",
                                              {"version": created["version"]}, format="json"), 200)
    timed("Open311", lambda: Client().post("/open311/v2/requests.json", {
        "service_code": "shirong", "lat": "34.7", "long": "113.1", "description": "井盖缺失，很危险",
        "phone": "13812345670"}), 201)
    timed("patrol end", lambda: grid_worker.post(f"/api/v1/patrols/{patrol.pk}/end/", {
        "ended_at": (nine + datetime.timedelta(minutes=75)).isoformat()}, format="json"), 200)
    assert max(answers.values()) < REQUEST_BUDGET, answers
    print(f"outbox live: with Redis down, answered in (s) {answers}")  # noqa: T201 - figures for the closing note

    kept = list(OutboxMessage.objects.order_by("id"))
    assert len(kept) == 5 and all(m.sent_at is None and m.attempts == 1 for m in kept), kept
    assert sorted(m.task for m in kept) == ["cases.tasks.case_notify_task"] * 4 + ["ledger.tasks.daily_report_build_task"]
    residents = {case.reference: case.resident_mobile for case in Case.objects.exclude(resident_mobile="")}
    assert len(residents) == 3

    live.redis.start()
    relay = start_relay(live)
    try:
        wait_for(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(), "the relay sending", live=live)
        wait_for(lambda: all(runs_of(live, m.key) == 1 for m in kept), "the worker running every message",
                 timeout=30, live=live)
        assert DailyReport.objects.get(place=cast.place("G1"), date=yesterday).patrol_seconds == 75 * 60  # rebuilt
        notices = sorted(Notification.objects.values_list("dedupe_key", "user_id"))
        assert notices and {key for key, _user in notices} <= {f"event:{m.args[0]}" for m in kept}
        effects = set(OutboxEffect.objects.values_list("key", flat=True))

        # At least once: deliver every message a second time; the consumers do nothing more.
        OutboxMessage.objects.update(sent_at=None, next_attempt_at=timezone.now())
        wait_for(lambda: all(runs_of(live, m.key) == 2 for m in kept), "the second delivery of every message",
                 timeout=30, live=live)
    finally:
        stop_group(relay)
    assert sorted(Notification.objects.values_list("dedupe_key", "user_id")) == notices
    assert set(OutboxEffect.objects.values_list("key", flat=True)) == effects
    text = worker_log(live)
    for reference, mobile in residents.items():
        masked = f"{mobile[:3]}****{mobile[-4:]}"
        assert text.count(f"notice to {masked}: 【网格通】您的诉求已收到，编号 {reference}") == 1, reference
    assert MOBILE not in text


def test_a_worker_killed_whole_mid_task_gives_its_task_back_and_it_is_done_once(transactional_db, on_own_broker,
                                                                               tmp_path):
    from wudu import outbox

    live = on_own_broker
    marks = tmp_path / "marks"
    marks.touch()
    message = outbox.enqueue("tests.celery_live.slow_effect_task", str(marks), 3.0, key=f"slow:{uuid.uuid4().hex}")
    wait_for(lambda: "start" in marks.read_text(), "the slow task starting", live=live)

    doomed = live.processes.pop("worker")
    os.killpg(doomed.pid, signal.SIGKILL)  # the whole worker: main process and pool child, no goodbye
    doomed.wait(timeout=10)
    killed_at = time.monotonic()
    unacked = live.redis.client().hlen("unacked")
    assert unacked == 1  # the broker still holds the message the dead worker took

    start_worker(live, "worker2")
    wait_for(lambda: "effect" in marks.read_text(), "the task coming back and finishing", timeout=40, live=live)
    back_in = time.monotonic() - killed_at
    lines = marks.read_text().split()
    starts = [pid for word, pid in zip(lines, lines[1:], strict=False) if word == "start"]
    assert len(starts) == 2 and starts[0] != starts[1], lines  # two workers ran it ...
    assert lines.count("effect") == 1  # ... its effect happened once
    assert back_in < VISIBILITY_TIMEOUT + 15, back_in
    print(f"outbox live: task of the killed worker done by the new one {back_in:.1f} s after the kill")  # noqa: T201
    wait_for(lambda: live.redis.client().hlen("unacked") == 0, "the message acknowledged", timeout=10, live=live)
    assert live.redis.client().llen("celery") == 0
    assert runs_of(live, message.key) == 1
    assert django_settings.CELERY_VISIBILITY_TIMEOUT_SECONDS >= 60  # this process keeps the real timeout
