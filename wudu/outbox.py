"""The outbox: a task is a row written in the transaction of the change that asks for it, so that a broker outage
loses nothing and blocks nobody.

- `enqueue(task, *args, key=..., **kwargs)` writes an `OutboxMessage` in the caller's transaction. After commit it
  publishes the message at once, on its own broker connection with a short timeout and no retry, and never
  touches the result backend (the message asks for no result); a broker that does not answer leaves the row
  unsent and the request answers at once. With no broker (`CELERY_TASK_ALWAYS_EAGER`, the embedded default) the
  task runs in-process on commit, as `.delay()` did.
- `enqueue_coalesced(task, *args, group=..., delay=...)` debounces: one waiting message per group, published by
  the relay `delay` after the first change asked for it (a burst of late records → one run, after the burst).
- `relay()` publishes every unsent row that is due, oldest first, with a growing back-off between attempts of one
  row; `manage.py outbox_relay` runs it in a loop beside the worker, and beat's `outbox_relay_task` is a second
  path. Delivery is at least once: a message may arrive twice (published, then the relay or the web process died
  before it wrote `sent_at`).
- So consumers are idempotent. The message's key is the Celery task id (`self.request.id`); an effect that must
  not happen twice (an SMS) is done inside `once(key)`, which records it.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxEffect, OutboxMessage

log = logging.getLogger("wudu.outbox")

# A row the web process will publish right after commit is left to it for this long before the relay takes it.
RELAY_GRACE = datetime.timedelta(seconds=10)
BACKOFF_MAX_SECONDS = 300


def enqueue(task, *args, key: str | None = None, **kwargs) -> OutboxMessage:
    """Run `task(*args, **kwargs)` once the caller's transaction commits, even if the broker is down now.

    `task` is a Celery task or its name; arguments must be JSON. `key` names the message (unique): a key already
    written adds no row (its message may be published once more: consumers are idempotent). Without one, a new key
    is drawn. One INSERT in the caller's transaction, nothing else until it commits."""
    name = task if isinstance(task, str) else task.name
    now = timezone.now()
    message = OutboxMessage(key=key or uuid.uuid4().hex, task=name, args=list(args), kwargs=kwargs, created_at=now,
                            next_attempt_at=now + RELAY_GRACE)
    OutboxMessage.objects.bulk_create([message], ignore_conflicts=True)
    transaction.on_commit(lambda: _after_commit(message))
    return message


def enqueue_coalesced(task, *args, group: str, delay: datetime.timedelta, **kwargs) -> OutboxMessage | None:
    """Debounced `enqueue`: while a message of `group` is still waiting, another change joins it instead of adding
    one. The first change writes a message due `delay` later (the relay publishes it; nothing is sent on commit),
    so a burst (a phone syncing a day of offline visits) runs the task once, after the burst, and sees all of it.

    Returns the new message, or None when a waiting one will do. Waiting means unsent and not being published
    now: the row is locked (FOR UPDATE) until the caller commits, so the relay cannot send it before the caller's
    change is visible; a row the relay holds is skipped and a new message written (at worst one run more, never
    one less). SQLite has no row locks: a relay publishing at that instant may run the task before the change
    commits (its writers are serialized; the task runs eagerly there by default, see below). Without a broker
    (eager) there is nothing to wait for: the task runs on commit, as `enqueue`'s do."""
    if settings.CELERY_TASK_ALWAYS_EAGER or delay <= datetime.timedelta(0):
        return enqueue(task, *args, key=f"{group}:{uuid.uuid4().hex}", **kwargs)
    waiting = list(OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(key__startswith=f"{group}:", sent_at__isnull=True).values_list("id", flat=True)[:1])
    if waiting:
        return None
    name = task if isinstance(task, str) else task.name
    now = timezone.now()
    message = OutboxMessage(key=f"{group}:{uuid.uuid4().hex}", task=name, args=list(args), kwargs=kwargs,
                            created_at=now, next_attempt_at=now + delay)
    message.save(force_insert=True)
    return message


def _after_commit(message: OutboxMessage) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        _run_here(message)
        return
    # The change is committed: nothing here may fail the request. What is not marked sent, the relay sends.
    try:
        with broker_connection() as connection:
            publish(message, connection)
    except Exception as error:  # noqa: BLE001 - whatever the broker did, the relay will try again
        log.warning("outbox: %s %s not published now (%s); the relay will send it", message.task, message.key,
                    type(error).__name__)
        _quietly(_failed, message, error)
    else:
        _quietly(_sent, message)


def _quietly(record, *args) -> None:
    try:
        record(*args)
    except Exception:  # the database went away after the commit: the row stays unsent, the relay sends it
        log.exception("outbox: could not record the publication of %s", args[0].key)


def _run_here(message: OutboxMessage) -> None:
    """No broker: the task runs in this process (eager), as `.delay()` did; its error propagates as before."""
    from .celery import app

    if message.task not in app.tasks:  # sent by name (a kernel module that cannot import its tasks module)
        app.loader.import_default_modules()
    try:
        app.tasks[message.task].apply(message.args, message.kwargs, task_id=message.key,
                                      throw=settings.CELERY_TASK_EAGER_PROPAGATES)
    except Exception as error:
        _failed(message, error)
        raise
    _sent(message)


@contextmanager
def broker_connection():
    """A connection of its own to the broker that gives up after OUTBOX_PUBLISH_TIMEOUT_SECONDS, with no retry."""
    from .celery import app

    timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
    options = {**app.conf.broker_transport_options, "socket_timeout": timeout, "socket_connect_timeout": timeout,
               "max_retries": 0}
    connection = app.connection_for_write(settings.CELERY_BROKER_URL or None, connect_timeout=timeout,
                                          transport_options=options)
    try:
        yield connection
    finally:
        connection.release()


def publish(message: OutboxMessage, connection) -> None:
    """Hand one message to the broker. No result is asked for: the result backend is never touched (a Redis result
    backend that does not answer retries for ~20 s); no publish retry either (the relay is the retry)."""
    from .celery import app

    app.send_task(message.task, args=message.args, kwargs=message.kwargs, task_id=message.key,
                  connection=connection, retry=False, ignore_result=True)


def _sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(key=message.key, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="")


def _failed(message: OutboxMessage, error: BaseException) -> None:
    attempts = message.attempts  # as read or written by this process: a write must not read a lagging replica
    OutboxMessage.objects.filter(key=message.key, sent_at__isnull=True).update(
        attempts=attempts + 1, last_error=f"{type(error).__name__}: {error}"[:500],
        next_attempt_at=timezone.now() + backoff(attempts + 1))


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next attempt of a row that failed `attempts` times: 1, 2, 4 … s, at most 5 minutes."""
    return datetime.timedelta(seconds=min(2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def relay(*, batch: int = 100, now: datetime.datetime | None = None) -> dict[str, int]:
    """Publish the unsent messages that are due, oldest first. The first failure ends the pass (the broker is most
    likely down: that row backs off, the others keep their turn). Several relays may run: each locks its rows."""
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        due = list(OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(sent_at__isnull=True, next_attempt_at__lte=now).order_by("next_attempt_at", "id")[:batch])
        try:
            with broker_connection() if due else _nothing() as connection:
                for message in due:
                    publish(message, connection)
                    _sent(message)
                    sent += 1
        except Exception as error:  # noqa: BLE001 - the broker's trouble: back off and come again
            _failed(due[sent], error)
            failed = 1
            log.warning("outbox relay: broker refused (%s: %s); %d sent in this pass", type(error).__name__,
                        error, sent)
    left = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    return {"sent": sent, "failed": failed, "left": left}


@contextmanager
def _nothing():
    yield None


def prune(*, before: datetime.datetime) -> int:
    """Forget messages sent and effects done before `before` (a redelivery that late is not expected)."""
    messages, _ = OutboxMessage.objects.filter(sent_at__lt=before).delete()
    effects, _ = OutboxEffect.objects.filter(done_at__lt=before).delete()
    return messages + effects


@contextmanager
def once(key: str) -> Iterator[bool]:
    """Do an effect at most once per key, inside a transaction: `with once(f"sms:{event.pk}") as first: if first:
    send(...)`. The key is recorded before the effect and kept only if the block ends without an error, so a failed
    effect is tried again by the task's retry; a process killed between the effect and the commit does it again on
    redelivery (at least once, duplicated only in that gap)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                OutboxEffect.objects.create(key=key, done_at=timezone.now())
        except IntegrityError:  # done before (or being done by a concurrent delivery, which we waited for)
            first = False
        else:
            first = True
        yield first
