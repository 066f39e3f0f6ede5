"""The grid every arithmetic check reads, and the one comparison they all make.

The catalog identities (`identities`), the generic "Sum ..." rule (`generic_sums`) and the
equalities across tables and documents (`cross_checks`) all address a table's numbers as a `Grid`,
report a `Failure`, and decide a target against its signed terms with `evaluate`; this module holds
those shared pieces so that each family of checks can live in its own module without importing
another.

Tolerance: a printed number with d decimals is off by up to 0.5 * 10^-d, so an identity may be off
by the sum of those half-units over its target and terms (0.05 * (n + 1) with one decimal printed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from pipeline.quality.recognise import match_lines, normalise, table_catalog, table_lines

_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed check, carrying everything a reader needs to find the numbers in the PDF."""

    check: str
    severity: str  # 'error' quarantines the table, 'warning' is reported only
    document_id: str | None
    table_id: str | None
    page: int | None = None
    row_label: str | None = None
    column_index: int | None = None
    column_label: str | None = None
    expected: float | None = None
    actual: float | None = None
    terms: tuple[str, ...] = ()
    message: str = ""
    related_document_id: str | None = None
    related_table_id: str | None = None
    related_page: int | None = None
    row_index: int | None = None  # with table_id: the row a row-local failure holds back

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Cell:
    value: float
    decimals: int
    page: int


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    measure: str | None
    year: int | None


@dataclass(slots=True)
class Grid:
    """One table's numeric cells addressed by (row_index, column_index); percentages apart, in
    `percents`: no sum reads them, only the ratio identities."""

    table_id: str
    document_id: str
    canonical: str | None
    labels: dict[int, str]
    pages: dict[int, int]
    columns: dict[int, Column]
    cells: dict[tuple[int, int], Cell]
    lines: dict[str, int] = field(default_factory=dict)
    percents: dict[tuple[int, int], Cell] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Term:
    sign: float
    row: int
    column: int
    grid: Grid


def printed_decimals(value_text: pd.Series) -> pd.Series:
    """How many decimals each number is printed with: its rounding is half a unit of the last."""
    text = value_text.astype("string").fillna("")
    return text.str.extract(r"[,.](\d+)\s*%?\s*\)?$")[0].str.len().fillna(0).astype(int)


def build_grids(cells: pd.DataFrame) -> dict[str, Grid]:
    """Index the cells per table; lines are matched for tables with a canonical id."""
    frame = cells.reset_index(drop=True)
    text = frame["value_text"].astype("string").fillna("")
    decimals = printed_decimals(text)
    percent = text.str.contains("%", regex=False) | (
        frame["unit"].astype("string") == "prosent"
    ).fillna(False)
    present = frame["value"].notna()
    grids: dict[str, Grid] = {}
    columns = [
        "table_id",
        "document_id",
        "canonical_table",
        "row_index",
        "row_label",
        "page",
        "column_index",
        "column_label",
        "measure",
        "year",
        "value",
    ]
    records: Iterable[Any] = frame[columns].itertuples(index=False)  # typed by `columns`
    for rec, dec, is_percent, has_value in zip(records, decimals, percent, present, strict=True):
        grid = grids.get(rec.table_id)
        if grid is None:
            canonical = rec.canonical_table if isinstance(rec.canonical_table, str) else None
            grid = grids[rec.table_id] = Grid(
                rec.table_id, rec.document_id, canonical, {}, {}, {}, {}
            )
        row, col = int(rec.row_index), int(rec.column_index)
        grid.labels.setdefault(row, rec.row_label)
        grid.pages.setdefault(row, int(rec.page))
        if col not in grid.columns:
            measure = rec.measure if isinstance(rec.measure, str) else None
            year = None if pd.isna(rec.year) else int(rec.year)
            grid.columns[col] = Column(rec.column_label, measure, year)
        if has_value:
            kept = grid.percents if is_percent else grid.cells
            kept[(row, col)] = Cell(float(rec.value), int(dec), int(rec.page))
    for grid in grids.values():
        if grid.canonical is not None:
            required, optional = table_lines(grid.canonical)
            grid.lines = match_lines(grid.labels, required + optional)
    return grids


def tolerance(decimals: Iterable[int]) -> float:
    """Sum of the rounding half-units of every printed number involved."""
    return sum(0.5 * 10.0**-d for d in decimals)


def row_terms(grid: Grid, spec: list[Any]) -> list[tuple[float, int]] | None:
    """(sign, row_index) of each catalog term (a line id, "-line_id", or rows_between); None when
    a range end is missing: the identity is skipped."""
    terms: list[tuple[float, int]] = []
    for term in spec:
        if isinstance(term, str):
            sign, line = (-1.0, term[1:]) if term.startswith("-") else (1.0, term)
            if line in grid.lines:
                terms.append((sign, grid.lines[line]))
            continue
        start_line, end_line = term["rows_between"]
        if end_line not in grid.lines or (start_line is not None and start_line not in grid.lines):
            return None
        start = grid.lines[start_line] if start_line is not None else -1
        rows = [
            r
            for r in sorted(grid.labels)
            if start < r < grid.lines[end_line] and not is_herav(grid.labels[r])
        ]
        terms.extend((float(term.get("sign", 1)), r) for r in rows)
    return terms


def is_herav(label: str) -> bool:
    return re.search(table_catalog()["herav_pattern"], normalise(label)) is not None


def _describe(term: Term) -> str:
    cell = term.grid.cells.get((term.row, term.column))
    value = "missing" if cell is None else f"{cell.value:g}"
    sign = "-" if term.sign < 0 else "+"
    where = f"{term.grid.table_id} p{term.grid.pages.get(term.row)} "
    column = term.grid.columns[term.column].label
    return f"{sign} {where}{term.grid.labels.get(term.row)!r} [{column}] = {value}"


def evaluate(
    check: str,
    severity: str,
    grid: Grid,
    row: int,
    column: int,
    terms: list[Term],
    message: str = "",
    target_decimals: int | None = None,
    same_number: bool = False,
) -> Failure | None:
    """Compare a target cell with the signed sum of its terms; None if it holds or is untestable.

    `same_number`: the target and its one term print the same quantity, so with the same decimals
    they round alike and must be equal, not merely within the rounding tolerance."""
    target = grid.cells.get((row, column))
    present = [
        (t, t.grid.cells[(t.row, t.column)]) for t in terms if (t.row, t.column) in t.grid.cells
    ]
    if target is None or not present:
        return None
    expected = sum(t.sign * cell.value for t, cell in present)
    decimals = target.decimals if target_decimals is None else target_decimals
    allowed = tolerance([decimals, *(cell.decimals for _, cell in present)])
    if same_number and len(present) == 1 and present[0][1].decimals == decimals:
        allowed = 0.0
    if abs(expected - target.value) <= allowed + _EPSILON:
        return None
    return located_failure(
        check,
        severity,
        grid,
        (row, column),
        terms,
        expected,
        target.value,
        message or f"differs by {abs(expected - target.value):.3g} (tolerance {allowed:.3g})",
    )


def located_failure(
    check: str,
    severity: str,
    grid: Grid,
    at: tuple[int, int],
    terms: list[Term],
    expected: float,
    actual: float,
    message: str,
) -> Failure:
    """A failed comparison at cell `at` of `grid`, with its terms described and, when a term is in
    another table, that table as the related one."""
    row, column = at
    others = [t for t in terms if t.grid is not grid]
    related = others[0] if others else None
    return Failure(
        check=check,
        severity=severity,
        document_id=grid.document_id,
        table_id=grid.table_id,
        page=(grid.cells.get(at) or grid.percents[at]).page,
        row_label=grid.labels[row],
        row_index=row,
        column_index=column,
        column_label=grid.columns[column].label,
        expected=round(expected, 6),
        actual=actual,
        terms=tuple(_describe(t) for t in terms),
        message=message,
        related_document_id=related.grid.document_id if related else None,
        related_table_id=related.grid.table_id if related else None,
        related_page=related.grid.pages.get(related.row) if related else None,
    )
