"""Arithmetic identities of budget tables, evaluated on `cells` from the catalog's data.

Budget tables check themselves: sum rows, derived rows, deviations, totals repeated in another
table or in another year's document. A shifted column, a dropped row or a lost minus sign breaks one
of them, which is how the curate gate catches numbers that are well-formed but wrong.

Tolerance: a printed number with d decimals is off by up to 0.5 * 10^-d, so an identity may be off
by the sum of those half-units over its target and terms (0.05 * (n + 1) with one decimal printed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from pipeline.quality.recognise import (
    match_lines,
    normalise,
    table_catalog,
    table_lines,
    text_contains,
)

_EPSILON = 1e-9
_MIN_SUBTOTALS = 2  # a grand total directly below one sum is that section collapsed, not a total


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
    """One table's numeric cells addressed by (row_index, column_index); percentages left out."""

    table_id: str
    document_id: str
    canonical: str | None
    labels: dict[int, str]
    pages: dict[int, int]
    columns: dict[int, Column]
    cells: dict[tuple[int, int], Cell]
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Term:
    sign: float
    row: int
    column: int
    grid: Grid


def build_grids(cells: pd.DataFrame) -> dict[str, Grid]:
    """Index the cells per table; lines are matched for tables with a canonical id."""
    frame = cells.reset_index(drop=True)
    text = frame["value_text"].astype("string").fillna("")
    decimals = text.str.extract(r"[,.](\d+)\s*%?\s*\)?$")[0].str.len().fillna(0).astype(int)
    percent = text.str.contains("%", regex=False) | (
        frame["unit"].astype("string") == "prosent"
    ).fillna(False)
    numeric = frame["value"].notna() & ~percent
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
    for rec, dec, is_numeric in zip(records, decimals, numeric, strict=True):
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
        if is_numeric:
            grid.cells[(row, col)] = Cell(float(rec.value), int(dec), int(rec.page))
    for grid in grids.values():
        if grid.canonical is not None:
            required, optional = table_lines(grid.canonical)
            grid.lines = match_lines(grid.labels, required + optional)
    return grids


def tolerance(decimals: Iterable[int]) -> float:
    """Sum of the rounding half-units of every printed number involved."""
    return sum(0.5 * 10.0**-d for d in decimals)


def _is_herav(label: str) -> bool:
    return re.search(table_catalog()["herav_pattern"], normalise(label)) is not None


def _describe(term: _Term) -> str:
    cell = term.grid.cells.get((term.row, term.column))
    value = "missing" if cell is None else f"{cell.value:g}"
    sign = "-" if term.sign < 0 else "+"
    where = f"{term.grid.table_id} p{term.grid.pages.get(term.row)} "
    column = term.grid.columns[term.column].label
    return f"{sign} {where}{term.grid.labels.get(term.row)!r} [{column}] = {value}"


def _evaluate(
    check: str,
    severity: str,
    grid: Grid,
    row: int,
    column: int,
    terms: list[_Term],
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
    others = [t for t in terms if t.grid is not grid]
    related = others[0] if others else None
    return Failure(
        check=check,
        severity=severity,
        document_id=grid.document_id,
        table_id=grid.table_id,
        page=target.page,
        row_label=grid.labels[row],
        row_index=row,
        column_index=column,
        column_label=grid.columns[column].label,
        expected=round(expected, 6),
        actual=target.value,
        terms=tuple(_describe(t) for t in terms),
        message=message
        or f"differs by {abs(expected - target.value):.3g} (tolerance {allowed:.3g})",
        related_document_id=related.grid.document_id if related else None,
        related_table_id=related.grid.table_id if related else None,
        related_page=related.grid.pages.get(related.row) if related else None,
    )


def _row_terms(grid: Grid, spec: list[Any]) -> list[tuple[float, int]] | None:
    """(sign, row_index) of each term; None when a range end is missing: the identity is skipped."""
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
            if start < r < grid.lines[end_line] and not _is_herav(grid.labels[r])
        ]
        terms.extend((float(term.get("sign", 1)), r) for r in rows)
    return terms


def _select_columns(grid: Grid, selector: dict[str, Any], target: int | None) -> list[int]:
    """Columns picked by a catalog column selector (see the identity grammar in catalog.yaml);
    `target` is the target column, never its own term."""
    candidates = [
        c
        for c, col in sorted(grid.columns.items())
        if ("measure" not in selector or col.measure == selector["measure"])
        and ("label" not in selector or text_contains(selector["label"], col.label))
        and c != target
    ]
    mode = selector.get("year", "same")
    dated = sorted(
        (c for c in candidates if grid.columns[c].year is not None),
        key=lambda c: grid.columns[c].year or 0,
    )
    if mode == "any":
        return candidates
    if mode == "all":
        return dated
    if mode == "last":
        return dated[-1:]
    if mode == "previous":
        return dated[-2:-1]
    year = grid.columns[target].year if target is not None else None
    if year is not None:
        candidates = [c for c in candidates if grid.columns[c].year == year]
    return candidates if len(candidates) == 1 else []


def _row_identity(grid: Grid, identity: dict[str, Any]) -> list[Failure]:
    if identity["target"] not in grid.lines:
        return []
    spec = _row_terms(grid, identity["terms"])
    if spec is None:
        return []
    row = grid.lines[identity["target"]]
    failures = []
    for column in sorted(grid.columns):
        terms = [_Term(sign, r, column, grid) for sign, r in spec]
        failure = _evaluate(identity["name"], identity["severity"], grid, row, column, terms)
        if failure:
            failures.append(failure)
    return failures


def _column_identity(grid: Grid, identity: dict[str, Any]) -> list[Failure]:
    """A column computed from other columns, row by row. With `either_sign` the table's rows may
    follow the identity or its negation (avvik = regnskap - budsjett or budsjett - regnskap): the
    reading more rows satisfy is this table's convention, and only rows breaking it fail."""
    readings = (1.0, -1.0) if identity.get("either_sign") else (1.0,)
    return min(
        (_column_reading(grid, identity, flip) for flip in readings),
        key=len,
    )


def _column_reading(grid: Grid, identity: dict[str, Any], flip: float) -> list[Failure]:
    failures = []
    for target_column in _select_columns(grid, {**identity["target"], "year": "any"}, None):
        term_columns = [
            (flip * float(selector.get("sign", 1)), column)
            for selector in identity["terms"]
            for column in _select_columns(grid, selector, target_column)
        ]
        if not term_columns:
            continue
        for row in sorted(grid.labels):
            terms = [_Term(sign, row, column, grid) for sign, column in term_columns]
            failure = _evaluate(
                identity["name"], identity["severity"], grid, row, target_column, terms
            )
            if failure:
                failures.append(failure)
    return failures


def generic_sums(
    grid: Grid, check: str = "generic_sum", severity: str | None = None
) -> list[Failure]:
    """Test every "Sum ..." row against the rows above it, back to the previous sum or section row.

    Section rows carry no values, so they show as gaps in row_index; herav rows are left out. The
    row passes when one reading holds in every column it prints: a run of rows ending directly
    above it (its section's heading may be missing or wrapped into an item's label, so the run may
    start anywhere in the block); the previous subtotal plus the block (a running total); the
    subtotals since the last grand total, when it directly follows two or more sums (one sum
    before it is a section printed collapsed, or a total whose other part is on another page).
    A named sum ("Sum Interne rammeendringer") over one row that does not carry its name is its
    section printed collapsed, under an unrelated line: not tested. A
    sum row printed as whole numbers only ("10,0", "-31,0") is taken as rounded to units. In a
    table the catalog did not recognise, a block that runs up to the table's first row is not
    tested: the table may continue one from the page before, whose rows the sum also counts.
    """
    rules = table_catalog()["generic_sum"]
    severity = severity or rules["severity"]
    is_sum = {
        r: re.search(rules["pattern"], normalise(label)) is not None
        for r, label in grid.labels.items()
    }
    first_row = None if grid.canonical else min(grid.labels, default=None)
    failures: list[Failure] = []
    subtotals: list[int] = []
    for row in sorted(r for r, summed in is_sum.items() if summed):
        block, previous_sum = _block_above(grid, row, is_sum)
        continued = bool(block) and block[0] == first_row
        section = re.sub(rules["pattern"], "", normalise(grid.labels[row])).strip()
        collapsed = bool(section) and not any(
            normalise(grid.labels[r]).startswith(section) for r in block
        )
        readings = [] if continued else _readings(block, previous_sum, subtotals)
        if collapsed and len(block) == 1:
            readings = []
        subtotals = [*subtotals, row] if block else []
        failures += _first_failing_reading(grid, row, readings, check, severity)
    return failures


def _first_failing_reading(
    grid: Grid, row: int, readings: list[list[int]], check: str, severity: str
) -> list[Failure]:
    """The failures of the first testable reading, or none when some testable reading holds."""
    values = [cell.value for (r, _), cell in grid.cells.items() if r == row]
    whole = 0 if len(values) > 1 and all(v == round(v) for v in values) else None
    columns = [c for c in sorted(grid.columns) if (row, c) in grid.cells]
    outcomes = []
    for reading in readings:
        tested = [c for c in columns if any((t, c) in grid.cells for t in reading)]
        if not tested:
            continue
        terms = {c: [_Term(1.0, t, c, grid) for t in reading] for c in tested}
        found = [
            _evaluate(check, severity, grid, row, c, terms[c], target_decimals=whole)
            for c in tested
        ]
        failed = [f for f in found if f is not None]
        if not failed:
            return []
        outcomes.append(failed)
    return outcomes[0] if outcomes else []


def _block_above(grid: Grid, row: int, is_sum: dict[int, bool]) -> tuple[list[int], int | None]:
    """Non-herav rows directly above `row` back to a gap or a sum row, and that sum row if any."""
    block = []
    r = row - 1
    while r in grid.labels and not is_sum[r]:
        if not _is_herav(grid.labels[r]):
            block.append(r)
        r -= 1
    return sorted(block), (r if r in grid.labels else None)


def _readings(block: list[int], previous_sum: int | None, subtotals: list[int]) -> list[list[int]]:
    """The candidate term sets of one generic sum row, the whole block first."""
    if not block:
        return [list(subtotals)] if len(subtotals) >= _MIN_SUBTOTALS else []
    readings = [block[start:] for start in range(len(block))]
    if previous_sum is not None:
        readings.append([previous_sum, *block])
    return readings


def _signs(grid: Grid) -> list[Failure]:
    """Lines with a fixed sign (income negative, expenses positive) in the amount columns.

    Which way round is read from the table: when most signed cells are printed against the table
    type's `sign_convention` (income positive, as before 2020, or negative), the whole table
    follows the other one; only the cells against the table's own convention fail.
    """
    catalog = table_catalog()
    stated = catalog["tables"][grid.canonical].get("sign_convention")
    default = -1 if stated == "income_positive" else 1
    signed = [
        (line_id, row, column, col, cell, default * (-1 if sign == "negative" else 1))
        for line_id, row in grid.lines.items()
        if (sign := catalog["lines"][line_id].get("sign")) is not None
        for column, col in sorted(grid.columns.items())
        if col.measure in catalog["signed_measures"]
        and (cell := grid.cells.get((row, column))) is not None
        and cell.value != 0
    ]
    agree = sum(1 for *_, cell, want in signed if cell.value * want > 0)
    flip = -1 if 2 * agree < len(signed) else 1  # a tie keeps the stated convention
    return [
        Failure(
            check=f"sign:{line_id}",
            severity="error",
            document_id=grid.document_id,
            table_id=grid.table_id,
            page=cell.page,
            row_label=grid.labels[row],
            row_index=row,
            column_index=column,
            column_label=col.label,
            actual=cell.value,
            message=f"{line_id} is printed {'negative' if want * flip < 0 else 'positive'} "
            f"in the rest of this {grid.canonical}",
        )
        for line_id, row, column, col, cell, want in signed
        if cell.value * want * flip < 0
    ]


def _missing_lines(grid: Grid) -> list[Failure]:
    required, _ = table_lines(grid.canonical) if grid.canonical else ([], [])
    return [
        Failure(
            check="catalog_line_missing",
            severity="error",
            document_id=grid.document_id,
            table_id=grid.table_id,
            page=min(grid.pages.values(), default=None),
            row_label=line_id,
            message=f"{grid.canonical} has no row matching "
            f"{table_catalog()['lines'][line_id]['pattern']!r}",
        )
        for line_id in required
        if line_id not in grid.lines
    ]


def table_identities(grid: Grid) -> list[Failure]:
    """Every within-table check of a recognised table: lines present, signs, catalog identities."""
    failures = _missing_lines(grid) + _signs(grid)
    for identity in table_catalog()["tables"][grid.canonical].get("identities", []):
        if identity["kind"] == "rows":
            failures += _row_identity(grid, identity)
        elif identity["kind"] == "columns":
            failures += _column_identity(grid, identity)
        else:
            failures += generic_sums(grid, identity["name"], identity["severity"])
    return failures


def _cross_table_rules() -> list[dict[str, Any]]:
    """The cross_table section with `same_lines` shorthands expanded to one rule per line."""
    rules = []
    for rule in table_catalog().get("cross_table", []):
        if "same_lines" not in rule:
            rules.append(rule)
            continue
        left, right = rule["same_lines"]
        rules.extend(
            {
                "name": f"{rule['name']}:{line}",
                "severity": rule["severity"],
                "target": {"table": left, "line": line},
                "terms": [{"table": right, "line": line}],
            }
            for line in rule["lines"]
        )
    return rules


def _column_by_key(grid: Grid, measure: str | None, year: int | None) -> int | None:
    matches = [c for c, col in grid.columns.items() if (col.measure, col.year) == (measure, year)]
    return matches[0] if len(matches) == 1 else None


def cross_table(grids: dict[str, Grid]) -> list[Failure]:
    """Totals that one document prints in two tables, columns matched on (measure, year)."""
    by_document: dict[str, dict[str, list[Grid]]] = {}
    for grid in grids.values():
        if grid.canonical:
            by_document.setdefault(grid.document_id, {}).setdefault(grid.canonical, []).append(grid)
    failures = []
    for tables in by_document.values():
        for rule in _cross_table_rules():
            target_spec = rule["target"]
            for grid in tables.get(target_spec["table"], []):
                if target_spec["line"] not in grid.lines:
                    continue
                row = grid.lines[target_spec["line"]]
                for column, col in sorted(grid.columns.items()):
                    if col.measure is None and col.year is None:
                        continue
                    terms = _cross_terms(tables, rule["terms"], col)
                    if terms is None:
                        continue
                    failure = _evaluate(
                        rule["name"],
                        rule["severity"],
                        grid,
                        row,
                        column,
                        terms,
                        same_number=len(terms) == 1,
                    )
                    if failure:
                        failures.append(failure)
    return failures


def _cross_terms(
    tables: dict[str, list[Grid]], specs: list[dict[str, Any]], col: Column
) -> list[_Term] | None:
    """Term cells of a cross-table rule in the column matching `col`; None when one is absent."""
    terms = []
    for spec in specs:
        found = [
            (grid, grid.lines[spec["line"]], column)
            for grid in tables.get(spec["table"], [])
            if spec["line"] in grid.lines
            and (column := _column_by_key(grid, col.measure, col.year)) is not None
        ]
        if not found:
            return None
        grid, row, column = found[0]
        terms.append(_Term(float(spec.get("sign", 1)), row, column, grid))
    return terms


def cross_document(grids: dict[str, Grid], documents: pd.DataFrame) -> list[Failure]:
    """A budget document's accounts column for year Y against the annual report of year Y."""
    kinds = dict(zip(documents["document_id"], documents["kind"], strict=True))
    failures = []
    for rule in table_catalog().get("cross_document", []):
        budgets = [
            g
            for g in grids.values()
            if g.canonical == rule["budget_table"] and kinds.get(g.document_id) == "budget"
        ]
        reports = [
            g
            for g in grids.values()
            if g.canonical == rule["report_table"] and kinds.get(g.document_id) == "annual_report"
        ]
        for budget in budgets:
            lines = (
                budget.lines
                if rule["lines"] == "all"
                else {k: budget.lines[k] for k in rule["lines"] if k in budget.lines}
            )
            for report in reports:
                failures += _compare_documents(rule, budget, report, lines)
    return failures


def _compare_documents(
    rule: dict[str, Any], budget: Grid, report: Grid, lines: dict[str, int]
) -> list[Failure]:
    failures = []
    for column, col in sorted(budget.columns.items()):
        if col.measure != rule["measure"] or col.year is None:
            continue
        report_column = _column_by_key(report, rule["measure"], col.year)
        if report_column is None:
            continue
        for line_id, row in lines.items():
            if line_id not in report.lines:
                continue
            term = _Term(1.0, report.lines[line_id], report_column, report)
            failure = _evaluate(
                f"{rule['name']}:{line_id}",
                rule["severity"],
                budget,
                row,
                column,
                [term],
                message=f"{rule['measure']} {col.year} differs between "
                f"{budget.document_id} and {report.document_id}",
            )
            if failure:
                failures.append(failure)
    return failures


def check_identities(cells: pd.DataFrame, documents: pd.DataFrame | None = None) -> list[Failure]:
    """All arithmetic checks: catalog identities for recognised tables, the generic sum rule for the
    rest, then equalities across tables and (given the documents manifest) across documents."""
    grids = build_grids(cells)
    failures: list[Failure] = []
    for grid in grids.values():
        failures += table_identities(grid) if grid.canonical else generic_sums(grid)
    failures += cross_table(grids)
    if documents is not None:
        failures += cross_document(grids, documents)
    return failures
