"""What a run did: the report written to `_run.json`, its exit status and the terminal summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPORT_FILE = "_run.json"
SUMMARY_FAILURES = 15  # failed checks listed on the terminal; the rest are in the report file

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
    pages: int = 0
    tables: int = 0
    cells: int = 0
    quarantined_tables: list[str] = field(default_factory=list)
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


FailureKey = tuple[str, str, str | None, int | None, str | None, str | None]


def _blocking_failures(report: RunReport) -> dict[FailureKey, list[dict[str, Any]]]:
    """Blocking failures, one entry per gate, check, table and row (columns listed together)."""
    grouped: dict[FailureKey, list[dict[str, Any]]] = {}
    for gate in report.gates:
        for failure in gate["failures"]:
            if failure["severity"] == "error":
                key = (gate["gate"], failure["check"], failure["document_id"], failure["page"],
                       failure["table_id"], failure["row_label"])  # fmt: skip
                grouped.setdefault(key, []).append(failure)
    return grouped


def _numbers(failures: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"col {f['column_index']}: expected {f['expected']} got {f['actual']}"
        if f["expected"] is not None
        else f"col {f['column_index']}"
        for f in failures
    )


def summary(report: RunReport) -> str:
    """The terminal summary: totals, then one line per failed check and row."""
    if report.no_input:
        return (
            f"no input: the input folder holds no PDF ({len(report.skipped)} entries skipped); "
            "nothing was published or withdrawn"
        )
    lines = [
        ("up to date: nothing changed since the last run; " if report.up_to_date else "")
        + f"{len(report.documents)} documents, {report.pages} pages, {report.tables} tables, "
        f"{report.cells} cells published, {len(report.quarantined_tables)} tables quarantined, "
        f"{len(report.rejected)} inputs rejected, {len(report.skipped)} skipped, "
        f"{report.seconds:.1f} s"
    ]
    grouped = _blocking_failures(report)
    for (gate, check, document, page, table, row), failures in list(grouped.items())[
        :SUMMARY_FAILURES
    ]:
        lines.append(
            f"  [{gate}] {check}: {document} p{page} {table} row {row!r} "
            f"({_numbers(failures)}) {failures[0]['message']}"
        )
    if len(grouped) > SUMMARY_FAILURES:
        lines.append(f"  ... and {len(grouped) - SUMMARY_FAILURES} more in {REPORT_FILE}")
    if report.validation_report:
        lines.append(f"validation report: {report.validation_report}")
    return "\n".join(lines)
