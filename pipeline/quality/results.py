"""What a gate reports: every check as it ran, the failures, and what to hold back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pipeline.quality.identities import Failure


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
