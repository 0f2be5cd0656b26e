"""Settings from the environment: bad values stop the process at start with a clear message.

Each case starts a fresh interpreter, because settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Variables the settings read; the tests start from none of them set, then set what each case needs.
READ_BY_SETTINGS = (
    "WUDU_ENV", "SECRET_KEY", "DEBUG", "DEMO_MODE", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "HEARTBEAT_SECONDS",
    "API_TOKEN_TTL_HOURS", "API_TOKENS_PER_USER", "API_TOKEN_MAX_LIFETIME_DAYS", "OUTBOX_HEALTH_MAX_PENDING",
    "OUTBOX_HEALTH_MAX_AGE_SECONDS",
)
PRODUCTION = {
    "WUDU_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEMO_MODE": "off",
    "DEBUG": "off",
    "ALLOWED_HOSTS": "grid.example.org",
    "DATABASE_URL": "postgres://wudu@db.example.org:5432/wudu",
}

pytestmark = pytest.mark.skipif(
    (REPO / ".env").exists(), reason="a .env file in the repository would fill in the variables these tests unset"
)


def start(**overrides: str | None) -> subprocess.CompletedProcess:
    """Start Django in a new process with the production environment plus overrides (None: unset)."""
    env = {key: value for key, value in os.environ.items() if key not in READ_BY_SETTINGS}
    env["DJANGO_SETTINGS_MODULE"] = "wudu.settings"
    for key, value in {**PRODUCTION, **overrides}.items():
        if value is not None:
            env[key] = value
    code = "import django; django.setup(); from django.conf import settings; print('started', settings.WUDU_ENV)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def assert_refused(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == f"django.core.exceptions.ImproperlyConfigured: {message}", result.stderr


def test_a_correct_production_environment_starts():
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started production"


@pytest.mark.parametrize(
    "secret_key",
    [None, "insecure-development-key-do-not-use-in-production", "too-short-0123456789"],
    ids=["missing", "the-development-default", "short"],
)
def test_production_refuses_an_insecure_secret_key(secret_key):
    assert_refused(
        start(SECRET_KEY=secret_key), "SECRET_KEY must be set to a random value of 32+ characters in production."
    )


def test_production_refuses_demo_mode():
    assert_refused(
        start(DEMO_MODE="on"), "DEMO_MODE cannot be on in production: it creates accounts with known passwords."
    )


def test_production_refuses_debug():
    assert_refused(start(DEBUG="on"), "DEBUG must be off in production.")


def test_production_refuses_missing_allowed_hosts():
    assert_refused(start(ALLOWED_HOSTS=None), "ALLOWED_HOSTS must be set in production.")


def test_production_refuses_to_fall_back_to_sqlite():
    assert_refused(start(DATABASE_URL=None), "DATABASE_URL must be set in production (postgres://user@host:5432/name).")


def test_an_unknown_environment_name_is_refused():
    assert_refused(start(WUDU_ENV="staging"), "WUDU_ENV must be development, test or production, not 'staging'")


@pytest.mark.parametrize("url", ["not-a-url", "postgres//postgres@127.0.0.1/wudu", "redis://127.0.0.1:6379/0"])
def test_a_bad_database_url_is_refused_with_a_clear_message(url):
    result = start(DATABASE_URL=url)
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: DATABASE_URL"), result.stderr
    assert "postgres@" not in last_line  # the URL may hold a password: the message names only its scheme


@pytest.mark.parametrize(("hours", "shown"), [("0", "0"), ("-1", "-1"), ("1000", "1000")])
def test_an_api_token_lifetime_out_of_range_is_refused(hours, shown):
    assert_refused(
        start(API_TOKEN_TTL_HOURS=hours), f"API_TOKEN_TTL_HOURS must be more than 0 and at most 720, not {shown}."
    )


@pytest.mark.parametrize("days", ["0", "400"])
def test_an_api_token_absolute_lifetime_out_of_range_is_refused(days):
    assert_refused(start(API_TOKEN_MAX_LIFETIME_DAYS=days), "API_TOKEN_MAX_LIFETIME_DAYS must be 1 to 365 days and "
                                                            f"no shorter than API_TOKEN_TTL_HOURS, not {days}.")


def test_the_outbox_health_limits_are_checked_at_start():
    assert_refused(start(OUTBOX_HEALTH_MAX_AGE_SECONDS="5"),
                   "OUTBOX_HEALTH_MAX_AGE_SECONDS must be at least 30 (the relay's grace and back-off), not 5.")


def test_api_tokens_per_user_must_allow_one():
    assert_refused(start(API_TOKENS_PER_USER="0"), "API_TOKENS_PER_USER must be at least 1, not 0.")
