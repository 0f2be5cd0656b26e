"""Reads of the dashboards (数据看板) of the four levels: the case trend by day and by month, the rates of the places
one level down for the last closed month, the grids coloured by the latest ranking's score, and today's patrol
coverage. Figures are counted in the database by grouped queries (by local day or month, by the places' code
prefixes); the patrol coverage counts the map's own list of grids per place. A dashboard costs the same queries for
one grid as for a district of hundreds.

Who sees what: a reader of the place's ledger (the officials, the grid's staff, the command center, the
administrators) sees it all; department staff read cases only, and only those dispatched to them, so they get the
trend of their own department's cases at the place and nothing else (no rates, map or patrol coverage).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Status
from grids.models import CHILD_LEVEL, CODE_LENGTH, Level, Place
from ledger.models import Patrol
from ledger.reports import day_window
from wudu import measures, scope
from wudu.measures import Measure, Period

from .figures import live_figures
from .models import Bulletin, Kind, Stage

TREND_DAYS = 30
TREND_MONTHS = 12
# The rates by place: the case loop's own measures (cases/measures.py), by their codes.
RATE_MEASURES = ("case.closing", "case.closing_on_time", "case.handling")
# Band colours in the order of the scheme's bands, best first; a score without a band and no data stay grey.
BAND_COLOURS = ("#2e7d32", "#1565c0", "#f9a825", "#c62828", "#6a1b9a", "#4e342e")
SMALL_COLOUR = "#b0bec5"
NO_DATA_COLOUR = "#e0e0e0"


def registered(cases: QuerySet[Case], start: datetime.datetime, end: datetime.datetime) -> QuerySet[Case]:
    """登记: every case entered in the window, whatever became of it."""
    return cases.filter(created_at__gte=start, created_at__lt=end)


def finished(cases: QuerySet[Case], start: datetime.datetime, end: datetime.datetime) -> QuerySet[Case]:
    """办结: closed, or settled in the building or grid (自行处置), in the window; a cancelled report is not."""
    return cases.filter(closed_at__gte=start, closed_at__lt=end).exclude(status=Status.CANCELLED)


TREND_SERIES = {"registered": (registered, "created_at"), "closed": (finished, "closed_at")}


@dataclass
class Dashboard:
    place: Place
    full: bool  # False: department staff, their department's trend only
    today: datetime.date
    unit_level: str = ""  # the level of the units of the rates and the coverage (children, or the grid itself)
    units: list[Place] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)  # {"day", "registered", "closed"}
    monthly: list[dict] = field(default_factory=list)  # {"month", "registered", "closed"}
    period: Period | None = None  # the month of the rates
    rate_measures: list[Measure] = field(default_factory=list)
    rates: list[dict] = field(default_factory=list)  # {"place", "figures": {code: [n, d]}}
    bulletin: Bulletin | None = None  # the monthly bulletin holding the units' lines, for the drill-down
    ranking: Bulletin | None = None
    bands: list[dict] = field(default_factory=list)  # {"label", "min", "colour"}
    grids: list[dict] = field(default_factory=list)  # {"code", "name", "parent", "score", "band", "state", ...}
    coverage: list[dict] = field(default_factory=list)  # {"place", "patrolled", "total"}


def clock() -> datetime.datetime:
    """Now (the tests stop it here: the dashboards look back from today)."""
    return timezone.now()


def home_code(user) -> str | None:
    """The code of the place a user's dashboard opens on: where their widest grant stands (as the terminal)."""
    grant = scope.home_grant(user)
    if grant is not None and grant.code:
        return grant.code
    if getattr(user, "is_superuser", False):
        return Place.objects.filter(level=Level.DISTRICT).order_by("code").values_list("code", flat=True).first()
    return None


def reads_everything(user, place: Place) -> bool:
    """Does the user read the place's ledger and every case under it? Everyone with a grant reaching the place
    but department staff (the ledger's policy is the gate's "everyone but departments")."""
    return scope.can_read_code(user, "daily_report", place.code)


def dashboard(user, place: Place, *, now: datetime.datetime | None = None) -> Dashboard:
    """The dashboard of a place the user reads (the page fetched it through the gate)."""
    now = now or clock()
    today = timezone.localdate(now)
    board = Dashboard(place=place, full=reads_everything(user, place), today=today)
    cases = scope.narrow_to_place(Case.objects.visible_to(user), "case", place.code)
    board.daily, board.monthly = trends(cases, today)
    if not board.full:
        return board
    board.unit_level, board.units = units(place)
    board.period = Period.last_closed(Period.MONTH, today)
    board.rate_measures = [measures.get(code) for code in RATE_MEASURES]
    board.rates = rates(place, board.units, board.unit_level, board.period, board.rate_measures)
    board.bulletin = month_bulletin(user, place, board.period)
    board.ranking = ranking_above(user, place)
    board.bands, board.grids = graded_grids(place, board.ranking)
    board.coverage = coverage(user, place, board.units, board.unit_level, board.grids, today)
    return board


def units(place: Place) -> tuple[str, list[Place]]:
    """The places one level down (one query), or a grid itself."""
    if place.level == Level.GRID:
        return Level.GRID, [place]
    level = CHILD_LEVEL[place.level]
    return level, list(Place.objects.filter(parent=place, level=level).defer("boundary").order_by("code"))


# ---------------------------------------------------------------------------------------------- trends


def _local_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _months_back(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the last `count` months, this one last."""
    year, month = today.year, today.month
    out = []
    for _i in range(count):
        out.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def trends(cases: QuerySet[Case], today: datetime.date) -> tuple[list[dict], list[dict]]:
    """Cases registered and closed per local day (the last 30 days, today included) and per local month (the
    last 12, this one so far): one GROUP BY each, truncated in the local time zone."""
    tz = timezone.get_current_timezone()
    days = [today - datetime.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    months = _months_back(today, TREND_MONTHS)
    end = _local_start(today + datetime.timedelta(days=1))
    daily = {day: {"day": day, "registered": 0, "closed": 0} for day in days}
    monthly = {month: {"month": month, "registered": 0, "closed": 0} for month in months}
    for name, (rows, field_name) in TREND_SERIES.items():
        for buckets, start, trunc in ((daily, _local_start(days[0]), TruncDate(field_name, tzinfo=tz)),
                                      (monthly, _local_start(months[0]), TruncMonth(field_name, tzinfo=tz))):
            grouped = rows(cases, start, end).annotate(bucket=trunc).values("bucket").annotate(n=Count("pk"))
            for row in grouped.order_by():
                bucket = row["bucket"]
                if isinstance(bucket, datetime.datetime):
                    bucket = timezone.localtime(bucket, tz).date() if timezone.is_aware(bucket) else bucket.date()
                if bucket in buckets:
                    buckets[bucket][name] = row["n"]
    return list(daily.values()), list(monthly.values())


def trend_cases(user, place: Place, *, series: str, start: datetime.date, end: datetime.date) -> QuerySet[Case]:
    """The cases behind one point of a trend (registered or closed on the local days [start, end)): the
    drill-down of the charts, through the gate."""
    rows, _field = TREND_SERIES[series]
    cases = scope.narrow_to_place(Case.objects.visible_to(user), "case", place.code)
    return rows(cases, _local_start(start), _local_start(end))


# ---------------------------------------------------------------------------------------------- rates


def rates(place: Place, units: list[Place], level: str, period: Period, rate_measures: list[Measure]) -> list[dict]:
    """[n, d] of each measure for each unit in the period: one grouped query per measure, with the measure's own
    conditions (bulletins.figures.live_figures). The caller reads every case under the place (`reads_everything`):
    the counts are not narrowed by the gate."""
    counted = {m.code: live_figures(m, place.code, period, level) for m in rate_measures}
    return [{"place": unit, "figures": {code: figures.get(unit.code, [0, 0]) for code, figures in counted.items()}}
            for unit in units]


def measure_cases(user, place: Place, *, measure: Measure, period: Period, numerator: bool) -> QuerySet[Case]:
    """The cases behind one rate's numerator or denominator at a place, as of today: the measure's conditions over
    the cases the user reads (the drill-down when no bulletin of the period holds the figure)."""
    if measure.model is not Case:
        raise LookupError(_("该指标不能在这里查看明细。"))
    condition = measure.base(period) & measure.denominator(period)
    if numerator:
        condition &= measure.numerator(period)
    cases = Case.objects.visible_to(user).filter(**{f"{measure.place_field}__startswith": place.code})
    return cases.filter(condition)


def month_bulletin(user, place: Place, period: Period) -> Bulletin | None:
    """The monthly bulletin of the period whose lines are the dashboard's units (the place's own; a grid is a line
    of its community's), published first, else the draft; one query."""
    owner = place.parent_id if place.level == Level.GRID else place.pk
    return (Bulletin.objects.visible_to(user).defer("snapshot")
            .filter(kind=Kind.BULLETIN, place_id=owner, period=period.key, stage__in=[Stage.PUBLISHED, Stage.DRAFT])
            .order_by(_published_first(), "-version").first())


def _published_first():
    return models.Case(models.When(stage=Stage.PUBLISHED, then=models.Value(0)), default=models.Value(1),
                       output_field=models.IntegerField())


# ---------------------------------------------------------------------------------------------- the map


def ranking_above(user, place: Place) -> Bulletin | None:
    """The newest quarterly ranking the user reads that covers the place (a ranking of the place or of a place
    above it: its lines go down to the grids), published first, else the draft; one query."""
    return (Bulletin.objects.visible_to(user).select_related("place")
            .filter(kind=Kind.RANKING, place__code__in=place.ancestor_codes(),
                    stage__in=[Stage.PUBLISHED, Stage.DRAFT])
            .order_by(_published_first(), "-period_start", "-version").first())


def graded_grids(place: Place, ranking: Bulletin | None) -> tuple[list[dict], list[dict]]:
    """The bands of the ranking (with their colours) and every grid under the place with its boundary and its
    line in the ranking (score, band, state); one query for the grids."""
    snapshot = ranking.snapshot if ranking is not None else {}
    ordered = sorted((snapshot.get("rules") or {}).get("bands") or [], key=lambda b: -b["min"])
    bands = [{"label": b["label"], "min": b["min"], "colour": BAND_COLOURS[i % len(BAND_COLOURS)]}
             for i, b in enumerate(ordered)]
    colours = {b["label"]: b["colour"] for b in bands}
    lines = {line["unit"]: line for line in snapshot.get("lines", [])
             if line.get("level") == Level.GRID and line["unit"].startswith(place.code)}
    grids = Place.objects.filter(level=Level.GRID, code__startswith=place.code).select_related("parent").only(
        "code", "name", "boundary", "parent__name").order_by("code")
    out = []
    for grid in grids:
        line = lines.get(grid.code) or {}
        state = line.get("state") or "no_data"
        band = line.get("band") or ""
        colour = colours.get(band) if state == "ranked" and band else (
            SMALL_COLOUR if state == "small" else NO_DATA_COLOUR)
        out.append({"code": grid.code, "name": grid.name, "parent": grid.parent.name, "boundary": grid.boundary,
                    "score": line.get("score") if state != "no_data" else None, "band": band, "state": state,
                    "rank": line.get("rank"), "colour": colour or NO_DATA_COLOUR})
    return bands, out


# ---------------------------------------------------------------------------------------------- patrol coverage


def coverage(user, place: Place, units: list[Place], level: str, grids: list[dict],
             today: datetime.date) -> list[dict]:
    """Grids patrolled today / grids, per unit: a grid is patrolled on a day when a patrol started in it that day
    (the daily report's rule, ledger.reports); one query for the patrolled grids, the grids are the map's."""
    start, end = day_window(today)
    patrolled = set(Patrol.objects.visible_to(user).filter(
        grid__code__startswith=place.code, started_at__gte=start, started_at__lt=end,
    ).order_by().values_list("grid__code", flat=True).distinct())
    for grid in grids:
        grid["patrolled"] = grid["code"] in patrolled
    length = CODE_LENGTH[level]
    total, done = Counter(), Counter()
    for grid in grids:
        total[grid["code"][:length]] += 1
        done[grid["code"][:length]] += grid["patrolled"]
    return [{"place": unit, "total": total[unit.code], "patrolled": done[unit.code]} for unit in units]

