"""Working days: Monday to Friday, except the public holidays and with the working weekends (调休) of the
configurable `Holiday` table (seeded from the State Council's calendar for 2024–2026 by migration cases 0002, through chinese-calendar)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Holiday, LimitUnit

# Beyond this many calendar days the calendar is surely wrong (a limit of 720 working days is < 3 years).
_HORIZON_DAYS = 1200


def _exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(Holiday.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def is_working_day(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The same local time of day, `days` working days after `start`'s date (one query)."""
    local = timezone.localtime(start)
    exceptions = _exceptions(local.date(), local.date() + datetime.timedelta(days=_HORIZON_DAYS))
    day, left = local.date(), days
    while left > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            left -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def deadline_for(start: datetime.datetime, amount: int, unit: str) -> datetime.datetime:
    if unit == LimitUnit.HOURS:
        return start + datetime.timedelta(hours=amount)
    return add_working_days(start, amount)


def due_soon_at(start: datetime.datetime, deadline: datetime.datetime) -> datetime.datetime:
    """When 80 % of the time allowed has been used."""
    return start + (deadline - start) * 0.8


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    exceptions = _exceptions(start, end)
    return sum(
        1 for n in range(1, (end - start).days + 1)
        if is_working_day(start + datetime.timedelta(days=n), exceptions)
    )
