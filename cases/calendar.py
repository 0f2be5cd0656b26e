"""Working days and working hours: Monday to Friday, except the public holidays and with the working weekends
(调休) of the `Holiday` table.

Each year of the table is either the State Council's arrangement as entered (seeded for 2024–2026 by migration
cases 0002 through chinese-calendar; later years by cases.holidays.holiday_year_enter) or provisional: the days
the statutory rules (`statutory_days`) give, without the 调休 swaps nobody can know before the arrangement is
published. A year beyond the table is computed from the rules when a deadline reaches it, so the calendar
never runs out; a deadline counted over provisional days says so (`Deadline.provisional`) and is recounted
when the official arrangement arrives."""

from __future__ import annotations

import datetime
import functools
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .models import Holiday, HolidayYear, LimitUnit

# Beyond this many calendar days the calendar is surely wrong (a limit of 720 working days is < 3 years).
_HORIZON_DAYS = 1200
# The command center and the system administrator are warned this many days before the official calendar ends.
WARN_DAYS = 60
DAY = datetime.timedelta(days=1)


class Deadline(NamedTuple):
    at: datetime.datetime
    provisional: bool  # counted over days of a provisional calendar year


# ------------------------------------------------------------------------------------ the statutory rules


@functools.lru_cache(maxsize=64)
def statutory_days(year: int) -> tuple[tuple[datetime.date, str], ...]:
    """The weekdays off that 《全国年节及纪念日放假办法》 (as revised in 2024) gives in `year`, sorted.

    New Year's Day 1 day, the Spring Festival 4 (除夕 to 初三), Qingming 1 (the solar term's day), Labour Day 2
    (1–2 May), the Dragon Boat Festival 1 (lunar 5/5), Mid-Autumn 1 (lunar 8/15), National Day 3 (1–3 October).
    A holiday on a Saturday or Sunday, or on a day another festival already has, is made up on the next free
    weekday after the festival (art. 6: 适逢星期六、星期日，应当在工作日补假). The 调休 swaps of the official
    arrangement are not rules and are left out: a provisional year has no working weekends."""
    import chinese_calendar
    from lunardate import LunarDate

    def lunar(month: int, day: int) -> datetime.date:
        return LunarDate(year, month, day).to_solar_date()

    # 除夕 is the day before the first of the first month, whether the twelfth month has 29 days or 30.
    eve = lunar(1, 1) - DAY
    qingming = next(day for day, term in chinese_calendar.get_solar_terms(
        datetime.date(year, 4, 1), datetime.date(year, 4, 30)) if term == "清明")
    festivals = [
        ("元旦", [datetime.date(year, 1, 1)]),
        ("春节", [eve + n * DAY for n in range(4)]),
        ("清明节", [qingming]),
        ("劳动节", [datetime.date(year, 5, 1), datetime.date(year, 5, 2)]),
        ("端午节", [lunar(5, 5)]),
        ("中秋节", [lunar(8, 15)]),
        ("国庆节", [datetime.date(year, 10, d) for d in (1, 2, 3)]),
    ]
    off: dict[datetime.date, str] = {}
    for name, days in sorted(festivals, key=lambda festival: festival[1][0]):
        owed = 0
        for day in days:
            if day.weekday() < 5 and day not in off:
                off[day] = name
            else:
                owed += 1
        day = days[-1]
        while owed:
            day += DAY
            if day.weekday() < 5 and day not in off:
                off[day] = f"{name}补假"
                owed -= 1
    return tuple(sorted(off.items()))


# ------------------------------------------------------------------------------------ the table


def _official_until(years: dict[int, bool]) -> datetime.date | None:
    """The end of the run of official years (a year entered far ahead leaves the years before it provisional)."""
    official = sorted(year for year, provisional in years.items() if not provisional)
    if not official:
        return None
    last = official[0]
    while years.get(last + 1) is False:
        last += 1
    return datetime.date(last, 12, 31)


class Calendar:
    """The exceptions to Monday–Friday between two dates, and which days are provisional (two queries)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.years = dict(HolidayYear.objects.values_list("year", "provisional"))
        self.official_until = _official_until(self.years)
        self.exceptions = dict(Holiday.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))
        for year in range(start.year, end.year + 1):
            if year not in self.years and self.is_provisional(datetime.date(year, 1, 1)):
                for day, _name in statutory_days(year):
                    if start <= day <= end:
                        self.exceptions.setdefault(day, False)

    def is_working_day(self, day: datetime.date) -> bool:
        return is_working_day(day, self.exceptions)

    def is_provisional(self, day: datetime.date) -> bool:
        """A day of a provisional year, or of a year after the official run that the table does not have yet."""
        if day.year in self.years:
            return self.years[day.year]
        return self.official_until is None or day > self.official_until


def is_working_day(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def official_until() -> datetime.date | None:
    """The last day of the official calendar: the end of the run of years whose arrangement has been entered."""
    return _official_until(dict(HolidayYear.objects.values_list("year", "provisional")))


class CalendarStatus(NamedTuple):
    official_until: datetime.date | None
    days_left: int | None
    warn: bool  # within WARN_DAYS of the end of the official calendar (or past it)


def calendar_status(today: datetime.date | None = None) -> CalendarStatus:
    today = today or timezone.localdate()
    until = official_until()
    if until is None:
        return CalendarStatus(None, None, True)
    days_left = (until - today).days
    return CalendarStatus(until, days_left, days_left <= WARN_DAYS)


# ------------------------------------------------------------------------------------ working days


def _count_working_days(start: datetime.datetime, days: int) -> Deadline:
    local = timezone.localtime(start)
    calendar = Calendar(local.date(), local.date() + datetime.timedelta(days=_HORIZON_DAYS))
    day, left = local.date(), days
    while left > 0:
        day += DAY
        if calendar.is_working_day(day):
            left -= 1
    return Deadline(local.replace(year=day.year, month=day.month, day=day.day), calendar.is_provisional(day))


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The same local time of day, `days` working days after `start`'s date (two queries)."""
    return _count_working_days(start, days).at


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    calendar = Calendar(start, end)
    return sum(1 for n in range(1, (end - start).days + 1) if calendar.is_working_day(start + n * DAY))


# ------------------------------------------------------------------------------------ working hours

# Local practice (许昌): mornings 08:30–12:00 all year; afternoons 14:30–18:00 in winter and 15:00–18:30 in summer
# (May to September). settings.OFFICE_HOURS may give the same shape, or one list of spans for the whole year.
DEFAULT_OFFICE_HOURS = {
    "summer_months": [5, 6, 7, 8, 9],
    "summer": ["08:30-12:00", "15:00-18:30"],
    "winter": ["08:30-12:00", "14:30-18:00"],
}

Spans = tuple[tuple[datetime.time, datetime.time], ...]


def _spans(value, where: str) -> Spans:
    spans = []
    try:
        for text in value:
            begin, end = (datetime.time.fromisoformat(part.strip()) for part in text.split("-"))
            spans.append((begin, end))
    except (TypeError, ValueError, AttributeError):
        spans = []
    ordered = all(b < e for b, e in spans) and all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    if not spans or not ordered:
        raise ImproperlyConfigured(
            f"OFFICE_HOURS{where} must be a list of spans in order like ['08:30-12:00', '14:30-18:00'], not {value!r}")
    return tuple(spans)


class OfficeHours(NamedTuple):
    summer_months: frozenset[int]
    summer: Spans
    winter: Spans

    def on(self, day: datetime.date) -> Spans:
        return self.summer if day.month in self.summer_months else self.winter


def office_hours() -> OfficeHours:
    """The office's spans on a working day (settings.OFFICE_HOURS, default DEFAULT_OFFICE_HOURS)."""
    value = getattr(settings, "OFFICE_HOURS", DEFAULT_OFFICE_HOURS)
    if isinstance(value, list | tuple):
        spans = _spans(value, "")
        return OfficeHours(frozenset(), spans, spans)
    if not isinstance(value, dict) or not {"summer", "winter"} <= set(value):
        raise ImproperlyConfigured("OFFICE_HOURS must be a list of spans, or a dict with 'summer', 'winter' and "
                                   f"'summer_months', not {value!r}")
    months = frozenset(value.get("summer_months", ()))
    if not months <= set(range(1, 13)):
        raise ImproperlyConfigured(f"OFFICE_HOURS['summer_months'] must be month numbers, not {sorted(months)!r}")
    return OfficeHours(months, _spans(value["summer"], "['summer']"), _spans(value["winter"], "['winter']"))


def add_working_hours(start: datetime.datetime, hours: float) -> Deadline:
    """`hours` of office time after `start`: nights, the lunch break, weekends and holidays do not count. Work
    that ends exactly at a break ends there (12:00), not when the office opens again."""
    local = timezone.localtime(start)
    tz, hours_on = local.tzinfo, office_hours().on
    calendar = Calendar(local.date(), local.date() + datetime.timedelta(days=_HORIZON_DAYS))
    left = datetime.timedelta(hours=hours)
    day = local.date()
    while day <= local.date() + datetime.timedelta(days=_HORIZON_DAYS):
        if calendar.is_working_day(day):
            for begin, end in hours_on(day):
                begin = max(datetime.datetime.combine(day, begin, tz), local)
                end = datetime.datetime.combine(day, end, tz)
                if begin >= end:
                    continue
                if end - begin >= left:
                    return Deadline(begin + left, calendar.is_provisional(day))
                left -= end - begin
        day += DAY
    raise ValueError("a working-hours limit beyond the calendar's horizon")


# ------------------------------------------------------------------------------------ deadlines


def deadline(start: datetime.datetime, amount: int, unit: str) -> Deadline:
    """When a limit of `amount` `unit`s from `start` runs out, and whether provisional days were counted."""
    if unit == LimitUnit.HOURS:
        return Deadline(start + datetime.timedelta(hours=amount), False)  # calendar hours know no calendar
    if unit == LimitUnit.WORKING_HOURS:
        return add_working_hours(start, amount)
    return _count_working_days(start, amount)


def deadline_for(start: datetime.datetime, amount: int, unit: str) -> datetime.datetime:
    return deadline(start, amount, unit).at


def due_soon_at(start: datetime.datetime, deadline: datetime.datetime) -> datetime.datetime:
    """When 80 % of the time allowed has been used."""
    return start + (deadline - start) * 0.8
