"""The hash chain over the audit rows: one seal per day (Asia/Shanghai).

head(day) = the last h of: h = sha256(previous head + day), then for each of the day's rows, in the order of
(table name, primary key): h = sha256(h + table + canonical JSON of the row (every column, sorted keys)).
The previous head of the first seal is 64 zeros. Changing, removing or adding a row of a sealed day changes its
head; `manage.py audit_verify` recomputes every seal and names the first day that no longer matches.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import EVENT_MODELS, AccessEvent, AuditSeal

GENESIS = "0" * 64
TIME_FIELD = {AccessEvent: "at"}


def chained_models() -> list[type[models.Model]]:
    """Every table of the chain, in the order of its name."""
    return sorted([*EVENT_MODELS.values(), AccessEvent], key=lambda model: model._meta.db_table)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


class ChainEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's drops them to milliseconds)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def canonical(row: dict) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=ChainEncoder)


def _rows(model: type[models.Model], day: datetime.date):
    start, end = day_bounds(day)
    field = TIME_FIELD.get(model, "pgh_created_at")
    columns = [f.attname for f in model._meta.concrete_fields]
    return (model.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .order_by("pk").values(*columns).iterator(chunk_size=2000))


@dataclass(frozen=True)
class DayHead:
    day: datetime.date
    count: int
    head: str


def compute(day: datetime.date, previous: str) -> DayHead:
    h = hashlib.sha256(f"{previous}{day.isoformat()}".encode()).hexdigest()
    count = 0
    for model in chained_models():
        table = model._meta.db_table
        for row in _rows(model, day):
            h = hashlib.sha256(f"{h}{table}{canonical(row)}".encode()).hexdigest()
            count += 1
    return DayHead(day=day, count=count, head=h)


def _first_day() -> datetime.date | None:
    """The first day holding an audit row (the chain starts there)."""
    firsts = []
    for model in chained_models():
        field = TIME_FIELD.get(model, "pgh_created_at")
        first = model.objects.order_by(field).values_list(field, flat=True).first()
        if first is not None:
            firsts.append(timezone.localtime(first).date())
    return min(firsts) if firsts else None


def seal_through(last: datetime.date) -> list[AuditSeal]:
    """Seal every day not sealed yet up to `last` (yesterday, for the 00:20 task), oldest first. Idempotent: a day
    sealed once is never sealed again."""
    sealed = []
    with transaction.atomic():
        # one sealer at a time: the next seal needs the previous head
        latest = AuditSeal.objects.select_for_update().order_by("-date").first()
        if latest is None:
            day, previous = _first_day(), GENESIS
            if day is None:
                return []
        else:
            day, previous = latest.date + datetime.timedelta(days=1), latest.head
        while day <= last:
            result = compute(day, previous)
            sealed.append(AuditSeal.objects.create(date=day, count=result.count, head=result.head, previous=previous))
            day, previous = day + datetime.timedelta(days=1), result.head
    return sealed


@dataclass(frozen=True)
class Broken:
    day: datetime.date
    reason: str


def verify(since: datetime.date | None = None) -> tuple[int, Broken | None]:
    """Recompute each seal (from `since`, if given: days before it may have been pruned after the retention);
    return how many were checked and the first that does not match, or None."""
    seals = AuditSeal.objects.order_by("date")
    if since is not None:
        seals = seals.filter(date__gte=since)
    checked, expected_previous = 0, None
    for seal in seals.iterator():
        if expected_previous is not None and seal.previous != expected_previous:
            return checked, Broken(seal.date, "previous head does not match")
        result = compute(seal.date, seal.previous)
        checked += 1
        if result.count != seal.count:
            return checked, Broken(seal.date, f"{result.count} rows, sealed {seal.count}")
        if result.head != seal.head:
            return checked, Broken(seal.date, "head does not match (a row was changed)")
        expected_previous = seal.head
    return checked, None
