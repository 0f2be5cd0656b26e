"""Processes a test starts beside it — a Celery worker and beat (tests/celery_live), `make run`'s task script and
demo fill, a dev server (tests/ops) — each in a session (process group) of its own with its output in a log file,
and stopped the same way: SIGTERM to the whole group (a worker finishes its task in hand, a script's trap ends its
jobs), then SIGKILL to what is left. Nothing stays behind, pool children included.

Also the copy of the test database that such a stack shares under SQLite (`copy_sqlite_database`)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Processes:
    """The processes of one test (or module), by name; logs in `logdir/<name>.log`."""

    def __init__(self, *, env: dict[str, str], logdir: Path):
        self.env, self.logdir = env, logdir
        self.processes: dict[str, subprocess.Popen] = {}
        logdir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        with open(self.logdir / f"{name}.log", "wb") as log:
            self.processes[name] = subprocess.Popen(argv, cwd=REPO, env=self.env, stdout=log,
                                                    stderr=subprocess.STDOUT, start_new_session=True)
        return self.processes[name]

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of every log in the folder (a script's own processes write theirs there too)."""
        return "\n".join(f"--- {path.name} ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
                         for path in sorted(self.logdir.glob("*.log")))

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} ended with {process.returncode}\n{self.log_tail()}"

    def stop(self, name: str, grace: float = 15.0) -> None:
        process = self.processes.get(name)
        if process is not None:
            stop_group(process, grace=grace)

    def stop_all(self, grace: float = 15.0) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name, grace=grace)


def stop_group(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Warm shutdown of the whole process group, then a kill: no child stays behind."""
    pgid = process.pid  # start_new_session made the child the leader of its own group
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_sqlite_database(connection, path: Path) -> Path:
    """The test's SQLite database as this test sees it (its transaction's rows included) into a file that processes
    started by the test can share. (SQLite's backup API waits forever on the shared in-memory database that the
    test holds open: the dump is read through the test's own connection.)"""
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    copy.executescript("\n".join(connection.connection.iterdump()))
    copy.close()
    return path
