"""The long-table PDF (wudu.pdf_table) the ledger prints with: every row and the header on every page, a row longer
than a page continued on the next, the CJK font embedded, the text searchable."""

import re
import subprocess

from wudu.pdf_table import table_pdf

HEADERS = ["序号", "走访时间", "发现问题", "情况说明"]


def pages_text(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return text.decode().split("\f")[:-1]


def test_every_row_is_printed_under_a_header_on_every_page(tmp_path):
    rows = [[n, f"2026-11-{1 + n % 28:02d} 09:30", "安全隐患", f"电动车楼道充电 第{n}户"] for n in range(1, 201)]
    rows[99][3] = "楼道堆物，" * 400  # longer than a page
    pdf = table_pdf(title="魏都区网格工作走访台账", meta="打印时间：2026-11-29 10:00", headers=HEADERS,
                    widths=(6, 20, 12, 40), rows=rows)
    pages = pages_text(pdf)
    assert len(pages) > 3
    assert "魏都区网格工作走访台账" in pages[0]
    assert all("走访时间" in page and re.search(rf"{n}\s*/\s*{len(pages)}", page) for n, page in enumerate(pages, 1))
    text = "".join(pages)
    assert all(f"电动车楼道充电 第{n}户" in text for n in range(1, 201) if n != 100)
    assert text.count("堆") == 400  # the long row, whole, continued over the pages
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\+NotoSansCJK\S* .* yes yes yes", fonts), fonts  # embedded, a subset, with ToUnicode


def test_an_empty_table_says_so():
    pdf = table_pdf(title="台账", meta="", headers=HEADERS, widths=(1, 1, 1, 1), rows=[], empty="这段时间没有走访记录。")
    [page] = pages_text(pdf)
    assert "这段时间没有走访记录。" in page and re.search(r"1\s*/\s*1", page)
