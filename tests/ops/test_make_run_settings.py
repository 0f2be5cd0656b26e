"""`make run`'s settings: the embedded broker, DEBUG off unless asked for (the site's own 404), static files still
served, production refusing the embedded broker. A fresh interpreter per case: settings are read once per process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
READ_BY_SETTINGS = ("WUDU_ENV", "SECRET_KEY", "DEBUG", "DEMO_MODE", "ALLOWED_HOSTS", "DATABASE_URL",
                    "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "EMBEDDED_BROKER",
                    "EMBEDDED_BROKER_DIR", "CASE_TIMERS_SECONDS")

pytestmark = pytest.mark.skipif((REPO / ".env").exists(), reason="a .env file would fill in the settings unset here")

# What a visitor of `make run` meets: a mistyped address, a static file; and what the tasks run on.
PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
missing = client.get("/no-such-page/")
static = client.get("/static/css/app.css")
print(json.dumps({
    "debug": settings.DEBUG, "broker": settings.CELERY_BROKER_URL, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "transport": getattr(settings, "CELERY_BROKER_TRANSPORT", None), "results": settings.CELERY_RESULT_BACKEND,
    "timers": settings.CELERY_BEAT_SCHEDULE["case-timers"]["schedule"].__class__.__name__,
    "missing": [missing.status_code, missing.content.decode()],
    "static": [static.status_code, b"".join(static.streaming_content).decode()[:200] if static.status_code == 200 else ""],
}))
"""


def start(code: str, tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in READ_BY_SETTINGS}
    env.update({"DJANGO_SETTINGS_MODULE": "wudu.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                "EMBEDDED_BROKER_DIR": str(tmp_path / "broker"), **overrides})
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=90)


def probe(tmp_path, **overrides: str) -> dict:
    result = start(PROBE, tmp_path, **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_run_shows_the_sites_own_404_and_runs_tasks_on_the_embedded_broker(tmp_path):
    seen = probe(tmp_path, WUDU_ENV="development", EMBEDDED_BROKER="on")  # what `make run` exports

    status, page = seen["missing"]
    assert status == 404
    assert "页面不存在，或您无权查看。" in page and "网格通" in page  # templates/404.html in the site's layout
    assert "Django" not in page and "URLconf" not in page  # not the debug page, nor the routes it lists
    assert seen["static"][0] == 200 and seen["static"][1]  # WhiteNoise serves the source folders without DEBUG
    assert seen["debug"] is False
    assert (seen["broker"], seen["eager"], seen["transport"], seen["results"]) == (
        "filesystem://localhost/", False, "wudu.broker:Transport", None)


def test_a_developer_asks_for_the_debug_page_and_eager_tasks_stay_the_default(tmp_path):
    seen = probe(tmp_path, WUDU_ENV="development", DEBUG="on", CASE_TIMERS_SECONDS="2")

    assert seen["debug"] is True
    assert seen["missing"][0] == 404 and "URLconf" in seen["missing"][1]  # Django's page, asked for
    assert (seen["broker"], seen["eager"]) == ("", True)  # no broker, no EMBEDDED_BROKER: in-process, as the tests
    assert seen["timers"] == "float"  # the case timers' period shortened (CASE_TIMERS_SECONDS)


def test_production_refuses_the_embedded_broker(tmp_path):
    result = start("import django; django.setup()", tmp_path, WUDU_ENV="production", SECRET_KEY="x" * 50,
                   DEMO_MODE="off", DEBUG="off", ALLOWED_HOSTS="grid.example.org",
                   DATABASE_URL="postgres://wudu@db.example.org:5432/wudu", CELERY_BROKER_URL="filesystem://")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: The embedded broker (filesystem://) is for `make run` only: "
        "production needs CELERY_BROKER_URL=redis://… shared by every machine.")
