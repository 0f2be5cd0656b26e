"""Writes of the holiday calendar by whole years: the provisional years computed from the statutory rules, the
State Council's arrangement when it is entered (the admin page and `manage.py load_holidays` both call
`holiday_year_enter`), the cases whose deadlines it recounts, and the warning before the official calendar
runs out (a notice once, a banner and /healthz until the next year is entered)."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Place
from wudu import scope
from wudu.duties import Duty, has_duty
from wudu.scope import Role

from . import calendar, counters
from .models import OPEN, Alert, Case, CaseEvent, Holiday, HolidayYear, LimitUnit, Notification

RULES_SOURCE = "《全国年节及纪念日放假办法》推算（暂定）"
# Provisional years are stored this far ahead of today, so that the admin shows what deadlines count on.
YEARS_AHEAD = 3
KEEPERS = (Role.SYSTEM_ADMIN, Role.COMMAND_CENTER)
# The banner's reading of calendar.calendar_status, dropped whenever a year is entered or extended.
STATUS_CACHE_KEY = "cases:calendar-status"


@dataclass(frozen=True)
class Day:
    date: datetime.date
    is_workday: bool
    name: str


def may_keep_calendar(user) -> bool:
    """The holiday calendar is configuration: the system administrator's duty (三权分立, `has_duty`: a superuser in
    production holds none), and the command center's, whose deadlines it sets."""
    return has_duty(user, Duty.SYSTEM) or scope.has_role(user, Role.COMMAND_CENTER)


def _require_keeper(actor) -> None:
    # actor None: a management command or a migration, run by whoever runs the server.
    if actor is not None and not may_keep_calendar(actor):
        raise PermissionDenied(_("只有系统管理员或指挥中心可以录入放假安排。"))


def forget_status() -> None:
    cache.delete(STATUS_CACHE_KEY)


# ------------------------------------------------------------------------------------ provisional years


def holiday_years_extend(*, until_year: int | None = None, now: datetime.datetime | None = None) -> list[int]:
    """Store the provisional years after the last one in the table, up to `until_year` (default: YEARS_AHEAD
    years after today's). Idempotent; a day an administrator already entered is kept."""
    now = now or timezone.now()
    until_year = until_year or timezone.localtime(now).year + YEARS_AHEAD
    with transaction.atomic():
        last = HolidayYear.objects.select_for_update().order_by("-year").values_list("year", flat=True).first()
        first = (last + 1) if last else timezone.localtime(now).year
        years = list(range(first, until_year + 1))
        for year in years:
            HolidayYear.objects.create(year=year, provisional=True, source=RULES_SOURCE, entered_at=now)
            Holiday.objects.bulk_create(
                [Holiday(date=day, is_workday=False, name=name, provisional=True)
                 for day, name in calendar.statutory_days(year)], ignore_conflicts=True)
        if years:
            transaction.on_commit(forget_status)
    return years


# ------------------------------------------------------------------------------------ the official arrangement

_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*[~～至]\s*(\d{4}-\d{2}-\d{2}))?\s+(休|班)\s*(.*)$")


def parse_arrangement(text: str, year: int) -> list[Day]:
    """Read an arrangement as the notice states it, one line per period:

        2027-01-01~2027-01-03 休 元旦
        2027-02-14 班 春节调休

    A period off keeps its weekdays (weekends are off anyway); a working day keeps its weekend days. Lines
    starting with # are comments."""
    days: dict[datetime.date, Day] = {}
    errors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        try:
            if not match:
                raise ValueError
            first = datetime.date.fromisoformat(match[1])
            last = datetime.date.fromisoformat(match[2]) if match[2] else first
        except ValueError:
            errors.append(_("第 %(n)d 行看不懂：“%(line)s”（应为“2027-01-01~2027-01-03 休 元旦”或“2027-02-14 班 春节调休”）")
                          % {"n": number, "line": line[:40]})
            continue
        if last < first or first.year != year or last.year != year:
            errors.append(_("第 %(n)d 行的日期不在 %(year)d 年内或起止颠倒。") % {"n": number, "year": year})
            continue
        workday, name = match[3] == "班", match[4].strip()[:30]
        day = first
        while day <= last:
            if workday == (day.weekday() >= 5):  # an exception to Monday–Friday
                if day in days and days[day].is_workday != workday:
                    errors.append(_("%(day)s 既是假日又是调休上班日。") % {"day": day})
                days[day] = Day(day, workday, name)
            day += calendar.DAY
    if errors:
        raise ValidationError(errors, code="bad_arrangement")
    if not any(not day.is_workday for day in days.values()):
        raise ValidationError(_("安排中没有一个工作日放假的日子，请检查年份和内容。"), code="empty_arrangement")
    return sorted(days.values(), key=lambda day: day.date)


def arrangement_from_library(year: int) -> tuple[list[Day], str]:
    """The year as the installed chinese-calendar release carries it (after upgrading it in requirements.txt)."""
    from importlib.metadata import version

    import chinese_calendar

    days, day = [], datetime.date(year, 1, 1)
    try:
        while day.year == year:
            on, name = chinese_calendar.get_holiday_detail(day)
            if on and day.weekday() < 5 and name:
                days.append(Day(day, False, str(name)[:30]))
            elif not on and day.weekday() >= 5:
                days.append(Day(day, True, (f"{name} 调休" if name else "调休")[:30]))
            day += calendar.DAY
    except NotImplementedError:
        raise ValidationError(_("已安装的 chinese-calendar 还没有 %(year)d 年的放假安排。") % {"year": year},
                              code="not_in_library") from None
    return days, f"chinese-calendar {version('chinese-calendar')}"


def holiday_year_enter(*, actor, year: int, days: list[Day], source: str,
                       now: datetime.datetime | None = None) -> dict[str, int]:
    """Enter the State Council's arrangement for `year`: it replaces the year's provisional days (days an
    administrator added by hand that year are kept, unless the arrangement names the same date) or an earlier
    entry of the same year, and recounts the deadlines of open cases counted over provisional days."""
    _require_keeper(actor)
    now = now or timezone.now()
    source = source.strip()[:100] or _("国务院办公厅通知")
    if not days or any(day.date.year != year for day in days):
        raise ValidationError(_("放假安排的日期必须都在 %(year)d 年内。") % {"year": year}, code="other_year")
    with transaction.atomic():
        entry = HolidayYear.objects.select_for_update().filter(year=year).first()
        rows = Holiday.objects.filter(date__year=year)
        replaced = rows if entry is not None and not entry.provisional else rows.filter(
            Q(provisional=True) | Q(date__in=[day.date for day in days]))
        replaced.delete()
        Holiday.objects.bulk_create([Holiday(date=d.date, is_workday=d.is_workday, name=d.name) for d in days])
        HolidayYear.objects.update_or_create(year=year, defaults=dict(
            provisional=False, source=source, entered_at=now, entered_by=actor))
        counts = _recount_deadlines(actor=actor, year=year, source=source, now=now)
        transaction.on_commit(forget_status)
    holiday_years_extend(now=now)  # the years after it stay provisional (a first entry far ahead fills the gap)
    return {"days": len(days), **counts}


# ------------------------------------------------------------------------------------ open cases


def _recount(case: Case) -> calendar.Deadline | None:
    """The case's deadline counted again from what set it: the last dispatch (the category's limit, or a date the
    command center chose) and each approved extension after it (working days from the deadline before)."""
    result = None
    for event in case.events.filter(action__in=("dispatch", "approve_extension")).order_by("id"):
        if event.action == "dispatch":
            limit = event.data.get("limit")
            result = (calendar.deadline(event.at, limit["amount"], limit["unit"]) if limit
                      else calendar.Deadline(event.deadline, False))
        elif result is not None and event.data.get("days"):
            extended = calendar.deadline(result.at, event.data["days"], LimitUnit.WORKING_DAYS)
            result = calendar.Deadline(extended.at, extended.provisional or result.provisional)
    return result


def _role(actor) -> str:
    if actor is None:
        return "system"
    for grant in scope.grants_for(actor):
        if grant.role in KEEPERS:
            return grant.role
    return Role.SYSTEM_ADMIN if actor.is_superuser else ""


def _recount_deadlines(*, actor, year: int, source: str, now: datetime.datetime) -> dict[str, int]:
    """Open cases whose deadline was counted over provisional days get it counted again, with an event saying
    why. A case whose deadline has already passed keeps it: it was marked overdue, people were told, and the
    bulletins count it so; an arrangement entered late must not rewrite that."""
    recounted = kept = 0
    moved = []  # cases whose alert the new deadline clears: (grid, counter key before, after)
    rows = (Case.objects.select_for_update().filter(deadline_provisional=True, status__in=OPEN,
                                                    deadline__isnull=False).order_by("pk"))
    local = timezone.localtime
    for case in rows:
        if case.deadline <= now:
            kept += 1
            continue
        new = _recount(case)
        if new is None:
            continue
        old = case.deadline
        note = (_("%(year)d 年放假安排已录入（%(source)s），处置时限按正式日历重算：%(old)s → %(new)s")
                % {"year": year, "source": source, "old": f"{local(old):%Y-%m-%d %H:%M}",
                   "new": f"{local(new.at):%Y-%m-%d %H:%M}"})
        due_soon = calendar.due_soon_at(case.dispatched_at, new.at)
        alert = Alert.NONE if case.alert == Alert.DUE_SOON and due_soon > now else case.alert
        if alert != case.alert:
            moved.append((case.grid_id, counters.key_of(case), (case.department_id or 0, case.status, alert,
                                                                 case.supervised)))
        Case.objects.filter(pk=case.pk).update(deadline=new.at, due_soon_at=due_soon, deadline_provisional=new.provisional,
                                               alert=alert, version=F("version") + 1, updated_at=now)
        CaseEvent.objects.create(
            case=case, action="recalendar", from_status=case.status, to_status=case.status, actor=actor,
            actor_role=_role(actor), at=now, note=note[:1000], deadline=new.at,
            data={"year": year, "source": source, "old_deadline": local(old).isoformat(),
                  "deadline": local(new.at).isoformat(),
                  "provisional": new.provisional})
        recounted += 1
    if moved:
        codes = dict(Place.objects.filter(pk__in={grid for grid, _b, _a in moved}).values_list("pk", "code"))
        deltas = Counter()
        for grid, before, after in moved:
            counters.shift(deltas, codes[grid], before, after)
        counters.apply(deltas)
    return {"recounted": recounted, "kept": kept}


# ------------------------------------------------------------------------------------ the warning


def warned_users():
    """Who is warned: the command center and the system administrators."""
    User = get_user_model()
    return User.objects.filter(Q(memberships__role__in=KEEPERS) | Q(is_superuser=True), is_active=True).distinct()


def calendar_watch(*, now: datetime.datetime | None = None) -> dict:
    """Daily: keep provisional years stored ahead, and from WARN_DAYS before the official calendar ends tell the
    command center and the system administrators once (one notice each per missing year)."""
    now = now or timezone.now()
    extended = holiday_years_extend(now=now)
    status = calendar.calendar_status(timezone.localtime(now).date())
    notified = 0
    if status.warn:
        year = status.official_until.year + 1 if status.official_until else timezone.localtime(now).year
        message = (_("%(year)d 年的国务院放假安排尚未录入：%(until)s 之后的处置时限按法定节日暂定计算，不含调休。"
                     "请在通知发布后于“节假日”管理中录入。")
                   % {"year": year, "until": status.official_until or "—"})
        key = f"calendar:{year}"
        told = set(Notification.objects.filter(dedupe_key=key).values_list("user_id", flat=True))
        fresh = [pk for pk in warned_users().values_list("pk", flat=True) if pk not in told]
        Notification.objects.bulk_create(
            [Notification(user_id=pk, kind="calendar", message=message[:300], dedupe_key=key) for pk in fresh],
            ignore_conflicts=True)  # a second run at the same moment: the unique key keeps it once
        notified = len(fresh)
    return {"extended": extended, "warn": status.warn, "notified": notified}
