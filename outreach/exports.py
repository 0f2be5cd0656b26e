"""outreach's exports (wudu.exports, registered in outreach.apps): the quarterly return of 双报到 to a workplace's
party organisation, as Excel. The rows are read again, through the gate, as the job's owner.

Every text cell is typed as text (a name typed as `=HYPERLINK(…)` stays text), as in the ledger's exports
(ledger/exports.py; outreach may not import the ledger, so the few lines are repeated here)."""

from __future__ import annotations

import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from wudu.measures import Period

from .selectors import workplace_return

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value):
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _row(sheet, values) -> list:
    return [_cell(sheet, value) for value in values]


def return_title(workplace: str, period: Period) -> str:
    return _("%(workplace)s 在职党员双报到情况反馈（%(period)s）") % {"workplace": workplace, "period": period.label}


def headers() -> list[str]:
    return [_("序号"), _("姓名"), _("报到党组织"), _("街道"), _("社区"), _("网格"), _("报到日期"),
            _("应参加组织生活"), _("出席"), _("缺席"), _("参加活动"), _("志愿服务时长（小时）")]


def workplace_return_xlsx(user, workplace: str, period: Period) -> tuple:
    rows = workplace_return(user, workplace, period)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("双报到反馈"))
    for column, width in zip("ABCDEFGHIJKL", (6, 10, 22, 12, 12, 10, 12, 10, 8, 8, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(_row(sheet, [return_title(workplace, period)]))
    sheet.append(_row(sheet, [_("生成时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}]))
    sheet.append(_row(sheet, headers()))
    for n, row in enumerate(rows, start=1):
        record = row["record"]
        sheet.append(_row(sheet, [
            n, row["member"].name, row["organization"].name, row["street"].name, row["community"].name,
            row["grid"].name if row["grid"] else "—", row["member"].registered_on.isoformat(), row["due"], record.attended, record.absent,
            record.events_attended, record.volunteer_hours if record.is_volunteer else "—",
        ]))
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, len(rows)


def job_params(workplace: str, period: Period) -> dict:
    return {"workplace": workplace, "quarter": period.key}


def workplace_return_xlsx_job(user, params: dict, progress) -> tuple:
    period = Period.parse(params["quarter"])
    progress(0, 1)
    stream, rows = workplace_return_xlsx(user, params["workplace"], period)
    progress(1, 1)
    return stream, f"{return_title(params['workplace'], period)}.xlsx", rows
