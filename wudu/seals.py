"""The audit's latest day seal (the head of its hash chain), for what prints it: a published bulletin.

The kernel asks and the `audit` app answers (`provide` in its ready()): bulletins do not import the audit, which
reads every app. With no audit app installed the answer is None and nothing is printed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

_provider: Callable[[], tuple[datetime.date, str] | None] | None = None


def provide(provider: Callable[[], tuple[datetime.date, str] | None]) -> None:
    global _provider
    _provider = provider


def latest_seal() -> tuple[datetime.date, str] | None:
    """(day, head) of the latest sealed day, or None before the first seal."""
    return _provider() if _provider is not None else None
