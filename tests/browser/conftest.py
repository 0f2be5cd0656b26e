"""Playwright on Debian's chromium against pytest-django's live server.

Tests here need a browser and a live server: they build the cast themselves inside the test (the server
thread must see the rows, so they use `transactional_db`, not the rolled-back `cast` fixture).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make setup` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _server_idle_before_flush(transactional_db):
    """After a journey (its pages closed first: they were set up after this), wait until the live server has finished
    the requests it was still serving, before the database is emptied for the next test. On PostgreSQL the flush's
    TRUNCATE and a late request's reads (a poll the closing page had sent) can deadlock, and a flush that fails leaves
    the next test the cast of this one."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


class PageProblems(list):
    """Console errors, failed requests and error responses seen by a page (CSP violations show up here)."""


def _open_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    problems = PageProblems()
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and "favicon.ico" not in (msg.location or {}).get("url", "") else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # A request the browser abandons because the page navigated away (the notification badge's poll when a form
    # is submitted) is not a failure of the page.
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} {req.failure}")
            if "ERR_ABORTED" not in (req.failure or "") else None)
    # base.html names no icon, so the browser's own /favicon.ico probe is not the page's fault.
    page.on("response", lambda resp: problems.append(f"HTTP {resp.status}: {resp.url}")
            if resp.status >= 400 and not resp.url.endswith("/favicon.ico") else None)
    page.problems = problems
    return context, page


@pytest.fixture
def phone(browser):
    """A page in a 360×740 phone-sized window."""
    context, page = _open_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    """A page in a 1280×800 desktop window."""
    context, page = _open_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
