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

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .models import VisitType
from .selectors import LedgerFilter, ledger_export_rows

PDF_MAX_ROWS = 2000  # a printable ledger; longer periods go to Excel
TIME_FORMAT = "%Y-%m-%d %H:%M"
XL_TIME_FORMAT = "yyyy-mm-dd hh:mm"
# What spreadsheet programs read as the start of a formula (or of a DDE call).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def ledger_xlsx(user, f: LedgerFilter, title: str) -> tuple:
    """Write the workbook row by row to a temporary file; returns it, rewound, for streaming, and its row count."""
    labels = {value: str(label) for value, label in VisitType.choices}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("走访台账"))
    for column, width in zip("ABCDEFGHIJKLM", (6, 17, 12, 12, 10, 17, 10, 10, 24, 12, 30, 30, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(xl_row(sheet, [title]))
    sheet.append(xl_row(sheet, headers()))
    n = 0
    for n, row in enumerate(ledger_export_rows(user, f), start=1):
        sheet.append(xl_row(sheet, _cells(n, row, labels)))
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out, n


def ledger_pdf(user, f: LedgerFilter, title: str) -> tuple[bytes, bool, int]:
    """The ledger as an A4 landscape PDF; returns (pdf, truncated, rows printed)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only exports need it

    labels = {value: str(label) for value, label in VisitType.choices}
    rows, truncated = [], False
    for n, row in enumerate(ledger_export_rows(user, f), start=1):
        if n > PDF_MAX_ROWS:
            truncated = True
            break
        cells = _cells(n, row, labels)
        cells[1] = cells[1].strftime(TIME_FORMAT)
        rows.append(cells)
    html = render_to_string("ledger/pdf.html", {
        "title": title, "headers": headers(), "rows": rows, "truncated": truncated, "limit": PDF_MAX_ROWS,
        "printed_at": timezone.localtime(),
    })
    return HTML(string=html).write_pdf(), truncated, len(rows)

