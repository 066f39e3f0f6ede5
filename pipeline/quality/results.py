"""What a gate reports: every check as it ran, the failures, and what to hold back; and the
per-cell verdict the runner publishes by (`held_back`, `table_status`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from pipeline.quality.grids import Failure


@dataclass(frozen=True, slots=True)
class Outcome:
    """One expectation or check as it ran: the report lists every one, passed or not."""

    frame: str
    name: str
    column: str | None
    severity: str
    success: bool
    unexpected: int
    description: str = ""


@dataclass(slots=True)
class GateResult:
    gate: str
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    failed_tables: set[str] = field(default_factory=set)
    failed_rows: set[tuple[str, int]] = field(default_factory=set)  # (table_id, row_index)
    failed_documents: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when nothing blocking failed (warnings don't block)."""
        return not any(f.severity == "error" for f in self.failures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "failed_tables": sorted(self.failed_tables),
            "failed_rows": [list(key) for key in sorted(self.failed_rows)],
            "failed_documents": sorted(self.failed_documents),
            "outcomes": [asdict(o) for o in self.outcomes],
            "failures": [f.to_dict() for f in self.failures],
        }


HELD_TABLE, HELD_ROW = "table_held_back", "row_held_back"
PARTIAL, COMPLETE = "rows_held_back", "complete"


def held_keys(results: list[GateResult]) -> tuple[set[str], set[tuple[str, int]]]:
    """Every gate's verdicts together: the tables and the (table, row) pairs to hold back."""
    tables: set[str] = set().union(*(r.failed_tables for r in results))
    rows: set[tuple[str, int]] = set().union(*(r.failed_rows for r in results))
    return tables, rows


def held_back(cells: pd.DataFrame, results: list[GateResult]) -> pd.Series:
    """Per cell: why it is held back (a failed table, a failed row) or None to publish it."""
    tables, rows = held_keys(results)
    keys = pd.Series(
        list(zip(cells["table_id"], cells["row_index"], strict=True)), index=cells.index
    )
    held = pd.Series(None, index=cells.index, dtype=object)
    held[keys.isin(rows)] = HELD_ROW
    held[cells["table_id"].isin(tables)] = HELD_TABLE
    return held


def table_status(cells: pd.DataFrame, held: pd.Series) -> pd.Series:
    """Per cell (all of them, before filtering): whether its table is published whole or with
    rows held back; the runner writes this as the status column of what it publishes."""
    partial = set(cells.loc[held == HELD_ROW, "table_id"])
    return cells["table_id"].map(lambda t: PARTIAL if t in partial else COMPLETE)
