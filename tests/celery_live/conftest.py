"""A real Celery worker and beat, as subprocesses, against the pytest-django test database on PostgreSQL.

Each starts once per module, after the test database exists (the worker first, beat only when a test asks
for it, so that a test of the worker alone is not helped by beat). The worker gets a unique node name; both
run in their own process group, so that teardown ends them and any pool child with them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
START_TIMEOUT = 60  # seconds for the worker to answer a ping
HEARTBEAT_SECONDS = 1


@dataclass
class LiveCelery:
    worker_name: str
    env: dict[str, str]
    logdir: Path
    heartbeat_seconds: int = HEARTBEAT_SECONDS
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, role: str, *args: str) -> None:
        with open(self.logdir / f"{role}.log", "wb") as log:
            self.processes[role] = subprocess.Popen(
                [str(CELERY), "-A", "wudu", role, "-l", "info", *args],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for role in self.processes:
            path = self.logdir / f"{role}.log"
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            out.append(f"--- celery {role} ({path}) ---\n" + "\n".join(text))
        return "\n".join(out)

    def assert_running(self) -> None:
        for role, process in self.processes.items():
            assert process.poll() is None, f"celery {role} exited with {process.returncode}\n{self.log_tail()}"

    def stop(self, role: str) -> None:
        process = self.processes.get(role)
        if process is not None:
            stop_group(process)


def database_url_for(name: str) -> str:
    """DATABASE_URL with its database name swapped for the test database's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def stop_group(process: subprocess.Popen) -> None:
    """Warm shutdown of the whole process group, then a kill: no pool child stays behind."""
    pgid = process.pid  # start_new_session made the child the leader of its own group
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            process.poll()  # reap the leader, so that it does not linger as a zombie in the group
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            continue
        break
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture(scope="module")
def live_worker(django_db_setup, tmp_path_factory):
    # Run by hand without the services, these tests step aside; under CI (REQUIRE_SERVICES=1) that is a failure,
    # so a live phase that lost its broker or database cannot pass by skipping.
    missing = ""
    if not settings.CELERY_BROKER_URL:
        missing = "CELERY_BROKER_URL is not set: live Celery tests need a Redis broker (tests/run.sh sets one)"
    elif connection.vendor != "postgresql":
        missing = "live Celery tests need PostgreSQL: the worker and beat share the test database"
    if missing:
        (pytest.fail if os.environ.get("REQUIRE_SERVICES") == "1" else pytest.skip)(missing)
    from wudu.celery import app

    app.control.purge()  # nothing left over from an earlier run on this broker database
    live = LiveCelery(
        worker_name=f"wudu-live-{uuid.uuid4().hex[:8]}@pytest",
        env={
            **os.environ,
            "DATABASE_URL": database_url_for(connection.settings_dict["NAME"]),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "WUDU_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "wudu.settings",
        },
        logdir=tmp_path_factory.mktemp("celery"),
    )
    try:
        live.start("worker", "-P", "prefork", "-c", "1", "-n", live.worker_name, "--without-mingle",
                   "--without-gossip")
        deadline = time.monotonic() + START_TIMEOUT
        while not app.control.ping(destination=[live.worker_name], timeout=0.5):
            live.assert_running()
            if time.monotonic() > deadline:
                pytest.fail(f"the worker did not answer a ping within {START_TIMEOUT} s\n{live.log_tail()}")
        yield live
    finally:
        live.stop("worker")


@pytest.fixture(scope="module")
def live_beat(live_worker):
    try:
        # The scheduler comes from settings (django-celery-beat's DatabaseScheduler), as in `make run`.
        live_worker.start("beat", "--pidfile=")
        yield live_worker
    finally:
        live_worker.stop("beat")
