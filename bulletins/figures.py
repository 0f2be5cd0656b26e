"""Counting, in the database. A bulletin first records which rows each measure counts (`freeze`: one INSERT …
SELECT per measure, the measure's own conditions, into `BulletinRow`), then reads every figure from those rows
(`lines`: one GROUP BY per level). A figure and its drill-down are therefore the same rows, by construction.
`live_rows` gives today's rows of a figure with the same conditions, for "as of today" drill-downs."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Substr

from grids.models import CODE_LENGTH, Level
from wudu.measures import Measure, Period

from .models import Bulletin, BulletinRow

GRID_CODE_LENGTH = CODE_LENGTH[Level.GRID]


def measure_rows(measure: Measure, place_code: str, period: Period, exclusions=()) -> QuerySet:
    """The rows of the measure's denominator under a place in a period (its base and denominator conditions)."""
    rows = measure.model._default_manager.filter(**{f"{measure.place_field}__startswith": place_code})
    rows = rows.filter(measure.base(period) & measure.denominator(period))
    if exclusions and measure.model._meta.label == "cases.Case":
        rows = rows.exclude(pk__in=list(exclusions))
    return rows


def numerator_rows(measure: Measure, place_code: str, period: Period, exclusions=()) -> QuerySet:
    return measure_rows(measure, place_code, period, exclusions).filter(measure.numerator(period))


def freeze(bulletin: Bulletin, measures: list[Measure], period: Period, exclusions=()) -> int:
    """Write the rows every figure of the bulletin counts; returns how many were written."""
    written = 0
    table = BulletinRow._meta.db_table
    for measure in measures:
        rows = measure_rows(measure, bulletin.place.code, period, exclusions).annotate(
            _unit=Substr(measure.place_field, 1, GRID_CODE_LENGTH),
            _num=Case(When(measure.numerator(period), then=Value(True)), default=Value(False),
                      output_field=BooleanField()),
            _department=(Cast(measure.department_field, IntegerField()) if measure.department_field
                         else Cast(Value(None), IntegerField())),
        ).values_list("pk", "_unit", "_department", "_num")
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (bulletin_id, measure, object_id, unit, department_id, numerator) "  # noqa: S608
                f"SELECT %s, %s, q.* FROM ({sql}) q", [bulletin.pk, measure.code, *params])
            written += cursor.rowcount
    return written


def lines(bulletin: Bulletin, level: str) -> dict[str, dict[str, list[int]]]:
    """unit code at `level` → measure → [numerator, denominator], from the bulletin's rows (one query)."""
    length = CODE_LENGTH[level]
    rows = (BulletinRow.objects.filter(bulletin=bulletin).annotate(line=Substr("unit", 1, length))
            .values("line", "measure").annotate(n=Count("pk", filter=Q(numerator=True)), d=Count("pk"))
            .order_by())
    out: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        out.setdefault(row["line"], {})[row["measure"]] = [row["n"], row["d"]]
    return out


def department_lines(bulletin: Bulletin) -> dict[int, dict[str, list[int]]]:
    rows = (BulletinRow.objects.filter(bulletin=bulletin, department__isnull=False)
            .values("department", "measure").annotate(n=Count("pk", filter=Q(numerator=True)), d=Count("pk"))
            .order_by())
    out: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        out.setdefault(row["department"], {})[row["measure"]] = [row["n"], row["d"]]
    return out


def totals(bulletin: Bulletin) -> dict[str, list[int]]:
    rows = (BulletinRow.objects.filter(bulletin=bulletin).values("measure")
            .annotate(n=Count("pk", filter=Q(numerator=True)), d=Count("pk")).order_by())
    return {row["measure"]: [row["n"], row["d"]] for row in rows}


def live_figures(measure: Measure, place_code: str, period: Period, level: str) -> dict[str, list[int]]:
    """Today's figures of one measure by unit at `level` (for the API and the "as of today" view)."""
    rows = (measure_rows(measure, place_code, period)
            .annotate(line=Substr(measure.place_field, 1, CODE_LENGTH[level]))
            .values("line").annotate(n=Count("pk", filter=measure.numerator(period)), d=Count("pk")).order_by())
    return {row["line"]: [row["n"], row["d"]] for row in rows}
