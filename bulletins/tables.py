"""What a reader sees of a bulletin's snapshot: the tables by section, the peer groups of a ranking, the chart data,
the rules in force. Pure functions of the snapshot and the reader (no queries): the page and the exports read the
same tables, and a measure hidden from the reader (selectors.shows) is left out of all of them."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import LimitUnit
from grids.models import Level
from wudu import measures

from . import scoring, selectors
from .models import Bulletin

SECTIONS = {
    "cases": gettext_lazy("事件办理"),
    "reports": gettext_lazy("上报"),
    "satisfaction": gettext_lazy("群众满意度"),
    "hotline": gettext_lazy("12345 热线"),
    "patrol": gettext_lazy("日巡查"),
    "spot_checks": gettext_lazy("暗访督导"),
    "outreach": gettext_lazy("党建与志愿服务"),
    "party": gettext_lazy("党组织生活"),
    "inspections": gettext_lazy("巡察整改"),
    "affairs": gettext_lazy("便民服务"),
}
STATES = {"small": gettext_lazy("不排名（样本不足）"), "no_data": gettext_lazy("无数据")}
FLAGS = {"late_entries": gettext_lazy("走访记录晚于 48 小时补录"),
         "feedback_without_photo": gettext_lazy("部门反馈无现场照片")}
DEFAULT_CHART = "case.closing_on_time"


class Reader:
    """The reader of one bulletin: which measures they see, on which lines (selectors.shows, memoised)."""

    def __init__(self, user, bulletin: Bulletin):
        self.user, self.bulletin = user, bulletin
        self.measures = selectors.visible_measures(user, bulletin)
        self.codes = {m["code"] for m in self.measures}
        self.labels = {m["code"]: m["label"] for m in self.measures}
        self._shown: dict[tuple[str, str], bool] = {}

    def shows(self, code: str, unit: str) -> bool:
        if code not in self.codes:
            return False
        key = (code, unit)
        if key not in self._shown:
            entry = next(m for m in self.measures if m["code"] == code)
            self._shown[key] = not entry.get("above_grid_only") or selectors.shows(
                self.user, measures.get(code), unit)
        return self._shown[key]


def cell(reader: Reader, code: str, line: dict) -> dict:
    out = selectors.rate_cell(line.get("figures", {}).get(code))
    out.update(measure=code, unit=line["unit"], shown=reader.shows(code, line["unit"]))
    return out


def _row(reader: Reader, codes: list[str], line: dict, kind: str = "line") -> dict:
    return {"kind": kind, "unit": line["unit"], "label": line["label"], "state": line.get("state"),
            "cells": [cell(reader, code, line) for code in codes]}


def child_lines(bulletin: Bulletin) -> list[dict]:
    levels = bulletin.snapshot.get("levels") or []
    return [line for line in bulletin.snapshot.get("lines", []) if not levels or line.get("level") == levels[0]]


def _with_department_figures(codes: list[str]) -> list[str]:
    return [code for code in codes if measures.get(code).department_field]


def sections(reader: Reader) -> list[dict]:
    """The bulletin's tables: per section, the child places (ranked, then 不排名（样本不足）, then 无数据), the
    departments (for the measures a department answers for), and the total line. Lines with nothing to count in
    a section are named in one row instead of a row of dashes; a section with nothing at all says so."""
    snapshot = reader.bulletin.snapshot
    place = snapshot.get("place", {})
    total = {"unit": place.get("code", reader.bulletin.place.code), "label": _("合计"),
             "figures": snapshot.get("total", {})}
    by_section = defaultdict(list)
    for entry in reader.measures:
        by_section[entry["section"]].append(entry)
    lines = child_lines(reader.bulletin)
    out = []
    for section, entries in sorted(by_section.items(), key=lambda item: _section_order(item[0])):
        codes = [m["code"] for m in entries]
        total_row = _row(reader, codes, total, kind="total")
        empty = not any(c["d"] for c in total_row["cells"] if c and c["shown"])
        rows = _group(reader, codes, [line for line in lines if line.get("state") == "ranked"])
        for state, heading in STATES.items():
            apart = [line for line in lines if line.get("state") == state]
            if apart:
                rows.append({"kind": "head", "label": heading, "state": state})
                rows.extend(_group(reader, codes, apart))
        department_codes = _with_department_figures(codes)
        if department_codes and snapshot.get("departments"):
            rows.append({"kind": "head", "label": _("部门")})
            rows.extend(_group(reader, codes, snapshot["departments"], only=department_codes))
        rows.append(total_row)
        out.append({"code": section, "label": SECTIONS.get(section, section), "measures": entries, "rows": rows,
                    "empty": empty, "narrow": len(entries) <= 3})
    return out


def _group(reader: Reader, codes: list[str], lines: list[dict], only: list[str] | None = None) -> list[dict]:
    """The rows of some lines; those with no denominator for any of the section's measures as one row of names."""
    rows, nothing = [], []
    for line in lines:
        row = _row(reader, codes, line)
        if only is not None:
            row["cells"] = [c if c["measure"] in only else None for c in row["cells"]]
        if any(c and c["shown"] and c["d"] for c in row["cells"]):
            rows.append(row)
        else:
            nothing.append(line["label"])
    if nothing:
        rows.append({"kind": "names", "label": _("本项无数据"), "names": "、".join(nothing)})
    return rows


def _section_order(section: str) -> int:
    order = list(SECTIONS)
    return order.index(section) if section in order else len(order)


def chart(reader: Reader) -> dict:
    """The bar chart's data: every shown rate by child place (a rate without denominator is null, not 0)."""
    lines = child_lines(reader.bulletin)
    series = {}
    for entry in reader.measures:
        code = entry["code"]
        values = []
        for line in lines:
            n, d = line.get("figures", {}).get(code, (0, 0))
            value = scoring.rate(n, d)
            values.append(None if value is None or not reader.shows(code, line["unit"]) else round(value * 100, 2))
        if any(v is not None for v in values):
            series[code] = {"label": entry["label"], "values": values}
    default = DEFAULT_CHART if DEFAULT_CHART in series else next(iter(series), "")
    return {"labels": [line["label"] for line in lines], "series": series, "default": default}


def lists(bulletin: Bulletin) -> dict:
    """The red and black lists with each unit's rank and score."""
    by_unit = {line["unit"]: line for line in bulletin.snapshot.get("lines", [])}
    def named(units):
        return [{"unit": u, "label": by_unit[u]["label"], "rank": by_unit[u].get("rank"),
                 "score": by_unit[u].get("score")} for u in units if u in by_unit]
    red, black = named(bulletin.snapshot.get("red", [])), named(bulletin.snapshot.get("black", []))
    ranks = [item["rank"] for item in red + black]
    return {"red": red, "black": black, "ties": len(ranks) != len(set(ranks))}


def flags(bulletin: Bulletin) -> list[dict]:
    out = []
    for line in child_lines(bulletin):
        found = [{"label": FLAGS.get(name, name), "count": count} for name, count in line.get("flags", {}).items()
                 if count]
        if found:
            out.append({"label": line["label"], "flags": found})
    return out


def rules(reader: Reader) -> dict:
    rules = reader.bulletin.snapshot.get("rules", {})
    all_labels = {m["code"]: m["label"] for m in reader.bulletin.snapshot.get("measures", [])}
    weights = [{"label": reader.labels.get(w["measure"]) or all_labels.get(w["measure"], w["measure"]),
                "weight": w["weight"], "shown": w["measure"] in reader.codes} for w in rules.get("weights", [])]
    return {
        "scheme": rules.get("scheme", ""), "weights": weights, "bands": rules.get("bands", []),
        "min_volume": rules.get("min_volume"), "volume_label": all_labels.get(rules.get("volume_measure"), ""),
        "list_size": rules.get("list_size"), "min_patrol_minutes": rules.get("min_patrol_minutes"),
        "spot_check_pass": rules.get("spot_check_pass") if "spot_check.pass" in reader.codes else None,
        "time_limits": [{"code": c, "name": n, "limit": limit_text(limit, unit)}
                        for c, n, limit, unit in rules.get("time_limits", [])],
        "exclusions": len(rules.get("exclusions", [])),
    }


# ---------------------------------------------------------------------------------------------- rankings

LEVEL_GROUPS = {Level.STREET: gettext_lazy("各街道"), Level.COMMUNITY: gettext_lazy("各社区"),
                Level.GRID: gettext_lazy("各网格")}
LEVEL_TIERS = {Level.STREET: gettext_lazy("街道（在区内排名）"), Level.COMMUNITY: gettext_lazy("社区（在所属街道内排名）"),
               Level.GRID: gettext_lazy("网格（在所属社区内排名）")}
WHY_SHOWN = 3


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def ranking_groups(reader: Reader) -> list[dict]:
    """The peer groups of a ranking (grids within a community, communities within a street, streets within the
    district, departments apart): ranked units by rank, then 样本不足, then 无数据; each with its score's interval,
    band, median test, change of rank and why (points per measure), and the funnel plot's points."""
    snapshot = reader.bulletin.snapshot
    weighted = [w["measure"] for w in snapshot.get("rules", {}).get("weights", []) if w["measure"] in reader.codes]
    levels = snapshot.get("levels", [])
    members = defaultdict(list)
    for line in snapshot.get("lines", []) + snapshot.get("departments", []):
        members[line.get("group")].append(line)
    out = []
    for group in snapshot.get("groups", []):
        lines = members.get(group["key"], [])
        if not lines:
            continue
        level = lines[0].get("level")
        department = group["key"] == "departments"
        title = _("部门") if department else f"{lines[0].get('parent_label', '')}{LEVEL_GROUPS.get(level, '')}"
        median = group.get("median")
        rows = []
        ranked = sorted((line for line in lines if line["state"] == "ranked"), key=lambda x: (x["rank"], x["label"]))
        for line in ranked:
            rows.append(_ranked_row(reader, weighted, line, median))
        for state, heading in STATES.items():
            apart = [line for line in lines if line["state"] == state]
            if apart:
                rows.append({"kind": "head", "label": heading, "state": state})
                rows.extend(_ranked_row(reader, weighted, line, median) for line in apart)
        points = [{"name": line["label"], "volume": line.get("volume", 0), "score": line["score"],
                   "low": line["low"], "high": line["high"], "state": line["state"],
                   "distinct": bool(line.get("distinct"))} for line in lines if line.get("score") is not None]
        out.append({"key": group["key"], "title": title, "median": median, "ranked": group.get("ranked"),
                    "size": group.get("size"), "rows": rows, "measures": [reader.labels[c] for c in weighted],
                    "funnel": {"median": median, "points": points, "title": str(title)}, "level": level,
                    "order": (len(levels) if department else levels.index(level) if level in levels else 0,
                              group["key"])})
    out.sort(key=lambda g: g["order"])
    return out


def ranking_tiers(reader: Reader) -> list[dict]:
    """The peer groups by tier (streets, communities, grids, departments): the first tier and the departments
    open, the many small groups below them folded."""
    tiers: list[dict] = []
    for group in ranking_groups(reader):
        tier = group["order"][0]
        if not tiers or tiers[-1]["order"] != tier:
            level = group["level"]
            tiers.append({"order": tier, "label": _("部门") if group["key"] == "departments" else
                          LEVEL_TIERS.get(level, ""), "groups": []})
        group["open"] = len(tiers) == 1 or group["key"] == "departments"
        tiers[-1]["groups"].append(group)
    return tiers


def _ranked_row(reader: Reader, weighted: list[str], line: dict, median) -> dict:
    row = _row(reader, weighted, line)
    score, low, high = line.get("score"), line.get("low"), line.get("high")
    row.update(rank=line.get("rank"), score=score, low=low, high=high, band=line.get("band", ""),
               volume=line.get("volume", 0))
    if line["state"] == "ranked" and median is not None:
        row["against_median"] = ("indistinct" if not line.get("distinct") else
                                 "above" if low is not None and low > median else "below")
    previous = line.get("previous")
    if previous is not None:
        before, now = previous.get("rank"), line.get("rank")
        change = None if before is None or now is None else before - now
        why = [{"measure": code, "label": reader.labels[code], "points": points, "text": _signed(points)}
               for code, points in sorted(previous.get("why", {}).items(), key=lambda item: -abs(item[1]))
               if code in reader.codes and reader.shows(code, line["unit"]) and round(points, 2) != 0]
        row["previous"] = {"rank": before, "change": change, "steps": None if change is None else abs(change),
                           "why": why[:WHY_SHOWN], "why_more": why[WHY_SHOWN:],
                           "score_change": None if previous.get("score") is None or score is None
                           else _signed(score - previous["score"])}
    return row


def limit_text(limit, unit: str) -> str:
    """A category's time limit as people read it: "3 工作日", "48 小时", "4 工作小时"."""
    label = LimitUnit(unit).label if unit in LimitUnit.values else unit
    return f"{limit} {label}"
