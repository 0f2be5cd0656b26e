"""Exports of the ledger: Excel (streamed through a write-only workbook) and PDF (Chinese fonts embedded).

Every text cell of the workbook is typed as text (`xl_row`): a finding typed as `=HYPERLINK(…)`, `+1+1` or
`@SUM(A1)` is shown as typed and never evaluated. Typing the cell, not prefixing an apostrophe, keeps the
text exactly as the person wrote it (in a file an apostrophe is a real character a reader would see and a
re-import would keep); cells starting like a formula also carry Excel's quote prefix, so editing one in
Excel does not turn it into a formula either. Numbers and times keep their types.
"""

from __future__ import annotations

import datetime
import tempfile

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from wudu.pdf_table import table_pdf

from .models import VisitType
from .selectors import LedgerFilter, ledger_export_rows, ledger_queryset

PDF_MAX_ROWS = 2000  # a printable ledger; longer periods go to Excel
TIME_FORMAT = "%Y-%m-%d %H:%M"
XL_TIME_FORMAT = "yyyy-mm-dd hh:mm"
# What spreadsheet programs read as the start of a formula (or of a DDE call).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The PDF's columns, in parts of the page's width: the time and the 15-digit code on one line.
PDF_WIDTHS = (6, 21, 12, 12, 10, 21, 10, 10, 22, 12, 27, 27, 10)


def headers() -> list[str]:
    return [_("序号"), _("走访时间"), _("街道"), _("社区"), _("网格"), _("网格编号"), _("网格员"), _("走访类型"),
            _("走访对象"), _("发现问题"), _("情况说明"), _("处理情况"), _("是否当场解决")]


def _cells(n: int, row: tuple, labels: dict) -> list:
    (visited_at, street, community, grid, code, real_name, username, visit_type, address, unit, room, site,
     category, finding, action, settled) = row
    target = " ".join(p for p in (address, unit, room) if p) if address else (site or "")
    return [
        n, timezone.localtime(visited_at).replace(tzinfo=None), street, community, grid, code,
        real_name or username, labels.get(visit_type, visit_type), target, category or str(_("未发现问题")),
        finding, action, str(_("是")) if settled else str(_("否")),
    ]


def xl_cell(sheet, value):
    """One cell of a write-only sheet: text always as text (never a formula), times with a format, numbers as is."""
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XL_TIME_FORMAT
        return cell
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in the file (openpyxl would refuse the whole export): shown as �.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"  # openpyxl makes any text starting with "=" a formula; this one is text
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


def xl_row(sheet, values) -> list:
    return [xl_cell(sheet, value) for value in values]


def ledger_xlsx(user, f: LedgerFilter, title: str, rows=None) -> tuple:
    """Write the workbook row by row to a temporary file; returns it, rewound, for streaming, and its row count.
    `rows` the visits' export rows when the caller reads them itself (to count progress)."""
    labels = {value: str(label) for value, label in VisitType.choices}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("走访台账"))
    for column, width in zip("ABCDEFGHIJKLM", (6, 17, 12, 12, 10, 17, 10, 10, 24, 12, 30, 30, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(xl_row(sheet, [title]))
    sheet.append(xl_row(sheet, headers()))
    n = 0
    for n, row in enumerate(ledger_export_rows(user, f) if rows is None else rows, start=1):
        sheet.append(xl_row(sheet, _cells(n, row, labels)))
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, n


def ledger_pdf(user, f: LedgerFilter, title: str, progress=None) -> tuple[bytes, bool, int]:
    """The ledger as an A4 landscape PDF (wudu.pdf_table: a district's week, 2,000 rows, in seconds); returns
    (pdf, truncated, rows printed). `progress(done, total)` is told every 100 rows."""
    labels = {value: str(label) for value, label in VisitType.choices}
    rows, truncated = [], False
    for n, row in enumerate(ledger_export_rows(user, f), start=1):
        if n > PDF_MAX_ROWS:
            truncated = True
            break
        cells = _cells(n, row, labels)
        cells[1] = cells[1].strftime(TIME_FORMAT)
        rows.append(cells)
    meta = _("打印时间：%(at)s") % {"at": timezone.localtime().strftime(TIME_FORMAT)}
    if truncated:
        meta += " · " + _("只列出前 %(limit)s 条，完整台账请导出 Excel。") % {"limit": PDF_MAX_ROWS}
    pdf = table_pdf(title=title, meta=meta, headers=headers(), widths=PDF_WIDTHS, rows=rows,
                    empty=_("这段时间没有走访记录。"),
                    progress=(lambda done: progress(done, len(rows))) if progress else None)
    return pdf, truncated, len(rows)


# ---------------------------------------------------------------------------------------------- export jobs
# The ledger's exports run as tasks (wudu.exports, registered in ledger.apps): the parameters are the filter the
# page validated, as JSON; the rows are read again, through the gate, as the job's owner.

PROGRESS_EVERY_ROWS = 200


def job_params(f: LedgerFilter, title: str) -> dict:
    """The filter as a job's parameters (the keys the access event keeps as values; `_title` is not recorded)."""
    return {"place": f.place_code, "date_from": f.date_from.isoformat(), "date_to": f.date_to.isoformat(),
            "worker": f.worker_id, "category": f.category_code,
            "settled": {True: "yes", False: "no"}.get(f.settled, ""), "_title": title}


def job_filter(params: dict) -> LedgerFilter:
    return LedgerFilter(
        place_code=params.get("place") or "", date_from=datetime.date.fromisoformat(params["date_from"]),
        date_to=datetime.date.fromisoformat(params["date_to"]), worker_id=params.get("worker") or None,
        category_code=params.get("category") or "", settled={"yes": True, "no": False}.get(params.get("settled") or ""))


def _counted(rows, total: int, progress):
    for n, row in enumerate(rows, start=1):
        if n % PROGRESS_EVERY_ROWS == 0:
            progress(n, total)
        yield row


def ledger_xlsx_job(user, params: dict, progress) -> tuple:
    f, title = job_filter(params), params["_title"]
    total = ledger_queryset(user, f).count()
    progress(0, total)
    stream, rows = ledger_xlsx(user, f, title, rows=_counted(ledger_export_rows(user, f), total, progress))
    return stream, f"{title}.xlsx", rows


def ledger_pdf_job(user, params: dict, progress) -> tuple:
    f, title = job_filter(params), params["_title"]
    total = min(ledger_queryset(user, f).count(), PDF_MAX_ROWS)
    progress(0, total)
    pdf, _truncated, rows = ledger_pdf(user, f, title, progress=progress)
    return pdf, f"{title}.pdf", rows
