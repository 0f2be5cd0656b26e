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
    rows = AccessEvent.objects.all()
    if user_id:
        rows = rows.filter(user_id=user_id)
    if username:
        rows = rows.filter(username=username)
    if kind:
        rows = rows.filter(kind=kind)
    if target:
        rows = rows.filter(target=target)
    if start:
        rows = rows.filter(at__gte=start)
    if end:
        rows = rows.filter(at__lt=end)
    return rows


def row_events(table: str, *, user_id: int | None = None, obj_id: str = "", label: str = "",
               start: datetime.datetime | None = None, end: datetime.datetime | None = None) -> QuerySet:
    """One tracked table's history; `user_id` is the person who made the change (the context's user)."""
    rows = event_tables()[table].objects.all()
    if user_id:
        rows = rows.alias(actor=ACTOR).filter(actor=str(user_id))
    if obj_id:
        rows = rows.filter(pgh_obj_id=obj_id)
    if label:
        rows = rows.filter(pgh_label=label)
    if start:
        rows = rows.filter(pgh_created_at__gte=start)
    if end:
        rows = rows.filter(pgh_created_at__lt=end)
    return rows


def seals() -> QuerySet:
    return AuditSeal.objects.order_by("-date")
