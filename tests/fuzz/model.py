"""The random table model: what a table *is*, independent of how any producer draws it.

Every renderer draws from these objects and the truth is written from them too, so the truth is
right by construction. Texts here are the truth texts; what differs on the page (ligature glyphs,
raised footnote digits, digit groups set apart by geometry only) is derived in `printed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Rules = Literal["none", "rows", "grid", "zebra"]
Placement = Literal["first", "last", "centre"]
RowKind = Literal["data", "section", "sum"]
SectionStyle = Literal["bold", "italic", "caps"]
Family = Literal["sans", "serif"]
TextColumn = Literal["none", "left", "right"]

MINUS_SIGNS = ("-", "\u2212", "\u2013")
# "geometry": the digit groups are set apart by a gap without any character; the truth writes the
# gap as a plain space, as the corpus README does.
GEOMETRY = "geometry"
THOUSANDS_SEPARATORS = (" ", "\u00a0", "\u202f", "\u2009", "", GEOMETRY)
SEPARATOR_NAMES = {
    " ": "space",
    "\u00a0": "nbsp",
    "\u202f": "nnbsp",
    "\u2009": "thin",
    "": "none",
    GEOMETRY: "geometry",
}
MINUS_NAMES = {"-": "hyphen", "\u2212": "u2212", "\u2013": "u2013"}
UNIT_CAPTIONS = {
    "mill. kr": ("Beløp i mill. kr", "Mill. kr", "(mill. kr)"),
    "1 000 kroner": ("Beløp i 1 000 kroner", "1 000 kroner", "Tall i 1 000 kr"),
    "prosent": ("Tall i prosent", "prosent"),
}
LIGATURES = (("ffi", "\ufb03"), ("ff", "\ufb00"), ("fi", "\ufb01"), ("fl", "\ufb02"))


@dataclass(frozen=True, slots=True)
class Cell:
    """One value cell: `text` as printed (truth form), `value` the number it shows or None."""

    text: str
    value: float | None


@dataclass(frozen=True, slots=True)
class Column:
    """A value column; `header` lines top to bottom below any spanning header."""

    header: tuple[str, ...]
    numeric: bool = True
    percent: bool = False
    footnote: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """A header line over columns first..last ("Økonomiplan" over 2026–2029)."""

    text: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Row:
    """A body row. Section rows have no cells and are not truth rows; `lines` are the label's
    printed lines (the generator decides the wrapping so every producer wraps alike)."""

    kind: RowKind
    lines: tuple[str, ...]
    cells: tuple[Cell, ...] = ()
    numbers_on: Placement = "first"
    footnote: str = ""
    style: SectionStyle = "bold"

    @property
    def label(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True, slots=True)
class NumberStyle:
    minus: str = "-"
    thousands: str = " "
    decimals: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    unit: str | None
    unit_caption: str | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    spans: tuple[Span, ...] = ()
    rules: Rules = "none"
    numbers: NumberStyle = field(default_factory=NumberStyle)
    narrow_numbers: bool = False
    column_gap: float = 2.0  # in font sizes
    break_before: int | None = None  # body row index with a forced page break before it
    repeat_header: bool = True
    text_column: TextColumn = "none"
    prose_before: str | None = None
    prose_after: str | None = None
    verified: bool = False

    @property
    def truth_columns(self) -> list[str]:
        """Column labels as the truth writes them: span text first, then the column's lines."""
        labels = []
        for index, column in enumerate(self.columns):
            spans = [s.text for s in self.spans if s.first <= index <= s.last]
            labels.append(" ".join([*spans, *column.header]))
        return labels


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    tables: tuple[Table, ...]
    family: Family = "sans"
    size: float = 9.0
    leading: float = 1.3  # line height in font sizes
    landscape: bool = False
    rotate: bool = False  # /Rotate 90, content counter-rotated so it displays upright
    box_offset: tuple[float, float] = (0.0, 0.0)  # media box origin
    crop_inset: float = 0.0  # crop box inside the media box by this much on every side
    glyph_runs: bool = False  # runs of 1-4 glyphs positioned one by one, no spaces
    no_spaces: bool = False  # every word its own text object, no space characters
    ligatures: bool = False  # fi, ff, fl drawn as ligature glyphs
    seed: int = 0  # for cosmetic choices made at draw time (glyph run lengths)


def format_number(
    value: Decimal, style: NumberStyle, percent: bool = False, decimals: int | None = None
) -> Cell:
    """Print a number the Norwegian way; the cell keeps the text and the value it shows.

    Independent of the pipeline's number parser, so the truth does not come from the code under
    test.
    """
    places = style.decimals if decimals is None else decimals
    shown = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if shown == 0:
        shown = abs(shown)
    integer, _, fraction = f"{abs(shown):f}".partition(".")
    groups = [integer[max(0, end - 3) : end] for end in range(len(integer), 0, -3)][::-1]
    separator = " " if style.thousands == GEOMETRY else style.thousands
    text = (style.minus if shown < 0 else "") + separator.join(groups)
    text += f",{fraction}" if fraction else ""
    text += "\u00a0%" if percent else ""
    return Cell(text, float(shown))


def printed(text: str, document: Document) -> str:
    """A label or title as the page shows it: ligature glyphs where the document uses them."""
    if document.ligatures:
        for letters, glyph in LIGATURES:
            text = text.replace(letters, glyph)
    return text


def table_features(document: Document, table: Table, pages: list[int]) -> list[str]:
    """Feature flags of one table as drawn, for the per-feature figures of the sweep.

    `pages` are the truth rows' pages: a page break is a fact of the rendered PDF, not of the model.
    """
    rows = table.rows
    data = [r for r in rows if r.kind != "section"]
    features = {
        "all",
        f"rules={table.rules}",
        f"minus={MINUS_NAMES[table.numbers.minus]}",
        f"thousands={SEPARATOR_NAMES[table.numbers.thousands]}",
        f"decimals={table.numbers.decimals}",
        f"unit={table.unit or 'none'}",
        f"font={document.family}",
        f"text_column={table.text_column}",
    }
    flags = {
        "section_rows": any(r.kind == "section" for r in rows),
        "section=caps": any(r.kind == "section" and r.style == "caps" for r in rows),
        "section=italic": any(r.kind == "section" and r.style == "italic" for r in rows),
        "bold_sums": any(r.kind == "sum" for r in rows),
        "wrapped=first": any(len(r.lines) > 1 and r.numbers_on == "first" for r in data),
        "wrapped=last": any(len(r.lines) > 1 and r.numbers_on == "last" for r in data),
        "wrapped=centre": any(len(r.lines) > 1 and r.numbers_on == "centre" for r in data),
        "blank_cells": any(c.text == "" for r in data for c in r.cells),
        "multiline_header": any(len(c.header) > 1 for c in table.columns),
        "spanning_header": bool(table.spans),
        "footnotes": any(r.footnote for r in rows) or any(c.footnote for c in table.columns),
        "percent": any(c.percent for c in table.columns),
        "narrow_numbers": table.narrow_numbers,
        "narrow_gap": table.column_gap < 1.0,
        "page_break": len(set(pages)) > 1,
        "page_break_no_repeat": len(set(pages)) > 1 and not table.repeat_header,
        "prose": bool(table.prose_before or table.prose_after),
        "rotate90": document.rotate,
        "landscape": document.landscape,
        "box_offset": document.box_offset != (0.0, 0.0) or document.crop_inset > 0,
        "glyph_runs": document.glyph_runs,
        "no_spaces": document.no_spaces or document.glyph_runs,
        "ligatures": document.ligatures and any(a in r.label for r in rows for a, _ in LIGATURES),
    }
    return sorted(features | {name for name, on in flags.items() if on})
