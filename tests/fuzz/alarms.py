"""Gate alarms on the fuzzer's documents, read from what `pipeline run` wrote.

Every generated table is correct by construction, so each table quarantined, row held back or
warning raised on them is a gate's false alarm or a real extraction error the gate caught
(issue 9: both are measured). Only the run's own output is read (`current/_run.json`), so the
figures mean what an operator sees.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.runner.report import REPORT_FILE

FRAME_WIDE = "(a failure naming no table)"  # blocks every table of its frame
_LOCATION = ["document_id", "table_id", "page", "row_label", "column_label", "actual"]


@dataclass
class Alarms:
    """Alarm counts by check; a table or row failed by two checks counts under both."""

    tables_quarantined: int = 0
    rows_held_back: int = 0
    warnings: int = 0
    quarantined_by_check: Counter[str] = field(default_factory=Counter)
    held_by_check: Counter[str] = field(default_factory=Counter)
    warnings_by_check: Counter[str] = field(default_factory=Counter)
    located: list[dict[str, Any]] = field(default_factory=list)  # each alarm's check and place

    @property
    def total(self) -> int:
        return self.tables_quarantined + self.rows_held_back + self.warnings

    def to_dict(self) -> dict[str, Any]:
        return {
            "tables_quarantined": self.tables_quarantined,
            "rows_held_back": self.rows_held_back,
            "warnings": self.warnings,
            "quarantined_by_check": dict(sorted(self.quarantined_by_check.items())),
            "held_by_check": dict(sorted(self.held_by_check.items())),
            "warnings_by_check": dict(sorted(self.warnings_by_check.items())),
            "located": self.located,
        }


def _check_name(gate: str, check: str) -> str:
    """The check's name with its gate in front (expectations already carry it)."""
    return check if check.startswith(f"{gate}.") else f"{gate}.{check}"


def _failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**failure, "check": _check_name(gate["gate"], failure["check"])}
        for gate in report["gates"]
        for failure in gate["failures"]
    ]


def read_alarms(out: Path) -> Alarms:
    """The alarms of the publication in `out` (a `pipeline run --out` folder)."""
    report = json.loads((out / "current" / REPORT_FILE).read_text(encoding="utf-8"))
    failures = _failures(report)
    errors = [f for f in failures if f["severity"] == "error"]
    alarms = Alarms(tables_quarantined=len(report["quarantined_tables"]))
    quarantined = set(report["quarantined_tables"])
    frame_wide = {f["check"] for f in errors if f["table_id"] is None}
    failed_rows = {(table, row) for gate in report["gates"] for table, row in gate["failed_rows"]}
    for table in quarantined:  # by the checks that fail it whole, not those holding a row back
        named = {
            f["check"]
            for f in errors
            if table in (f["table_id"], f["related_table_id"])
            and (f["table_id"], f["row_index"]) not in failed_rows
        }
        alarms.quarantined_by_check.update(named or frame_wide or {FRAME_WIDE})
    held = {(table, row) for table, row in failed_rows if table not in quarantined}
    alarms.rows_held_back = report["rows_held_back"]
    for table, row in held:
        alarms.held_by_check.update(
            {f["check"] for f in errors if (f["table_id"], f["row_index"]) == (table, row)}
        )
    warned = [f for f in failures if f["severity"] == "warning"]
    pages = [w["warning"].split(": ", 1)[-1] for w in report["warnings"]]
    alarms.warnings = len(warned) + len(pages)
    alarms.warnings_by_check.update(f["check"] for f in warned)
    alarms.warnings_by_check.update(f"page: {kind}" for kind in pages)
    for failure in failures:
        kind = (
            "warning"
            if failure["severity"] == "warning"
            else "held back"
            if (failure["table_id"], failure["row_index"]) in held
            else "quarantined"
        )
        alarms.located.append(
            {"kind": kind, "check": failure["check"], **{k: failure[k] for k in _LOCATION}}
        )
    alarms.located += [{"kind": "warning", "check": "page", **w} for w in report["warnings"]]
    return alarms


def _by_check(counts: Counter[str]) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "; ".join(f"{check} {n}" for check, n in ranked)


def report_alarms(results: list[tuple[str, int, Alarms]]) -> str:
    """The alarm table (producer, tables, alarms) with a line per kind of alarm naming its
    checks; a clean producer takes one line."""
    lines = [
        "gate alarms on clean tables (each a false alarm or a caught extraction error):",
        f"{'producer':<12} {'tables':>7} {'quarantined':>11} {'rows held':>9} {'warnings':>8}",
    ]
    for producer, tables, alarms in results:
        lines.append(
            f"{producer:<12} {tables:>7} {alarms.tables_quarantined:>11} "
            f"{alarms.rows_held_back:>9} {alarms.warnings:>8}"
        )
        for name, counts in (
            ("quarantined", alarms.quarantined_by_check),
            ("held back", alarms.held_by_check),
            ("warnings", alarms.warnings_by_check),
        ):
            if counts:
                lines.append(f"    {name}: {_by_check(counts)}")
    return "\n".join(lines)
