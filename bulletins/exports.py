"""Exports of a bulletin or ranking: a PDF an office would file (Chinese fonts embedded, version, snapshot time,
stage, a draft watermarked 征求意见稿, page numbers) and an Excel workbook (one sheet per table, numbers as
numbers), both from the snapshot as the reader may see it (`reading.snapshot_for`); and the rows behind one
figure as Excel.

Text cells are typed as text (`ledger.exports.xl_cell`), so a unit or category named like a formula is shown as
typed and never evaluated.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import tempfile
from collections import defaultdict

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from grids.models import Level
from ledger.exports import xl_cell, xl_row
from wudu.measures import Period

from . import reading, scoring, selectors, tables
from .models import Bulletin, Kind, Stage
from .tables import SECTIONS  # one list of sections and their titles: the page's, so the PDF and workbook match it

ROWS_MAX = 100_000  # rows of one figure in an Excel export; more than any district's month
TIME_FORMAT = "%Y-%m-%d %H:%M"
XL_RATE_FORMAT = "0.0%"

STATES = {"ranked": "", "small": gettext_lazy("不排名（样本不足）"), "no_data": gettext_lazy("无数据")}
STATE_ORDER = {"ranked": 0, "small": 1, "no_data": 2}
FLAGS = {"late_entries": gettext_lazy("补录超过48小时的走访"), "feedback_without_photo": gettext_lazy("无照片的处置反馈")}
CHINESE_NUMBERS = "一二三四五六七八九十"


def title(bulletin: Bulletin) -> str:
    """魏都区2026年10月网格工作通报 / 魏都区2026年第3季度网格工作综合排名."""
    period = Period.parse(bulletin.period)
    if bulletin.kind == Kind.RANKING:
        return _("%(place)s%(period)s网格工作综合排名") % {"place": bulletin.place.name, "period": period.label}
    return _("%(place)s%(period)s网格工作通报") % {"place": bulletin.place.name, "period": period.label}


def _local(value) -> datetime.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.localtime(value) if value else None


def _number(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _why(line: dict, labels: dict) -> str:
    """What moved the score since last quarter, largest first: "处置率 +3.0，返工率 −1.5"."""
    why = (line.get("previous") or {}).get("why") or {}
    parts = sorted(why.items(), key=lambda item: -abs(item[1]))
    return "，".join(f"{labels.get(code, code)} {points:+.1f}".replace("-", "−") for code, points in parts if points)


def _score_row(line: dict, labels: dict, ties: dict) -> dict:
    previous = line.get("previous") or {}
    rank, before = line.get("rank"), previous.get("rank")
    return {
        "label": line["label"], "level": str(Level(line["level"]).label) if line.get("level") else "",
        "rank": rank, "tied": rank is not None and ties.get((line.get("group"), rank), 0) > 1,
        "score": line.get("score"), "score_text": _number(line.get("score")),
        "interval": f"{line['low']:.1f}–{line['high']:.1f}" if line.get("low") is not None else "",
        "band": line.get("band", ""), "state": str(STATES.get(line.get("state"), "")),
        "distinct": line.get("distinct", False),
        "previous_rank": before, "change": (before - rank) if rank is not None and before is not None else None,
        "why": _why(line, labels),
    }


def _table(lines: list[dict], measures: list[dict]) -> list[dict]:
    return [{"label": line["label"], "state": str(STATES.get(line.get("state"), "")),
             "cells": [selectors.rate_cell(line.get("figures", {}).get(m["code"])) for m in measures]}
            for line in lines]


def document(user, bulletin: Bulletin) -> dict:
    """Everything both exports print, from the snapshot as this reader may see it."""
    snapshot = reading.snapshot_for(user, bulletin)
    measures = snapshot.get("measures", [])
    labels = {m["code"]: m["label"] for m in measures}
    place_code = snapshot.get("place", {}).get("code", bulletin.place.code)
    lines = snapshot.get("lines", [])
    own = [line for line in lines if line.get("parent") == place_code]
    departments = snapshot.get("departments", [])
    ties = defaultdict(int)
    for line in [*lines, *departments]:
        if line.get("rank") is not None:
            ties[(line.get("group"), line["rank"])] += 1
    by_unit = {line["unit"]: line for line in lines}

    sections = []
    for key in dict.fromkeys(m["section"] for m in measures):
        in_section = [m for m in measures if m["section"] == key]
        sections.append({"key": key, "label": str(SECTIONS.get(key, key)), "measures": in_section,
                         "rows": _table(own, in_section),
                         "total": [selectors.rate_cell(snapshot.get("total", {}).get(m["code"])) for m in in_section]})
    department_measures = [m for m in measures if any(m["code"] in d.get("figures", {}) for d in departments)]

    # Peer groups (季排名: streets in the district, communities in a street, grids in a community; 月通报: the
    # units of the bulletin's own level), each ranked apart; departments last.
    groups = []
    for group in snapshot.get("groups", []):
        members = departments if group["key"] == "departments" else [
            line for line in lines if line.get("group") == group["key"]]
        if not members:
            continue
        if group["key"] == "departments":
            name = _("部门")
        else:
            parent = by_unit.get(group["key"])
            name = parent["label"] if parent else snapshot.get("place", {}).get("name", "")
            level = members[0].get("level")
            name = _("%(parent)s各%(level)s") % {"parent": name, "level": Level(level).label} if level else name
        ordered = sorted(members, key=lambda m: (m.get("rank") is None, m.get("rank") or 0,
                                                 STATE_ORDER.get(m.get("state"), 3), m["unit"]))
        groups.append({"key": group["key"], "name": name, "median": _number(group.get("median")),
                       "rows": [_score_row(m, labels, ties) for m in ordered]})

    rules = snapshot.get("rules", {})
    built_at = _local(snapshot.get("built_at")) or timezone.localtime(bulletin.built_at)
    return {
        "bulletin": bulletin, "snapshot": snapshot, "own": own, "title": title(bulletin), "kind": bulletin.kind, "ranking": bulletin.kind == Kind.RANKING,
        "draft": bulletin.stage == Stage.DRAFT, "stage": bulletin.get_stage_display(), "version": bulletin.version,
        "built_at": built_at, "published_at": _local(bulletin.published_at),
        "objection_until": _local(bulletin.objection_until), "reason": bulletin.reason,
        "period": snapshot.get("period", {}), "place": snapshot.get("place", {}), "rows_counted": snapshot.get("rows", 0),
        "narrative": snapshot.get("narrative", ""),
        "red": [by_unit[u]["label"] for u in snapshot.get("red", []) if u in by_unit],
        "black": [by_unit[u]["label"] for u in snapshot.get("black", []) if u in by_unit],
        "list_size": rules.get("list_size"),
        "small": [line["label"] for line in own if line.get("state") == "small"],
        "no_data": [line["label"] for line in own if line.get("state") == "no_data"],
        "groups": groups, "sections": sections, "department_measures": department_measures,
        "departments": _table(departments, department_measures),
        "flags": [{"label": line["label"], "flags": [(str(FLAGS.get(k, k)), n) for k, n in line["flags"].items() if n]}
                  for line in own if any((line.get("flags") or {}).values())],
        "measures": measures,
        "rules": rules,
        "weights": [{"label": labels.get(w["measure"], w["measure"]), "weight": w["weight"],
                     "inverse": not next((m["higher"] for m in measures if m["code"] == w["measure"]), True)}
                    for w in rules.get("weights", [])],
        "time_limits": [{"code": code, "name": name, "limit": tables.limit_text(limit, unit)}
                        for code, name, limit, unit in rules.get("time_limits", [])],
        "shows_spot_checks": any(m["section"] == "spot_checks" for m in measures),
        "printed_at": timezone.localtime(),
        "numbers": CHINESE_NUMBERS,
    }


# ---------------------------------------------------------------------------------------------- PDF


def pdf_name(user, bulletin: Bulletin) -> str:
    """Where the PDF of this version, as this reader sees it, in this language, is kept: readers who see the same
    snapshot share one file; a rebuilt draft (its `lock` moves) gets a new one."""
    seen = json.dumps(reading.snapshot_for(user, bulletin), sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{translation.get_language()}|{seen}".encode()).hexdigest()[:24]
    return f"bulletins/pdf/{bulletin.pk}/{bulletin.version}-{bulletin.lock}-{digest}.pdf"


def pdf_render(user, bulletin: Bulletin) -> str:
    """Render the PDF into the media storage (a task: a district ranking takes many seconds); its name."""
    name = pdf_name(user, bulletin)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(bulletin_pdf(user, bulletin)))
    return name


def bulletin_pdf(user, bulletin: Bulletin) -> bytes:
    """The bulletin or ranking as an A4 PDF (WeasyPrint, Noto CJK fonts embedded as subsets)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only exports need it

    html = render_to_string("bulletins/pdf/bulletin.html", document(user, bulletin))
    return HTML(string=html).write_pdf()


# ---------------------------------------------------------------------------------------------- Excel

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet(workbook: Workbook, name: str, widths: list[int]):
    sheet = workbook.create_sheet(_SHEET_FORBIDDEN.sub("_", name)[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[_column(index)].width = width
    return sheet


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _rate(sheet, figure) -> list:
    """[n, d] as three cells: numerator, denominator (numbers), rate (a number formatted as a percentage, or "—"
    for a zero denominator: never 0 % or 100 %)."""
    n, d = figure if figure else (0, 0)
    value = scoring.rate(n, d)
    if value is None:
        return [n, d, xl_cell(sheet, "—")]
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = XL_RATE_FORMAT
    return [n, d, cell]


def _value(sheet, value):
    """A cell of any type: text as text, times naive local (Excel keeps no zone), numbers and dates as they are."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, Promise):
        value = str(value)
    return xl_cell(sheet, value)


def _figure_rows(sheet, measures: list[dict], lines: list[dict], total: dict | None = None) -> None:
    header = [_("单位"), _("状态")]
    for m in measures:
        header += [_("%(m)s分子") % {"m": m["label"]}, _("%(m)s分母") % {"m": m["label"]}, m["label"]]
    sheet.append(xl_row(sheet, header))
    for line in lines:
        row = [xl_cell(sheet, line["label"]), xl_cell(sheet, str(STATES.get(line.get("state"), "")))]
        for m in measures:
            row += _rate(sheet, line.get("figures", {}).get(m["code"]))
        sheet.append(row)
    if total is not None:
        row = [xl_cell(sheet, _("合计")), xl_cell(sheet, "")]
        for m in measures:
            row += _rate(sheet, total.get(m["code"]))
        sheet.append(row)


def bulletin_xlsx(user, bulletin: Bulletin) -> tuple:
    """The workbook (a temporary file, rewound, for streaming): an overview, the scores by peer group, one sheet
    per section of measures, the departments, data quality, definitions and rules. Returns it and the number of
    units scored in it."""
    doc = document(user, bulletin)
    snapshot, own = doc["snapshot"], doc["own"]
    workbook = Workbook(write_only=True)

    sheet = _sheet(workbook, _("概况"), [16, 90])
    for label, value in [
        (_("标题"), doc["title"]), (_("版本"), doc["version"]), (_("状态"), str(doc["stage"])),
        (_("数据截至"), doc["built_at"]), (_("发布时间"), doc["published_at"] or ""),
        (_("审计链封存值"), f"{bulletin.audit_seal_date:%Y-%m-%d} {bulletin.audit_seal_head}" if bulletin.audit_seal_head else ""),
        (_("申诉截止"), doc["objection_until"] or ""), (_("更正原因"), doc["reason"]),
        (_("计入记录数"), doc["rows_counted"]), (_("情况综述"), doc["narrative"]),
        (_("红榜（不分先后）"), "、".join(doc["red"])),
        (_("黑榜"), "、".join(doc["black"])),
        (_("不排名（样本不足）"), "、".join(doc["small"])), (_("无数据"), "、".join(doc["no_data"])),
    ]:
        sheet.append([xl_cell(sheet, label), _value(sheet, value)])

    sheet = _sheet(workbook, _("综合得分"), [24, 10, 8, 8, 10, 14, 10, 18, 16, 10, 10, 40])
    sheet.append(xl_row(sheet, [_("单位"), _("层级"), _("分组"), _("名次"), _("得分"), _("区间"), _("等次"), _("状态"),
                                _("与中位数"), _("上期名次"), _("名次变化"), _("变动原因")]))
    for group in doc["groups"]:
        for row in group["rows"]:
            sheet.append([xl_cell(sheet, row["label"]), xl_cell(sheet, row["level"]), xl_cell(sheet, group["name"]),
                          row["rank"], row["score"], xl_cell(sheet, row["interval"]), xl_cell(sheet, row["band"]),
                          xl_cell(sheet, row["state"]),
                          xl_cell(sheet, _("明显不同") if row["distinct"] else (_("无法区分") if row["rank"] else "")),
                          row["previous_rank"], row["change"], xl_cell(sheet, row["why"])])

    for section in doc["sections"]:
        sheet = _sheet(workbook, section["label"], [24, 18] + [8, 8, 10] * len(section["measures"]))
        _figure_rows(sheet, section["measures"], own, snapshot.get("total", {}))

    if doc["department_measures"]:
        sheet = _sheet(workbook, _("部门"), [24, 18] + [8, 8, 10] * len(doc["department_measures"]))
        _figure_rows(sheet, doc["department_measures"], snapshot.get("departments", []))

    if doc["flags"]:
        sheet = _sheet(workbook, _("数据质量"), [24, 30, 10])
        sheet.append(xl_row(sheet, [_("单位"), _("提示"), _("条数")]))
        for entry in doc["flags"]:
            for label, n in entry["flags"]:
                sheet.append([xl_cell(sheet, entry["label"]), xl_cell(sheet, label), n])

    sheet = _sheet(workbook, _("指标定义"), [22, 16, 12, 90])
    sheet.append(xl_row(sheet, [_("指标"), _("类别"), _("方向"), _("定义")]))
    for m in doc["measures"]:
        sheet.append(xl_row(sheet, [m["label"], str(SECTIONS.get(m["section"], m["section"])),
                                    _("越高越好") if m["higher"] else _("越低越好"), m["definition"]]))

    sheet = _sheet(workbook, _("计分规则"), [28, 30, 12])
    rules = doc["rules"]
    sheet.append(xl_row(sheet, [_("权重方案"), rules.get("scheme", "")]))
    sheet.append(xl_row(sheet, [_("指标"), _("计分方式"), _("权重")]))
    for weight in doc["weights"]:
        sheet.append([xl_cell(sheet, weight["label"]), xl_cell(sheet, _("1 − 比率") if weight["inverse"] else _("比率")),
                      weight["weight"]])
    sheet.append(xl_row(sheet, [_("等次"), _("最低分")]))
    for band in rules.get("bands", []):
        sheet.append([xl_cell(sheet, str(band["label"])), band["min"]])
    sheet.append([xl_cell(sheet, _("最低样本量（应结案事件）")), rules.get("min_volume")])
    sheet.append([xl_cell(sheet, _("红黑榜人数")), rules.get("list_size")])
    sheet.append([xl_cell(sheet, _("每日巡查时长下限（分钟）")), rules.get("min_patrol_minutes")])
    if doc["shows_spot_checks"]:
        sheet.append([xl_cell(sheet, _("暗访达标分数")), rules.get("spot_check_pass")])
    sheet.append(xl_row(sheet, [_("事件类别"), _("名称"), _("处置时限")]))
    for limit in doc["time_limits"]:
        sheet.append(xl_row(sheet, [limit["code"], limit["name"], limit["limit"]]))
    sheet.append([xl_cell(sheet, _("经申诉核减的事件数")), len(rules.get("exclusions", []))])

    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, sum(len(group["rows"]) for group in doc["groups"])


ROWS_PAGE = 2000  # rows fetched per query when a figure's rows go to Excel


def rows_xlsx(user, bulletin: Bulletin, *, measure_code: str, unit: str, numerator: bool, today: bool):
    """The rows behind one figure (as the reader's gate lets them see), every page of the drill-down; raises
    LookupError as `selectors.drill` does. Returns (file, filename, rows written)."""
    drill = selectors.drill(user, bulletin, measure_code=measure_code, unit=unit, numerator=numerator, today=today,
                            size=ROWS_PAGE)
    part = _("分子") if numerator else _("分母")
    when = _("截至今日") if today else _("发布时数据")
    heading = f"{title(bulletin)} · {drill.label} · {drill.measure.label} · {part} · {when}"
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, str(drill.measure.label), [18] * max(1, len(drill.columns)))
    sheet.append(xl_row(sheet, [heading]))
    n, d = drill.figure if drill.figure else (0, 0)
    sheet.append(xl_row(sheet, [_("发布数：%(n)d / %(d)d") % {"n": n, "d": d}]))
    sheet.append(xl_row(sheet, [str(label) for label, _path in drill.columns]))
    written = 0
    while True:
        for row in drill.rows:
            sheet.append([_value(sheet, selectors.cell(row, path)) for _label, path in drill.columns])
            written += 1
        if not drill.next_cursor or written >= ROWS_MAX:
            break
        drill = selectors.drill(user, bulletin, measure_code=measure_code, unit=unit, numerator=numerator,
                                today=today, after=drill.next_cursor, size=ROWS_PAGE)
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, f"{title(bulletin)}-{drill.label}-{drill.measure.label}-{part}.xlsx", written



# ---------------------------------------------------------------------------------------------- export jobs
# Every download runs as a task (wudu.exports, registered in bulletins.apps), as its owner, through the gate again.


def _bulletin(user, params: dict) -> Bulletin:
    return selectors.access_bulletin(user, params["bulletin"])


def pdf_job(user, params: dict, progress) -> tuple:
    """The PDF, rendered once for every reader who sees the same snapshot (`pdf_render` keeps it)."""
    bulletin = _bulletin(user, params)
    with default_storage.open(pdf_render(user, bulletin), "rb") as pdf:
        return pdf.read(), f"{title(bulletin)}.pdf", None


def xlsx_job(user, params: dict, progress) -> tuple:
    bulletin = _bulletin(user, params)
    stream, rows = bulletin_xlsx(user, bulletin)
    return stream, f"{title(bulletin)}.xlsx", rows


def rows_job(user, params: dict, progress) -> tuple:
    bulletin = _bulletin(user, params)
    return rows_xlsx(user, bulletin, measure_code=params["measure"], unit=params["unit"],
                     numerator=params["part"] == "n", today=params["today"] == "1")
