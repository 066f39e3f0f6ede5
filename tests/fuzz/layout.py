"""Model -> positioned drawing operations on pages, shared by every absolute-position producer.

The layout decides everything a page shows (where each string, rule and shading goes, where pages
break) and records each row's page, so the truth's page numbers come from the same computation
as the drawing. Renderers only turn `Text`, `Line` and `Fill` into their own calls.
Coordinates are PDF points, origin bottom-left, y up, text at its baseline, in the page's
displayed orientation (rotation and page boxes are applied afterwards, see `pages.py`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .model import GEOMETRY, Document, Row, Table, printed

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
A4 = (595.28, 841.89)
MARGIN = 50.0
RUNNING = "Eksempel kommune – Handlingsprogram 2026–2029"
# Geometry in font-size units, so that small and large fonts lay out alike.
PAD = 0.3  # above and below a row's text
ASCENT = 0.78  # baseline below the top of a line
MARKER = 0.62  # footnote digit size
RISE = 0.38  # footnote digit raised above the baseline
INDENT = 0.8  # data rows under a section row

Align = Literal["left", "right", "center"]
Kind = Literal["label", "number", "other"]


@dataclass(frozen=True, slots=True)
class Font:
    family: str  # "sans" | "serif"
    bold: bool = False
    italic: bool = False
    narrow: bool = False

    @property
    def name(self) -> str:
        base = "DejaVuSans" if self.family == "sans" else "DejaVuSerif"
        base += "Condensed" if self.narrow else ""
        italic = "Oblique" if self.family == "sans" else "Italic"
        style = ("Bold" if self.bold else "") + (italic if self.italic else "")
        return f"{base}-{style}" if style else base

    @property
    def path(self) -> Path:
        return FONT_DIR / f"{self.name}.ttf"


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    text: str
    font: Font
    size: float


@dataclass(frozen=True, slots=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.5


@dataclass(frozen=True, slots=True)
class Fill:
    x: float
    y: float
    width: float
    height: float
    gray: float = 0.9


Op = Text | Line | Fill


@dataclass
class Page:
    width: float
    height: float
    ops: list[Op] = field(default_factory=list)


@dataclass
class Layout:
    pages: list[Page]
    row_pages: list[list[int | None]]  # per table, per row: 1-based page, None for section rows


@cache
def _register(font: Font) -> str:
    pdfmetrics.registerFont(TTFont(font.name, str(font.path)))
    return font.name


def width(text: str, font: Font, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, _register(font), size))


_WORD = re.compile(r"\S+")


class _Flow:
    """Pages with a cursor `y` (top of the next block); opens pages with running header/footer."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.size = A4[::-1] if document.landscape else A4
        self.pages: list[Page] = []
        self.rng = random.Random(document.seed)
        self.y = 0.0
        self.new_page()

    @property
    def left(self) -> float:
        return MARGIN

    @property
    def right(self) -> float:
        return self.size[0] - MARGIN

    def new_page(self) -> None:
        width_, height = self.size
        self.pages.append(Page(width_, height))
        small = Font(self.document.family)
        self.text(MARGIN, height - 32, RUNNING, small, 7.0, kind="other")
        self.text(width_ - MARGIN, 28, f"Side {len(self.pages)}", small, 7.0, "right", "other")
        self.y = height - 60

    def room(self, height: float) -> bool:
        return self.y - height >= 50

    def text(
        self,
        x: float,
        y: float,
        text: str,
        font: Font,
        size: float,
        align: Align = "left",
        kind: Kind = "label",
        gaps_only: bool = False,
    ) -> float:
        """Draw `text` aligned at x; returns its width. Splits it into runs as the document's
        producer style demands: words without spaces, glyph runs, or (`gaps_only`) digit groups
        set apart by geometry alone."""
        if kind != "number":
            text = printed(text, self.document)
        full = width(text, font, size)
        x -= {"left": 0.0, "right": full, "center": full / 2}[align]
        document = self.document
        split_words = document.glyph_runs or document.no_spaces or gaps_only
        if not split_words:
            self.pages[-1].ops.append(Text(x, y, text, font, size))
            return full
        for word in _WORD.finditer(text):
            start = word.start()
            while start < word.end():
                step = self.rng.randint(1, 4) if document.glyph_runs else word.end() - start
                chunk = text[start : min(start + step, word.end())]
                offset = width(text[:start], font, size)
                self.pages[-1].ops.append(Text(x + offset, y, chunk, font, size))
                start += len(chunk)
        return full

    def paragraph(self, text: str) -> None:
        size = self.document.size
        font = Font(self.document.family)
        lines: list[str] = []
        for word in text.split():
            if lines and width(f"{lines[-1]} {word}", font, size) <= self.right - self.left:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        leading = size * self.document.leading
        for line in lines:
            if not self.room(leading):
                self.new_page()
            self.text(self.left, self.y - ASCENT * size, line, font, size, kind="other")
            self.y -= leading
        self.y -= leading


class _TableLayout:
    """Column geometry of one table at one font size, and drawing of its header and rows."""

    def __init__(self, flow: _Flow, table: Table) -> None:
        self.flow, self.table = flow, table
        document = flow.document
        available = flow.right - flow.left
        self.s = document.size
        for _ in range(4):  # shrink the font until the table fits the page width
            self._measure()
            if self.total <= available:
                break
            self.s *= available / self.total * 0.98
        self.leading = self.s * document.leading

    def _font(self, bold: bool = False, italic: bool = False, narrow: bool = False) -> Font:
        return Font(self.flow.document.family, bold, italic, narrow)

    def _row_font(self, row: Row) -> Font:
        return self._font(
            bold=row.kind == "sum" or (row.kind == "section" and row.style != "italic"),
            italic=row.kind == "section" and row.style == "italic",
        )

    def _measure(self) -> None:
        table, s = self.table, self.s
        self.gap = table.column_gap * s
        label = 0.0
        for row in table.rows:
            indent = INDENT * s if row.kind != "section" else 0.0
            for line in row.lines:
                label = max(
                    label, indent + width(printed(line, self.flow.document), self._row_font(row), s)
                )
        label += MARKER * s  # room for a footnote digit
        self.widths: list[float] = []
        for index, column in enumerate(table.columns):
            w = max(width(line, self._font(bold=True), s) for line in column.header)
            w += width(column.footnote, self._font(), MARKER * s) if column.footnote else 0.0
            for row in table.rows:
                if row.cells:
                    font = self._font(
                        bold=row.kind == "sum", narrow=table.narrow_numbers and column.numeric
                    )
                    w = max(w, width(row.cells[index].text, font, s))
            self.widths.append(w)
        for span in table.spans:
            inner = sum(self.widths[span.first : span.last + 1])
            need = width(span.text, self._font(bold=True), s)
            if need > inner:
                self.widths[span.last] += need - inner
        self.label_width = label
        self.total = label + sum(self.widths) + self.gap * len(self.widths)
        x = self.flow.left + label
        self.rights: list[float] = []
        for w in self.widths:
            x += self.gap + w
            self.rights.append(x)

    def left_of(self, index: int) -> float:
        return self.rights[index] - self.widths[index]

    def _vertical_rules(self, top: float, bottom: float) -> None:
        if self.table.rules != "grid":
            return
        edges = [self.flow.left - 0.3 * self.s, self.rights[-1] + 0.3 * self.s]
        edges += [self.left_of(i) - self.gap / 2 for i in range(len(self.widths))]
        for x in edges:
            self.flow.pages[-1].ops.append(Line(x, top, x, bottom, 0.4))

    def _rule(self, y: float, width_: float = 0.4) -> None:
        self.flow.pages[-1].ops.append(
            Line(self.flow.left - 0.3 * self.s, y, self.rights[-1] + 0.3 * self.s, y, width_)
        )

    def header(self) -> None:
        flow, table, s, leading = self.flow, self.table, self.s, self.leading
        top = flow.y
        bold = self._font(bold=True)
        y = top - PAD * s
        if table.spans:
            for span in table.spans:
                left, right = self.left_of(span.first), self.rights[span.last]
                flow.text((left + right) / 2, y - ASCENT * s, span.text, bold, s, "center")
                flow.pages[-1].ops.append(Line(left, y - leading, right, y - leading, 0.4))
            y -= leading
        lines = max(len(c.header) for c in table.columns)
        for index, column in enumerate(table.columns):
            for k, line in enumerate(column.header):
                baseline = y - ASCENT * s - (lines - len(column.header) + k) * leading
                if column.numeric:
                    marker = width(column.footnote, self._font(), MARKER * s)
                    right = self.rights[index] - (marker if column.footnote else 0.0)
                    w = flow.text(right, baseline, line, bold, s, "right")
                    x_end = right
                else:
                    w = flow.text(self.left_of(index), baseline, line, bold, s)
                    x_end = self.left_of(index) + w
                if column.footnote and k == len(column.header) - 1:
                    flow.text(
                        x_end,
                        baseline + RISE * s,
                        column.footnote,
                        self._font(),
                        MARKER * s,
                        kind="other",
                    )
        bottom = y - lines * leading - PAD * s
        if table.rules != "none":
            self._rule(bottom, 0.8)
        self._vertical_rules(top, bottom)
        flow.y = bottom

    def row_height(self, row: Row) -> float:
        return len(row.lines) * self.leading + 2 * PAD * self.s

    def row(self, row: Row, shaded: bool) -> None:
        flow, table, s, leading = self.flow, self.table, self.s, self.leading
        top, height = flow.y, self.row_height(row)
        if shaded and table.rules == "zebra":
            flow.pages[-1].ops.append(
                Fill(
                    flow.left - 0.3 * s,
                    top - height,
                    self.rights[-1] - flow.left + 0.6 * s,
                    height,
                    0.88,
                )
            )
        first = top - PAD * s - ASCENT * s
        font = self._row_font(row)
        x = flow.left + (INDENT * s if row.kind != "section" else 0.0)
        for k, line in enumerate(row.lines):
            w = flow.text(x, first - k * leading, line, font, s)
        if row.footnote:
            flow.text(
                x + w,
                first - (len(row.lines) - 1) * leading + RISE * s,
                row.footnote,
                self._font(),
                MARKER * s,
                kind="other",
            )
        baseline = {
            "first": first,
            "last": first - (len(row.lines) - 1) * leading,
            "centre": first - (len(row.lines) - 1) * leading / 2,
        }[row.numbers_on]
        gaps_only = table.numbers.thousands == GEOMETRY
        for index, (column, cell) in enumerate(zip(table.columns, row.cells, strict=False)):
            if not cell.text:
                continue
            cell_font = self._font(
                bold=row.kind == "sum", narrow=table.narrow_numbers and column.numeric
            )
            if column.numeric:
                flow.text(
                    self.rights[index],
                    baseline,
                    cell.text,
                    cell_font,
                    s,
                    "right",
                    "number",
                    gaps_only,
                )
            else:
                flow.text(self.left_of(index), baseline, cell.text, cell_font, s, kind="other")
        if table.rules in ("rows", "grid"):
            self._rule(top - height)
        self._vertical_rules(top, top - height)
        flow.y = top - height


def lay_out(document: Document) -> Layout:
    """Every page of `document`, and the page of every table row."""
    flow = _Flow(document)
    row_pages: list[list[int | None]] = []
    for table in document.tables:
        if table.prose_before:
            flow.paragraph(table.prose_before)
        grid = _TableLayout(flow, table)
        title = Font(document.family, bold=True)
        caption_height = grid.leading if table.unit_caption else 0.0
        first_rows = sum(grid.row_height(r) for r in table.rows[:2])
        header_height = (
            max(len(c.header) for c in table.columns) + bool(table.spans)
        ) * grid.leading + 2 * PAD * grid.s
        if not flow.room(1.6 * grid.leading + caption_height + header_height + first_rows):
            flow.new_page()
        flow.text(flow.left, flow.y - ASCENT * 1.15 * grid.s, table.title, title, 1.15 * grid.s)
        flow.y -= 1.6 * grid.leading
        if table.unit_caption:
            flow.text(
                flow.left,
                flow.y - ASCENT * grid.s,
                table.unit_caption,
                Font(document.family, italic=True),
                0.9 * grid.s,
                kind="other",
            )
            flow.y -= grid.leading
        grid.header()
        pages: list[int | None] = []
        shaded = False
        for index, row in enumerate(table.rows):
            if index == table.break_before or not flow.room(grid.row_height(row)):
                flow.new_page()
                if table.repeat_header:
                    grid.header()
            grid.row(row, shaded)
            shaded = not shaded
            pages.append(None if row.kind == "section" else len(flow.pages))
        row_pages.append(pages)
        flow.y -= grid.leading
        if table.prose_after:
            flow.paragraph(table.prose_after)
        flow.y -= grid.leading
    return Layout(flow.pages, row_pages)


def fitted_size(document: Document, table: Table) -> float:
    """The font size at which `table` fits the page width, for producers that lay out themselves
    (an HTML table with nowrap cells would otherwise run off the page)."""
    return _TableLayout(_Flow(document), table).s
