"""The generic "Sum ..." rule: every sum row against the rows above it, in any table.

Unrecognised tables have no catalog identities, so this rule is the only arithmetic they get, and
recognised tables use it through an identity of kind `generic_sum`. Its readings of a block (a run
of rows, a running total, the subtotals under a grand total) are heuristics apart from the
catalog, so they live here, apart from the catalog identities in `identities`.
"""

from __future__ import annotations

import re

from pipeline.quality.grids import Failure, Grid, Term, evaluate, is_herav
from pipeline.quality.recognise import normalise, table_catalog

_MIN_SUBTOTALS = 2  # a grand total directly below one sum is that section collapsed, not a total


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
        terms = {c: [Term(1.0, t, c, grid) for t in reading] for c in tested}
        found = [
            evaluate(check, severity, grid, row, c, terms[c], target_decimals=whole) for c in tested
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
        if not is_herav(grid.labels[r]):
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
