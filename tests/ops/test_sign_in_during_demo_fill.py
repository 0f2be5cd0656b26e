"""`make run` serves before the demo is there: the demo fill (`manage.py load_demo_in_background`: the district, then
its history) writes behind the dev server into the same SQLite file. Once the demo accounts stand, people sign in
while the fill goes on, and their pages say how far it has come; no sign-in waits out SQLite's lock (the fill
steps aside before each transaction, _GiveWay, and writes the district a community at a time).

As test_run_tasks: the migrated, empty test database is copied to a file the processes share; on PostgreSQL it
steps aside (the SQLite phase runs it)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time

import pytest
import requests
from django.db import connection

from tests.processes import REPO, Processes, copy_sqlite_database, free_port

WITHIN = 240  # seconds for the server to answer and the demo accounts to stand (a loaded CI machine)
SIGN_IN_BUDGET = 15.0  # seconds one sign-in may take while the fill writes (SQLite's busy timeout is 20)
ACCOUNTS = ("wgy1", "qu", "wgy2")  # a grid worker, the district official, the other street's worker
INHERITED = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DEBUG", "DEMO_MODE",
             "ALLOWED_HOSTS", "SECRET_KEY", "HEARTBEAT_SECONDS", "WUDU_ENV", "EMBEDDED_BROKER", "DEMO_PROGRESS_FILE")

pytestmark = pytest.mark.skipif((REPO / ".env").exists(), reason="a .env file would fill in the settings unset here")


def _progress(path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _accounts_stand(database) -> bool:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        found = db.execute(f"SELECT count(*) FROM grids_user WHERE username IN ({','.join('?' * len(ACCOUNTS))})",
                           ACCOUNTS).fetchone()[0]
    return found == len(ACCOUNTS)


def _sign_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=SIGN_IN_BUDGET)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = time.monotonic()
    answer = session.post(f"{base}/accounts/login/", timeout=SIGN_IN_BUDGET, allow_redirects=False,
                          data={"csrfmiddlewaretoken": token, "username": username, "password": "Weidu-2026-demo"},
                          headers={"Referer": f"{base}/accounts/login/"})
    took = time.monotonic() - started
    assert answer.status_code == 302, f"{username}: {answer.status_code} after {took:.1f} s\n{answer.text[:500]}"
    return session


@pytest.mark.sqlite_only
def test_demo_accounts_sign_in_while_the_demo_fills_in_behind_the_server(db, tmp_path):
    assert connection.vendor == "sqlite", "sqlite_only: `make run`'s server and demo fill share a SQLite file (tests/run.sh runs it in its SQLite phase)"
    database = copy_sqlite_database(connection, tmp_path / "run.sqlite3")  # migrated, no cast: as after migrate
    progress = tmp_path / "demo-progress.json"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in INHERITED}
    env.update(WUDU_ENV="development", DJANGO_SETTINGS_MODULE="wudu.settings", DATABASE_URL=f"sqlite:///{database}",
               DEMO_PROGRESS_FILE=str(progress))
    stack = Processes(env=env, logdir=tmp_path / "logs")
    # As `make run`: the fill first, then the server, which answers before the demo is there.
    stack.start("demo-fill", [sys.executable, "manage.py", "load_demo_in_background"])
    stack.start("server", [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"])
    try:
        started = time.monotonic()
        while True:
            stack.assert_running()
            assert time.monotonic() - started < WITHIN, f"no demo accounts within {WITHIN} s\n{stack.log_tail()}"
            try:
                answered = requests.get(f"{base}/accounts/login/", timeout=5).status_code == 200
            except requests.ConnectionError:
                answered = False
            if answered and _accounts_stand(database):
                break
            time.sleep(0.5)
        print(f"demo accounts ready {time.monotonic() - started:.1f} s after the start, at {_progress(progress)}")

        for username in ACCOUNTS:
            assert _progress(progress).get("state") == "running"  # the fill is still writing
            session = _sign_in(base, username)
            home = session.get(f"{base}/home/", timeout=SIGN_IN_BUDGET)
            assert home.status_code == 200
            assert "演示数据正在生成" in home.text  # how far it has come, on a signed-in page
            stack.assert_running()
        assert _progress(progress).get("state") == "running"
    finally:
        stack.stop_all()
    assert "Traceback" not in (tmp_path / "logs" / "demo-fill.log").read_text(errors="replace")
