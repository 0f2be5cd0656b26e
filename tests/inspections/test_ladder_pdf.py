"""The ladder's documents render Chinese: pdftotext reads back the title, number, unit, finding, task, deadline, what
comes next and the issuing office; page 1 is rendered to PNG beside (look at it: --basetemp keeps it)."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest

from inspections.ladder_pdf import notice_pdf
from inspections.models import Ladder
from inspections.services import ladder
from tests.inspections.ladder_helpers import at, make_task

DUE = datetime.date(2027, 3, 15)
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


def text_of(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / name)], check=True)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("kind, title, words", [
    (Ladder.NOTICE, "督办通知书", ["整改期限", "2027年3月15日", "到期前 7 天将发出提醒书"]),
    (Ladder.REMINDER, "提醒书", ["不足 7 天"]),
    (Ladder.WARNING, "告诫书", ["原整改期限", "最后期限", "2027年3月30日", "将发出问责书"]),
    (Ladder.ACCOUNTABILITY, "问责书", ["超过最后期限", "约谈", "原整改期限2027年3月15日", "最后期限2027年3月30日"]),
])
def test_each_document_renders_chinese(cast, tmp_path, kind, title, words):
    task = make_task(cast, deadline=DUE)
    notice = ladder.issue_notice(task, kind, now=at(DUE + datetime.timedelta(days=1)))

    text = text_of(notice_pdf(notice), tmp_path, kind)

    flat = "".join(text.split())  # lines wrap anywhere in Chinese
    for expected in [title, notice.number, "董庄社区：", "低保资格审核不严", "清理违规发放的补贴", "侵害群众利益",
                     "中共魏都区委员会巡察工作领导小组办公室", "2027年3月16日", "待签收", *words]:
        assert "".join(expected.split()) in flat, (expected, text)
    assert (tmp_path / f"{kind}-1.png").stat().st_size > 5000
