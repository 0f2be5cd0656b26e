"""The dashboards' pages (数据看板): a place's dashboard, the cases behind any point of its charts, the link to the
latest quarterly ranking, and the two buttons the terminals of the officials and administrators get (through
grids.terminal_panels: the ranking and the dashboard one click from where they land).

The links to the bulletin pages (`bulletins:detail`, `bulletins:rows`) are reversed inside try/except: the
dashboards work, with their own drill-down, wherever those pages are not installed."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases.selectors import case_page
from grids.models import Level
from grids.selectors import access_place, breadcrumbs
from wudu import measures, scope
from wudu.db import replica_reads
from wudu.forms import Form
from wudu.measures import Period
from wudu.pages import page_query
from wudu.scope import Role

from . import dashboard as boards
from . import selectors
from .models import Bulletin

LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
# Who finds the ranking and the dashboard on their terminal (where they land after signing in).
LANDING_ROLES = (*scope.OFFICIALS, Role.COMMAND_CENTER, Role.SYSTEM_ADMIN)


def _reverse(name: str, *args, query: dict | None = None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def ranking_url(ranking: Bulletin) -> str | None:
    return _reverse("bulletins:detail", ranking.pk)


def _cases_url(code: str, **query) -> str:
    return _reverse("bulletins:dashboard_cases", code, query=query)


# ---------------------------------------------------------------------------------------------- pages


@login_required
@require_GET
@replica_reads
def home(request):
    """The dashboard of the user's own place (where their widest grant stands)."""
    code = boards.home_code(request.user)
    if code is None:
        raise Http404
    return _page(request, code)


@login_required
@require_GET
@replica_reads
def place_dashboard(request, code: str):
    return _page(request, code)


def _page(request, code: str):
    place = access_place(request.user, code, polygons=False)
    if place.level not in LEVELS:
        raise Http404
    board = boards.dashboard(request.user, place)
    crumbs = [(p, can_open) for p, can_open in breadcrumbs(request.user, place) if p.level in LEVELS]
    daily, monthly, rate_rows = _trend_rows(board, "day"), _trend_rows(board, "month"), _rate_rows(board)
    return render(request, "bulletins/dashboard.html", {
        "board": board, "place": place, "breadcrumbs": crumbs, "daily": daily, "monthly": monthly,
        "rate_rows": rate_rows, "ranking_url": ranking_url(board.ranking) if board.ranking else None,
        "charts": _charts(board, daily, monthly, rate_rows),
        "coverage_rows": [{**c, "url": _unit_url(board, c["place"])} for c in board.coverage],
        "grid_rows": [{**g, "url": _grid_url(board, g["code"])} for g in board.grids],
        "colours": {"small": boards.SMALL_COLOUR, "no_data": boards.NO_DATA_COLOUR},
    })


class DrillForm(Form):
    """What lies behind a point of a chart: a trend's day or month, or a rate's numerator or denominator."""

    series = forms.ChoiceField(required=False, choices=[("registered", gettext_lazy("登记")),
                                                       ("closed", gettext_lazy("办结"))])
    day = forms.DateField(required=False)
    month = forms.CharField(required=False, max_length=8)
    measure = forms.ChoiceField(required=False, choices=[(code, code) for code in boards.RATE_MEASURES])
    period = forms.CharField(required=False, max_length=8)
    part = forms.ChoiceField(required=False, choices=[("n", gettext_lazy("分子")), ("d", gettext_lazy("分母"))])

    def clean(self):
        data = super().clean()
        if data.get("measure"):
            if not data.get("part"):
                raise ValidationError(_("请指明分子或分母。"))
            data["period"] = self._month(data.get("period"))
        elif data.get("series"):
            if data.get("month"):
                data["month"] = self._month(data["month"])
            elif not data.get("day"):
                raise ValidationError(_("请指明日期或月份。"))
        else:
            raise ValidationError(_("请指明要查看的图表数据。"))
        return data

    @staticmethod
    def _month(text) -> Period:
        try:
            period = Period.parse(text or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if period.kind != Period.MONTH:
            raise ValidationError(_("期间应为月份，如 2026-10。"))
        return period


@login_required
@require_GET
@replica_reads
def dashboard_cases(request, code: str):
    """The cases behind one point of a chart: `?series=registered|closed&day=2026-10-05` (or `&month=2026-10`), or
    `?measure=case.closing&period=2026-10&part=n|d` (a rate's numerator or denominator, as of today)."""
    place = access_place(request.user, code, polygons=False)
    if place.level not in LEVELS:
        raise Http404
    form = DrillForm(request.GET)
    if not form.is_valid():
        return render(request, "bulletins/dashboard_cases.html", {"place": place, "form": form, "rows": []},
                      status=400)
    rows, title = _drill(request.user, place, form.cleaned_data)
    page, next_cursor = case_page(rows, request.GET.get("after", ""))
    return render(request, "bulletins/dashboard_cases.html", {
        "place": place, "title": title, "rows": page, "next": next_cursor, "query": page_query(request),
    })


def _drill(user, place, data: dict):
    if data.get("measure"):
        measure, period, numerator = measures.get(data["measure"]), data["period"], data["part"] == "n"
        title = _("%(period)s · %(measure)s · %(part)s") % {
            "period": period.label, "measure": measure.label, "part": _("分子") if numerator else _("分母")}
        return boards.measure_cases(user, place, measure=measure, period=period, numerator=numerator), title
    if data.get("month"):
        start, end, when = data["month"].start, data["month"].end, data["month"].label
    else:
        start = data["day"]
        end, when = start + datetime.timedelta(days=1), f"{start:%Y-%m-%d}"
    label = _("登记的事件") if data["series"] == "registered" else _("办结的事件")
    return boards.trend_cases(user, place, series=data["series"], start=start, end=end), f"{when} · {label}"


@login_required
@require_GET
def latest_ranking(request):
    """One click from the terminal to the newest quarterly ranking the user reads."""
    ranking = selectors.latest_ranking(request.user)
    url = ranking_url(ranking) if ranking is not None else None
    if url:
        return redirect(url)
    if ranking is None:
        messages.info(request, _("还没有可查看的季度排名。"))
    return redirect("bulletins:dashboard")


# ---------------------------------------------------------------------------------------------- figures for the page


def _unit_url(board, unit) -> str:
    if unit.pk == board.place.pk:  # a grid's own line: its terminal
        return reverse("terminal", args=[unit.code])
    return reverse("bulletins:dashboard_place", args=[unit.code])


def _trend_rows(board, kind: str) -> list[dict]:
    code = board.place.code
    out = []
    for point in board.daily if kind == "day" else board.monthly:
        when = point["day"].isoformat() if kind == "day" else f"{point['month']:%Y-%m}"
        out.append({
            "label": f"{point['day']:%m-%d}" if kind == "day" else f"{point['month']:%Y-%m}",
            "registered": point["registered"], "closed": point["closed"],
            "registered_url": _cases_url(code, series="registered", **{kind: when}),
            "closed_url": _cases_url(code, series="closed", **{kind: when}),
        })
    return out


def _figure_url(board, measure, unit, part: str) -> str:
    """A rate's numerator or denominator: the bulletin's drill-down when a bulletin of the month holds the unit's
    line (as of today: the figures here are today's), else the dashboard's own list of those cases."""
    if board.bulletin is not None:
        url = _reverse("bulletins:rows", board.bulletin.pk,
                       query={"measure": measure.code, "unit": unit.code, "part": part, "today": "1"})
        if url:
            return url
    return _cases_url(unit.code, measure=measure.code, period=board.period.key, part=part)


def _rate_rows(board) -> list[dict]:
    rows = []
    for row in board.rates:
        cells = []
        for measure in board.rate_measures:
            cell = selectors.rate_cell(row["figures"][measure.code])
            cell.update(measure=measure, n_url=_figure_url(board, measure, row["place"], "n"),
                        d_url=_figure_url(board, measure, row["place"], "d"))
            cells.append(cell)
        rows.append({"place": row["place"], "url": _unit_url(board, row["place"]), "cells": cells})
    return rows


def _charts(board, daily, monthly, rate_rows) -> dict:
    """What dashboard.js draws (json_script): series, labels and where a click goes."""
    charts = {
        "text": {"registered": _("登记"), "closed": _("办结"), "patrolled": _("已巡查"), "missing": _("未巡查"),
                 "noData": _("无数据"), "score": _("得分"), "small": _("不排名（样本不足）")},
        "daily": _trend_chart(daily),
        "monthly": _trend_chart(monthly),
    }
    if not board.full:
        return charts
    units = board.units
    charts["rates"] = {
        "labels": [u.name for u in units], "links": [_unit_url(board, u) for u in units],
        "series": [{"name": str(m.label), "data": [_percent(r["cells"][i]) for r in rate_rows]}
                   for i, m in enumerate(board.rate_measures)],
    }
    charts["coverage"] = {
        "labels": [c["place"].name for c in board.coverage], "links": [_unit_url(board, u) for u in units],
        "patrolled": [c["patrolled"] for c in board.coverage],
        "missing": [c["total"] - c["patrolled"] for c in board.coverage],
    }
    few = board.place.level in (Level.COMMUNITY, Level.GRID)  # the grids of one community: their names suffice
    charts["map"] = {
        "name": f"grids-{board.place.code}",
        "geojson": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": g["code"]}, "geometry": g["boundary"]}
            for g in board.grids if g["boundary"]]},
        "grids": [{"code": g["code"], "label": g["name"] if few else f"{g['parent']} {g['name']}",
                   "score": g["score"], "band": g["band"], "state": g["state"], "colour": g["colour"],
                   "url": _grid_url(board, g["code"])} for g in board.grids],
    }
    return charts


def _grid_url(board, code: str) -> str:
    if code == board.place.code:
        return reverse("terminal", args=[code])
    return reverse("bulletins:dashboard_place", args=[code])


def _trend_chart(rows: list[dict]) -> dict:
    return {"labels": [r["label"] for r in rows], "registered": [r["registered"] for r in rows],
            "closed": [r["closed"] for r in rows],
            "links": {"registered": [r["registered_url"] for r in rows], "closed": [r["closed_url"] for r in rows]}}


def _percent(cell: dict) -> float | None:
    return round(cell["n"] * 100 / cell["d"], 1) if cell["d"] else None


# ---------------------------------------------------------------------------------------------- the terminal's buttons


def terminal_links(user, place, context: dict) -> None:
    """On the terminals of the officials, the command center and the administrators: the latest ranking and this
    place's dashboard, first among the page's buttons (registered with grids.terminal_panels; no query)."""
    if place.level not in LEVELS:
        return
    if not (getattr(user, "is_superuser", False) or scope.has_role(user, *LANDING_ROLES)):
        return
    ranking = _reverse("bulletins:latest_ranking")
    board = _reverse("bulletins:dashboard_place", place.code)
    if not (ranking and board):
        return
    context["actions"] = [(_("季度排名"), ranking, "danger"), (_("数据看板"), board, "outline-danger"),
                          *context.get("actions", [])]


dashboard_urlpatterns = [
    path("dashboard/", home, name="dashboard"),
    path("dashboard/ranking/", latest_ranking, name="latest_ranking"),
    path("dashboard/<str:code>/", place_dashboard, name="dashboard_place"),
    path("dashboard/<str:code>/cases/", dashboard_cases, name="dashboard_cases"),
]
