"""Reads of the ledger 《网格工作走访台账》: filtered, scoped, keyset-paginated rows and their export stream; the
daily report a place's terminal shows and its history; the patrol's figures of the day."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from grids.models import Level, Place
from wudu import scope
from wudu.pages import Keyset, keyset_page

from .models import DailyReport, Patrol, Site, Visit
from .reports import day_window, patrol_minimum_minutes

PAGE_SIZE = 50


@dataclass(frozen=True)
class LedgerFilter:
    place_code: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    worker_id: int | None = None
    category_code: str = ""
    settled: bool | None = None


def ledger_queryset(user, f: LedgerFilter) -> QuerySet[Visit]:
    """Visits the user may read, narrowed by the filter, newest first (index visit_time_desc)."""
    queryset = Visit.objects.visible_to(user)
    if f.place_code:
        queryset = scope.narrow_to_place(queryset, "visit", f.place_code)
    if f.date_from:
        queryset = queryset.filter(visited_at__gte=_start_of(f.date_from))
    if f.date_to:
        queryset = queryset.filter(visited_at__lt=_start_of(f.date_to + datetime.timedelta(days=1)))
    if f.worker_id:
        queryset = queryset.filter(worker_id=f.worker_id)
    if f.category_code:
        queryset = queryset.filter(category__code=f.category_code)
    if f.settled is not None:
        queryset = queryset.filter(settled=f.settled)
    return queryset.order_by("-visited_at", "-id")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Joined to each row: the grid (already joined by the place filter), the worker, the household and the category.
ROW_RELATED = ("grid", "worker", "household", "category")
ROW_DEFERRED = ("grid__boundary",)  # a page never draws the grid's polygon
# Only the columns the page shows (templates/ledger/list.html), and the keys the keyset and the prefetches need:
# building 50 rows of every column of five tables (the worker's password, the household's ID number …) was a third
# of the ORM's time on the page.
ROW_COLUMNS = (
    "visited_at", "visit_type", "finding", "action", "settled", "escalated_at", "worker_id", "category_id", "site_id",
    "grid__name", "grid__parent_id", "worker__real_name", "worker__username",
    "household__address", "household__unit", "household__room", "category__name",
)
# In small queries of their own: the communities (one query; every row has one) and the sites (when the page has
# any). Joined as well, they made PostgreSQL's planner weigh eight relations: 4.5 ms of planning for a 0.8 ms
# query at scale 1 of make bench, against 0.9 ms now.
ROW_PREFETCHED = (Prefetch("grid__parent", queryset=Place.objects.only("name")),
                  Prefetch("site", queryset=Site.objects.only("name")))


def ledger_page(user, f: LedgerFilter, after: str = "") -> tuple[list[Visit], str]:
    """One page of rows and the cursor of the next (empty at the end). Page 1,000 costs what page 1 costs."""
    queryset = (ledger_queryset(user, f).select_related(*ROW_RELATED).only(*ROW_COLUMNS)
                .prefetch_related(*ROW_PREFETCHED))
    return keyset_page(queryset, after, size=PAGE_SIZE, keyset=BY_VISIT)


def encode_cursor(visit: Visit) -> str:
    return f"{visit.visited_at.timestamp():.6f}_{visit.pk}"


def decode_cursor(value: str) -> tuple[datetime.datetime, int] | None:
    try:
        stamp, pk = value.split("_", 1)
        return datetime.datetime.fromtimestamp(float(stamp), tz=datetime.UTC), int(pk)
    except (ValueError, OverflowError):
        return None


def _after_visit(queryset: QuerySet[Visit], after: str) -> QuerySet[Visit]:
    position = decode_cursor(after)
    if position is None:
        return queryset
    at, pk = position
    # visited_at <= at lets the (visited_at, id) index start at the cursor instead of scanning to it.
    return queryset.filter(visited_at__lte=at).filter(Q(visited_at__lt=at) | Q(visited_at=at, pk__lt=pk))


# Newest visit first; the cursor is the last row's (visited_at, id).
BY_VISIT = Keyset(order=("-visited_at", "-id"), seek=_after_visit, cursor=encode_cursor)


# The ledger's columns, as the paper 《网格工作走访台账》 has them.
EXPORT_FIELDS = (
    "visited_at", "grid__parent__parent__name", "grid__parent__name", "grid__name", "grid__code",
    "worker__real_name", "worker__username", "visit_type", "household__address", "household__unit",
    "household__room", "site__name", "category__name", "finding", "action", "settled",
)


def ledger_export_rows(user, f: LedgerFilter, *, chunk_size: int = 2000):
    """Plain tuples for an export, read in chunks (a server-side cursor on PostgreSQL): memory stays flat."""
    return ledger_queryset(user, f).values_list(*EXPORT_FIELDS).iterator(chunk_size=chunk_size)


@dataclass
class DayFigures:
    report: DailyReport | None
    children: dict[int, DailyReport]


def latest_day(user, place: Place) -> DayFigures:
    """The place's most recent daily report and its children's for the same day (two queries; one for a grid), if
    the user may read reports at all (department staff see cases, not ledgers)."""
    report = DailyReport.objects.visible_to(user).filter(place=place).order_by("-date").first()
    if report is None or place.level == Level.GRID:  # a grid's buildings have no reports of their own
        return DayFigures(report=report, children={})
    children = DailyReport.objects.filter(place__parent=place, date=report.date)
    return DayFigures(report=report, children={r.place_id: r for r in children})


def terminal_day(user, place: Place, context: dict) -> None:
    """The daily report on a place's terminal (registered with grids.terminal_panels): the place's latest day, and
    on the page of a district, street or community each place below with its figures of the same day. On a grid
    the worker's patrol button says whether a patrol of theirs is open (继续巡查)."""
    if context.get("walks_here"):
        context["patrol_open"] = Patrol.objects.filter(worker=user, ended_at__isnull=True).exists()
    day = latest_day(user, place)
    context["day"] = day.report
    context.setdefault("panel_templates", []).append("ledger/_day_report.html")
    for row in context.get("rows", ()):
        row.day = day.children.get(row.place.pk)


def access_patrol(user, pk: int) -> Patrol:
    """A patrol the user sees, or 404 (the same for missing and hidden)."""
    return scope.access(Patrol.objects.all(), user, pk=pk)


# ---------------------------------------------------------------------------------------- the daily report page

HISTORY_DAYS = 14


@dataclass
class ShortGrid:
    """A grid below its daily patrol minimum on the report's day."""

    grid: Place
    seconds: int

    @property
    def minutes(self) -> int:
        return self.seconds // 60

    @property
    def minimum(self) -> int:
        return patrol_minimum_minutes(self.grid)


@dataclass
class ReportDay:
    report: DailyReport | None
    history: list[DailyReport]
    short: list[ShortGrid]


def report_day(user, place: Place, day: datetime.date | None = None) -> ReportDay:
    """A place's daily report of `day` (the latest if none), the last HISTORY_DAYS days' reports, and the grids
    short of their minimum that day by name: three queries at most, whatever the number of grids."""
    reports = DailyReport.objects.visible_to(user).filter(place=place)
    history = list(reports.order_by("-date")[:HISTORY_DAYS])
    if day is None:
        report = history[0] if history else None
    else:
        report = next((r for r in history if r.date == day), None) or reports.filter(date=day).first()
    short = []
    if report is not None and report.short_grids:
        grids = (
            Place.objects.filter(code__in=report.short_grids, level=Level.GRID)
            .select_related("parent").defer("boundary", "parent__boundary").order_by("code")
            .annotate(day_seconds=Subquery(
                DailyReport.objects.filter(place=OuterRef("pk"), date=report.date).values("patrol_seconds")[:1]))
        )
        short = [ShortGrid(grid=g, seconds=g.day_seconds or 0) for g in grids]
    return ReportDay(report=report, history=history, short=short)


# ---------------------------------------------------------------------------------------- the patrol's figures


def route_metres(route: list) -> int:
    """The length of a route of [lng, lat, …] points, in metres (flat-earth steps: a grid is a few hundred metres)."""
    total = 0.0
    for a, b in zip(route, route[1:], strict=False):
        k = math.pi / 180
        x = (b[0] - a[0]) * k * math.cos((a[1] + b[1]) / 2 * k)
        y = (b[1] - a[1]) * k
        total += math.hypot(x, y) * 6371000
    return round(total)


def patrol_seconds_today(grids: list[Place]) -> dict[int, int]:
    """Seconds patrolled today in each grid by its ended patrols (every worker's: the minimum is the grid's)."""
    start, end = day_window(timezone.localdate())
    rows = (Patrol.objects.filter(grid__in=grids, started_at__gte=start, started_at__lt=end, ended_at__isnull=False)
            .values("grid").annotate(seconds=Sum("duration_seconds")).order_by())
    return {row["grid"]: row["seconds"] or 0 for row in rows}


@dataclass
class PatrolSummary:
    patrol: Patrol
    visits: int
    findings: int

    @property
    def minutes(self) -> int:
        return (self.patrol.duration_seconds or 0) // 60

    @property
    def route_metres(self) -> int:
        return route_metres(self.patrol.route)


def visit_figures(patrol: Patrol) -> tuple[int, int]:
    """(visits, findings) of a patrol, in one query."""
    row = Visit.objects.filter(patrol=patrol).aggregate(
        visits=Count("id"), findings=Count("id", filter=Q(category__isnull=False)))
    return row["visits"], row["findings"]


def last_patrol_today(user) -> PatrolSummary | None:
    """The worker's latest patrol ended today, with its figures (two queries), for the summary after ending it."""
    start, end = day_window(timezone.localdate())
    patrol = (Patrol.objects.filter(worker=user, ended_at__gte=start, ended_at__lt=end)
              .select_related("grid").order_by("-ended_at").first())
    if patrol is None:
        return None
    return PatrolSummary(patrol, *visit_figures(patrol))
