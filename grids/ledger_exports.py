"""Exports of the ledger: Excel (streamed through a write-only workbook) and PDF (Chinese fonts embedded)."""

from __future__ import annotations

import tempfile

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .ledger_selectors import LedgerFilter, ledger_export_rows
from .models import VisitType

PDF_MAX_ROWS = 2000  # a printable ledger; longer periods go to Excel


def headers() -> list[str]:
    return [_("序号"), _("走访时间"), _("街道"), _("社区"), _("网格"), _("网格编号"), _("网格员"), _("走访类型"),
            _("走访对象"), _("发现问题"), _("情况说明"), _("处理情况"), _("是否当场解决")]


def _cells(n: int, row: tuple, labels: dict) -> list:
    (visited_at, street, community, grid, code, real_name, username, visit_type, address, unit, room, site,
     category, finding, action, settled) = row
    target = " ".join(p for p in (address, unit, room) if p) if address else (site or "")
    return [
        n, timezone.localtime(visited_at).strftime("%Y-%m-%d %H:%M"), street, community, grid, code,
        real_name or username, labels.get(visit_type, visit_type), target, category or str(_("未发现问题")),
        finding, action, str(_("是")) if settled else str(_("否")),
    ]


def ledger_xlsx(user, f: LedgerFilter, title: str):
    """Write the workbook row by row to a temporary file and return it, rewound, for streaming."""
    labels = {value: str(label) for value, label in VisitType.choices}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("走访台账"))
    for column, width in zip("ABCDEFGHIJKLM", (6, 17, 12, 12, 10, 17, 10, 10, 24, 12, 30, 30, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([title])
    sheet.append(headers())
    for n, row in enumerate(ledger_export_rows(user, f), start=1):
        sheet.append(_cells(n, row, labels))
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out


def ledger_pdf(user, f: LedgerFilter, title: str) -> tuple[bytes, bool]:
    """The ledger as an A4 landscape PDF; returns (pdf, truncated)."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only exports need it

    labels = {value: str(label) for value, label in VisitType.choices}
    rows, truncated = [], False
    for n, row in enumerate(ledger_export_rows(user, f), start=1):
        if n > PDF_MAX_ROWS:
            truncated = True
            break
        rows.append(_cells(n, row, labels))
    html = render_to_string("ledger/pdf.html", {
        "title": title, "headers": headers(), "rows": rows, "truncated": truncated, "limit": PDF_MAX_ROWS,
        "printed_at": timezone.localtime(),
    })
    return HTML(string=html).write_pdf(), truncated

