"""The sweep's alarm counts, read from a run report written the way the runner writes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.quality.grids import Failure
from pipeline.quality.results import GateResult
from pipeline.runner.report import REPORT_FILE, RunReport
from tests.fuzz.alarms import read_alarms, report_alarms


def _failure(check: str, severity: str, table: str | None, row: int | None = None) -> Failure:
    return Failure(check, severity, "doc" if table else None, table, page=1, row_index=row)


def _write(out: Path, gates: list[GateResult], quarantined: list[str], held: int) -> None:
    report = RunReport(quarantined_tables=quarantined, rows_held_back=held)
    report.gates = [gate.to_dict() for gate in gates]
    report.warnings = [{"file": "doc.pdf", "warning": "page 3: numbers unreadable"}]
    payload: dict[str, Any] = report.to_dict()
    (out / "current").mkdir(parents=True)
    (out / "current" / REPORT_FILE).write_text(json.dumps(payload), encoding="utf-8")


def test_alarms_are_counted_by_check(tmp_path: Path) -> None:
    parse = GateResult("parse")
    parse.failures = [
        _failure("parse.column_facts.one_year_per_header", "error", "doc:t1"),
        _failure("parse.cell_facts.digit_groups", "error", "doc:t2", row=4),
        _failure("parse.cell_facts.neighbour_ratio", "error", "doc:t2", row=4),
        _failure("parse.cell_facts.digit_groups", "error", "doc:t1", row=2),  # table held anyway
    ]
    parse.failed_tables = {"doc:t1"}
    parse.failed_rows = {("doc:t2", 4), ("doc:t1", 2)}
    curate = GateResult("curate")
    curate.failures = [_failure("generic_sum", "warning", "doc:t3", row=7)]
    _write(tmp_path, [parse, curate], quarantined=["doc:t1"], held=1)

    alarms = read_alarms(tmp_path)

    assert (alarms.tables_quarantined, alarms.rows_held_back, alarms.warnings) == (1, 1, 2)
    assert alarms.quarantined_by_check == {"parse.column_facts.one_year_per_header": 1}
    assert alarms.held_by_check == {
        "parse.cell_facts.digit_groups": 1,
        "parse.cell_facts.neighbour_ratio": 1,
    }
    assert alarms.warnings_by_check == {"curate.generic_sum": 1, "page: numbers unreadable": 1}
    assert [a["kind"] for a in alarms.located] == [
        "quarantined",
        "held back",
        "held back",
        "quarantined",
        "warning",
        "warning",
    ]
    lines = report_alarms([("reportlab", 3, alarms)]).splitlines()
    assert lines[2].split() == ["reportlab", "3", "1", "1", "2"]
    assert (
        "held back: parse.cell_facts.digit_groups 1; parse.cell_facts.neighbour_ratio 1"
        in (lines[4])
    )
