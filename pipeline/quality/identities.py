"""Arithmetic identities of budget tables, evaluated on `cells` from the catalog's data.

Budget tables check themselves: sum rows, derived rows, deviations, totals repeated in another
table or in another year's document. A shifted column, a dropped row or a lost minus sign breaks one
of them, which is how the curate gate catches numbers that are well-formed but wrong.

The checks live in three modules over the shared grid of `grids`: this one holds the catalog's
identities within a recognised table and `check_identities`, the one entry point; `generic_sums`
the "Sum ..." rule for every table; `cross_checks` the equalities across tables and documents.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from pipeline.quality.cross_checks import cross_document, cross_table, repeated_lines
from pipeline.quality.generic_sums import generic_sums
from pipeline.quality.grids import (
    Cell,
    Failure,
    Grid,
    Term,
    build_grids,
    evaluate,
    located_failure,
    row_terms,
)
from pipeline.quality.recognise import table_catalog, table_lines, text_contains


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


def _target_columns(grid: Grid, identity: dict[str, Any]) -> list[int]:
    """Every column a column or ratio identity computes (its target selector, any year)."""
    return _select_columns(grid, {**identity["target"], "year": "any"}, None)


def _term_selectors(identity: dict[str, Any]) -> list[dict[str, Any]]:
    """The selectors of the columns a column or ratio identity computes its target from."""
    if identity["kind"] == "ratio":
        return [identity["numerator"], identity["denominator"]]
    return list(identity["terms"])


def _missing_columns(grid: Grid, identity: dict[str, Any]) -> list[Failure]:
    """A column or ratio identity that finds no columns to read, reported instead of skipped.

    The catalog says which columns its table prints; a recognised table without them was read
    wrong (a header taken for a body row leaves the columns labelled by the text above, with no
    measure and no year), and its identity would pass by having nothing to compare. An identity
    marked `optional` may find no target column (a variant printed without it); a target column
    found without the columns it is computed from is a misreading all the same."""
    targets = _target_columns(grid, identity)
    if targets:
        wanted = [
            f"{selector} for column {grid.columns[target].label!r}"
            for target in targets
            for selector in _term_selectors(identity)
            if not _select_columns(grid, selector, target)
        ]
    elif identity.get("optional"):
        return []
    else:
        wanted = [f"{identity['target']} to compute"]
    if not wanted:
        return []
    found = "; ".join(
        f"{col.label!r} (measure {col.measure}, year {col.year})"
        for col in dict.fromkeys(grid.columns.values())
    )
    return [
        Failure(
            check="catalog_column_missing",
            severity=identity["severity"],
            document_id=grid.document_id,
            table_id=grid.table_id,
            page=min(grid.pages.values(), default=None),
            message=f"{grid.canonical} identity {identity['name']} cannot be evaluated: expected "
            f"a column {', '.join(wanted)}; found {found or 'no columns'}",
        )
    ]


def _row_identity(grid: Grid, identity: dict[str, Any]) -> list[Failure]:
    if identity["target"] not in grid.lines:
        return []
    spec = row_terms(grid, identity["terms"])
    if spec is None:
        return []
    row = grid.lines[identity["target"]]
    failures = []
    for column in sorted(grid.columns):
        terms = [Term(sign, r, column, grid) for sign, r in spec]
        failure = evaluate(identity["name"], identity["severity"], grid, row, column, terms)
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
    for target_column in _target_columns(grid, identity):
        term_columns = [
            (flip * float(selector.get("sign", 1)), column)
            for selector in identity["terms"]
            for column in _select_columns(grid, selector, target_column)
        ]
        if not term_columns:
            continue
        for row in sorted(grid.labels):
            terms = [Term(sign, row, column, grid) for sign, column in term_columns]
            failure = evaluate(
                identity["name"], identity["severity"], grid, row, target_column, terms
            )
            if failure:
                failures.append(failure)
    return failures


def _ratio_identity(grid: Grid, identity: dict[str, Any]) -> list[Failure]:
    """A percentage column computed row by row as `scale` x numerator / denominator. Each printed
    number is only known to within its rounding, so the row fails when no numerator and
    denominator within their rounding give a quotient that rounds to the printed percentage."""
    failures = []
    for target in _target_columns(grid, identity):
        numerators = _select_columns(grid, identity["numerator"], target)
        denominators = _select_columns(grid, identity["denominator"], target)
        if len(numerators) != 1 or len(denominators) != 1:
            continue
        for row in sorted(grid.labels):
            printed = grid.percents.get((row, target))
            terms = [Term(1.0, row, numerators[0], grid), Term(1.0, row, denominators[0], grid)]
            cells = [grid.cells.get((t.row, t.column)) for t in terms]
            if printed is None or cells[0] is None or cells[1] is None:
                continue
            low, high = _quotient_range(cells[0], cells[1], float(identity["scale"]))
            half = 0.5 * 10.0**-printed.decimals
            if low - half <= printed.value + _ROUNDING_SLACK and printed.value <= high + half:
                continue
            failures.append(
                located_failure(
                    identity["name"],
                    identity["severity"],
                    grid,
                    (row, target),
                    terms,
                    float(identity["scale"]) * cells[0].value / cells[1].value,
                    printed.value,
                    f"{printed.value:g} % is outside {low:.3g}..{high:.3g} %, the quotient "
                    "of these numbers anywhere within their rounding",
                )
            )
    return failures


_ROUNDING_SLACK = 1e-9  # float noise in comparing rounded bounds


def _quotient_range(numerator: Cell, denominator: Cell, scale: float) -> tuple[float, float]:
    """The smallest and largest scale x n / d over n and d within their printed rounding; the
    whole line when d's range holds zero."""
    n_half, d_half = (0.5 * 10.0**-c.decimals for c in (numerator, denominator))
    if abs(denominator.value) <= d_half:
        return -math.inf, math.inf
    quotients = [
        scale * n / d
        for n in (numerator.value - n_half, numerator.value + n_half)
        for d in (denominator.value - d_half, denominator.value + d_half)
    ]
    return min(quotients), max(quotients)


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
            failures += _missing_columns(grid, identity) + _column_identity(grid, identity)
        elif identity["kind"] == "ratio":
            failures += _missing_columns(grid, identity) + _ratio_identity(grid, identity)
        else:
            failures += generic_sums(grid, identity["name"], identity["severity"])
    return failures


def check_identities(cells: pd.DataFrame, documents: pd.DataFrame | None = None) -> list[Failure]:
    """All arithmetic checks: catalog identities for recognised tables, the generic sum rule for the
    rest, then equalities across tables and (given the documents manifest) across documents."""
    grids = build_grids(cells)
    failures: list[Failure] = []
    for grid in grids.values():
        failures += table_identities(grid) if grid.canonical else generic_sums(grid)
    failures += cross_table(grids) + repeated_lines(grids)
    if documents is not None:
        failures += cross_document(grids, documents)
    return failures
