"""A long table as a PDF, fast: the ledger's 2,000 rows (126 pages) in seconds, where a general layout engine
(WeasyPrint: boxes, CSS, Pango per cell) took minutes.

The layout is a table's and nothing more: fixed column widths, text wrapped by the font's advance widths (any
character may end a line, as in Chinese; a line break in the text is kept), the header row repeated on every page,
a row taller than what is left of a page continued on the next, "page / pages" at the foot of each page. The font
is Noto Sans CJK SC (fonts-noto-cjk, a CID-keyed OpenType font whose CIDs are its glyph ids), embedded as a subset
of the glyphs used (fontTools), with a ToUnicode map so that the text can be searched and copied. The PDF objects
are written with pydyf (both come with WeasyPrint).
"""

from __future__ import annotations

import functools
import io
import logging
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pydyf
from fontTools import subset
from fontTools.ttLib import TTFont

# fontTools tells each step of a subset at INFO (a screenful per export).
logging.getLogger("fontTools").setLevel(logging.WARNING)

MM = 72 / 25.4
A4_LANDSCAPE = (297 * MM, 210 * MM)
FONT_FAMILY = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Style:
    size: float = 8.0  # pt
    leading: float = 10.0  # pt between two lines of a cell
    padding: float = 1.2 * MM
    margin_x: float = 10 * MM
    margin_y: float = 12 * MM
    title_size: float = 13.0
    border: float = 0.5


class Font:
    """The CJK font: its character map and advance widths read once per process."""

    def __init__(self, path: str, number: int):
        self.path, self.number = path, number
        font = TTFont(path, fontNumber=number, lazy=True)
        self.units = font["head"].unitsPerEm
        self.cmap = {code: font.getGlyphID(name) for code, name in font.getBestCmap().items()}
        metrics = font["hmtx"].metrics
        order = font.getGlyphOrder()
        self.widths = [metrics[name][0] for name in order]
        self.ascent, self.descent = font["OS/2"].sTypoAscender, font["OS/2"].sTypoDescender
        self.bbox = [font["head"].xMin, font["head"].yMin, font["head"].xMax, font["head"].yMax]
        self.name = font["name"].getDebugName(6) or "NotoSansCJKsc-Regular"
        self.advance = {}  # character → advance in font units (filled as met)

    def width(self, char: str) -> int:
        advance = self.advance.get(char)
        if advance is None:
            advance = self.advance[char] = self.widths[self.cmap.get(ord(char), 0)]
        return advance

    def subset(self, gids: set[int]) -> bytes:
        font = TTFont(self.path, fontNumber=self.number)
        options = subset.Options()
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=sorted(gids | {0}))
        subsetter.subset(font)
        _renumber_cids(font)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()


def _renumber_cids(font: TTFont) -> None:
    """Give the subset's glyphs the CIDs 0, 1, 2 … of their glyph ids: the text's codes then name the same glyph
    whether a reader looks them up as CIDs (through the CFF charset) or as glyph ids."""
    order = font.getGlyphOrder()
    names = [".notdef"] + [f"cid{i:05d}" for i in range(1, len(order))]
    rename = dict(zip(order, names, strict=True))
    top = font["CFF "].cff.topDictIndex[0]
    strings = top.CharStrings
    strings.charStrings = {rename[name]: index for name, index in strings.charStrings.items()}
    top.charset = names
    font["hmtx"].metrics = {rename[name]: value for name, value in font["hmtx"].metrics.items()}
    for table in font["cmap"].tables:
        table.cmap = {code: rename[name] for code, name in table.cmap.items()}
    font.setGlyphOrder(names)
    font["CFF "].cff.fontNames  # noqa: B018 - loaded before the save


@functools.cache
def cjk_font() -> Font:
    found = subprocess.run(["fc-match", "-f", "%{file}|%{index}", FONT_FAMILY], capture_output=True, text=True,
                           check=True).stdout
    path, _sep, index = found.partition("|")
    return Font(path, int(index or 0))


class _Writer:
    def __init__(self, font: Font, style: Style, widths: Sequence[float], page_size):
        self.font, self.style, self.page_size = font, style, page_size
        usable = page_size[0] - 2 * style.margin_x
        scale = usable / sum(widths)
        self.columns = [w * scale for w in widths]
        self.lefts = [style.margin_x + sum(self.columns[:i]) for i in range(len(self.columns))]
        self.pages: list[list[bytes]] = []
        self.gids: dict[int, str] = {}
        self.y = 0.0

    # text ---------------------------------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        """The font's glyph ids of the text (renumbered to the subset's when the file is written)."""
        cmap, gids = self.font.cmap, self.gids
        out = []
        for char in text:
            gid = cmap.get(ord(char), 0)
            if gid not in gids:
                gids[gid] = char
            out.append(gid)
        return out

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        limit = width * self.font.units / size
        lines = []
        for paragraph in str(text).replace("\r\n", "\n").split("\n"):
            line, used = [], 0
            for char in paragraph:
                advance = self.font.width(char)
                if used + advance > limit and line:
                    lines.append("".join(line))
                    line, used = [], 0
                line.append(char)
                used += advance
            lines.append("".join(line))
        return lines

    def text_width(self, text: str, size: float) -> float:
        return sum(self.font.width(c) for c in text) * size / self.font.units

    def show(self, ops: list[bytes], x: float, y: float, text: str, size: float) -> None:
        ops.append((b"BT /F1 %.2f Tf %.2f %.2f Td <" % (size, x, y), self.encode(text)))

    # pages --------------------------------------------------------------------------------------------------
    def new_page(self, header: list[list[str]]) -> list[bytes]:
        ops: list[bytes] = [b"%.2f w 0.33 0.33 0.33 RG" % self.style.border]
        self.pages.append(ops)
        self.y = self.page_size[1] - self.style.margin_y
        if header:
            self.row(ops, header, fill=True)
        return ops

    def row_height(self, cells: list[list[str]]) -> float:
        return max(len(lines) for lines in cells) * self.style.leading + 2 * self.style.padding

    def row(self, ops: list[bytes], cells: list[list[str]], fill: bool = False) -> None:
        s = self.style
        height = self.row_height(cells)
        top, bottom = self.y, self.y - height
        left, right = self.lefts[0], self.lefts[-1] + self.columns[-1]
        if fill:
            ops.append(b"0.93 0.93 0.93 rg %.2f %.2f %.2f %.2f re f 0 0 0 rg" % (left, bottom, right - left, height))
        ops.append(b"%.2f %.2f %.2f %.2f re S" % (left, bottom, right - left, height))
        for x in self.lefts[1:]:
            ops.append(b"%.2f %.2f m %.2f %.2f l S" % (x, top, x, bottom))
        first = top - s.padding - s.size * self.font.ascent / self.font.units
        for x, lines in zip(self.lefts, cells, strict=True):
            for i, line in enumerate(lines):
                if line:
                    self.show(ops, x + s.padding, first - i * s.leading, line, s.size)
        self.y = bottom


def table_pdf(*, title: str, meta: str, headers: Sequence[str], widths: Sequence[float], rows: Iterable[Sequence],
              empty: str = "", progress=None, page_size=A4_LANDSCAPE, style: Style = Style()) -> bytes:
    """The table as a PDF: a title and a line of meta on the first page, then the rows under a header repeated on
    every page. `progress(rows_done)` is called every 100 rows."""
    font = cjk_font()
    w = _Writer(font, style, widths, page_size)
    inner = [c - 2 * style.padding for c in w.columns]
    header = [w.wrap(h, width, style.size) for h, width in zip(headers, inner, strict=True)]
    floor = style.margin_y + style.leading  # the footer's line

    ops = w.new_page([])
    w.y -= style.title_size
    w.show(ops, (page_size[0] - w.text_width(title, style.title_size)) / 2, w.y, title, style.title_size)
    w.y -= style.title_size * 0.6 + style.leading
    w.show(ops, style.margin_x, w.y, meta, style.size)
    w.y -= style.leading * 0.8
    w.row(ops, header, fill=True)
    page_top = page_size[1] - style.margin_y - w.row_height(header)  # where rows start on a new page
    full_room = int((page_top - floor - 2 * style.padding) // style.leading)
    n = 0
    for n, row in enumerate(rows, start=1):
        cells = [w.wrap("" if v is None else v, width, style.size) for v, width in zip(row, inner, strict=True)]
        while True:
            need = max(len(lines) for lines in cells)
            room = int((w.y - floor - 2 * style.padding) // style.leading)
            if need <= room:
                w.row(ops, cells)
                break
            if (need <= full_room and w.y < page_top - 0.5) or room < 1:  # the whole row on the next page
                ops = w.new_page(header)
                continue
            # a row longer than a page: what fits here, the rest on the next
            w.row(ops, [lines[:room] for lines in cells])
            cells = [lines[room:] for lines in cells]
            ops = w.new_page(header)
        if progress and n % 100 == 0:
            progress(n)
    if n == 0 and empty:
        w.row(ops, [[empty]] + [[""] for _ in headers[1:]])
    return _write(w, font, page_size, style)


def _write(w: _Writer, font: Font, page_size, style: Style) -> bytes:
    total = len(w.pages)
    for number, ops in enumerate(w.pages, start=1):
        footer = f"{number} / {total}"
        w.show(ops, (page_size[0] - w.text_width(footer, style.size)) / 2, style.margin_y / 2, footer, style.size)
    # The subset's glyphs keep their order; the text is written with the subset's glyph ids, which its CIDs are
    # renumbered to (readers differ in which of the two they look up).
    new = {gid: i for i, gid in enumerate(sorted(set(w.gids) | {0}))}
    pdf = pydyf.PDF()
    tag = "GRIDLK"  # a subset's name starts with six capitals and "+"
    base = f"/{tag}+{font.name}"
    program = pydyf.Stream([font.subset(set(w.gids))], pydyf.Dictionary({"Subtype": "/OpenType"}), compress=True)
    pdf.add_object(program)
    scale = 1000 / font.units
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": base, "Flags": 4,
        "FontBBox": pydyf.Array([round(v * scale) for v in font.bbox]), "ItalicAngle": 0,
        "Ascent": round(font.ascent * scale), "Descent": round(font.descent * scale), "CapHeight": 733,
        "StemV": 80, "FontFile3": program.reference})
    pdf.add_object(descriptor)
    widths = pydyf.Array()
    for gid in sorted(w.gids):
        widths.extend([new[gid], pydyf.Array([round(font.widths[gid] * scale)])])
    cid_font = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/CIDFontType0", "BaseFont": base,
        "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"), "Ordering": pydyf.String("Identity"),
                                           "Supplement": 0}),
        "FontDescriptor": descriptor.reference, "DW": 1000, "W": widths})
    pdf.add_object(cid_font)
    to_unicode = pydyf.Stream([_to_unicode({new[gid]: char for gid, char in w.gids.items()})], compress=True)
    pdf.add_object(to_unicode)
    type0 = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/Type0", "BaseFont": base, "Encoding": "/Identity-H",
        "DescendantFonts": pydyf.Array([cid_font.reference]), "ToUnicode": to_unicode.reference})
    pdf.add_object(type0)
    resources = pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": type0.reference})})
    pdf.add_object(resources)

    for ops in w.pages:
        content = pydyf.Stream([b"\n".join(
            op if isinstance(op, bytes) else op[0] + bytes(b for g in op[1] for b in new[g].to_bytes(2, "big")).hex().encode()
            + b"> Tj ET" for op in ops)], compress=True)
        pdf.add_object(content)
        page = pydyf.Dictionary({
            "Type": "/Page", "Parent": pdf.pages.reference,
            "MediaBox": pydyf.Array([0, 0, round(page_size[0], 2), round(page_size[1], 2)]),
            "Contents": content.reference, "Resources": resources.reference})
        pdf.add_page(page)
    out = io.BytesIO()
    pdf.write(out, compress=True)
    return out.getvalue()


def _to_unicode(gids: dict[int, str]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
    items = sorted(gids.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        for gid, char in chunk:
            lines.append(b"<%04x> <%s>" % (gid, char.encode("utf-16-be").hex().encode()))
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMapResource defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
