"""Reads of bulletins and rankings, all through the gate: the lists, one bulletin, which measures a reader sees on
which line, and the drill-down of a figure to its rows, as published (the snapshot's rows) or as of today (the
measure's conditions now). Pages, the API and the exports call these."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent
from grids.models import CODE_LENGTH, Level, Place
from ledger.models import DailyReport, SpotCheck
from wudu import measures, scope
from wudu.measures import Measure, Period
from wudu.pages import keyset_page
from wudu.scope import GRID_ROLES, Role

from . import scoring
from .models import Bulletin, BulletinRow, Kind, Objection, Stage

PAGE_SIZE = 50
SPOT_CHECK_READERS = (*scope.OFFICIALS, Role.COMMAND_CENTER, Role.SYSTEM_ADMIN)


def bulletins(user, *, kind: str | None = None, place_code: str = "") -> QuerySet[Bulletin]:
    rows = Bulletin.objects.visible_to(user).select_related("place")
    if kind:
        rows = rows.filter(kind=kind)
    if place_code:
        rows = rows.filter(place__code=place_code)
    return rows.order_by("-period_start", "place__code", "kind", "-version")


def bulletin_page(user, *, kind: str | None = None, place_code: str = "", after: str = "") -> tuple[list, str]:
    return keyset_page(bulletins(user, kind=kind, place_code=place_code).defer("snapshot"), after, size=PAGE_SIZE)


def access_bulletin(user, pk: int) -> Bulletin:
    """The bulletin, or 404 for missing and hidden alike."""
    return scope.access(Bulletin.objects.select_related("place", "scheme", "published_by"), user, pk=pk)


def versions(bulletin: Bulletin) -> list[Bulletin]:
    return list(Bulletin.objects.filter(kind=bulletin.kind, place=bulletin.place, period=bulletin.period)
                .defer("snapshot").order_by("-version"))


def objections(user, bulletin: Bulletin) -> list[Objection]:
    return list(Objection.objects.visible_to(user).filter(bulletin=bulletin)
                .select_related("place", "department", "filed_by", "decided_by").order_by("filed_at", "id"))


def own_departments(user) -> set[int] | None:
    """The departments of a reader who holds department roles only (they read their own line of a bulletin);
    None for everyone else."""
    if getattr(user, "is_superuser", False):
        return None
    grants = scope.grants_for(user)
    if grants and all(g.role == Role.DEPARTMENT_STAFF for g in grants):
        return {g.department_id for g in grants}
    return None


def latest_ranking(user) -> Bulletin | None:
    """The newest quarterly ranking the user reads (published first, else the draft): the admins' and officials'
    landing link."""
    rows = bulletins(user, kind=Kind.RANKING).defer("snapshot")
    return rows.filter(stage=Stage.PUBLISHED).first() or rows.filter(stage=Stage.DRAFT).first()


def shows(user, measure: Measure, unit: str) -> bool:
    """Does the reader see this measure on this line? Covert spot checks only for the levels above the grid, and
    never on a line that holds a grid where the reader has a grid role."""
    if not measure.above_grid_only:
        return True
    if getattr(user, "is_superuser", False):
        return True
    grants = scope.grants_for(user)
    if not any(g.role in SPOT_CHECK_READERS for g in grants):
        return False
    return not any(g.role in GRID_ROLES and (g.code.startswith(unit) or unit.startswith(g.code)) for g in grants
                   if not unit.startswith("d"))


def visible_measures(user, bulletin: Bulletin) -> list[dict]:
    """The snapshot's measures this reader may see somewhere in it (per line: `shows`)."""
    out = []
    for entry in bulletin.snapshot.get("measures", []):
        if entry.get("above_grid_only") and not shows(user, measures.get(entry["code"]), bulletin.place.code):
            continue
        out.append(entry)
    return out


# ---------------------------------------------------------------------------------------------- drill-down


def _gated(user, measure: Measure) -> QuerySet:
    """The measure's model, as far as the reader may see it (the gate of the rows themselves)."""
    model = measure.model
    if model is CaseEvent:
        return CaseEvent.objects.filter(case__in=Case.objects.visible_to(user).values("pk"))
    return model._default_manager.visible_to(user)


@dataclass
class Drill:
    bulletin: Bulletin
    measure: Measure
    unit: str
    label: str
    numerator: bool
    today: bool
    figure: list  # [n, d] as published
    rows: list
    next_cursor: str
    columns: list[tuple[str, str]]


def _line(bulletin: Bulletin, unit: str) -> dict:
    for line in bulletin.snapshot.get("lines", []) + bulletin.snapshot.get("departments", []):
        if line["unit"] == unit:
            return line
    if unit == bulletin.place.code:
        return {"unit": unit, "label": bulletin.place.name, "figures": bulletin.snapshot.get("total", {})}
    raise LookupError(_("本通报中没有这个单位。"))


def drill(user, bulletin: Bulletin, *, measure_code: str, unit: str, numerator: bool, today: bool = False,
          after: str = "", size: int | None = None) -> Drill:
    """The rows of one figure: its numerator's or its denominator's, as published or as of today. Raises
    LookupError for a measure, line or reader that does not fit (the page answers 404)."""
    measure = measures.get(measure_code)
    line = _line(bulletin, unit)
    if not shows(user, measure, unit):
        raise LookupError(_("您不能查看该指标。"))
    department = int(unit[1:]) if unit.startswith("d") else None
    rows = _gated(user, measure)
    if today:
        period = Period.parse(bulletin.period)
        condition = measure.base(period) & measure.denominator(period)
        if numerator:
            condition &= measure.numerator(period)
        rows = rows.filter(**{f"{measure.place_field}__startswith": bulletin.place.code}).filter(condition)
        if department is not None:
            if not measure.department_field:
                raise LookupError(_("该指标不按部门统计。"))
            rows = rows.filter(**{measure.department_field: department})
        else:
            rows = rows.filter(**{f"{measure.place_field}__startswith": unit})
    else:
        counted = BulletinRow.objects.filter(bulletin=bulletin, measure=measure.code)
        counted = counted.filter(department=department) if department is not None else counted.filter(
            unit__startswith=unit)
        if numerator:
            counted = counted.filter(numerator=True)
        rows = rows.filter(pk__in=counted.values("object_id"))
    rows = rows.select_related(*RELATED.get(measure.model, ()))
    page, cursor = keyset_page(rows, after, size=size or PAGE_SIZE)
    return Drill(bulletin=bulletin, measure=measure, unit=unit, label=line["label"], numerator=numerator, today=today,
                 figure=line["figures"].get(measure.code, [0, 0]), rows=page, next_cursor=cursor,
                 columns=COLUMNS.get(measure.model, []))


RELATED = {
    Case: ("category", "grid__parent", "department"),
    CaseEvent: ("case", "case__grid__parent"),
    DailyReport: ("place__parent",),
    SpotCheck: ("grid__parent",),
}
# (header, attribute path) of a drill-down row: the page's table and the Excel export.
COLUMNS = {
    Case: [(_("受理编号"), "reference"), (_("社区"), "grid.parent.name"), (_("网格"), "grid.name"), (_("类别"), "category.name"),
           (_("状态"), "status_label"), (_("部门"), "department.name"), (_("派遣时间"), "dispatched_at"),
           (_("处置时限"), "deadline"), (_("反馈时间"), "fed_back_at"), (_("办结时间"), "closed_at"),
           (_("返工次数"), "reworks")],
    CaseEvent: [(_("受理编号"), "case.reference"), (_("社区"), "case.grid.parent.name"), (_("网格"), "case.grid.name"), (_("评价时间"), "at"),
                (_("评价"), "data.evaluation")],
    DailyReport: [(_("日期"), "date"), (_("社区"), "place.parent.name"), (_("网格"), "place.name"), (_("巡查次数"), "patrols"),
                  (_("巡查时长（秒）"), "patrol_seconds")],
    SpotCheck: [(_("暗访日期"), "checked_on"), (_("社区"), "grid.parent.name"), (_("网格"), "grid.name"), (_("评分"), "score")],
}


def cell(row, path: str):
    value = row
    for part in path.split("."):
        if value is None:
            return ""
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, "")
    return "" if value is None else value


# ---------------------------------------------------------------------------------------------- figures for pages


def rate_cell(figure) -> dict:
    """What a table cell shows for [n, d]: the rate (— for no denominator), the pair, the Wilson interval."""
    n, d = figure if figure else (0, 0)
    interval = scoring.wilson(n, d)
    return {"n": n, "d": d, "rate": scoring.percent(scoring.rate(n, d)),
            "interval": _interval(interval)}


def _interval(bounds) -> str:
    """The Wilson bounds in percent: whole numbers, with a decimal where a bound is under 10 % (0–0.5 %, not
    0–0 %)."""
    if not bounds:
        return ""
    low, high = (value * 100 for value in bounds)
    digits = 1 if min(low, high) < 10 and (low or high) else 0
    return f"{low:.{digits}f}–{high:.{digits}f}%"


def child_places(place: Place) -> list[Place]:
    below = {Level.DISTRICT: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}.get(place.level)
    return list(Place.objects.filter(parent=place, level=below).order_by("code")) if below else []


def live_measure(user, *, place: Place, period: Period, measure_code: str) -> dict:
    """Today's figures of one measure for a place and its children (the API's /measures/): the reader must see
    the place; departments read their own line only (the rows pass the gate of the measure's model)."""
    measure = measures.get(measure_code)
    if not Place.objects.visible_to(user).filter(pk=place.pk).exists() and not scope.has_role(
            user, Role.DEPARTMENT_STAFF):
        raise LookupError(_("地点不存在或无权访问。"))
    if not shows(user, measure, place.code):
        raise LookupError(_("您不能查看该指标。"))
    rows = _gated(user, measure).filter(**{f"{measure.place_field}__startswith": place.code}).filter(
        measure.base(period) & measure.denominator(period))
    numerator = Q(measure.numerator(period))
    children = child_places(place)
    out = {"place": place.code, "period": period.key, "measure": measure.code, "label": str(measure.label),
           "total": list(rows.aggregate(n=Count("pk", filter=numerator), d=Count("pk")).values()), "children": []}
    if children:
        length = CODE_LENGTH[children[0].level]
        counted = {r["line"]: [r["n"], r["d"]] for r in rows.annotate(line=Substr(measure.place_field, 1, length))
                   .values("line").annotate(n=Count("pk", filter=numerator), d=Count("pk")).order_by()}
        out["children"] = [{"place": c.code, "name": c.name, "figure": counted.get(c.code, [0, 0])} for c in children]
    return out
