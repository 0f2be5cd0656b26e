"""Exports of a bulletin or ranking (PDF, Excel) and of a figure's rows (Excel), on the hand-worked October."""

import datetime
import io
import re
import subprocess
import time
import uuid

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bulletins import services
from bulletins.models import Bulletin, Kind
from grids import services as grid_services
from grids.models import Role
from ledger import services as ledger_services
from wudu.measures import Period

from .conftest import at

OCTOBER = Period.month(2026, 10)
PAGE_IMAGE = "/tmp/bulletin-page1.png"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # rendered PDFs are kept there


@pytest.fixture
def download(export_get):
    """GET an export as a reader's browser does: the link asks for a job (wudu.exports), its task runs when the
    request's work commits (eager here, without a broker), the job's page leads to the file."""
    return export_get


def pdf_of(response) -> bytes:
    """The PDF a download answered with (rendered by the task: eager here, without a broker)."""
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    return b"".join(response.streaming_content)


@pytest.fixture
def spot_check(cast):
    return ledger_services.spot_check_record(
        actor=cast.user(Role.COMMAND_CENTER), grid=cast.place("G1"), client_id=uuid.uuid4(),
        checked_on=datetime.date(2026, 10, 15), findings="楼道堆物", score=70)


@pytest.fixture
def district(october, spot_check, cast):
    return services.bulletin_build(place=cast.place("D"), period=OCTOBER, now=at(11, 2))


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(book, name) -> list[tuple]:
    return [row for row in book[name].iter_rows(values_only=True)]


def test_the_workbook_holds_the_snapshots_figures_as_numbers(client, cast, district, download):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    book = workbook(download(client, reverse("bulletins:export_xlsx", args=[district.pk])))
    assert book.sheetnames[:3] == ["概况", "综合得分", "事件办理"]
    overview = dict(sheet_rows(book, "概况"))
    assert overview["标题"] == "魏都区2026年10月网格工作通报" and overview["状态"] == "征求意见稿"
    assert overview["红榜（不分先后）"] == "新兴街道" and overview["不排名（样本不足）"] == "丁庄街道"
    cases = sheet_rows(book, "事件办理")
    header = cases[0]
    at_ = {label: index for index, label in enumerate(header)}
    s1 = next(row for row in cases if row[0] == "新兴街道")
    # 处置率 of 新兴街道: 6 of 8, numbers as numbers, the rate a number formatted as a percentage.
    assert (s1[at_["处置率分子"]], s1[at_["处置率分母"]], s1[at_["处置率"]]) == (6, 8, 0.75)
    assert (s1[at_["按期结案率分子"]], s1[at_["按期结案率分母"]]) == (2, 8)
    total = next(row for row in cases if row[0] == "合计")
    assert (total[at_["处置率分子"]], total[at_["处置率分母"]]) == (7, 9)
    cell = book["事件办理"].cell(row=cases.index(s1) + 1, column=at_["处置率"] + 1)
    assert cell.data_type == "n" and cell.number_format == "0.0%"
    # A zero denominator reads "—", never 0 % or 100 %.
    satisfaction = sheet_rows(book, "群众满意度")
    s2 = next(row for row in satisfaction if row[0] == "丁庄街道")
    assert s2[2:5] == (0, 0, "—")
    scores = sheet_rows(book, "综合得分")
    assert next(row for row in scores if row[0] == "新兴街道")[3:5] == (1, 71.25)
    assert "暗访达标率" in [row[0] for row in sheet_rows(book, "指标定义")]
    spot = sheet_rows(book, "暗访督导")
    assert next(row for row in spot if row[0] == "新兴街道")[2:5] == (0, 1, 0)


def test_text_that_looks_like_a_formula_stays_text(client, cast, district, download):
    snapshot = district.snapshot
    snapshot["lines"][0]["label"] = '=HYPERLINK("http://example.invalid","点击")'
    Bulletin.objects.filter(pk=district.pk).update(snapshot=snapshot)
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    book = workbook(download(client, reverse("bulletins:export_xlsx", args=[district.pk])))
    cell = next(cell for row in book["事件办理"].iter_rows() for cell in row if str(cell.value).startswith("=HYPER"))
    assert cell.data_type == "s" and cell.quotePrefix


def test_a_grid_workers_export_has_no_covert_check(client, cast, district, download):
    client.force_login(cast.user(Role.GRID_WORKER))
    book = workbook(download(client, reverse("bulletins:export_xlsx", args=[district.pk])))
    assert "暗访督导" not in book.sheetnames
    everything = " ".join(str(value) for name in book.sheetnames for row in sheet_rows(book, name) for value in row)
    assert "暗访" not in everything
    assert "处置率" in everything
    pdf = download(client, reverse("bulletins:export_pdf", args=[district.pk]))
    assert pdf.status_code == 200
    assert "暗访" not in pdf_text(pdf_of(pdf))


def test_a_bulletin_outside_scope_is_not_found(client, cast, october):
    street = services.bulletin_build(place=cast.place("S1"), period=OCTOBER, now=at(11, 2))
    other = grid_services.person_appoint(actor=cast.admin, place=cast.place("S2"), role=Role.STREET_OFFICIAL,
                                         username="street_s2", real_name="丁庄街道干部", mobile="13900000003").user
    client.force_login(other)
    for name in ("export_pdf", "export_xlsx"):
        assert client.get(reverse(f"bulletins:{name}", args=[street.pk])).status_code == 404
    assert client.get(reverse("bulletins:export_rows", args=[street.pk]), {"measure": "case.handling"}
                      ).status_code == 404
    client.logout()
    assert client.get(reverse("bulletins:export_xlsx", args=[street.pk])).status_code == 302  # to the sign-in


def test_the_rows_of_a_figure_as_excel_pass_the_readers_gate(client, cast, october, district, download):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    url = reverse("bulletins:export_rows", args=[district.pk])
    book = workbook(download(client, url, {"measure": "case.handling", "unit": cast.place("S1").code, "part": "n"}))
    rows = sheet_rows(book, book.sheetnames[0])
    assert "新兴街道 · 处置率 · 分子" in rows[0][0] and rows[1][0] == "发布数：6 / 8"
    assert rows[2][:4] == ("受理编号", "社区", "网格", "类别")  # a grid's name alone is ambiguous in a district
    references = {row[0] for row in rows[3:]}
    assert references == {october.case(name).reference for name in ("A", "B", "D", "G", "H", "P")}
    dispatched = rows[3][6]
    assert isinstance(dispatched, datetime.datetime) and dispatched.tzinfo is None  # local time, as Excel keeps it
    other = workbook(download(client, url, {"measure": "case.handling", "unit": cast.place("S2").code}))
    assert len(sheet_rows(other, other.sheetnames[0])) == 3  # S2's case is not the S1 official's to see
    assert client.get(url, {"measure": "case.logins"}).status_code == 404
    assert client.get(url, {"measure": "case.handling", "part": "x"}).status_code == 400


# ---------------------------------------------------------------------------------------------- PDF


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_the_pdf_prints_in_chinese_with_embedded_cjk_fonts(client, cast, district, tmp_path, download):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    started = time.perf_counter()
    response = download(client, reverse("bulletins:export_pdf", args=[district.pk]))
    content = pdf_of(response)
    elapsed = time.perf_counter() - started
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # CJK fonts, embedded (subsets)
    assert all(" yes " in line for line in fonts.splitlines()[2:]), fonts  # and nothing left to the reader's machine
    text = pdf_text(content)
    for words in ("魏都区2026年10月网格工作通报", "征求意见稿", "数据截至 2026-11-02 10:00", "新兴街道", "丁庄街道",
                  "处置率", "75.00%", "6/8", "红榜", "样本不足", "指标定义与计分规则", "应结案事件"):
        assert words in text, words
    # The first page as an image: rendered, not blank (look at it: /tmp/bulletin-page1.png).
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    PAGE_IMAGE.removesuffix(".png")], check=True)
    with open(PAGE_IMAGE, "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                               check=True).stdout)[1])
    print(f"bulletin PDF: {len(content)} bytes, {pages} pages, {elapsed:.2f} s")  # noqa: T201


def test_a_published_ranking_prints_without_the_watermark(client, cast, october, download):
    ranking = services.bulletin_build(place=cast.place("D"), period=Period.quarter(2026, 3), kind=Kind.RANKING,
                                      now=at(10, 2))
    services.bulletin_publish(actor=cast.user(Role.COMMAND_CENTER), bulletin=ranking, now=timezone.now())
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    text = pdf_text(pdf_of(download(client, reverse("bulletins:export_pdf", args=[ranking.pk]))))
    assert "魏都区2026年第3季度网格工作综合排名" in text and "已发布" in text
    assert "征求意见稿" not in text
    book = workbook(download(client, reverse("bulletins:export_xlsx", args=[ranking.pk])))
    scores = sheet_rows(book, "综合得分")
    assert {row[1] for row in scores[1:] if row[1]} >= {"街道", "社区", "网格"}  # every peer group


def test_the_pdf_is_rendered_by_a_task_once_and_the_reader_waits_meanwhile(client, cast, district,
                                                                          django_capture_on_commit_callbacks):
    from wudu import exports as export_jobs
    from wudu.models import ExportJob, OutboxMessage

    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("bulletins:export_pdf", args=[district.pk])
    # A worker, not yet done: the outbox holds the task and nothing runs it (no commit).
    first = client.get(url)
    assert first.status_code == 302
    waiting = client.get(first["Location"])
    assert waiting.status_code == 200 and "正在生成" in waiting.content.decode()
    assert client.get(url)["Location"] == first["Location"]  # asked again: the same job
    [job] = ExportJob.objects.filter(kind="bulletins.pdf")
    assert OutboxMessage.objects.filter(task="wudu.tasks.export_job_run_task").count() == 1
    export_jobs.export_run(job.pk)  # the worker finishes
    assert "导出已完成" in client.get(first["Location"]).content.decode()  # done: the job's page leads to the file
    assert pdf_of(client.get(f"/exports/{job.pk}/download"))
    kept = default_storage.listdir(f"bulletins/pdf/{district.pk}")[1]
    # Another reader who sees the same: a job of their own, the same rendered file.
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert default_storage.listdir(f"bulletins/pdf/{district.pk}")[1] == kept
