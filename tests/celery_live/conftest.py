"""A real Celery worker and beat, as subprocesses, against the pytest-django test database on PostgreSQL.

Each starts once per module, after the test database exists (the worker first, beat only when a test asks
for it, so that a test of the worker alone is not helped by beat). The worker gets a unique node name; both
run in their own process group (tests/processes.py), so that teardown ends them and any pool child with them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import REPO, Processes, stop_group

__all__ = ["CELERY", "REPO", "LiveCelery", "database_url_for", "stop_group"]  # test_outbox_live's imports

CELERY = Path(sys.executable).with_name("celery")
START_TIMEOUT = 60  # seconds for the worker to answer a ping
HEARTBEAT_SECONDS = 1


class LiveCelery(Processes):
    """The worker and beat of a module (tests/processes.py starts and stops them), with the worker's node name."""

    def __init__(self, *, worker_name: str, env: dict[str, str], logdir: Path,
                 heartbeat_seconds: int = HEARTBEAT_SECONDS):
        super().__init__(env=env, logdir=logdir)
        self.worker_name, self.heartbeat_seconds = worker_name, heartbeat_seconds

    def start(self, role: str, *args: str) -> subprocess.Popen:
        return super().start(role, [str(CELERY), "-A", "wudu", role, "-l", "info", *args])


def database_url_for(name: str) -> str:
    """DATABASE_URL with its database name swapped for the test database's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


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
