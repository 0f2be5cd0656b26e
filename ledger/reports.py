"""The daily report (日报告): every grid's day, summed up for each community, street and district.

All figures are aggregated in the database in one grouped query per table for all four levels: each row is joined
to the codes its grid lies under (the view GridPrefix) and grouped by code, as a hand-written CROSS JOIN would.
Building a date replaces that date's reports exactly: running it twice is running it once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids.models import Level, Place

from .models import DailyReport, Patrol, Visit

REPORT_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def patrol_minimum_minutes(grid: Place) -> int:
    """A grid's daily patrol minimum: its own if set, else the district's (MIN_DAILY_PATROL_MINUTES)."""
    return grid.patrol_minimum_minutes or settings.MIN_DAILY_PATROL_MINUTES


def day_window(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _rolled_up(queryset, grid_path: str, levels, **aggregates) -> dict[str, dict]:
    """The aggregates for every place of the given levels, keyed by code, in one grouped query.

    Each row is joined to its grid's prefixes (the view GridPrefix: district, street, community, grid), so one
    pass over the table counts it once at every level, distinct counts included.
    """
    prefix = f"{grid_path}prefixes__prefix"
    rows = (queryset.filter(**{f"{grid_path}prefixes__level__in": levels})
            .values(prefix).annotate(**aggregates).order_by())
    return {row.pop(prefix): row for row in rows}


def day_figures(day: datetime.date, levels=REPORT_LEVELS) -> tuple[dict, dict, dict]:
    """Patrol, visit and grid-count figures for the day, keyed by place code, for every place of `levels`."""
    start, end = day_window(day)
    patrols = _rolled_up(
        Patrol.objects.filter(started_at__gte=start, started_at__lt=end), "grid__", levels,
        patrols=Count("id"),
        patrol_seconds=Coalesce(Sum("duration_seconds"), 0),
        grids_patrolled=Count("grid", distinct=True),
        workers_on_duty=Count("worker", distinct=True),
    )
    finding = Q(category__isnull=False)
    visits = _rolled_up(
        Visit.objects.filter(visited_at__gte=start, visited_at__lt=end), "grid__", levels,
        visits=Count("id"),
        households_reached=Count("household", distinct=True),
        findings=Count("id", filter=finding),
        open_findings=Count("id", filter=finding & Q(settled=False, escalated_at__isnull=True)),
    )
    grids = _rolled_up(Place.objects.filter(level=Level.GRID), "", levels, grids_total=Count("id"))
    return patrols, visits, grids


def daily_report_build(day: datetime.date) -> int:
    """(Re)build every place's report for `day`; returns the number of reports written."""
    default = settings.MIN_DAILY_PATROL_MINUTES
    figures = day_figures(day)
    places = list(Place.objects.filter(level__in=REPORT_LEVELS)
                  .values_list("id", "code", "level", "patrol_minimum_minutes"))
    # Each grid against its own minimum (Place.patrol_minimum_minutes), the district's where it has none.
    short = sorted(
        code for _id, code, level, minimum in places
        if level == Level.GRID and figures[0].get(code, {}).get("patrol_seconds", 0) < (minimum or default) * 60
    )
    reports = []
    for place_id, code, _level, _minimum in places:
        patrols, visits, grids = (f.get(code, {}) for f in figures)
        reports.append(DailyReport(
            place_id=place_id, date=day,
            patrols=patrols.get("patrols", 0), patrol_seconds=patrols.get("patrol_seconds", 0),
            grids_patrolled=patrols.get("grids_patrolled", 0), workers_on_duty=patrols.get("workers_on_duty", 0),
            visits=visits.get("visits", 0), households_reached=visits.get("households_reached", 0),
            findings=visits.get("findings", 0), open_findings=visits.get("open_findings", 0),
            grids_total=grids.get("grids_total", 0),
            short_grids=[c for c in short if c.startswith(code)],
        ))
    with transaction.atomic():
        DailyReport.objects.filter(date=day).delete()
        DailyReport.objects.bulk_create(reports, batch_size=1000)
    return len(reports)
