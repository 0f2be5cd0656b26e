"""The round report as files (wudu.exports jobs, registered in inspections.apps): a PDF (inspections.reports_pdf)
and an Excel workbook. The figures are read again, through the gate, as the job's owner: a job never shows more
than its owner's report page.

Every text cell is typed as text (a title typed as `=HYPERLINK(…)` stays text), as outreach/exports.py does."""

from __future__ import annotations

import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .models import Round
from .reports_pdf import report_pdf
from .selectors import reports
from .selectors.reports import report_title

PDF_KIND = "inspections.round_report.pdf"
XLSX_KIND = "inspections.round_report.xlsx"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(sheet, value):
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def _sheet(workbook, title: str, widths: list[int]):
    sheet = workbook.create_sheet(title)
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    return sheet


def _append(sheet, values) -> None:
    sheet.append([_cell(sheet, value) for value in values])


def report_xlsx(user, round_: Round) -> tuple:
    report = reports.round_report(user, round_)
    total = report["total"]
    workbook = Workbook(write_only=True)

    sheet = _sheet(workbook, _("总体情况"), [22, 16])
    _append(sheet, [report_title(round_)])
    _append(sheet, [_("生成时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}])
    for label, value in ((_("问题数"), report["findings"]), (_("整改任务数"), total.tasks),
                         (_("已销号"), total.ticked), (_("整改完成率"), total.completion),
                         (_("按期销号率"), total.on_time_rate), (_("逾期未完成"), total.overdue),
                         (_("反向核查属实"), total.passed), (_("虚假整改"), total.failed),
                         (_("销号可信度"), total.reliability)):
        _append(sheet, [label, value])

    sheet = _sheet(workbook, _("按问题类别"), [20, 8, 8, 10, 8, 12, 12, 10])
    _append(sheet, [_("问题类别"), _("问题数"), _("任务数"), _("已销号"), _("逾期"), _("整改完成率"), _("按期销号率"),
                    _("已整改问题")])
    for row in report["by_category"]:
        f = row["figures"]
        _append(sheet, [row["label"], row["findings"], f.tasks, f.ticked, f.overdue, f.completion, f.on_time_rate,
                        row["rectified"]])

    sheet = _sheet(workbook, _("按责任单位"), [20, 8, 8, 8, 8, 12, 12, 8, 8, 12])
    _append(sheet, [_("责任单位"), _("问题数"), _("任务数"), _("已销号"), _("逾期"), _("整改完成率"), _("按期销号率"),
                    _("核查属实"), _("虚假整改"), _("销号可信度")])
    for row in report["by_unit"]:
        f = row["figures"]
        _append(sheet, [row["unit"], row["findings"], f.tasks, f.ticked, f.overdue, f.completion, f.on_time_rate,
                        f.passed, f.failed, f.reliability])

    sheet = _sheet(workbook, _("逾期清单"), [30, 30, 18, 12, 12, 10, 10])
    _append(sheet, [_("问题"), _("整改措施"), _("责任单位"), _("责任人"), _("整改期限"), _("逾期天数"), _("状态")])
    for task in report["overdue"]:
        _append(sheet, [task.finding.title, task.measure, task.owner.name, task.responsible.real_name,
                        task.deadline.isoformat(), task.days_overdue, task.get_status_display()])

    sheet = _sheet(workbook, _("反向核查"), [8, 30, 18, 12, 12, 30])
    _append(sheet, [_("批次"), _("问题"), _("责任单位"), _("核查结果"), _("核查时间"), _("核查情况")])
    for recheck in report["rechecks"]:
        _append(sheet, [recheck.draw.number if recheck.draw else "", recheck.task.finding.title,
                        recheck.task.owner.name, recheck.get_result_display(),
                        timezone.localtime(recheck.checked_at).strftime("%Y-%m-%d") if recheck.checked_at else "",
                        recheck.note])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, total.tasks


def _round_of(user, params: dict) -> Round:
    return reports.access_round(user, int(params["round"]))


def report_xlsx_job(user, params: dict, progress) -> tuple:
    round_ = _round_of(user, params)
    progress(0, 1)
    stream, rows = report_xlsx(user, round_)
    progress(1, 1)
    return stream, f"{report_title(round_)}.xlsx", rows


def report_pdf_job(user, params: dict, progress) -> tuple:
    round_ = _round_of(user, params)
    progress(0, 1)
    pdf, rows = report_pdf(user, round_)
    progress(1, 1)
    return pdf, f"{report_title(round_)}.pdf", rows
