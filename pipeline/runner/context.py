"""What every stage of one run shares: options, cache, timer, report, gate verdicts, progress."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.curate.snapshots import KEEP_SNAPSHOTS
from pipeline.extract.executor import ExecutorOptions
from pipeline.extract.settings import DEFAULT_LIMITS, ResourceLimits
from pipeline.extract.stage import PagesRead
from pipeline.runner.cache import StageCache, entry_key
from pipeline.runner.report import RunReport
from pipeline.runner.timer import StageTimer
from pipeline.runner.version import options_version

if TYPE_CHECKING:
    from pipeline.quality.gates import GateResult


LOCK_TIMEOUT_SECONDS = 3600.0  # longer than any run of a budget cycle's documents takes


@dataclass(slots=True)
class RunOptions:
    raw_dir: Path
    out_dir: Path
    stage: str = "serve"  # run the stages up to and including this one
    strict: bool = False
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)
    progress: bool = False
    keep_snapshots: int = KEEP_SNAPSHOTS
    lock_timeout: float = LOCK_TIMEOUT_SECONDS
    allow_empty: bool = False  # an empty input folder withdraws every publication
    limits: ResourceLimits = DEFAULT_LIMITS  # what a page may cost before it is rejected

    def output_options(self) -> dict[str, Any]:
        """The options that change what is published: part of the up-to-date fingerprint."""
        return {"stage": self.stage, "strict": self.strict, "limits": self.limits.fingerprint()}


class Progress:
    """A progress bar per stage on a terminal; nothing in CI or when piped."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def track(self, items: Iterable[Any], desc: str, total: int, unit: str) -> Iterator[Any]:
        if not self.enabled:
            yield from items
            return
        from tqdm import tqdm

        yield from tqdm(items, desc=desc, total=total, unit=unit, leave=False)

    def count(self, desc: str, total: int, unit: str) -> Callable[[int], None]:
        """A bar advanced by hand: call the result with the number of units done."""
        if not self.enabled:
            return lambda _done: None
        from tqdm import tqdm

        bar = tqdm(desc=desc, total=total, unit=unit, leave=False)

        def advance(done: int) -> None:
            bar.update(done)

        return advance


@dataclass(slots=True)
class RunContext:
    options: RunOptions
    say: Callable[[str], None]
    report: RunReport = field(default_factory=RunReport)
    timer: StageTimer = field(default_factory=StageTimer)
    gate_results: list[GateResult] = field(default_factory=list)
    quarantined: set[str] = field(default_factory=set)
    hashes: dict[str, str] = field(default_factory=dict)  # by printable file name
    rejected_documents: set[str] = field(default_factory=set)
    noted: set[str] = field(default_factory=set)  # documents with pages rejected or warned of
    # Page texts the extract workers read this run, by document id then 1-based page: the serve
    # stage takes its headings from them instead of reading every page again.
    page_texts: dict[str, dict[int, str]] = field(default_factory=dict)
    # The one deliberate overlap: a gate the next stage runs in a thread beside its own work.
    beside: Callable[[], GateResult] | None = None

    @property
    def cache(self) -> StageCache:
        return StageCache(self.options.out_dir)

    @property
    def progress(self) -> Progress:
        return Progress(self.options.progress)

    @property
    def workers(self) -> int:
        return self.options.executor.workers or os.cpu_count() or 1

    def cache_key(self, sha256: str) -> str:
        """A document's stage-cache key: its content, the pipeline version and the limits (a
        page rejected under one limit is read under a higher one)."""
        return entry_key(sha256, options_version({"limits": self.options.limits.fingerprint()}))

    def take_beside(self) -> Callable[[], GateResult] | None:
        """The pending gate, for the stage that runs it; it runs once."""
        pending, self.beside = self.beside, None
        return pending

    def note_pages(self, document_id: str, file_name: str, read: PagesRead) -> None:
        """Pages over a resource limit (rejected) and pages whose numbers could not be read
        (warnings), each named in the report as "page 3: <why>"; the page texts, kept for the
        serve stage."""
        if read.rejected or read.warnings:
            self.noted.add(document_id)
        self.report.rejected += [{"file": file_name, "reason": page} for page in read.rejected]
        self.report.warnings += [{"file": file_name, "warning": page} for page in read.warnings]
        self.page_texts[document_id] = read.texts

    def record(self, result: GateResult) -> None:
        """A gate's verdict: its failed tables are quarantined, its failed documents rejected."""
        self.gate_results.append(result)
        self.quarantined |= result.failed_tables
        self.rejected_documents |= result.failed_documents
        for document_id in sorted(result.failed_documents):
            self.report.rejected.append(
                {"file": document_id, "reason": f"failed the {result.gate} gate"}
            )
