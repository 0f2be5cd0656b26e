"""/healthz is cheap for anyone: one probe per period answers everyone, and one address cannot flood it."""

import pytest
from django.urls import reverse

from wudu import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def probes(monkeypatch):
    """Count the real probes behind the answers."""
    calls = []
    real = health.probe

    def counting():
        calls.append(1)
        return real()

    monkeypatch.setattr(health, "probe", counting)
    return calls


def test_a_burst_of_probes_runs_the_checks_once_per_period(client, probes, settings):
    settings.HEALTHZ_CACHE_SECONDS = 60
    answers = [client.get(reverse("healthz")) for _ in range(20)]
    assert {answer.status_code for answer in answers} == {200}
    assert len(probes) == 1
    assert "no-store" in answers[-1]["Cache-Control"]  # the copy is ours, not a proxy's


def test_the_copy_expires_and_then_shows_an_outage(client, settings, monkeypatch):
    settings.HEALTHZ_CACHE_SECONDS = 60
    assert client.get(reverse("healthz")).json()["status"] == "ok"
    monkeypatch.setattr(health, "check_database", lambda: {"status": "error", "error": "OperationalError"})
    assert client.get(reverse("healthz")).status_code == 200  # still the copy
    from django.core.cache import caches

    caches["process"].delete(health.CACHE_KEY)  # as the period running out does
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["status"] == "down"


def test_one_address_past_the_rate_gets_429_and_another_address_is_still_answered(client, settings):
    settings.HEALTHZ_RATE = "5/m"
    codes = [client.get(reverse("healthz"), REMOTE_ADDR="203.0.113.7").status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    throttled = client.get(reverse("healthz"), REMOTE_ADDR="203.0.113.7")
    assert int(throttled["Retry-After"]) >= 1 and throttled.json() == {
        "status": "throttled", "retry_after_s": int(throttled["Retry-After"])}
    assert client.get(reverse("healthz"), REMOTE_ADDR="203.0.113.8").status_code == 200


def test_when_the_shared_cache_is_down_the_probe_still_answers(client, settings):
    settings.CACHES = {**settings.CACHES, "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2}}}
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_a_system_administrator_gets_a_fresh_answer_and_is_never_limited(client, cast, settings, probes):
    settings.HEALTHZ_CACHE_SECONDS = 60
    settings.HEALTHZ_RATE = "1/m"
    client.force_login(cast.admin, backend="django.contrib.auth.backends.ModelBackend")
    assert [client.get(reverse("healthz")).status_code for _ in range(3)] == [200] * 3
    assert len(probes) == 3


def _unsent(age_seconds: float, n: int = 1):
    import datetime
    import uuid

    from django.utils import timezone

    from wudu.models import OutboxMessage

    at = timezone.now() - datetime.timedelta(seconds=age_seconds)
    OutboxMessage.objects.bulk_create([OutboxMessage(key=uuid.uuid4().hex, task="wudu.tasks.ping_task", created_at=at,
                                                     next_attempt_at=at) for _ in range(n)])


def test_the_outbox_backlog_is_reported_in_one_query_and_ok_while_small(client, settings, django_assert_num_queries):
    settings.HEALTHZ_CACHE_SECONDS = 0
    _unsent(20, n=3)
    with django_assert_num_queries(1):
        part = health.check_outbox()
    assert part["status"] == "ok" and part["pending"] == 3 and 19 <= part["oldest_age_s"] < 60
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok" and body["outbox"]["pending"] == 3


@pytest.mark.parametrize(("age", "count"), [(400, 1), (10, 6)], ids=["too-old", "too-many"])
def test_an_outbox_backlog_past_its_limits_marks_the_node_degraded(client, settings, age, count):
    settings.HEALTHZ_CACHE_SECONDS = 0
    settings.OUTBOX_HEALTH_MAX_AGE_SECONDS = 300
    settings.OUTBOX_HEALTH_MAX_PENDING = 5
    _unsent(age, n=count)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200  # the node keeps serving: nothing is lost, only late
    body = response.json()
    assert body["status"] == "degraded" and body["outbox"]["status"] == "error"
    assert body["outbox"]["pending"] == count
