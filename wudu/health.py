"""/healthz: the state of the database, the broker, a Celery worker and beat, and the outbox's backlog, for load
balancers.

200 while the database answers — "degraded" when only the task side is unwell, so that a load balancer keeps
the web node while workers restart — and 503 when the database does not. No authentication, so nothing in
the answer may help an attacker: no URLs, host names or error texts, only exception class names.

Apps add checks of their own without the kernel importing them: an app's `health` module registers a function
with `@register("name")`; the modules are found the way the admin finds `admin` modules, on the first probe.
A check answers "ok", "warning" (shown, and the node stays "ok": someone has work to do, nothing is broken) or
"error" (the node is "degraded").

Cheap for anyone who asks: the answer is kept for HEALTHZ_CACHE_SECONDS in the process (not the shared cache: it
is this node's health, and it must answer while Redis is down), so a flood runs the checks once per process per
period; past HEALTHZ_RATE requests per client address the answer is 429. A system administrator's session gets
a fresh answer, never limited.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_ratelimit.core import ALL, get_usage

from .duties import Duty, has_duty
from .models import Heartbeat, OutboxMessage
from .net import ratelimit_key
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


def check_outbox() -> dict:
    """The outbox's backlog (wudu/outbox.py): how many messages wait for the broker and the age of the oldest, in
    one query on the partial index of unsent rows. Past OUTBOX_HEALTH_MAX_PENDING messages or
    OUTBOX_HEALTH_MAX_AGE_SECONDS the node is degraded: nothing is lost, but notices are late and nobody relays."""
    try:
        backlog = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(pending=Count("pk"),
                                                                                oldest=Min("created_at"))
    except Exception as exc:
        logger.exception("healthz: outbox read failed")
        return _error(exc)
    pending, oldest = backlog["pending"], backlog["oldest"]
    age = round(max((timezone.now() - oldest).total_seconds(), 0.0), 1) if oldest else 0.0
    late = pending > settings.OUTBOX_HEALTH_MAX_PENDING or age > settings.OUTBOX_HEALTH_MAX_AGE_SECONDS
    return {"status": "error" if late else "ok", "pending": pending, "oldest_age_s": age,
            "max_pending": settings.OUTBOX_HEALTH_MAX_PENDING,
            "max_age_s": settings.OUTBOX_HEALTH_MAX_AGE_SECONDS}


_APP_CHECKS: dict[str, Callable[[], dict]] = {}
_discovered = False


def register(name: str):
    """Add an app's check to /healthz under `name` (from the app's own `health` module)."""
    def decorate(check: Callable[[], dict]) -> Callable[[], dict]:
        _APP_CHECKS[name] = check
        return check
    return decorate


def check_apps(database_ok: bool) -> dict[str, dict]:
    global _discovered
    if not _discovered:
        autodiscover_modules("health")
        _discovered = True
    results = {}
    for name, check in sorted(_APP_CHECKS.items()):
        if not database_ok:
            results[name] = {"status": "skipped", "detail": "database unavailable"}
            continue
        try:
            results[name] = check()
        except Exception as exc:
            logger.exception("healthz: %s check failed", name)
            results[name] = _error(exc)
    return results


CACHE_KEY = "wudu.healthz"


def _throttled(request) -> JsonResponse | None:
    """429 past HEALTHZ_RATE probes from this address; if the shared cache that counts them is down, no limit
    (the answer is cached anyway, and the load balancer must still see the node)."""
    try:
        usage = get_usage(request, group="wudu.healthz", key=ratelimit_key, method=ALL, increment=True,
                          rate=settings.HEALTHZ_RATE)
    except Exception:
        logger.warning("healthz: rate-limit counter unavailable", exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    seconds = max(usage["time_left"], 1)
    response = JsonResponse({"status": "throttled", "retry_after_s": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_safe  # GET and HEAD: some load balancers probe with HEAD
def healthz(request):
    if has_duty(request.user, Duty.SYSTEM):
        body, http_status = probe()
    else:
        throttled = _throttled(request)
        if throttled is not None:
            return throttled
        cache = caches["process"]
        cached = cache.get(CACHE_KEY) if settings.HEALTHZ_CACHE_SECONDS > 0 else None
        if cached is None:
            cached = probe()
            if settings.HEALTHZ_CACHE_SECONDS > 0:
                cache.set(CACHE_KEY, cached, settings.HEALTHZ_CACHE_SECONDS)
        body, http_status = cached
    return JsonResponse(body, status=http_status, json_dumps_params={"ensure_ascii": False})


def probe() -> tuple[dict, int]:
    """Run every check now: the answer's body and its HTTP status."""
    database = check_database()
    broker, worker = check_broker_and_worker()
    beat = check_beat()
    database_ok = database["status"] == "ok"
    outbox = check_outbox() if database_ok else {"status": "skipped", "detail": "database unavailable"}
    apps = check_apps(database_ok)
    if not database_ok:
        status, http_status = "down", 503
    elif any(part["status"] not in ("ok", "skipped", "warning")
             for part in (broker, worker, beat, outbox, *apps.values())):
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    body = {"status": status, "database": database, "broker": broker, "worker": worker, "beat": beat,
            "outbox": outbox, **apps}
    warnings = sorted(name for name, part in apps.items() if part["status"] == "warning")
    if warnings:
        body["warnings"] = warnings
    return body, http_status
