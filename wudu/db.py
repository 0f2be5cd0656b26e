"""Reads of dashboards from a PostgreSQL read replica, when one is configured (DATABASE_REPLICA_URL).

Only views marked with `@replica_reads` read from the replica: ledgers, terminals and their exports, which
tolerate the replica's lag of a second or so. Everything else reads from the primary, so a person always sees
what they have just done (a case they dispatched, a visit they saved), and every write goes to the primary
whatever the view. Without a replica the router changes nothing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.db import connections

REPLICA = "replica"
_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_reads(view: Callable) -> Callable:
    """Let this view's reads go to the replica (when there is one): for read-only pages that may lag a little."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = _reading_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading_replica.reset(token)

    return wrapped


@contextmanager
def reading_replica(on: bool = True) -> Iterator[None]:
    """The same for a block (an export task's rendering): its reads may go to the replica."""
    token = _reading_replica.set(on)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    """Route the reads of `@replica_reads` views to the replica; every write, and every other read, to default."""

    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica receives the schema by replication
