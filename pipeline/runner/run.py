"""The staged run: raw/ -> ingest -> extract -> parse -> curate, with a gate after each stage.

Stage outputs per document are kept in `<out>/_stages/`, keyed by the PDF's content hash and
the pipeline version, so an unchanged PDF is never opened again and a stage can be rerun alone.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from filelock import FileLock, Timeout

from pipeline.curate.storage import parquet_bytes, publish, write_atomic, write_json
from pipeline.extract.executor import ExecutorOptions, page_tasks, task_mapper
from pipeline.extract.stage import to_frames
from pipeline.ingest import stage as ingest
from pipeline.parse.stage import parse_tables
from pipeline.schemas import EXPECTATIONS_DIR, PROJECT_ROOT, SCHEMA_DIR, dataset_spec

STAGES = ("ingest", "extract", "parse", "curate")
T = TypeVar("T")
STATE_FILE = "_state.json"
REPORT_FILE = "_run.json"
PUBLISHED = ("cells", "tables", "documents")
SUMMARY_FAILURES = 15
EXIT_PARTIAL = 3
EXIT_STRICT_STOP = 4


def pipeline_version() -> str:
    """A hash of the code and the declarative files: any change to them invalidates caches."""
    digest = hashlib.sha256()
    sources = sorted((PROJECT_ROOT / "pipeline").rglob("*.py"))
    sources += sorted(SCHEMA_DIR.glob("*.yaml")) + sorted(EXPECTATIONS_DIR.glob("*.json"))
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(slots=True)
class RunOptions:
    raw_dir: Path
    out_dir: Path
    stage: str = "curate"
    strict: bool = False
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)
    progress: bool = False


@dataclass(slots=True)
class RunReport:
    """What a run did, for the terminal summary and `_run.json`."""

    up_to_date: bool = False
    documents: list[str] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
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
        """0: all through. PARTIAL: published, but inputs rejected or tables quarantined.
        STRICT_STOP: --strict refused to publish. (1 stays what Python exits with on a crash.)"""
        if self.stopped_by_strict:
            return EXIT_STRICT_STOP
        failed = any(not gate["passed"] for gate in self.gates)
        return EXIT_PARTIAL if self.rejected or failed else 0

    def to_dict(self) -> dict[str, Any]:
        payload = {name: getattr(self, name) for name in self.__slots__}
        payload["exit_status"] = self.exit_status
        return payload


class _Clock:
    def __init__(self, report: RunReport) -> None:
        self.report = report

    def time(self, stage: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return work()
        finally:
            spent = time.perf_counter() - started
            self.report.stage_seconds[stage] = self.report.stage_seconds.get(stage, 0.0) + spent


def _stage_key(sha256: str, version: str) -> str:
    """Stage outputs are valid for one content and one pipeline version."""
    return f"{sha256[:16]}-{version}"


def _stage_path(out_dir: Path, stage: str, document_id: str, key: str, part: str) -> Path:
    return out_dir / "_stages" / stage / f"{document_id}.{key}.{part}.parquet"


def _load_stage(out_dir: Path, stage: str, document_id: str, key: str, parts: tuple[str, ...]):
    paths = [_stage_path(out_dir, stage, document_id, key, part) for part in parts]
    if all(p.exists() for p in paths):
        return tuple(pd.read_parquet(p) for p in paths)
    return None


def _save_stage(out_dir: Path, stage: str, document_id: str, key: str, frames: dict) -> None:
    import pyarrow as pa

    for part, frame in frames.items():
        table = pa.Table.from_pandas(frame, preserve_index=False)
        write_atomic(_stage_path(out_dir, stage, document_id, key, part), parquet_bytes(table))


def _prune_stages(out_dir: Path, live: set[tuple[str, str]]) -> None:
    """Drop cached stage outputs of PDFs no longer in raw/ or of older pipeline versions."""
    for path in (out_dir / "_stages").glob("*/*.parquet"):
        document_id, key, _part, _suffix = path.name.rsplit(".", 3)  # a stem may hold dots
        if (document_id, key) not in live:
            path.unlink()


def _fingerprint(files: list[Path], version: str, options: RunOptions) -> dict[str, Any]:
    return {
        "version": version,
        "stage": options.stage,
        "files": {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in files},
    }


def _up_to_date(options: RunOptions, fingerprint: dict[str, Any]) -> RunReport | None:
    """The previous report, when nothing changed since it was written and its outputs exist."""
    state, report = options.out_dir / STATE_FILE, options.out_dir / REPORT_FILE
    if not (state.exists() and report.exists()):
        return None
    if json.loads(state.read_text()) != fingerprint:
        return None
    if options.stage == "curate" and not all(
        (options.out_dir / dataset_spec(name)["path"]).is_dir() for name in PUBLISHED
    ):
        return None  # someone removed published output: write it again
    previous = json.loads(report.read_text())
    previous.pop("exit_status", None)
    result = RunReport(**{k: v for k, v in previous.items() if k in RunReport.__slots__})
    result.up_to_date = True
    result.stage_seconds = {}  # nothing ran this time
    return result


def _ingest(files: list[Path], report: RunReport) -> pd.DataFrame:
    rows = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            sha = ingest.sha256_of(path)
            if sha in seen:
                raise ingest.RejectedInput(f"same content as {seen[sha]}")
            rows.append(ingest.describe(path, sha))
            seen[sha] = path.name
        except ingest.RejectedInput as reason:
            report.rejected.append({"file": path.name, "reason": str(reason)})
    return ingest.manifest_frame(rows)


def _extract_all(
    documents: pd.DataFrame,
    options: RunOptions,
    version: str,
    report: RunReport,
    alongside: Callable[[], T],
) -> tuple[dict[str, tuple[pd.DataFrame, pd.DataFrame]], T]:
    """Extract every document not already extracted by this pipeline version.

    `alongside` runs in a thread while the workers extract (the ingest gate: Great Expectations
    takes seconds to import, time the page tasks would otherwise wait for). The workers are
    started before that thread, so no process is forked while it runs.
    """
    started = time.perf_counter()
    extracted: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    todo = []
    for doc in documents.itertuples(index=False):
        key = _stage_key(doc.sha256, version)
        cached = _load_stage(
            options.out_dir, "extract", doc.document_id, key, ("candidates", "raw_cells")
        )
        if cached is not None:
            extracted[doc.document_id] = cached
            report.reused.append(doc.document_id)
        else:
            todo.append(doc)
    if not todo:
        return extracted, alongside()

    tasks_by_doc = {
        doc.document_id: page_tasks(
            options.raw_dir / doc.file_name, doc.pages, options.executor.workers
        )
        for doc in todo
    }
    all_tasks = [task for tasks in tasks_by_doc.values() for task in tasks]
    with task_mapper(options.executor) as map_tasks, ThreadPoolExecutor(1) as side:
        results = map_tasks(all_tasks)
        side_result = side.submit(alongside)
        if options.progress:
            from tqdm import tqdm

            results = tqdm(results, total=len(all_tasks), unit="task", desc="extract")
        results = list(results)
    start = 0
    for doc in todo:
        count = len(tasks_by_doc[doc.document_id])
        tables = [table for chunk in results[start : start + count] for table in chunk]
        start += count
        frames = to_frames(doc.document_id, tables)
        key = _stage_key(doc.sha256, version)
        _save_stage(options.out_dir, "extract", doc.document_id, key,
                    {"candidates": frames[0], "raw_cells": frames[1]})  # fmt: skip
        extracted[doc.document_id] = frames
    report.stage_seconds["extract"] = time.perf_counter() - started
    return extracted, side_result.result()


def _parse_all(
    documents: pd.DataFrame,
    extracted: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
    options: RunOptions,
    version: str,
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    parsed = {}
    for doc in documents.itertuples(index=False):
        key = _stage_key(doc.sha256, version)
        cached = _load_stage(options.out_dir, "parse", doc.document_id, key, ("cells", "tables"))
        if cached is None:
            cached = parse_tables(*extracted[doc.document_id])
            _save_stage(options.out_dir, "parse", doc.document_id, key,
                        {"cells": cached[0], "tables": cached[1]})  # fmt: skip
        parsed[doc.document_id] = cached
    return parsed


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def run(options: RunOptions, say: Callable[[str], None] = print) -> RunReport:
    """Run the stages up to `options.stage` over raw/, publishing to the output folder."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(options.out_dir / ".budget-etl.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"another budget-etl run is writing {options.out_dir}; waiting for it to finish")
        lock.acquire()
    try:
        clean_partial_outputs(options.out_dir)
        return _run_locked(options, say)
    finally:
        lock.release()


def _run_locked(options: RunOptions, say: Callable[[str], None]) -> RunReport:
    started = time.perf_counter()
    version = pipeline_version()
    files = ingest.raw_files(options.raw_dir)
    fingerprint = _fingerprint(files, version, options)
    if (previous := _up_to_date(options, fingerprint)) is not None:
        previous.seconds = time.perf_counter() - started
        return previous

    from pipeline.quality import (
        gates,  # Great Expectations is slow to import: only when there is work
    )

    report = RunReport()
    clock = _Clock(report)
    results: list[gates.GateResult] = []
    documents = clock.time("ingest", lambda: _ingest(files, report))

    def ingest_gate() -> gates.GateResult:
        return clock.time("gates", lambda: gates.check_ingest(documents))

    extracted: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    if options.stage == "ingest" or not len(documents):
        gate = ingest_gate()
    else:
        # Pages are extracted while the ingest gate runs; what it rejects goes no further.
        extracted, gate = _extract_all(documents, options, version, report, ingest_gate)
    results.append(gate)
    for document_id in sorted(gate.failed_documents):
        report.rejected.append({"file": document_id, "reason": "failed the ingest gate"})
        extracted.pop(document_id, None)
    documents = documents[~documents["document_id"].isin(gate.failed_documents)]
    for rejection in report.rejected:
        say(f"rejected {options.raw_dir / rejection['file']}: {rejection['reason']}")
    report.documents = list(documents["document_id"])
    report.pages = int(documents["pages"].sum()) if len(documents) else 0
    live = {(d.document_id, _stage_key(d.sha256, version)) for d in documents.itertuples()}

    quarantined: set[str] = set()
    if extracted:
        extract_gate = clock.time(
            "gates",
            lambda: gates.check_extract(
                _concat([c for c, _ in extracted.values()]),
                _concat([r for _, r in extracted.values()]),
            ),
        )
        results.append(extract_gate)
        quarantined |= extract_gate.failed_tables
        if options.stage in ("parse", "curate"):
            parsed = clock.time("parse", lambda: _parse_all(documents, extracted, options, version))
            cells = _concat([c for c, _ in parsed.values()])
            tables = _concat([t for _, t in parsed.values()])
            parse_gate = clock.time("gates", lambda: gates.check_parse(cells))
            results.append(parse_gate)
            quarantined |= parse_gate.failed_tables
            if options.stage == "curate":
                quarantined |= clock.time(
                    "curate",
                    lambda: _curate(
                        cells, tables, documents, quarantined, options, report, results
                    ),
                )
    _prune_stages(options.out_dir, live)
    report.quarantined_tables = sorted(quarantined)
    report.gates = [result.to_dict() for result in results]
    report.validation_report = str(gates.write_report(results, options.out_dir / "_validation"))
    report.seconds = time.perf_counter() - started
    write_json(options.out_dir / REPORT_FILE, report.to_dict())
    write_json(options.out_dir / STATE_FILE, fingerprint)
    return report


def _curate(
    cells: pd.DataFrame,
    tables: pd.DataFrame,
    documents: pd.DataFrame,
    quarantined: set[str],
    options: RunOptions,
    report: RunReport,
    results: list,
) -> set[str]:
    """Recognise catalog tables, run the curate gate, publish good tables, quarantine the rest."""
    from pipeline.quality import gates
    from pipeline.quality.recognise import recognise

    canonical = recognise(tables, cells)
    cells["canonical_table"] = cells["table_id"].map(canonical).astype(object)
    tables["canonical_table"] = tables["table_id"].map(canonical).astype(object)
    cells = cells.where(cells.notna(), None)
    curate_gate = gates.check_curate(cells, tables, documents)
    results.append(curate_gate)
    failed = quarantined | curate_gate.failed_tables
    if options.strict and (failed or report.rejected):
        report.stopped_by_strict = True
        return failed
    good_cells = cells[~cells["table_id"].isin(failed)]
    good_tables = tables[~tables["table_id"].isin(failed)]
    publish(
        {"cells": good_cells, "tables": good_tables, "documents": documents},
        options.out_dir,
    )
    publish(
        {
            "cells": cells[cells["table_id"].isin(failed)],
            "tables": tables[tables["table_id"].isin(failed)],
        },
        options.out_dir,
        root="quarantine",
    )
    failures = [
        failure.to_dict()
        for result in results
        for failure in result.failures
        if failure.table_id in failed or failure.table_id is None
    ]
    write_json(options.out_dir / "quarantine" / "failures.json", failures)
    report.tables = len(good_tables)
    report.cells = len(good_cells)
    return failed


def summary(report: RunReport) -> str:
    lines = [
        ("up to date: nothing changed since the last run; " if report.up_to_date else "")
        + f"{len(report.documents)} documents, {report.pages} pages, {report.tables} tables, "
        f"{report.cells} cells published, {len(report.quarantined_tables)} tables quarantined, "
        f"{len(report.rejected)} inputs rejected, {report.seconds:.1f} s"
    ]
    # One line per failed check and row; the columns it failed in are listed together.
    grouped: dict[tuple, list[dict[str, Any]]] = {}
    for gate in report.gates:
        for failure in gate["failures"]:
            if failure["severity"] == "error":
                key = (gate["gate"], failure["check"], failure["document_id"], failure["page"],
                       failure["table_id"], failure["row_label"])  # fmt: skip
                grouped.setdefault(key, []).append(failure)
    for (gate_name, check, document, page, table, row), failures in list(grouped.items())[
        :SUMMARY_FAILURES
    ]:
        numbers = "; ".join(
            f"col {f['column_index']}: expected {f['expected']} got {f['actual']}"
            if f["expected"] is not None
            else f"col {f['column_index']}"
            for f in failures
        )
        lines.append(
            f"  [{gate_name}] {check}: {document} p{page} {table} row {row!r} "
            f"({numbers}) {failures[0]['message']}"
        )
    if len(grouped) > SUMMARY_FAILURES:
        lines.append(f"  ... and {len(grouped) - SUMMARY_FAILURES} more in {REPORT_FILE}")
    if report.validation_report:
        lines.append(f"validation report: {report.validation_report}")
    return "\n".join(lines)


def clean_partial_outputs(out_dir: Path) -> None:
    """Remove temporary files a killed run may have left (they are never read)."""
    for path in out_dir.rglob(".*.tmp-*"):
        path.unlink(missing_ok=True)
