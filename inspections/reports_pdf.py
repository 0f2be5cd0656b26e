"""The round report as a PDF (A4, Chinese) through WeasyPrint, as outreach/certs_pdf.py: the figures, the tables by
category and by unit, the overdue list and the re-check results. One font family (Noto Sans CJK SC)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Round
from .selectors import reports
from .selectors.reports import report_title


def report_pdf(user, round_: Round) -> tuple[bytes, int]:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only the export needs it

    report = reports.round_report(user, round_)
    html = render_to_string("inspections/reports/pdf.html", {
        **report, "title": report_title(round_), "generated_at": timezone.localtime()})
    return HTML(string=html).write_pdf(), report["total"].tasks
