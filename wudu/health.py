"""/healthz: the state of the database, the broker, a Celery worker and beat, for load balancers.

200 while the database answers — "degraded" when only the task side is unwell, so that a load balancer keeps
the web node while workers restart — and 503 when the database does not. No authentication, so nothing in
the answer may help an attacker: no URLs, host names or error texts, only exception class names.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Heartbeat
from .tasks import BEAT_HEARTBEAT

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.0  # seconds, for connecting to the broker and for a worker's answer to a ping
BEAT_SLACK = 15.0  # seconds on top of three heartbeat periods before beat counts as stale
EAGER = {"status": "skipped", "detail": "not configured (eager)"}


def _ms(start: float) -> float:
    return round((time.monotonic() - start) * 1000, 1)


def _error(exc: BaseException) -> dict:
    return {"status": "error", "error": type(exc).__name__}


def check_database() -> dict:
    start = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure here means "down"; the log has the details
        logger.exception("healthz: database check failed")
        return _error(exc)
    return {"status": "ok", "latency_ms": _ms(start)}


def check_broker_and_worker() -> tuple[dict, dict]:
    if not settings.CELERY_BROKER_URL:
        return EAGER, EAGER
    from .celery import app

    start = time.monotonic()
    try:
        with app.connection_for_read(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT,
            transport_options={"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT},
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
            broker = {"status": "ok", "latency_ms": _ms(start)}
            start = time.monotonic()
            try:
                replies = app.control.ping(timeout=BROKER_TIMEOUT, limit=1, connection=conn)
            except Exception as exc:
                logger.exception("healthz: worker ping failed")
                return broker, _error(exc)
    except Exception as exc:
        logger.exception("healthz: broker check failed")
        return _error(exc), {"status": "skipped", "detail": "broker unavailable"}
    if not replies:
        return broker, {"status": "error", "error": "no worker answered", "timeout_s": BROKER_TIMEOUT}
    return broker, {"status": "ok", "latency_ms": _ms(start)}


def heartbeat_seconds() -> float:
    entry = settings.CELERY_BEAT_SCHEDULE.get("heartbeat", {})
    schedule = entry.get("schedule", 60.0)
    if isinstance(schedule, datetime.timedelta):
        return schedule.total_seconds()
    return float(schedule) if isinstance(schedule, int | float) else 60.0


def check_beat() -> dict:
    if not settings.CELERY_BROKER_URL:
        return EAGER
    threshold = 3 * heartbeat_seconds() + BEAT_SLACK
    try:
        beat_at = Heartbeat.objects.filter(name=BEAT_HEARTBEAT).values_list("beat_at", flat=True).first()
    except Exception as exc:
        logger.exception("healthz: heartbeat read failed")
        return _error(exc)
    if beat_at is None:
        return {"status": "error", "error": "no heartbeat yet", "threshold_s": threshold}
    age = round((timezone.now() - beat_at).total_seconds(), 1)
    return {"status": "ok" if age <= threshold else "stale", "age_s": age, "threshold_s": threshold}


@never_cache
@require_safe  # GET and HEAD: some load balancers probe with HEAD
def healthz(request):
    database = check_database()
    broker, worker = check_broker_and_worker()
    beat = check_beat()
    if database["status"] != "ok":
        status, http_status = "down", 503
    elif any(part["status"] not in ("ok", "skipped") for part in (broker, worker, beat)):
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    body = {"status": status, "database": database, "broker": broker, "worker": worker, "beat": beat}
    return JsonResponse(body, status=http_status, json_dumps_params={"ensure_ascii": False})
