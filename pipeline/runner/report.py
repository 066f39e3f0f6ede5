"""What a run did: the report written to `_run.json`, its exit status and the terminal summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPORT_FILE = "_run.json"
ROWS_PER_LINE = 5  # rows named on one summary line; every row is in the report files

# Every exit status of `budget-etl`, in one place (the README's Operations section lists them).
EXIT_OK = 0
EXIT_CRASH = 1  # what Python exits with on an uncaught error: a bug to report
EXIT_USAGE = 2  # a mistake in how the command was called
EXIT_PARTIAL = 3  # published, but inputs were rejected or tables or rows quarantined
EXIT_STRICT_STOP = 4  # --strict refused to publish anything
EXIT_NO_INPUT = 5  # raw/ holds no PDF: an unmounted share, typically; nothing withdrawn
EXIT_OUTPUT_ERROR = 6  # the output could not be written; the previous publication stands
EXIT_BUSY = 7  # another run held the output folder's lock for longer than --lock-timeout
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C), the shell's convention: 128 + 2
EXIT_TERMINATED = 143  # SIGTERM: 128 + 15


@dataclass(slots=True)
class RunReport:
    run_id: str | None = None  # the publication's id, stamped in every file it wrote
    up_to_date: bool = False
    no_input: bool = False
    documents: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # not PDFs: exit status unchanged
    warnings: list[dict[str, str]] = field(default_factory=list)  # pages: exit status unchanged
    pages: int = 0
    tables: int = 0
    cells: int = 0
    quarantined_tables: list[str] = field(default_factory=list)
    rows_held_back: int = 0  # rows of published tables kept out for a row-local failure
    reused: list[str] = field(default_factory=list)
    gates: list[dict[str, Any]] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    validation_report: str | None = None
    stopped_by_strict: bool = False

    @property
    def exit_status(self) -> int:
        """Blocking failures and rejections give PARTIAL; warnings never change the status."""
        if self.no_input:
            return EXIT_NO_INPUT
        if self.stopped_by_strict:
            return EXIT_STRICT_STOP
        failed = any(not gate["passed"] for gate in self.gates)
        return EXIT_PARTIAL if self.rejected or failed else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        payload = {name: getattr(self, name) for name in self.__slots__}
        payload["exit_status"] = self.exit_status
        return payload

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> RunReport:
        return cls(**{k: v for k, v in payload.items() if k in cls.__slots__})


def _blocking_by_table(report: RunReport) -> dict[str | None, dict[str, list[dict[str, Any]]]]:
    """Blocking failures by table, then by check; None collects those that name no table."""
    grouped: dict[str | None, dict[str, list[dict[str, Any]]]] = {}
    for gate in report.gates:
        for failure in gate["failures"]:
            if failure["severity"] == "error":
                checks = grouped.setdefault(failure["table_id"], {})
                checks.setdefault(f"[{gate['gate']}] {failure['check']}", []).append(failure)
    return grouped


def _check_line(check: str, failures: list[dict[str, Any]]) -> str:
    """One check on one table: where, which rows, and the numbers when an identity failed."""
    first = failures[0]
    rows = list(dict.fromkeys(repr(f["row_label"]) for f in failures if f["row_label"]))
    numbers = [
        f"expected {f['expected']:g} got {f['actual']:g}"
        for f in failures
        if f["expected"] is not None and f["actual"] is not None
    ]
    where = f"{first['document_id']} p{first['page']}" if first["document_id"] else "run"
    detail = f"rows {', '.join(rows[:ROWS_PER_LINE])}" if rows else ""
    if len(rows) > ROWS_PER_LINE:
        detail += f" and {len(rows) - ROWS_PER_LINE} more"
    if numbers:
        detail += f" ({'; '.join(numbers[:ROWS_PER_LINE])})"
    return f"    {check}: {where} {detail} - {first['message']}".rstrip()


def summary(report: RunReport) -> str:
    """The terminal summary: totals, then every quarantined table and every table with rows held
    back, one line per check; the counts in the first line are the tables listed below it."""
    if report.no_input:
        return (
            f"no input: the input folder holds no PDF ({len(report.skipped)} entries skipped); "
            "nothing was published or withdrawn"
        )
    lines = [
        ("up to date: nothing changed since the last run; " if report.up_to_date else "")
        + f"{len(report.documents)} documents, {report.pages} pages, {report.tables} tables, "
        f"{report.cells} cells published, {len(report.quarantined_tables)} tables quarantined, "
        f"{report.rows_held_back} rows held back, {len(report.rejected)} inputs rejected, "
        f"{len(report.skipped)} skipped, {len(report.warnings)} page warnings, "
        f"{report.seconds:.1f} s"
    ]
    quarantined = set(report.quarantined_tables)
    for table, checks in sorted(
        _blocking_by_table(report).items(), key=lambda item: (item[0] is None, item[0] or "")
    ):
        heading = (
            "failures that name no table"
            if table is None
            else f"{table}: quarantined"
            if table in quarantined
            else f"{table}: rows held back"
        )
        lines.append(f"  {heading}")
        lines += [_check_line(check, failures) for check, failures in checks.items()]
    if report.validation_report:
        lines.append(f"validation report: {report.validation_report}")
    return "\n".join(lines)
