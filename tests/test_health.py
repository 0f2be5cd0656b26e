"""/healthz on the embedded default (eager Celery) and with an unreachable broker.

The path against a real broker, worker and beat is in tests/celery_live/.
"""

import datetime
import socket

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from wudu.models import Heartbeat
from wudu.tasks import heartbeat_task, ping_task

pytestmark = pytest.mark.django_db


def free_port() -> int:
    """A local port nobody listens on (bound, then released), so connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_broker(settings):
    settings.CELERY_BROKER_URL = f"redis://:s3cret-broker-pw@127.0.0.1:{free_port()}/0"
    return settings


def test_healthz_on_the_embedded_default_is_ok_with_tasks_eager(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok" and body["database"]["latency_ms"] >= 0
    for part in ("broker", "worker", "beat"):
        assert body[part] == {"status": "skipped", "detail": "not configured (eager)"}


def test_healthz_needs_no_login_answers_head_and_is_never_cached(client):
    assert client.head(reverse("healthz")).status_code == 200
    response = client.get(reverse("healthz"))
    assert "no-store" in response["Cache-Control"]
    assert client.post(reverse("healthz")).status_code == 405


def test_healthz_is_503_when_the_database_does_not_answer(client):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"status": "error", "error": "OperationalError"}
    assert "connection refused" not in response.content.decode()


def test_healthz_with_an_unreachable_broker_is_degraded_but_keeps_the_node(client, dead_broker):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "error"
    assert body["worker"] == {"status": "skipped", "detail": "broker unavailable"}
    assert body["beat"]["status"] == "error" and body["beat"]["error"] == "no heartbeat yet"
    text = response.content.decode()
    assert "s3cret" not in text and "redis://" not in text and "127.0.0.1" not in text


@pytest.mark.parametrize("age, expected", [(5, "ok"), (60, "stale")])
def test_healthz_beat_is_stale_past_three_heartbeats_and_slack(client, dead_broker, age, expected):
    dead_broker.CELERY_BEAT_SCHEDULE = {"heartbeat": {"task": "wudu.tasks.heartbeat_task", "schedule": 2.0}}
    Heartbeat.objects.create(name="beat", beat_at=timezone.now() - datetime.timedelta(seconds=age), worker="w1")
    beat = client.get(reverse("healthz")).json()["beat"]
    assert beat["status"] == expected
    assert beat["threshold_s"] == 3 * 2.0 + 15.0
    assert beat["age_s"] == pytest.approx(age, abs=2)


def test_heartbeat_task_keeps_one_row_and_moves_it_forward():
    heartbeat_task.delay()
    first = Heartbeat.objects.get(name="beat").beat_at
    heartbeat_task.delay()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name="beat").beat_at >= first


def test_ping_task_answers_pong_eagerly():
    assert ping_task.delay().get(timeout=5) == "pong"


@pytest.fixture
def app_checks(monkeypatch):
    """The app checks as registered, plus whatever a test adds (dropped after it)."""
    from wudu import health

    health.check_apps(True)  # discover the apps' own checks first
    checks = dict(health._APP_CHECKS)
    monkeypatch.setattr(health, "_APP_CHECKS", checks)
    return checks


def test_healthz_shows_an_apps_warning_and_keeps_the_node_ok(client, app_checks):
    app_checks["calendar"] = lambda: {"status": "warning", "days_left": 30}
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["warnings"] == ["calendar"]
    assert body["calendar"] == {"status": "warning", "days_left": 30}


def test_healthz_is_degraded_when_an_app_check_fails_and_names_only_the_error_class(client, app_checks):
    def broken():
        raise RuntimeError("secret detail")

    app_checks["calendar"] = broken
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["calendar"] == {"status": "error", "error": "RuntimeError"}
    assert "secret detail" not in response.content.decode()


def test_healthz_reports_the_holiday_calendar_it_finds_in_the_cases_app(client):
    calendar = client.get(reverse("healthz")).json()["calendar"]
    assert calendar["official_until"] == "2026-12-31" and calendar["warn_days"] == 60
    assert calendar["status"] == ("warning" if calendar["days_left"] <= 60 else "ok")
