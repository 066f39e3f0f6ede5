"""Hypothesis strategies for random budget tables and documents, and a seeded generator.

Hypothesis rather than `random`: it reaches the edges (zero, one-row sections, the widest
numbers, every option on) on purpose, and the same seed gives the same documents, so a CI run is
reproducible and a failing document can be regenerated from its name.
"""

from __future__ import annotations

import itertools
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .model import (
    MINUS_SIGNS,
    THOUSANDS_SEPARATORS,
    UNIT_CAPTIONS,
    Cell,
    Column,
    Document,
    NumberStyle,
    Row,
    Span,
    Table,
    format_number,
)
from .vocabulary import (
    LINE_ITEMS,
    PROSE,
    SECTIONS,
    SERVICE_AREAS,
    TEXT_CELLS,
    TEXT_HEADERS,
    TITLES,
    TOTALS,
)

Draw = Callable[[st.SearchStrategy[Any]], Any]


def chance(percent: int) -> st.SearchStrategy[bool]:
    """True with about this probability; shrinks to False, so minimal examples are plain."""
    return st.integers(0, 99).map(lambda n: n >= 100 - percent)


def _split(words: list[str], draw: Draw, lines: int) -> tuple[str, ...]:
    cuts = sorted(
        draw(
            st.lists(
                st.integers(1, len(words) - 1), min_size=lines - 1, max_size=lines - 1, unique=True
            )
        )
    )
    bounds = [0, *cuts, len(words)]
    return tuple(" ".join(words[a:b]) for a, b in itertools.pairwise(bounds))


def _header(draw: Draw, text: str, multiline: bool) -> tuple[str, ...]:
    words = text.split()
    if multiline and len(words) > 1:
        return _split(words, draw, 2)
    return (text,)


@st.composite
def columns(draw: Draw) -> tuple[tuple[Column, ...], tuple[Span, ...], bool]:
    """A realistic column set; returns columns, spans and whether the last ones are derived
    (change / percent) columns."""
    year = draw(st.integers(2019, 2026))
    multiline = draw(chance(40))
    family = draw(st.sampled_from(("plan", "deviation", "change", "accounts")))
    spans: list[Span] = []
    texts: list[str] = []
    percent: list[bool] = []
    if family == "plan":
        texts = [f"Regnskap {year - 1}", f"Oppr. budsjett {year}"]
        years = draw(st.integers(2, 4))
        spanning = draw(chance(60))
        for k in range(years):
            texts.append(str(year + 1 + k) if spanning else f"Økonomiplan {year + 1 + k}")
        if spanning:
            spans.append(Span("Økonomiplan", 2, 1 + years))
    elif family == "deviation":
        texts = [f"Budsjett {year}", f"Regnskap {year}", f"Differanse {year}"]
        if draw(chance(40)):
            texts.append("Avvik i %")
    elif family == "change":
        texts = [f"Regnskap {year - 1}", f"Regnskap {year}", "Endring"]
        if draw(chance(50)):
            texts.append("Endring i %")
    else:
        texts = [f"Justert budsjett {year}", f"Regnskap {year}"]
        if draw(chance(40)):
            texts.append("Forbruk i %")
    percent = [t.endswith("%") for t in texts]
    result = [
        Column(_header(draw, text, multiline), numeric=True, percent=p)
        for text, p in zip(texts, percent, strict=True)
    ]
    if draw(chance(10)):
        index = draw(st.integers(0, len(result) - 1))
        result[index] = Column(result[index].header, True, result[index].percent, "1")
    return tuple(result), tuple(spans), any(percent)


MAGNITUDE_SPREAD = 200
"""Values of one table lie between magnitude / MAGNITUDE_SPREAD and magnitude (either sign, or
zero), as in real tables. Uniform draws put 5 000 000 beside 0,42 in one row, which the
plausibility gate rightly holds back (a value 1000x its row's and column's medians is a
misread), so the sweep would count a working gate as lost cells."""


def _value(draw: Draw, magnitude: int, decimals: int) -> Decimal:
    largest = magnitude * 10**decimals
    if draw(chance(3)):
        return Decimal(0).scaleb(-decimals)
    scaled = draw(st.integers(largest // MAGNITUDE_SPREAD, largest))
    return Decimal(-scaled if draw(chance(25)) else scaled).scaleb(-decimals)


@st.composite
def tables(
    draw: Draw, labels: list[str], sections: list[str], totals: list[str], long: bool
) -> Table:
    """One table; `labels`, `sections`, `totals` are consumed so labels stay unique per document."""
    cols, spans, _ = draw(columns())
    text_column = draw(st.sampled_from(("none", "none", "left", "right")))
    if text_column != "none":
        text_col = Column((draw(st.sampled_from(TEXT_HEADERS)),), numeric=False)
        if text_column == "left":
            cols = (text_col, *cols)
            spans = tuple(Span(s.text, s.first + 1, s.last + 1) for s in spans)
        else:
            cols = (*cols, text_col)
    unit = draw(st.sampled_from(("mill. kr", "1 000 kroner", "prosent", None)))
    caption = draw(st.sampled_from(UNIT_CAPTIONS[unit])) if unit else None
    magnitude = {"mill. kr": 5000, "1 000 kroner": 5_000_000, "prosent": 150, None: 20000}[unit]
    style = NumberStyle(
        minus=draw(st.sampled_from(MINUS_SIGNS)),
        thousands=draw(st.sampled_from(THOUSANDS_SEPARATORS)),
        decimals=draw(st.sampled_from((1, 0, 2))),
    )
    blank_share = draw(st.sampled_from((0, 0, 10, 30)))
    wrap_share = draw(st.sampled_from((0, 15, 40)))
    sections_count = draw(st.integers(1, 3))
    rows: list[Row] = []
    for _ in range(sections_count):
        section = sections.pop() if sections and draw(chance(60)) else None
        if section:
            section_style = draw(st.sampled_from(("bold", "italic", "caps")))
            text = section.upper() if section_style == "caps" else section
            rows.append(
                Row(
                    "section",
                    (text,),
                    style=section_style,
                    footnote="1" if draw(chance(10)) else "",
                )
            )
        count = draw(st.integers(2, 30 if long else 9))
        body: list[Row] = []
        for _ in range(count):
            if not labels:
                break
            label = labels.pop()
            words = label.split()
            wrapped = len(words) > 2 and (len(label) > 40 or draw(chance(wrap_share)))
            lines = (
                _split(words, draw, draw(st.sampled_from((2, 2, 3))) if len(words) > 3 else 2)
                if wrapped
                else (label,)
            )
            body.append(
                Row(
                    "data",
                    lines,
                    _cells(draw, cols, style, magnitude, blank_share),
                    numbers_on=draw(st.sampled_from(("first", "last", "centre"))),
                    footnote=draw(st.sampled_from(("1", "2"))) if draw(chance(8)) else "",
                )
            )
        rows.extend(body)
        if body and totals and draw(chance(50)):
            rows.append(_sum_row(draw, totals.pop(), body, cols, style))
    break_before = None
    if long and draw(chance(50)) and len(rows) > 3:
        break_before = draw(st.integers(2, len(rows) - 1))
    prose = [draw(_prose()) if draw(chance(30)) else None for _ in range(2)]
    return Table(
        title=draw(st.sampled_from(TITLES)),
        unit=unit,
        unit_caption=caption,
        columns=cols,
        rows=tuple(rows),
        spans=spans,
        rules=draw(st.sampled_from(("none", "rows", "grid", "zebra"))),
        numbers=style,
        narrow_numbers=draw(chance(25)),
        column_gap=draw(st.sampled_from((2.0, 1.2, 3.0, 0.6))),
        break_before=break_before,
        repeat_header=draw(st.booleans()),
        text_column=text_column,
        prose_before=prose[0],
        prose_after=prose[1],
        verified=any(r.kind == "sum" for r in rows),
    )


def _cells(
    draw: Draw, cols: tuple[Column, ...], style: NumberStyle, magnitude: int, blank_share: int
) -> tuple[Cell, ...]:
    """A line item's cells. One whose every number came out blank prints a zero in its first
    amount column: a labelled row that prints no number at all reads as a heading, to a reader
    as to the gates' sum rule (real tables print 0 or - on an empty line)."""
    cells = []
    for column in cols:
        if not column.numeric:
            cells.append(Cell(draw(st.sampled_from(TEXT_CELLS)), None))
        elif draw(chance(blank_share)):
            cells.append(Cell("", None))
        elif column.percent:
            cells.append(format_number(_value(draw, 200, 1), style, percent=True, decimals=1))
        else:
            cells.append(format_number(_value(draw, magnitude, style.decimals), style))
    amounts = [i for i, column in enumerate(cols) if column.numeric and not column.percent]
    if amounts and all(cell.value is None for cell in cells):
        cells[amounts[0]] = format_number(Decimal(0).scaleb(-style.decimals), style)
    return tuple(cells)


def _sum_row(
    draw: Draw, label: str, body: list[Row], cols: tuple[Column, ...], style: NumberStyle
) -> Row:
    """A bold sum row that really is the sum of the rows above (percent columns left blank)."""
    cells = []
    for index, column in enumerate(cols):
        if not column.numeric:
            cells.append(Cell(draw(st.sampled_from(TEXT_CELLS)), None))
        elif column.percent:
            cells.append(Cell("", None))
        else:
            total = sum(
                (
                    Decimal(str(r.cells[index].value))
                    for r in body
                    if r.cells[index].value is not None
                ),
                Decimal(0),
            )
            cells.append(format_number(total, style))
    lines: tuple[str, ...] = (label,)
    if len(label.split()) > 1 and draw(chance(25)):
        lines = _split(label.split(), draw, 2)
    return Row(
        "sum", lines, tuple(cells), numbers_on=draw(st.sampled_from(("last", "first", "centre")))
    )


@st.composite
def _prose(draw: Draw) -> str:
    sentences = draw(st.lists(st.sampled_from(PROSE), min_size=1, max_size=3))
    return " ".join(
        s.format(
            a=f"{draw(st.integers(1, 999))},{draw(st.integers(0, 9))}",
            b=f"{draw(st.integers(1, 99))},{draw(st.integers(0, 9))}",
            y=draw(st.integers(2019, 2029)),
            n=draw(st.integers(2, 12)),
        )
        for s in sentences
    )


def _labels(draw: Draw) -> list[str]:
    """Every line-item label at most once per document, some qualified by a service area."""
    items = list(draw(st.permutations(LINE_ITEMS)))
    areas = list(draw(st.permutations(SERVICE_AREAS)))
    mixed = [f"{item} – {area.lower()}" for item, area in zip(items[:10], areas[:10], strict=True)]
    return areas[10:] + mixed + items[10:]


@st.composite
def documents(draw: Draw, name: str) -> Document:
    """A document of one to three tables with page-level features drawn for the whole PDF."""
    labels = _labels(draw)
    sections = list(draw(st.permutations(SECTIONS)))
    totals = list(draw(st.permutations(TOTALS)))
    long = draw(chance(20))
    count = 1 if long else draw(st.integers(1, 3))
    tabs = tuple(draw(tables(labels, sections, totals, long)) for _ in range(count))
    glyph_runs = draw(chance(20))
    offset = (float(draw(st.integers(-300, 300))), float(draw(st.integers(-300, 300))))
    return Document(
        name=name,
        tables=tabs,
        family=draw(st.sampled_from(("sans", "serif"))),
        size=draw(st.sampled_from((9.0, 8.0, 10.0, 7.5, 8.5))),
        leading=draw(st.sampled_from((1.3, 1.15, 1.5, 1.7))),
        landscape=draw(chance(20)),
        rotate=draw(chance(15)),
        box_offset=offset if draw(chance(20)) else (0.0, 0.0),
        crop_inset=float(draw(st.sampled_from((0, 0, 0, 6, 15)))),
        glyph_runs=glyph_runs,
        no_spaces=not glyph_runs and draw(chance(15)),
        ligatures=draw(chance(30)),
        seed=draw(st.integers(0, 2**31)),
    )


DRAWS_PER_DOCUMENT = 3
"""Examples Hypothesis is asked for per document; the last is kept. Its first example is the
minimal one, and later ones in a long run are mostly mutations of earlier ones (near-copies
that weigh a sweep's figures with duplicates), so every document gets a short run of its own."""


def _draw_one(seed: int) -> Document:
    """One random document from a Hypothesis run seeded with `seed`."""
    drawn: list[Document] = []

    @settings(
        max_examples=DRAWS_PER_DOCUMENT,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        drawn.append(data.draw(documents("?")))

    collect()
    return drawn[-1]


def generate(count: int, seed: int, prefix: str = "fuzz") -> list[Document]:
    """`count` distinct documents, the same for the same seed: each from Hypothesis's generate
    phase only, seeded with (`seed`, its number), no example database (which would replay
    earlier failures and break reproducibility). A repeat of an earlier document is redrawn
    with the next seed, so the first n documents do not depend on how many are asked for.
    """
    found: list[Document] = []
    seen: set[Document] = set()
    draw_seed = seed * 1_000_003
    while len(found) < count:
        document = _draw_one(draw_seed)
        draw_seed += 1
        if document not in seen:
            seen.add(document)
            found.append(replace(document, name=f"{prefix}-s{seed}-{len(found) + 1:04d}"))
    return found


def drawn_fresh(expression: str) -> list[Document]:
    """The documents `expression` draws (`generate(...)` or the sweep's `documents_for(...)`),
    drawn in a new interpreter where no other test has used Hypothesis: in one pytest session,
    earlier Hypothesis tests change what a seeded draw returns, and tests that keep figures for
    exact documents need those documents."""
    code = (
        "import pickle, sys; from tests.fuzz.strategies import generate; "
        "from tests.fuzz.sweep import documents_for; "
        f"sys.stdout.buffer.write(pickle.dumps({expression}))"
    )
    root = Path(__file__).resolve().parents[2]
    drawn = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, check=True)
    documents: list[Document] = pickle.loads(drawn.stdout)
    return documents
