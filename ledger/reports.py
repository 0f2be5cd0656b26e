"""The daily report (日报告): every grid's day, summed up for each community, street and district.

A day is built per district (or any subtree: a street, a community) in one statement: the figures are the ORM's
grouped queries (one per table, each row joined to the codes its grid lies under through the view GridPrefix and
grouped by code, as a hand-written CROSS JOIN would), compiled and joined to the subtree's places inside one
`INSERT … SELECT … ON CONFLICT (place_id, date) DO UPDATE`. Every place of the subtree gets its row, idle ones
too (zeros); a row is updated in place (same id), never deleted and recreated. Building a day twice is building it
once. Places cannot leave the tree (codes and parents are immutable, reports protect their place), so no row is
ever orphaned.
"""

from __future__ import annotations

import datetime
import functools

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids.models import CODE_LENGTH, Level, Place

from .models import DailyReport, Patrol, Visit

REPORT_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


def patrol_minimum_minutes(grid: Place) -> int:
    """A grid's daily patrol minimum: its own if set, else the district's (MIN_DAILY_PATROL_MINUTES)."""
    return grid.patrol_minimum_minutes or settings.MIN_DAILY_PATROL_MINUTES


def day_window(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def levels_under(code: str) -> list[str]:
    """The report levels of the places under `code` (itself included): a street's are street, community, grid."""
    if not code.isdigit() or len(code) not in CODE_LENGTH.values() or len(code) > CODE_LENGTH[Level.GRID]:
        raise ValueError(f"not a place code above the buildings: {code!r}")
    return [level for level in REPORT_LEVELS if CODE_LENGTH[level] >= len(code)]


def _rolled_up(queryset: QuerySet, grid_path: str, levels, under: str | None, **aggregates) -> QuerySet:
    """The aggregates for every place of `levels` (under `under`), one row per code (`prefix`), one grouped query.

    Each row is joined to its grid's prefixes (the view GridPrefix: district, street, community, grid), so one
    pass over the table counts it once at every level, distinct counts included.
    """
    if under:
        queryset = queryset.filter(**{f"{grid_path}code__startswith": under})
    return (queryset.filter(**{f"{grid_path}prefixes__level__in": levels})
            .values(prefix=F(f"{grid_path}prefixes__prefix")).annotate(**aggregates).order_by())


def figure_querysets(day: datetime.date, levels=REPORT_LEVELS, under: str | None = None,
                     minimum: int | None = None) -> dict[str, QuerySet]:
    """The day's figures as grouped querysets keyed by code (`prefix`): patrols, visits, grids and short grids.
    `minimum`: the district's daily patrol minimum in minutes (MIN_DAILY_PATROL_MINUTES by default)."""
    start, end = day_window(day)
    finding = Q(category__isnull=False)
    # Each grid against its own minimum (Place.patrol_minimum_minutes), the district's where it has none.
    patrolled = (Patrol.objects.filter(grid=OuterRef("pk"), started_at__gte=start, started_at__lt=end)
                 .values("grid").annotate(seconds=Sum("duration_seconds")).values("seconds"))
    minimum = Coalesce("patrol_minimum_minutes", Value(minimum or settings.MIN_DAILY_PATROL_MINUTES),
                       output_field=IntegerField())
    short = (Place.objects.filter(level=Level.GRID)
             .annotate(patrolled=Coalesce(Subquery(patrolled), 0, output_field=IntegerField()))
             .filter(patrolled__lt=minimum * 60))
    if under:
        short = short.filter(code__startswith=under)
    return {
        "patrols": _rolled_up(
            Patrol.objects.filter(started_at__gte=start, started_at__lt=end), "grid__", levels, under,
            patrols=Count("id"),
            patrol_seconds=Coalesce(Sum("duration_seconds"), 0),
            grids_patrolled=Count("grid", distinct=True),
            workers_on_duty=Count("worker", distinct=True),
        ),
        "visits": _rolled_up(
            Visit.objects.filter(visited_at__gte=start, visited_at__lt=end), "grid__", levels, under,
            visits=Count("id"),
            households_reached=Count("household", distinct=True),
            findings=Count("id", filter=finding),
            open_findings=Count("id", filter=finding & Q(settled=False, escalated_at__isnull=True)),
        ),
        "grids": _rolled_up(Place.objects.filter(level=Level.GRID), "", levels, under, grids_total=Count("id")),
        # Not grouped: (prefix, code) of each short grid; the statement gathers them into a sorted list per place.
        "short": (short.filter(prefixes__level__in=levels)
                  .values(prefix=F("prefixes__prefix"), grid_code=F("code")).order_by()),
    }


def day_figures(day: datetime.date, levels=REPORT_LEVELS, under: str | None = None) -> tuple[dict, dict, dict]:
    """Patrol, visit and grid-count figures for the day, keyed by place code, for every place of `levels`."""
    figures = figure_querysets(day, levels, under)
    return tuple({row.pop("prefix"): row for row in figures[name]} for name in ("patrols", "visits", "grids"))


# Report column → the figures' table it comes from (its column of the same name).
FIGURE_COLUMNS = {
    "patrols": "patrols", "patrol_seconds": "patrols", "grids_patrolled": "patrols", "workers_on_duty": "patrols",
    "visits": "visits", "households_reached": "visits", "findings": "visits", "open_findings": "visits",
    "grids_total": "grids",
}
# The short grids' codes gathered into one sorted JSON list per place. SQLite (3.40 here) has no ORDER BY inside
# an aggregate; as a window function its order is guaranteed.
SHORT_LISTS = {
    "postgresql": ("SELECT s.prefix, jsonb_agg(s.grid_code ORDER BY s.grid_code) AS codes FROM ({}) s "
                   "GROUP BY s.prefix", "'[]'::jsonb"),
    "sqlite": ("SELECT DISTINCT s.prefix, json_group_array(s.grid_code) OVER (PARTITION BY s.prefix "
               "ORDER BY s.grid_code ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS codes "
               "FROM ({}) s", "'[]'"),
}


# What the compiled statement is built with once, to be found again among its params (none is a real value).
_SENTINEL_DAY = datetime.date(1901, 2, 3)
_SENTINEL_MINIMUM = 987_654_321


@functools.lru_cache(maxsize=32)
def _compiled(vendor: str, depth: int) -> tuple[str, tuple, str]:
    """The ORM's figure queries for a subtree of codes `depth` long, compiled once per database and depth (the
    compiling costs more than running the statement on a small district): the CTEs' SQL, for each of their params
    the value or the name of the argument it stands for, and the SELECT joining them to the subtree's places."""
    under = "9" * depth
    levels = levels_under(under)
    figures = figure_querysets(_SENTINEL_DAY, levels, under, _SENTINEL_MINIMUM)
    slots = _slots(_SENTINEL_DAY, under, _SENTINEL_MINIMUM)
    short_list, no_codes = SHORT_LISTS[vendor]
    ctes, params = [], []
    for name, queryset in figures.items():
        sql, cte_params = queryset.query.sql_with_params()
        ctes.append(f"f_{name} AS ({short_list.format(sql) if name == 'short' else sql})")
        params += [slots.get(_hashable(value), _Const(value)) for value in cte_params]
    found = {param for param in params if isinstance(param, str)}
    if found != set(slots.values()):  # a Django that renders a lookup's param differently: say so, never guess
        raise RuntimeError(f"daily report statement: params {sorted(set(slots.values()) - found)} not found")
    columns = ", ".join(f"COALESCE(f_{table}.{column}, 0)" for column, table in FIGURE_COLUMNS.items())
    joins = " ".join(f"LEFT JOIN f_{name} ON f_{name}.prefix = p.code" for name in figures)
    select = (f"SELECT p.id, %s, %s, {columns}, COALESCE(f_short.codes, {no_codes}) "
              f"FROM {Place._meta.db_table} p {joins} "
              f"WHERE p.level IN ({', '.join(['%s'] * len(levels))}) AND p.code LIKE %s")
    return "WITH " + ", ".join(ctes), tuple(params), select


class _Const:
    """A param of the compiled statement that is the same for every build (a level, a zero)."""

    def __init__(self, value):
        self.value = value


def _hashable(value):
    return value if isinstance(value, (str, int, float, datetime.date, datetime.datetime)) else id(value)


def _slots(day: datetime.date, under: str, minimum: int) -> dict:
    """The params the figure queries compile from the build's arguments (as the database adapter receives them),
    each with the argument's name."""
    ops = connection.ops
    start, end = day_window(day)
    return {ops.adapt_datetimefield_value(start): "start", ops.adapt_datetimefield_value(end): "end",
            f"{under}%": "under", minimum: "minimum"}


def _report_parts(day: datetime.date, under: str) -> tuple[str, list, str, list]:
    """The CTEs (the ORM's figure queries, compiled) and the SELECT of the subtree's reports, each with its params."""
    ctes, slots, select = _compiled(connection.vendor, len(under))
    values = {name: value for value, name in _slots(day, under, settings.MIN_DAILY_PATROL_MINUTES).items()}
    cte_params = [slot.value if isinstance(slot, _Const) else values[slot] for slot in slots]
    ops = connection.ops
    select_params = [ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(timezone.now()),
                     *levels_under(under), f"{under}%"]
    return ctes, cte_params, select, select_params


REPORT_COLUMNS = ["place_id", "date", "built_at", *FIGURE_COLUMNS, "short_grids"]


def report_select(day: datetime.date, under: str) -> tuple[str, list]:
    """The statement computing the subtree's reports for `day` without writing them (what the bench times)."""
    ctes, cte_params, select, select_params = _report_parts(day, under)
    return f"{ctes} {select}", cte_params + select_params


def _upsert(day: datetime.date, under: str) -> int:
    ctes, cte_params, select, select_params = _report_parts(day, under)
    updates = ", ".join(f"{name} = excluded.{name}" for name in REPORT_COLUMNS[2:])
    # INSERT … WITH … SELECT (not WITH … INSERT): Python's sqlite3 counts the rows of a statement that starts so.
    sql = (f"INSERT INTO {DailyReport._meta.db_table} ({', '.join(REPORT_COLUMNS)}) {ctes} {select} "
           f"ON CONFLICT (place_id, date) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, cte_params + select_params)
        return cursor.rowcount


def daily_report_build(day: datetime.date, under: str | None = None) -> int:
    """(Re)build the reports of `day` for every place under `under` (a district's code, or a street's, a
    community's …), or district by district for the whole tree; returns the number of reports written.

    A subtree below a district updates its own places only: the street and district above it keep their figures
    (build the district to refresh them)."""
    codes = [under] if under else list(Place.objects.filter(level=Level.DISTRICT).order_by("code")
                                       .values_list("code", flat=True))
    written = 0
    for code in codes:  # one statement and one short transaction per district
        with transaction.atomic():
            written += _upsert(day, code)
    return written
