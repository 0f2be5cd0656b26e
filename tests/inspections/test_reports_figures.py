"""Round report figures checked by hand (reports_world.hand_worked), the public progress data, the Excel and PDF
files, the measures."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from grids.models import Role
from inspections import exports
from inspections.models import RecheckResult
from inspections.selectors import reports
from inspections.services import rechecks
from inspections.services.rounds import round_progress_publish
from wudu import exports as export_jobs

from .reports_world import hand_worked, the_round, world

pytestmark = pytest.mark.django_db


def test_office_figures_by_hand(cast):
    round_, _, t = hand_worked(cast)
    report = reports.round_report(cast.user(Role.INSPECTION_OFFICE), round_)
    total = report["total"]
    assert (report["findings"], total.tasks, total.ticked, total.on_time, total.overdue) == (3, 6, 3, 2, 2)
    assert (total.completion, total.on_time_rate, total.reliability) == ("50.0%", "66.7%", "—")
    # overdue: only open tasks past their deadline, oldest first; t2 was late but is ticked off
    assert [task.pk for task in report["overdue"]] == [t[6].pk, t[3].pk]
    assert [task.days_overdue for task in report["overdue"]] == [10, 3]
    by_category = {row["label"]: (row["findings"], row["figures"].tasks, row["figures"].ticked, row["figures"].overdue)
                   for row in report["by_category"]}
    assert by_category == {"作风建设": (1, 3, 2, 1), "侵害群众利益": (1, 2, 1, 0), "廉洁纪律": (1, 1, 0, 1)}
    by_unit = {row["unit"]: (row["findings"], row["figures"].tasks, row["figures"].ticked, row["figures"].overdue,
                             row["figures"].completion) for row in report["by_unit"]}
    assert by_unit == {"董庄社区": (2, 5, 3, 1, "60.0%"), "城市管理": (1, 1, 0, 1, "0.0%")}


def test_inspector_sees_the_figures_of_their_coverage_only(cast):
    round_, _, _ = hand_worked(cast)
    report = reports.round_report(cast.user(Role.INSPECTOR), round_)
    assert (report["findings"], report["total"].tasks, report["total"].ticked, report["total"].overdue) == (2, 5, 3, 1)
    assert report["total"].completion == "60.0%"
    assert [row["unit"] for row in report["by_unit"]] == ["董庄社区"]
    rounds = reports.rounds_with_figures(cast.user(Role.INSPECTOR))
    assert [(r.name, r.figures.tasks, r.figures.completion) for r in rounds] == [("矩阵巡察轮次", 5, "60.0%")]


def test_public_progress_shows_public_findings_only(cast):
    round_, _, _ = hand_worked(cast)
    assert reports.public_progress(round_.pk) is None  # until the office publishes it
    round_progress_publish(actor=cast.user(Role.INSPECTION_OFFICE), round=round_)
    progress = reports.public_progress(round_.pk)
    assert [(f["summary"], f["category"], f["tasks"], f["ticked"]) for f in progress["findings"]] == [
        ("某小区物业违规收取停车费", "侵害群众利益", 2, 1)]
    assert progress["completion"] == "50.0%"
    text = repr(progress)
    for secret in ("李四", "13900001111", "内部", "社区干部", "巡察组成员"):
        assert secret not in text
    assert reports.public_progress(999999) is None


def test_report_queries_do_not_grow_with_the_round(cast):
    office = cast.user(Role.INSPECTION_OFFICE)
    round_, _, _ = hand_worked(cast)
    rechecks.recheck_draw(office, round_, seed="q")
    with CaptureQueriesContext(connection) as small:
        reports.round_report(office, the_round())
    world(cast, ticked=6, open_=4)
    rechecks.recheck_draw(office, round_, seed="q2")
    with CaptureQueriesContext(connection) as large:
        report = reports.round_report(office, the_round())
    assert report["total"].tasks == 16 and len(report["rechecks"]) >= 2
    assert len(large) == len(small)


def test_excel_export_holds_the_figures(cast):
    round_, _, _ = hand_worked(cast)
    assert export_jobs.kind_of(exports.XLSX_KIND).fmt == "xlsx"
    stream, name, rows = exports.report_xlsx_job(cast.user(Role.INSPECTION_OFFICE), {"round": round_.pk},
                                                 lambda done, total: None)
    assert name == "矩阵巡察轮次 巡察整改情况报告.xlsx" and rows == 6
    book = load_workbook(io.BytesIO(stream.read()))
    summary = {row[0]: row[1] for row in book["总体情况"].iter_rows(min_row=3, values_only=True)}
    assert (summary["整改完成率"], summary["按期销号率"], summary["逾期未完成"]) == ("50.0%", "66.7%", 2)
    overdue = list(book["逾期清单"].iter_rows(min_row=2, values_only=True))
    assert [row[5] for row in overdue] == [10, 3]


def test_export_is_gated_by_the_round(cast):
    round_, _, _ = hand_worked(cast)
    from django.http import Http404
    with pytest.raises(Http404):
        exports.report_xlsx_job(cast.user(Role.GRID_WORKER), {"round": round_.pk}, lambda done, total: None)


def test_pdf_is_chinese(cast, tmp_path):
    round_, _, t = hand_worked(cast)
    office = cast.user(Role.INSPECTION_OFFICE)
    rechecks.recheck_draw(office, round_, seed="pdf")
    recheck = round_.rechecks.select_related("task").get()
    rechecks.recheck_record(cast.user(Role.INSPECTOR), recheck, result=RecheckResult.FAILED, note="走访核实未整改到位")
    pdf, name, rows = exports.report_pdf_job(office, {"round": round_.pk}, lambda done, total: None)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("矩阵巡察轮次 巡察整改情况报告", "按问题类别", "侵害群众利益", "董庄社区", "城市管理", "逾期清单",
                  "虚假整改", "走访核实未整改到位", "随机种子 pdf"):
        assert words in text, words
    assert name.endswith(".pdf") and rows == 6
