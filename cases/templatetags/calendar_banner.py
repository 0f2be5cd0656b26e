"""The banner that warns the command center and the system administrators that the official holiday calendar
is about to run out (from calendar.WARN_DAYS before its end until the next year's arrangement is entered)."""

from __future__ import annotations

import datetime

from django import template
from django.core.cache import cache
from django.utils import timezone

from .. import calendar, holidays

register = template.Library()

_NONE = "none"  # cached: no official year at all


def _official_until() -> datetime.date | None:
    # One small query per hour and process at most; entering or extending a year drops the cached value.
    until = cache.get(holidays.STATUS_CACHE_KEY)
    if until is None:
        until = calendar.official_until() or _NONE
        cache.set(holidays.STATUS_CACHE_KEY, until, timeout=3600)
    return None if until == _NONE else until


@register.inclusion_tag("cases/_calendar_banner.html", takes_context=True)
def calendar_banner(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or not holidays.may_keep_calendar(user):
        return {"show": False}
    until = _official_until()
    days_left = (until - timezone.localdate()).days if until else None
    if days_left is not None and days_left > calendar.WARN_DAYS:
        return {"show": False}
    return {"show": True, "until": until, "days_left": days_left,
            "next_year": until.year + 1 if until else timezone.localdate().year, "can_enter": user.is_staff}
