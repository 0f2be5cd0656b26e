"""Reads of the audit, for the audit administrator's pages and for the published bulletin."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from .models import ACTOR, EVENT_MODELS, AccessEvent, AuditSeal


def latest_head() -> AuditSeal | None:
    """The latest day seal (its `date` and `head`), printed on each published bulletin; None before the first."""
    return AuditSeal.objects.order_by("-date").first()


def latest_seal() -> tuple[datetime.date, str] | None:
    """(day, head) of the latest seal, for the kernel's `wudu.seals` (a published bulletin prints it)."""
    seal = latest_head()
    return (seal.date, seal.head) if seal is not None else None


def event_tables() -> dict[str, type]:
    """The row-history tables by the tracked model's label ("cases.Case" …), for the search's table filter."""
    return {tracked._meta.label: event for tracked, event in EVENT_MODELS.items()}


def access_events(*, user_id: int | None = None, username: str = "", kind: str = "", target: str = "",
                  start: datetime.datetime | None = None, end: datetime.datetime | None = None) -> QuerySet:
    return matching(AccessEvent.objects.all(), at="at", start=start, end=end,
                    user_id=user_id, username=username, kind=kind, target=target)


def row_events(table: str, *, user_id: int | None = None, obj_id: str = "", label: str = "",
               start: datetime.datetime | None = None, end: datetime.datetime | None = None) -> QuerySet:
    """One tracked table's history; `user_id` is the person who made the change (the context's user)."""
    rows = event_tables()[table].objects.all()
    if user_id:
        rows = rows.alias(actor=ACTOR)
    return matching(rows, at="pgh_created_at", start=start, end=end,
                    actor=str(user_id) if user_id else "", pgh_obj_id=obj_id, pgh_label=label)


def matching(rows: QuerySet, *, at: str, start: datetime.datetime | None = None,
             end: datetime.datetime | None = None, **equal) -> QuerySet:
    """The searches' one filter ladder: each value given narrows by equality (an empty one does not), and the time
    column `at` by [start, end). Every filter it builds has its index (docs/audit.md, "Reading it")."""
    wanted = {name: value for name, value in equal.items() if value}
    if start:
        wanted[f"{at}__gte"] = start
    if end:
        wanted[f"{at}__lt"] = end
    return rows.filter(**wanted)


def seals() -> QuerySet:
    return AuditSeal.objects.order_by("-date")
