"""How far the demo has come, while `make run` fills it in behind a serving site.

`make run` serves as soon as the database is migrated; a background process loads the demo district (the demo
accounts first, then the other communities with their people) and adds its history (the ledger's 90 days, the
daily reports, the cases, the bulletins). The loaders report their stages here; a small JSON file
(DEMO_PROGRESS_FILE, under var/) keeps the record, so that reading it costs the pages no query; signed-in pages
show "演示数据正在生成：45%" until it is done (templates/_demo_progress.html), and the sign-in page says the demo
accounts are being prepared while they are (templates/_demo_accounts_pending.html).

A record whose process is gone before the end (the server stopped with Ctrl-C during the first start) is shown
no more: the pages show what the database holds, which is all the demo has.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings

# Each stage's share of the whole (percent from, percent to), measured on a first start: the district a tenth of
# the time (its demo accounts' communities the first seconds), the ledger's walks about half, the cases a third.
STAGES = {
    "accounts": (0, 2),
    "district": (2, 12),
    "ledger": (12, 56),
    "reports": (56, 63),
    "cases": (63, 93),
    "bulletins": (93, 100),
}
WRITE_EVERY = 1.0  # seconds between two writes of the record (the last one of a stage is always written)

_last_write = 0.0
_last_stage = ""
_active = False  # this process began a background fill
_cache: tuple[float, dict | None] = (-1.0, None)


def _path() -> Path | None:
    path = getattr(settings, "DEMO_PROGRESS_FILE", None)
    return Path(path) if path else None


def _write(record: dict) -> None:
    path = _path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(record))
    os.replace(temporary, path)  # a reader sees the old record or the new one, never half of one


def begin() -> None:
    """The background fill starts in this process: 0 %."""
    global _active, _last_write
    _active, _last_write = True, 0.0
    _write({"state": "running", "pid": os.getpid(), "percent": 0, "stage": "district", "at": time.time()})


def report(stage: str, done: int, total: int) -> None:
    """`done` of `total` steps of `stage` are done. Cheap to call often: written at most once a second, and at once
    when a stage begins or ends."""
    global _last_write, _last_stage
    if not _active:
        return  # not a background fill (`make demo`, a test): nothing to show
    now = time.monotonic()
    if done < total and stage == _last_stage and now - _last_write < WRITE_EVERY:
        return
    _last_write, _last_stage = now, stage
    low, high = STAGES[stage]
    percent = low + (high - low) * (done / total if total else 1)
    _write({"state": "running", "pid": os.getpid(), "percent": int(percent), "stage": stage, "at": time.time()})


def finish() -> None:
    global _active
    _active = False
    _write({"state": "done", "pid": os.getpid(), "percent": 100, "stage": "", "at": time.time()})


def current() -> dict | None:
    """The fill in progress ({"percent": 45, "stage": "cases"}), or None when there is none (done, never started,
    or its process gone). Read again only when the file changes."""
    global _cache
    path = _path()
    try:
        mtime = path.stat().st_mtime if path is not None else None
    except OSError:
        mtime = None
    if mtime is None:
        return None
    if mtime != _cache[0]:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            record = None
        _cache = (mtime, record)
    record = _cache[1]
    if not record or record.get("state") != "running" or not _alive(record.get("pid")):
        return None
    return record


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (TypeError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
