"""Synthetic budget-table PDFs, each built from a spec together with its truth.

Every layout the extractor must handle (issue 2) gets a small PDF whose truth is known by
construction, in the format of the corpus truth files, so a test can run the pipeline on it and
score the output with `pipeline.evaluate`. The bad inputs the ingest stage must reject are built
here too.

Specs are plain data: a `Document` is a sequence of `Prose` and `Table` blocks; a `Table` has
`Column`s (header lines top to bottom), optional `Span`s over several columns, and `Row`s (label
lines as wrapped, one cell per column: a number, a text, or None for blank). In any label or header
line a trailing `^1` draws a footnote marker as a smaller raised string glued to the text; the
truth leaves it out, as it leaves out trailing superscript characters such as "¹".
"""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageDraw
from reportlab import Version as REPORTLAB_VERSION
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "DejaVuSans"
FONT_FILE = "DejaVuSans.ttf"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
SIZE = 9.0
TITLE_SIZE = 10.5
RUNNING_SIZE = 7.5
MARKER_SIZE = 6.0
MARKER_RISE = 3.5
LEADING = 11.5
ASCENT = 0.8 * SIZE
ROW_PAD = 3.0
CELL_PAD = 3.0
BLOCK_GAP = 14.0
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 40.0
TOP = PAGE_HEIGHT - 70.0
BOTTOM = 60.0

MINUS_VARIANTS = ("-", "\u2212", "\u2013")
THOUSANDS_SEPARATORS = (" ", "\u00a0", "\u202f", "\u2009")
UNIT_CAPTIONS = {
    "mill. kr": "Beløp i mill. kr",
    "1 000 kroner": "Beløp i 1 000 kroner",
    "prosent": "Tall i prosent",
}

Cell = float | str | None


@dataclass(frozen=True)
class Column:
    """A value column. Text columns ("Medium", "Innenfor rammen") are printed left-aligned as given;
    numeric ones right-aligned, formatted with the column's decimals and the table's minus and
    thousands separator."""

    header: tuple[str, ...]
    decimals: int = 1
    percent: bool = False
    text: bool = False


@dataclass(frozen=True)
class Span:
    """A header line over value columns first..last, e.g. "Økonomiplan" over 2026-2029."""

    text: str
    first: int
    last: int
    rule: bool = True


@dataclass(frozen=True)
class Row:
    """A body row. Cells missing at the end are blank; a row without any cell is a section row
    ("Driftsutgifter", "Herav:"), printed but not a truth row."""

    label: str | tuple[str, ...]
    cells: tuple[Cell, ...] = ()
    numbers_on: Literal["first", "last"] = "last"

    @property
    def lines(self) -> tuple[str, ...]:
        return (self.label,) if isinstance(self.label, str) else self.label


@dataclass(frozen=True)
class Table:
    """A table spec. `break_before` forces a page break before those body rows; a table also
    breaks wherever the page is full, repeating its header there when `repeat_header`."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    spans: tuple[Span, ...] = ()
    unit: str | None = "mill. kr"
    unit_in_header: bool = False  # caption in the label column's header, not above the table
    rules: Literal["grid", "hrules", "none"] = "none"
    minus: str = "-"
    thousands_sep: str = " "
    break_before: tuple[int, ...] = ()
    repeat_header: bool = True
    label_width: float = 160.0
    verified: bool = True


@dataclass(frozen=True)
class Prose:
    """A paragraph around tables; its numbers and years must not become cells."""

    text: str


@dataclass(frozen=True)
class Document:
    name: str
    blocks: tuple[Table | Prose, ...]
    running_header: str = "Eksempel kommune – Handlingsprogram 2026–2029"


def format_number(
    value: float | Decimal,
    decimals: int = 1,
    minus: str = "-",
    thousands_sep: str = " ",
    percent: bool = False,
) -> tuple[str, float]:
    """Print a number the Norwegian way; return the text and the value it shows (rounded).

    Written independently of pipeline.numbers so that the truth does not come from the code
    under test.
    """
    shown = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    if shown == 0:
        shown = abs(shown)  # "0,0", never "-0,0"
    integer, _, fraction = f"{abs(shown):f}".partition(".")
    groups = [integer[max(0, end - 3) : end] for end in range(len(integer), 0, -3)][::-1]
    text = (minus if shown < 0 else "") + thousands_sep.join(groups)
    text += f",{fraction}" if fraction else ""
    text += f"{thousands_sep}%" if percent else ""
    return text, float(shown)


@cache
def _register_font() -> None:
    """DejaVu Sans has every glyph needed (U+2212, U+202F, U+2009, superscripts, æøå)."""
    for directory in FONT_DIRS:
        for path in sorted(directory.rglob(FONT_FILE)) if directory.is_dir() else []:
            pdfmetrics.registerFont(TTFont(FONT, str(path)))
            return
    raise FileNotFoundError(f"{FONT_FILE} not found under {FONT_DIRS}: install fonts-dejavu-core")


# reportlab prints U+00A0 as a plain space (ttfonts.splitString maps it to 32), so a no-break
# space is drawn as U+2004, a space of nearly the same width, whose ToUnicode entry is then
# rewritten to U+00A0 in the finished, uncompressed PDF.
NBSP, NBSP_STAND_IN = "\u00a0", "\u2004"
_TO_UNICODE = re.compile(rb"beginbfchar.*?endbfchar", re.S)
_MARKUP = re.compile(r"\^(\S+)$")
_SUPERSCRIPTS = re.compile(r"[\u00b9\u00b2\u00b3\u2070\u2074-\u2079]+$")


def _relabel_nbsp(pdf: bytes) -> bytes:
    return _TO_UNICODE.sub(lambda cmap: cmap[0].replace(b"<2004>", b"<00A0>"), pdf)


def _split_marker(text: str) -> tuple[str, str]:
    match = _MARKUP.search(text)
    return (text[: match.start()], match[1]) if match else (text, "")


def _truth_text(text: str) -> str:
    """Text as the truth records it: footnote markers removed."""
    return _SUPERSCRIPTS.sub("", _split_marker(text)[0])


def _width(text: str) -> float:
    main, marker = _split_marker(text.replace(NBSP, NBSP_STAND_IN))
    return pdfmetrics.stringWidth(main, FONT, SIZE) + pdfmetrics.stringWidth(
        marker, FONT, MARKER_SIZE
    )


def _draw(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    align: Literal["left", "right", "center"] = "left",
) -> None:
    """Draw text at a baseline, its footnote marker (if any) as a separate smaller raised string."""
    main, marker = _split_marker(text.replace(NBSP, NBSP_STAND_IN))
    x -= {"left": 0.0, "right": _width(text), "center": _width(text) / 2}[align]
    canvas.setFont(FONT, SIZE)
    canvas.drawString(x, y, main)
    if marker:
        canvas.setFont(FONT, MARKER_SIZE)
        canvas.drawString(x + pdfmetrics.stringWidth(main, FONT, SIZE), y + MARKER_RISE, marker)


class _Pages:
    """A canvas with a cursor `y` (top of the next block) that opens pages as they fill up,
    each with a running header, a running footer and a page number."""

    def __init__(self, target: io.BytesIO, document: Document, encrypt: Any = None) -> None:
        _register_font()
        self.canvas = Canvas(target, pagesize=A4, encrypt=encrypt, invariant=1, pageCompression=0)
        self.canvas.setTitle(document.name)
        self.document = document
        self.page = 0
        self.y = TOP
        self._open()

    def _open(self) -> None:
        self.page += 1
        self.y = TOP
        self.canvas.setFont(FONT, RUNNING_SIZE)
        self.canvas.drawString(MARGIN, PAGE_HEIGHT - 40, self.document.running_header)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 40, "Økonomi 2026")
        self.canvas.drawString(MARGIN, 30, "Kommunedirektørens forslag 14. oktober 2025")
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, 30, str(self.page))
        self.canvas.setLineWidth(0.5)

    def new_page(self) -> None:
        self.canvas.showPage()
        self._open()

    def make_room(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def finish(self) -> int:
        self.canvas.showPage()
        self.canvas.save()
        return self.page


def _baseline(top: float, line: int) -> float:
    return top - ROW_PAD - ASCENT - line * LEADING


def _lines_height(count: int) -> float:
    return count * LEADING + 2 * ROW_PAD


def _draw_prose(pages: _Pages, prose: Prose) -> None:
    for line in simpleSplit(prose.text, FONT, SIZE, PAGE_WIDTH - 2 * MARGIN):
        pages.make_room(_lines_height(1))
        _draw(pages.canvas, MARGIN, _baseline(pages.y, 0), line)
        pages.y -= LEADING
    pages.y -= BLOCK_GAP


def _cell(table: Table, column: Column, cell: Cell) -> tuple[str, float | None]:
    """(printed text, truth value) of one cell: numbers formatted, texts as given, None blank."""
    if cell is None or isinstance(cell, str):
        return cell or "", None
    return format_number(cell, column.decimals, table.minus, table.thousands_sep, column.percent)


class _TableDrawer:
    """Draws one table through page breaks and records its truth rows."""

    def __init__(self, pages: _Pages, table: Table) -> None:
        self.pages = pages
        self.table = table
        value_left = MARGIN + table.label_width
        width = (PAGE_WIDTH - MARGIN - value_left) / len(table.columns)
        self.edges = (MARGIN, *(value_left + i * width for i in range(len(table.columns) + 1)))
        self.header_depth = max(len(column.header) for column in table.columns)

    def _header_height(self) -> float:
        return _lines_height(self.header_depth + bool(self.table.spans))

    def _row_height(self, row: Row) -> float:
        return _lines_height(len(row.lines))

    def _put(self, column: int, baseline: float, text: str) -> None:
        """Draw text in a value column: left-aligned for a text column, else right-aligned."""
        left, right = self.edges[column + 1] + CELL_PAD, self.edges[column + 2] - CELL_PAD
        if _width(text) > right - left:
            raise ValueError(f"{text!r} does not fit its column in {self.table.title!r}")
        if self.table.columns[column].text:
            _draw(self.pages.canvas, left, baseline, text)
        else:
            _draw(self.pages.canvas, right, baseline, text, "right")

    def _put_label(self, baseline: float, text: str) -> None:
        if _width(text) > self.table.label_width - 2 * CELL_PAD:
            raise ValueError(f"{text!r} does not fit the label column of {self.table.title!r}")
        _draw(self.pages.canvas, MARGIN + CELL_PAD, baseline, text)

    def _draw_header(self) -> float | None:
        """Draw spans and column headers (bottom-aligned); return the y under the span line."""
        canvas, top, span_bottom = self.pages.canvas, self.pages.y, None
        if self.table.spans:
            span_bottom = _baseline(top, 0) - 3.5
            for span in self.table.spans:
                left = self.edges[span.first + 1] + CELL_PAD
                right = self.edges[span.last + 2] - CELL_PAD
                _draw(canvas, (left + right) / 2, _baseline(top, 0), span.text, "center")
                if span.rule:
                    canvas.line(left, span_bottom, right, span_bottom)
        first = bool(self.table.spans)
        for index, column in enumerate(self.table.columns):
            offset = first + self.header_depth - len(column.header)
            for line, text in enumerate(column.header):
                self._put(index, _baseline(top, offset + line), text)
        if self.table.unit_in_header and self.table.unit:
            last_line = _baseline(top, first + self.header_depth - 1)
            self._put_label(last_line, UNIT_CAPTIONS[self.table.unit])
        self.pages.y -= self._header_height()
        return span_bottom

    def _draw_rules(self, boundaries: list[float], span_bottom: float | None) -> None:
        """Horizontal rules at row boundaries; for a grid also verticals, which start under a
        spanning header where they would cross it."""
        if self.table.rules == "none":
            return
        canvas = self.pages.canvas
        for y in boundaries:
            canvas.line(self.edges[0], y, self.edges[-1], y)
        if self.table.rules == "grid":
            for index, x in enumerate(self.edges):
                inside_span = span_bottom is not None and any(
                    span.first + 1 < index < span.last + 2 for span in self.table.spans
                )
                canvas.line(x, span_bottom if inside_span else boundaries[0], x, boundaries[-1])

    def _draw_row(self, row: Row) -> list[tuple[str, float | None]]:
        top = self.pages.y
        for line, text in enumerate(row.lines):
            self._put_label(_baseline(top, line), text)
        numbers_line = 0 if row.numbers_on == "first" else len(row.lines) - 1
        cells = [
            _cell(self.table, column, cell)
            for column, cell in zip(self.table.columns, _padded(row, self.table), strict=True)
        ]
        for index, (text, _) in enumerate(cells):
            if text:
                self._put(index, _baseline(top, numbers_line), text)
        self.pages.y -= self._row_height(row)
        return cells

    def draw(self) -> list[dict[str, Any]]:
        """Draw title, unit caption, header and rows; return the truth rows with their pages."""
        table, pages = self.table, self.pages
        caption_above = table.unit is not None and not table.unit_in_header
        pages.make_room(
            LEADING * (2 + caption_above) + self._header_height() + self._row_height(table.rows[0])
        )
        pages.canvas.setFont(FONT, TITLE_SIZE)
        pages.canvas.drawString(MARGIN, _baseline(pages.y, 0), table.title)
        pages.y -= 1.5 * LEADING
        if caption_above:
            caption = UNIT_CAPTIONS[table.unit]
            _draw(pages.canvas, self.edges[-1], _baseline(pages.y, 0), caption, "right")
            pages.y -= _lines_height(1)
        boundaries = [pages.y]
        span_bottom = self._draw_header()
        boundaries.append(pages.y)
        truth_rows = []
        for index, row in enumerate(table.rows):
            if index in table.break_before or pages.y - self._row_height(row) < BOTTOM:
                self._draw_rules(boundaries, span_bottom)
                pages.new_page()
                boundaries, span_bottom = [pages.y], None
                if table.repeat_header:
                    span_bottom = self._draw_header()
                    boundaries.append(pages.y)
            cells = self._draw_row(row)
            boundaries.append(pages.y)
            if any(text for text, _ in cells):
                truth_rows.append(
                    {
                        "page": pages.page,
                        "label": " ".join(_truth_text(line) for line in row.lines),
                        "cells": [text for text, _ in cells],
                        "values": [value for _, value in cells],
                    }
                )
        self._draw_rules(boundaries, span_bottom)
        pages.y -= BLOCK_GAP
        return truth_rows


def _padded(row: Row, table: Table) -> tuple[Cell, ...]:
    if len(row.cells) > len(table.columns):
        raise ValueError(f"row {row.lines[0]!r} has more cells than {table.title!r} has columns")
    return row.cells + (None,) * (len(table.columns) - len(row.cells))


def _column_labels(table: Table) -> list[str]:
    """Header lines above each column top to bottom, a spanning header counting for each column."""
    return [
        " ".join(
            [_truth_text(s.text) for s in table.spans if s.first <= index <= s.last]
            + [_truth_text(line) for line in column.header]
        )
        for index, column in enumerate(table.columns)
    ]


def _uniform(values: set[str]) -> str:
    return next(iter(values)) if len(values) == 1 else "mixed"


def _variant(tables: list[Table]) -> dict[str, Any]:
    minus = _uniform({t.minus for t in tables})
    separator = _uniform({t.thousands_sep for t in tables})
    return {
        "minus": minus,
        "minus_name": _char_name(minus),
        "thousands_sep": separator,
        "thousands_sep_name": _char_name(separator),
        "rules": _uniform({t.rules for t in tables}),
        "font": "DejaVu Sans",
        "font_size_pt": SIZE,
    }


def _char_name(text: str) -> str:
    if len(text) != 1:
        return text
    return f"{unicodedata.name(text).lower()} U+{ord(text):04X}"


def render(document: Document, encrypt: Any = None) -> tuple[bytes, dict[str, Any]]:
    """The PDF bytes of a document spec and its truth dict (the corpus truth format)."""
    target = io.BytesIO()
    pages = _Pages(target, document, encrypt)
    truth_tables = []
    for block in document.blocks:
        if isinstance(block, Prose):
            _draw_prose(pages, block)
            continue
        truth_tables.append(
            {
                "id": f"{document.name}:t{len(truth_tables) + 1:04d}",
                "title": block.title,
                "unit": block.unit,
                "columns": _column_labels(block),
                "verified": block.verified,
                "verified_by": "seed-check" if block.verified else None,
                "checks": [],
                "rows": _TableDrawer(pages, block).draw(),
            }
        )
    page_count = pages.finish()
    truth = {
        "document": document.name,
        "seed": "synthetic",
        "engine": f"reportlab {REPORTLAB_VERSION}",
        "variant": _variant([b for b in document.blocks if isinstance(b, Table)]),
        "pdf_pages": page_count,
        "tables": truth_tables,
        "untracked_pages": [],
    }
    return _relabel_nbsp(target.getvalue()), truth


def build_pdf(document: Document, directory: Path) -> tuple[Path, dict[str, Any]]:
    """Write `<directory>/<name>.pdf`; return its path and truth."""
    data, truth = render(document)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{document.name}.pdf"
    path.write_bytes(data)
    return path, truth


def write_truth(truth: dict[str, Any], directory: Path) -> Path:
    """Write `<directory>/<document>.truth.json`, as `budget-etl eval --truth` reads it."""
    path = directory / f"{truth['document']}.truth.json"
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# --- bad inputs ------------------------------------------------------------------------------


def _image_only_pdf() -> bytes:
    """A scanned-looking page: a raster with dark bars for text lines, and no text layer."""
    image = Image.new("L", (620, 880), 255)
    pen = ImageDraw.Draw(image)
    for top in range(60, 820, 22):
        pen.rectangle((50, top, 50 + 8 * (top % 61), top + 9), fill=40)
    target = io.BytesIO()
    canvas = Canvas(target, pagesize=A4, invariant=1)
    canvas.drawImage(ImageReader(image), MARGIN, BOTTOM, PAGE_WIDTH - 2 * MARGIN, TOP - BOTTOM)
    canvas.showPage()
    canvas.save()
    return target.getvalue()


def bad_inputs() -> dict[str, bytes]:
    """File name -> content of each input the ingest stage must reject with a clear reason."""
    valid, _ = render(CASES["grid"])
    encrypted, _ = render(
        CASES["grid"], StandardEncryption("hemmelig", ownerPassword="eier", strength=128)
    )
    return {
        "zero-byte.pdf": b"",
        "truncated.pdf": valid[: len(valid) // 2],
        "not-a-pdf.pdf": "Dette er et notat, ikke en PDF.\nBeløp i mill. kr: 1 234,5\n".encode(),
        "password-protected.pdf": encrypted,
        "image-only.pdf": _image_only_pdf(),
    }


def build_bad_inputs(directory: Path) -> dict[str, Path]:
    """Write every bad input into `directory`; return name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, data in bad_inputs().items():
        paths[name] = directory / name
        paths[name].write_bytes(data)
    return paths


# --- the cases -------------------------------------------------------------------------------

YEAR_COLUMNS = (
    Column(("Regnskap", "2024")),
    Column(("Oppr.", "budsjett", "2025")),
    Column(("Rev.", "budsjett", "2025")),
    Column(("2026",)),
    Column(("2027",)),
    Column(("2028",)),
    Column(("2029",)),
)
SECTOR_LABELS = (
    "Rammetilskudd",
    "Inntekts- og formuesskatt",
    "Eiendomsskatt",
    "Andre generelle driftsinntekter",
    "Sum generelle driftsinntekter",
    "Barn og unge",
    "Bistand og omsorg",
    "Miljø, idrett og kultur",
    "Organisasjon, styring og utvikling",
    "Politiske utvalgs disposisjoner",
)
PLACES = ("Bekkestua", "Sandvika", "Fornebu", "Lommedalen", "Østerås", "Høvik", "Stabekk")
SERVICES = ("Barnehage", "Skole", "Sykehjem", "Helsehus", "Bibliotek", "Idrettshall")
PROSE_ABOVE = Prose(
    "Kommunedirektøren foreslår et driftsbudsjett for 2026 på 12 345,6 mill. kr, som er 2,3 % "
    "høyere enn i 2025. Netto driftsresultat er beregnet til -237,0 mill. kr i 2026 og 1 234 "
    "mill. kr samlet for perioden 2026–2029. Tabellen nedenfor viser hovedtallene."
)
PROSE_BELOW = Prose(
    "Avviket på 115,4 mill. kr skyldes i hovedsak økte skatteinntekter i 2025. I 2027 og 2028 "
    "er det lagt inn 40 mill. kr årlig til vedlikehold, og 12 av 15 tiltak er videreført."
)


def _amounts(rng: random.Random, count: int, magnitude: float, decimals: int = 1) -> tuple:
    """Values of mixed sign and size, so that minus signs and thousands groups both occur."""
    return tuple(
        round(rng.choice((-1, 1)) * magnitude * rng.random() ** 2, decimals) for _ in range(count)
    )


def _rows(
    rng: random.Random, labels: tuple[str, ...], columns: int, magnitude: float = 3000.0
) -> tuple[Row, ...]:
    return tuple(Row(label, _amounts(rng, columns, magnitude)) for label in labels)


def _grid() -> Document:
    rng = random.Random("grid")
    columns = tuple(Column((name, "2020")) for name in ("Budsjett", "Regnskap", "Differanse"))
    table = Table(
        "Tabell 1 Hovedoversikt drift med budsjettavvik",
        columns,
        _rows(rng, SECTOR_LABELS, 3),
        rules="grid",
    )
    spanned = Table(
        "Tabell 2 Økonomiplan i et fullt rutenett",
        (Column(("Budsjett", "2025")), *(Column((str(y),)) for y in range(2026, 2030))),
        _rows(rng, SECTOR_LABELS[:5], 5),
        spans=(Span("Økonomiplan", 1, 4),),
        rules="grid",
    )
    return Document("grid", (table, spanned))


def _unruled() -> Document:
    rng = random.Random("unruled")
    rows = (
        Row("Driftsutgifter"),
        *_rows(rng, SECTOR_LABELS[:4], 7),
        Row("Herav:"),
        *_rows(rng, SECTOR_LABELS[5:], 7),
    )
    table = Table(
        "Bevilgningsoversikt drift",
        YEAR_COLUMNS,
        rows,
        spans=(Span("Økonomiplan", 3, 6),),
    )
    return Document("unruled", (PROSE_ABOVE, table, PROSE_BELOW))


def _hrules() -> Document:
    rng = random.Random("hrules")
    columns = (
        Column(("Regnskap", "2024"), decimals=0),
        Column(("Budsjett", "2025"), decimals=0),
        Column(("2026",), decimals=0),
        Column(("2027",), decimals=0),
    )
    table = Table(
        "Gebyrinntekter og kostnader vann og avløp",
        columns,
        tuple(Row(label, _amounts(rng, 4, 2_500_000, 0)) for label in SECTOR_LABELS[:6]),
        spans=(Span("Økonomiplan", 2, 3, rule=False),),
        unit="1 000 kroner",
        unit_in_header=True,
        rules="hrules",
    )
    return Document("hrules", (PROSE_ABOVE, table))


def _wrapped_labels() -> Document:
    rng = random.Random("wrapped")
    labels = (
        ("Netto avsetninger til eller bruk av", "bundne driftsfond"),
        ("Rammetilskudd",),
        ("Bruk av tidligere års", "regnskapsmessige", "mindreforbruk"),
        ("Sum disponering eller dekning av", "netto driftsresultat"),
    )
    last = tuple(Row(label, _amounts(rng, 4, 900.0)) for label in labels)
    first = tuple(Row(label, _amounts(rng, 4, 900.0), numbers_on="first") for label in labels)
    columns = YEAR_COLUMNS[:4]
    return Document(
        "wrapped_labels",
        (
            Table("Tabell 1 Tall på siste linje", columns, last, rules="hrules"),
            Table("Tabell 2 Tall på første linje", columns, first),
        ),
    )


def _footnotes() -> Document:
    rng = random.Random("footnotes")
    rows = (
        Row("Driftsrammer^1"),
        Row("Diverse felles til fordeling^2", _amounts(rng, 3, 500.0)),
        Row("Lønnsreserven", _amounts(rng, 3, 500.0)),
        Row("Brutto driftsresultat^3", _amounts(rng, 3, 500.0)),
        Row(("Renteutgifter^4",), _amounts(rng, 3, 500.0)),
        Row("Merutgifter Covid-19¹", _amounts(rng, 3, 500.0)),
        Row(("Netto avsetninger til eller bruk av", "disposisjonsfond^5"), _amounts(rng, 3, 500.0)),
    )
    columns = (Column(("Budsjett^1", "2020")), Column(("Regnskap", "2020")), Column(("Avvik²",)))
    notes = (
        "1 Budsjettet omfatter vedtatt budsjett justert for endringer i Økonomimelding I og II.",
        "2 Denne posten inneholder premieavvik og amortisering for 2020.",
        "3 Eksklusive avskrivninger. 4 Korrigert for renter ført på sektorene.",
        "5 Regnskapet inkluderer årsoppgjørsdisposisjoner på 99 mill.",
    )
    table = Table("Tabell 1 Hovedoversikt drift", columns, rows, unit_in_header=True)
    return Document("footnotes", (table, *(Prose(note) for note in notes)))


def _page_break() -> Document:
    rng = random.Random("page_break")
    labels = tuple(f"{service} {place}" for service in SERVICES for place in PLACES)
    long_table = Table(
        "Driftsbudsjett per enhet", YEAR_COLUMNS[:5], _rows(rng, labels, 5), rules="hrules"
    )
    no_repeat = Table(
        "Investeringer per prosjekt",
        YEAR_COLUMNS[:3],
        _rows(rng, labels[:12], 3),
        break_before=(7,),
        repeat_header=False,
    )
    one_row_over = Table(
        "Tilskudd per enhet",
        YEAR_COLUMNS[:3],
        _rows(rng, labels[:5], 3),
        break_before=(4,),
        repeat_header=False,
    )
    return Document("page_break", (PROSE_ABOVE, long_table, PROSE_BELOW, no_repeat, one_row_over))


def _text_columns() -> Document:
    rng = random.Random("text_columns")
    columns = (
        Column(("Risiko",), text=True),
        Column(("Status",), text=True),
        Column(("Budsjett", "2025")),
        Column(("2026",)),
    )
    rows = (
        Row("Nytt sykehjem Fornebu", ("Medium", "Innenfor rammen", *_amounts(rng, 2, 900.0))),
        Row(("Rehabilitering", "Høvik skole"), ("Lav", "", *_amounts(rng, 2, 900.0))),
        Row("Idrettshall Stabekk", ("Høy", "Forsinket", None, *_amounts(rng, 1, 900.0))),
        Row("Trafikksikkerhet", (None, None, *_amounts(rng, 1, 900.0))),
        Row(("Kunstgressbane", "Sandvika"), (None, None, None, *_amounts(rng, 1, 900.0))),
        Row("Bibliotek Bekkestua", ("Medium",)),
    )
    table = Table("Investeringsprosjekter", columns, rows, label_width=120.0)
    return Document("text_columns", (table,))


def _trailing_text_column() -> Document:
    """Rows ruled one by one, with a text column right of the numbers (a project's phase)."""
    rng = random.Random("trailing_text")
    columns = (
        Column(("Budsjett", "2025"), decimals=0),
        Column(("2026",), decimals=0),
        Column(("2027",), decimals=0),
        Column(("Fase",), text=True),
    )
    phases = ("F3 – Gjennomføring", "S – Samlebevilgning", "F2 – Forprosjekt")
    rows = tuple(
        Row(label, (*_amounts(rng, 3, 90_000.0, 0), phases[index % len(phases)]))
        for index, label in enumerate(("Skole Alpha", "Bibliotek", ("Idrettshall", "Stabekk")))
    )
    table = Table("Investeringsprosjekter", columns, rows, rules="hrules", label_width=110.0)
    return Document("trailing_text_column", (PROSE_ABOVE, table, PROSE_BELOW))


def _number_variants() -> Document:
    """One small table per minus sign x thousands separator, each with a percentage column."""
    rng = random.Random("variants")
    columns = (
        Column(("Regnskap", "2024")),
        Column(("Budsjett", "2025"), decimals=0),
        Column(("Endring",), percent=True),
    )
    tables = tuple(
        Table(
            f"Minus {_char_name(minus)}, skille {_char_name(separator)}",
            columns,
            tuple(
                Row(label, (*_amounts(rng, 2, 2_000_000.0), _amounts(rng, 1, 40.0)[0]))
                for label in SECTOR_LABELS[:4]
            ),
            minus=minus,
            thousands_sep=separator,
            label_width=240.0,
        )
        for minus in MINUS_VARIANTS
        for separator in THOUSANDS_SEPARATORS
    )
    return Document("number_variants", tables)


def _units() -> Document:
    rng = random.Random("units")
    percent_columns = tuple(Column((str(year),), percent=True) for year in range(2022, 2026))
    share_labels = ("Andel elever med spesialundervisning", "Sykefravær", "Dekningsgrad barnehage")
    return Document(
        "units",
        (
            Table(
                "Nøkkeltall i prosent",
                percent_columns,
                tuple(Row(label, _amounts(rng, 4, 99.0)) for label in share_labels),
                unit="prosent",
                label_width=220.0,
            ),
            Table(
                "Tilskudd til lag og foreninger",
                (
                    Column(("Budsjett", "2025"), decimals=0),
                    Column(("Budsjett", "2026"), decimals=0),
                ),
                tuple(Row(label, _amounts(rng, 2, 90_000.0, 0)) for label in SECTOR_LABELS[5:]),
                unit="1 000 kroner",
            ),
            Table(
                "Hovedtall",
                YEAR_COLUMNS[:3],
                _rows(rng, SECTOR_LABELS[:3], 3),
                unit="mill. kr",
            ),
        ),
    )


CASES: dict[str, Document] = {
    document.name: document
    for document in (
        _grid(),
        _unruled(),
        _hrules(),
        _wrapped_labels(),
        _footnotes(),
        _page_break(),
        _text_columns(),
        _trailing_text_column(),
        _number_variants(),
        _units(),
    )
}
