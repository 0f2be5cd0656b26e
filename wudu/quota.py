"""Limits that hold under parallel requests: a counter row per (limit, subject, window).

`take` uses one unit with a conditional `UPDATE … SET used = used + 1 WHERE … AND used < limit`: the database
checks and counts in one statement, and the row stays locked until the transaction ends, so parallel requests
for the same subject queue on it instead of all counting the same old total (count-then-insert let 20 parallel
submissions through a limit of 5). Call it inside the transaction of the write it guards: a refused or failed
write rolls the use back, so it consumes nothing. The row of a new window is created with get_or_create; two
requests creating it at once meet at the unique constraint and the loser reads the winner's row. It holds on
PostgreSQL (row locks, READ COMMITTED) and on SQLite (one writer at a time).

Windows are fixed (the local calendar day, the clock hour …), counted from local midnight of 2000-01-01.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import QuotaCounter

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
_ATTEMPTS = 3


def window_start(now: datetime.datetime, period: datetime.timedelta) -> datetime.datetime:
    local = timezone.localtime(now)
    epoch = local.replace(year=2000, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return epoch + ((local - epoch) // period) * period


def take(name: str, subject: str, *, limit: int, period: datetime.timedelta,
         now: datetime.datetime | None = None) -> bool:
    """Use one unit of `subject`'s `limit` in the current window of `period`; False when it is used up."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("wudu.quota.take must run inside the transaction of the write it limits")
    if limit <= 0:
        return False
    lookup = dict(name=name, subject=_digest(name, subject), window=window_start(now or timezone.now(), period))
    rows = QuotaCounter.objects.filter(**lookup)
    for _attempt in range(_ATTEMPTS):
        if rows.filter(used__lt=limit).update(used=F("used") + 1):
            return True
        try:
            _counter, created = QuotaCounter.objects.get_or_create(**lookup)
        except IntegrityError:
            continue  # created and rolled back by another transaction meanwhile: try again
        if not created:
            # The row exists and the conditional update found it full (or it was created since): ask once more,
            # the answer of an UPDATE is final (it waited for the row's lock and saw the committed count).
            return bool(rows.filter(used__lt=limit).update(used=F("used") + 1))
    return False


def used(name: str, subject: str, *, period: datetime.timedelta, now: datetime.datetime | None = None) -> int:
    row = QuotaCounter.objects.filter(name=name, subject=_digest(name, subject),
                                      window=window_start(now or timezone.now(), period)).first()
    return row.used if row else 0


def prune(*, before: datetime.datetime) -> int:
    """Delete the counters of windows that started before `before` (a daily task keeps the table small)."""
    deleted, _rows = QuotaCounter.objects.filter(window__lt=before).delete()
    return deleted


def _digest(name: str, subject: str) -> str:
    return hashlib.sha256(f"{name}\x00{subject}".encode()).hexdigest()
