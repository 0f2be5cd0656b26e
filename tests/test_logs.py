"""Secrets and personal data never reach the logs: the handlers configured by settings.LOGGING mask residents'
tracking links, mobile numbers and ID-card numbers on every line, whatever logged them. (The live worker's log file
is scanned the same way in tests/celery_live.)"""

import io
import logging
import re

import pytest

from cases.notify import tracking_url
from wudu.logs import RedactingFilter, redact

from .cases.conftest import categories, key  # noqa: F401 - the fixture is used by name

MOBILE = "13812345678"
ID_NUMBER = "410102199001011234"


@pytest.fixture
def configured_log():
    """What the project's configured handlers (root and the dev server's request log) write during the test."""
    stream = io.StringIO()
    handlers = {h for name in ("", "django.server") for h in logging.getLogger(name).handlers
                if any(isinstance(f, RedactingFilter) for f in h.filters)}
    assert handlers, "settings.LOGGING configures no masking handler"
    previous = [(h, h.setStream(stream)) for h in handlers]
    yield stream
    for handler, old in previous:
        handler.setStream(old)


def secrets_in(text: str, *secrets: str) -> list[str]:
    return [secret for secret in secrets if secret in text]


def test_a_residents_notices_are_logged_without_the_link_or_the_mobile(cast, categories, configured_log,  # noqa: F811
                                                                        settings, django_capture_on_commit_callbacks):
    from cases import services

    settings.NOTIFY_CHANNELS = ["log"]
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit_public(category=categories["city"], description="路灯不亮", resident_mobile=MOBILE,
                                           key=key(), lng=113.1, lat=34.7, client_ip="203.0.113.9")
    text = configured_log.getvalue()
    assert case.reference in text and "138****5678" in text  # the notice is recorded …
    assert secrets_in(text, case.tracking_token, tracking_url(case), MOBILE) == []  # … not its secrets


def test_the_request_log_masks_a_tracking_link(client, cast, categories, configured_log):  # noqa: F811
    from cases import services

    case = services.case_submit_public(category=categories["city"], description="路灯不亮", resident_mobile=MOBILE,
                                       key=key(), lng=113.1, lat=34.7)
    path = f"/suqiu/t/{case.tracking_token}/"
    logging.getLogger("django.server").info('"GET %s HTTP/1.1" 200 1234', path)
    logging.getLogger("django.request").warning("Not Found: %s?token=%s", path, case.tracking_token)
    text = configured_log.getvalue()
    assert "/suqiu/t/" in text and secrets_in(text, case.tracking_token) == []


def test_an_exception_logged_with_personal_data_is_masked(configured_log):
    try:
        raise ValueError(f"居民 {MOBILE} 身份证 {ID_NUMBER} 提交失败")
    except ValueError:
        logging.getLogger("cases").exception("提交失败：%s", MOBILE)
    text = configured_log.getvalue()
    assert "ValueError" in text and "138****5678" in text
    assert secrets_in(text, MOBILE, ID_NUMBER) == []


@pytest.mark.parametrize(("raw", "masked"), [
    ("notice to 13812345678", "notice to 138****5678"),
    ("+8613812345678", "+86138****5678"),  # the country code does not hide the number
    ("身份证410102199001011234", "身份证410102************"),
    ("身份证 41010219900101123X", "身份证 410102************"),
    ("http://x/suqiu/t/AbCdEfGhIjKlMnOpQrStUvWxYz012345/", "http://x/suqiu/t/AbCd…/"),
    ("GET /api/v1/x?token=abcdef123456&page=2", "GET /api/v1/x?token=abcd…&page=2"),
    ("Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "Authorization: Token …"),
    ("受理编号 2026112900001，共 12 件", "受理编号 2026112900001，共 12 件"),  # a 13-digit reference is not a phone
])
def test_redact(raw, masked):
    assert redact(raw) == masked


def test_every_configured_handler_masks():
    """A handler added to settings.LOGGING later must carry the filter too."""
    from django.conf import settings

    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), f"handler {name!r} writes unmasked lines"
    assert re.search(r"RedactingFilter", settings.LOGGING["filters"]["redact"]["()"])


def test_gunicorns_access_log_masks_a_tracking_link(tmp_path):
    """`make serve` and deploy/ run gunicorn with wudu.gunicorn.RedactingLogger: its access line carries the path."""
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    from wudu.gunicorn import RedactingLogger

    token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = RedactingLogger(config)
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    request = SimpleNamespace(headers=[], uri=f"/suqiu/t/{token}/", path=f"/suqiu/t/{token}/",
                              query="", method="GET", version=(1, 1))
    environ = {"REMOTE_ADDR": "203.0.113.9", "RAW_URI": f"/suqiu/t/{token}/", "PATH_INFO": f"/suqiu/t/{token}/",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET"}
    logger.access(response, request, environ, datetime.timedelta(seconds=0.01))
    logger.error("worker failed for /suqiu/t/%s/ from 13812345678", token)
    for handler in logger.access_log.handlers + logger.error_log.handlers:
        handler.flush()
    text = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert "/suqiu/t/AbCd…/" in text
    assert token not in text and "13812345678" not in text
