"""Secrets and personal data never reach a log line.

`RedactingFilter` sits on every handler the project configures (settings.LOGGING, the dev server's request log and
gunicorn's access log through `wudu.gunicorn`), so whatever a module logs — a notice's text, a request path, an
exception's message — is masked before it is written:

- password reset links (`/accounts/reset/<uid>/<token>/`) entirely;
- residents' tracking links (`/suqiu/t/<token>/`), certificate verifications (`/zhengshu/<token>/`) and any `token=` / `key=` parameter keep their first 4 characters;
- `Authorization: Token …` / `Bearer …` values;
- 11-digit mobile numbers keep 3 + 4 digits (`139****0001`), as the pages show them;
- ID-card numbers (18 digits, or 17 and X) keep the first 6 (the region) only; a 15-digit number is a place's
  unified code more often than a pre-2004 ID card, so it is left alone.

Masking is applied to the formatted message and to the exception text, once, on the record itself, so every later
handler and formatter sees the masked text only.
"""

from __future__ import annotations

import contextlib
import logging
import re

_TRACK = re.compile(r"(/t/|/zhengshu/)([A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]{8,}")
# Password reset links (/accounts/reset/<uid>/<token>/): nothing of them is kept.
_RESET = re.compile(r"(/reset/)[A-Za-z0-9_\-]+/[A-Za-z0-9_\-]+/?")
_PARAM = re.compile(r"(?i)\b((?:token|key|tracking|password|secret)=)([^&\s\"']{0,4})[^&\s\"']*")
_AUTH = re.compile(r"(?i)\b(token|bearer)\s+[A-Za-z0-9_\-.=]{12,}")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{11}[\dXx](?![\dA-Za-z])")
# With or without the country code (+86 / 86), in one piece or grouped 3-4-4.
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[\s-]?)?1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")


def redact(text: str) -> str:
    """The text with tokens, mobile numbers and ID-card numbers masked."""
    if not text:
        return text
    text = _TRACK.sub(r"\1\2…", text)
    text = _RESET.sub(r"\1…", text)
    text = _PARAM.sub(r"\1\2…", text)
    text = _AUTH.sub(lambda m: f"{m.group(1)} …", text)
    text = _ID_NUMBER.sub(r"\1************", text)
    return _MOBILE.sub(r"\1****\2", text)


class RedactingFilter(logging.Filter):
    """Mask the record's message (with its arguments) and its exception text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_wudu_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is logged as it is, masked
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # formatters would otherwise format the raw traceback again
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._wudu_redacted = True
        return True


@contextlib.contextmanager
def quieted(*names: str):
    """The named loggers at WARNING for the block (a demo's bulk writes would log every step), restored after."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
