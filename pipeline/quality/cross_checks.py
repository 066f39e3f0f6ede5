"""Equalities across tables and across documents: the same total printed in two places.

Unlike the identities within a table these compare one grid with another, matching columns on
(measure, year): a total repeated in another table of the same document (`cross_table`), a line
printed again under its own label in any other table of the document (`repeated_lines`), or a
budget document's accounts column against the annual report of that year (`cross_document`). They
need every grid of a run at once, so they live here rather than with the per-table checks.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.quality.grids import Column, Failure, Grid, Term, evaluate, row_terms
from pipeline.quality.recognise import normalise, table_catalog


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
                    failure = evaluate(
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
) -> list[Term] | None:
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
        terms.append(Term(float(spec.get("sign", 1)), row, column, grid))
    return terms


def repeated_lines(grids: dict[str, Grid]) -> list[Failure]:
    """Lines of a catalog table that the document prints again, under the same label, in another
    table (an area's appropriation in its sector's chapter): the same number printed twice, so
    exactly equal when printed with the same decimals.

    The copy is recognised by its figures, not by its label alone: it must print at least
    `min_equal` of the shared non-zero cells equal and differ in at most `max_differing` (a table
    that merely reuses the label, for a figure defined otherwise, differs in more).
    """
    by_document: dict[str, list[tuple[Grid, dict[str, list[int]]]]] = {}
    for grid in grids.values():
        rows_by_label: dict[str, list[int]] = {}
        for row, label in sorted(grid.labels.items()):
            rows_by_label.setdefault(normalise(label), []).append(row)
        by_document.setdefault(grid.document_id, []).append((grid, rows_by_label))
    failures = []
    for rule in table_catalog().get("repeated_lines", []):
        for grid in grids.values():
            if grid.canonical != rule["table"]:
                continue
            for _, row in row_terms(grid, rule["lines"]) or []:
                label = normalise(grid.labels[row])
                for other, rows_by_label in by_document[grid.document_id]:
                    if other is not grid:
                        for other_row in rows_by_label.get(label, []):
                            failures += _repeated_row(rule, grid, row, other, other_row)
    return failures


def _repeated_row(
    rule: dict[str, Any], grid: Grid, row: int, other: Grid, other_row: int
) -> list[Failure]:
    """The cells of `row` that differ from its copy in `other`, when that row is its copy."""
    equal, differing = [], []
    for column, col in sorted(grid.columns.items()):
        other_column = _column_by_key(other, col.measure, col.year)
        if other_column is None or (col.measure is None and col.year is None):
            continue
        cell, copy = grid.cells.get((row, column)), other.cells.get((other_row, other_column))
        if cell is None or copy is None or cell.decimals != copy.decimals:
            continue
        if cell.value != copy.value:
            differing.append((column, Term(1.0, other_row, other_column, other)))
        elif cell.value != 0:
            equal.append(column)
    if len(equal) < rule["min_equal"] or len(differing) > rule["max_differing"]:
        return []
    found = [
        evaluate(rule["name"], rule["severity"], grid, row, column, [term], same_number=True)
        for column, term in differing
    ]
    return [f for f in found if f is not None]


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
            term = Term(1.0, report.lines[line_id], report_column, report)
            failure = evaluate(
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
