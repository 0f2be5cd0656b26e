"""`manage.py check --deploy --fail-level WARNING` with a complete production environment: not one warning.

A fresh interpreter each time, because settings are read once per process (as tests/test_settings.py).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

READ_BY_SETTINGS = (
    "WUDU_ENV", "SECRET_KEY", "DEBUG", "DEMO_MODE", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DATABASE_URL",
    "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "HEARTBEAT_SECONDS", "SESSION_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by tests/conftest.py for Playwright; never in a deployment
)
PRODUCTION = {
    "WUDU_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEMO_MODE": "off",
    "DEBUG": "off",
    "ALLOWED_HOSTS": "wangge.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://wangge.example.cn",
    # check --deploy reads no table: the database need not answer
    "DATABASE_URL": "postgres://wudu@db.example.org:5432/wudu",
    "CELERY_BROKER_URL": "redis://redis.example.org:6379/0",
    "CACHE_URL": "redis://redis.example.org:6379/1",
}

pytestmark = pytest.mark.skipif(
    (REPO / ".env").exists(), reason="a .env file in the repository would fill in the variables these tests unset"
)


def run(code_or_args: list[str], **overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in READ_BY_SETTINGS}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="wudu.settings", **overrides)
    return subprocess.run([sys.executable, *code_or_args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def test_check_deploy_passes_at_warning_level_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload_and_redirects_to_https():
    code = """
import django; django.setup()
from django.test import Client
plain = Client().get("/accounts/login/", HTTP_HOST="wangge.example.cn")
tls = Client().get("/healthz", HTTP_HOST="wangge.example.cn", secure=True)
probe = Client().get("/healthz", HTTP_HOST="wangge.example.cn")
print(plain.status_code, plain["Location"])
print(tls["Strict-Transport-Security"])
print(probe.status_code)
"""
    result = run(["-c", code], DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    redirect, hsts, probe = result.stdout.strip().splitlines()[-3:]
    assert redirect == "301 https://wangge.example.cn/accounts/login/"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    # the load balancer probes the node over plain HTTP: /healthz answers it instead of redirecting
    assert probe in ("200", "503")


def test_an_operator_can_still_turn_the_preload_off_and_check_deploy_then_says_so():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECURE_HSTS_PRELOAD="off")
    assert result.returncode != 0
    assert "security.W021" in result.stderr
