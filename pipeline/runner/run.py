"""The staged run: raw/ -> ingest -> extract -> parse -> curate -> serve, a gate after each, then
publish.

The runner is a loop over the declared stages of `stages.py`; this module adds what is around
the loop: the lock, the up-to-date check, publication and quarantine, and the run report.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from pipeline.curate.snapshots import CURRENT, Snapshots
from pipeline.curate.storage import publish, write_atomic, write_json
from pipeline.ingest.inputs import printable, scan_raw
from pipeline.ingest.stage import sha256_of
from pipeline.runner.cache import CACHE_DIR
from pipeline.runner.context import RunContext, RunOptions
from pipeline.runner.report import REPORT_FILE, RunReport
from pipeline.runner.stages import (
    PUBLISHING_STAGES,
    Inputs,
    Parsed,
    Served,
    hold_back,
    stages_through,
)
from pipeline.runner.version import input_fingerprint

if TYPE_CHECKING:  # the report module draws with pypdfium2: loaded when a report is written
    from pipeline.quality.report import RunFrames

LOCK_FILE = ".budget-etl.lock"
LOCK_HOLDER = ".budget-etl.lock.json"  # pid, host and start of the run holding the lock
LAST_RUN = "_last_run"  # the latest attempt's report and validation, published or not
QUARANTINE = "quarantine"
VALIDATION = "_validation"


def publication_id(fingerprint: dict[str, Any]) -> str:
    """The run id: a hash of everything that decides the output, so that an unchanged rerun is
    the same publication."""
    text = json.dumps(fingerprint, sort_keys=True).encode()
    return hashlib.sha256(text).hexdigest()[:16]


def _up_to_date(options: RunOptions, run_id: str) -> RunReport | None:
    """The published report, when the current publication is this very run's."""
    snapshots = Snapshots(options.out_dir)
    if options.stage not in PUBLISHING_STAGES or snapshots.current_id() != run_id:
        return None
    try:
        previous = json.loads((snapshots.path(run_id) / REPORT_FILE).read_text())
    except (OSError, ValueError):
        return None  # someone removed published output: write it again
    result = RunReport.from_dict(previous)
    result.up_to_date = True
    result.stage_seconds = {}  # nothing ran this time
    return result


class OutputBusy(Exception):
    """Another run held the output folder's lock for longer than the lock timeout."""


def _holder(out_dir: Path) -> str:
    """Who holds the lock, as the holder wrote it down."""
    try:
        holder = json.loads((out_dir / LOCK_HOLDER).read_text())
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
    except (OSError, ValueError, KeyError):
        return "a run that did not say who it is"


def _acquire(lock: FileLock, options: RunOptions, say: Callable[[str], None]) -> None:
    try:
        lock.acquire(timeout=0)
    except Timeout:
        holder = _holder(options.out_dir)
        say(f"another budget-etl run ({holder}) is writing {options.out_dir}; waiting for it")
        try:
            lock.acquire(timeout=options.lock_timeout)
        except Timeout:
            raise OutputBusy(
                f"{options.out_dir} is still locked by {holder} after "
                f"{options.lock_timeout:g} s (--lock-timeout)"
            ) from None


def _sign_lock(out_dir: Path) -> None:
    """Write down who holds the lock, for a run that has to wait for it."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    me = {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
    write_json(out_dir / LOCK_HOLDER, me)


def run(options: RunOptions, say: Callable[[str], None] = print) -> RunReport:
    """Run the stages up to `options.stage` over raw/, publishing to the output folder."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(options.out_dir / LOCK_FILE))
    _acquire(lock, options, say)
    try:
        _sign_lock(options.out_dir)
        clean_partial_outputs(options.out_dir)
        return _run_locked(options, say)
    finally:
        lock.release()


def _run_locked(options: RunOptions, say: Callable[[str], None]) -> RunReport:
    started = time.perf_counter()
    files, skipped = scan_raw(options.raw_dir)
    where = printable(str(options.raw_dir))
    for entry in skipped:
        say(f"skipped {where}/{entry['file']}: {entry['reason']}")
    if not files and not options.allow_empty:
        return RunReport(no_input=True, skipped=skipped)
    context = RunContext(options, say, hashes={f.name: sha256_of(f.path) for f in files})
    context.report.skipped = skipped
    run_id = publication_id(input_fingerprint(context.hashes, options.output_options()))
    if (previous := _up_to_date(options, run_id)) is not None:
        previous.seconds = time.perf_counter() - started
        return previous

    output = _run_stages(Inputs(files), context)
    report = context.report
    report.run_id = run_id
    for rejection in report.rejected:
        say(f"rejected {where}/{rejection['file']}: {rejection['reason']}")
    for warning in report.warnings:
        say(f"warning {where}/{warning['file']}: {warning['warning']}")
    documents = output.documents
    report.documents = list(documents["document_id"])
    report.pages = int(documents["pages"].sum()) if len(documents) else 0
    report.quarantined_tables = sorted(context.quarantined)
    report.gates = [result.to_dict() for result in context.gate_results]
    context.cache.prune(
        (str(d.document_id), context.cache_key(str(d.sha256))) for d in documents.itertuples()
    )
    publishes = isinstance(output, Parsed) and options.stage in PUBLISHING_STAGES
    blocked = any(not result.passed for result in context.gate_results)
    if publishes and options.strict and (blocked or report.rejected):
        report.stopped_by_strict = True
    elif publishes:
        _publish(output, context, run_id, started)
    if not report.validation_report:
        report.validation_report = str(_write_validation(context, options.out_dir / LAST_RUN))
    report.stage_seconds = context.timer.seconds
    report.seconds = time.perf_counter() - started
    write_json(options.out_dir / LAST_RUN / REPORT_FILE, report.to_dict())
    return report


def _write_validation(context: RunContext, folder: Path, frames: RunFrames | None = None) -> Path:
    """The HTML validation report; with the run's frames it counts and pictures the tables."""
    from pipeline.quality.report import write_report

    return write_report(context.gate_results, folder / VALIDATION, frames)


def _run_stages(data: Any, context: RunContext) -> Any:
    """The loop over the declared stages; each stage's gate checks its output."""
    for stage in stages_through(context.options.stage):
        with context.timer.measure(stage.name):
            data = stage.work(data, context)
        if (pending := context.take_beside()) is not None:
            context.record(pending())  # the stage ran nothing beside it: run the gate now
        if stage.gate is None:
            continue
        gate, output = stage.gate, data

        def check(gate: Any = gate, output: Any = output, name: str = stage.name) -> Any:
            total, unit = output.size()
            done = context.progress.count(f"{name} gate", total, unit)
            with context.timer.measure("gates") as lap:
                result = gate(output)
            done(total)
            result.seconds = lap.seconds
            return result

        if stage.gate_beside_next and stage.name != context.options.stage:
            context.beside = check
        else:
            context.record(check())
    return data


def _publish(curated: Parsed, context: RunContext, run_id: str, started: float) -> None:
    """Publish what passed every gate, the quarantined tables with their failures beside it, the
    validation report and the run report: one snapshot, made visible at once."""
    from pipeline.quality.report import RunFrames

    options, report = context.options, context.report
    cells, tables, held_cells, held_tables = hold_back(
        curated, context.gate_results, context.quarantined
    )
    report.tables = int((~held_tables).sum())
    report.cells = int((~held_cells).sum())
    report.rows_held_back = int(tables.loc[~held_tables, "rows_held_back"].sum())
    snapshots = Snapshots(options.out_dir)
    current = snapshots.current_id()
    previous = snapshots.path(current) if current else None
    staging = snapshots.staging(run_id)
    try:
        with context.timer.measure("curate"):
            publish(
                {"cells": cells[~held_cells], "tables": tables[~held_tables],
                 "documents": curated.documents},
                staging, run_id, previous,
            )  # fmt: skip
            publish(
                {"cells": cells[held_cells], "tables": tables[held_tables]},
                staging / QUARANTINE,
                run_id,
                previous / QUARANTINE if previous else None,
            )
            write_json(staging / QUARANTINE / "failures.json", _failures_of(context))
            if isinstance(curated, Served):
                _publish_marts(curated, context, staging, run_id, previous)
            frames = RunFrames(cells, tables, curated.documents, options.raw_dir)
            html = _write_validation(context, staging, frames)
            report.validation_report = str(options.out_dir / CURRENT / html.relative_to(staging))
            report.seconds = time.perf_counter() - started
            write_json(staging / REPORT_FILE, report.to_dict())
        snapshots.commit(staging, run_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the previous publication stays current
        raise
    snapshots.prune(options.keep_snapshots)


def _publish_marts(
    served: Served, context: RunContext, staging: Path, run_id: str, previous: Path | None
) -> None:
    """The marts as Parquet with their data dictionary, and budget.duckdb, when the serve gate
    let them through."""
    from pipeline.serve.dictionary import DICTIONARY, data_dictionary
    from pipeline.serve.marts import DATABASE, MARTS_DIR, write_database

    serve_gate = next(r for r in context.gate_results if r.gate == "serve")
    if serve_gate.passed:
        publish(served.marts, staging, run_id, previous)
        write_atomic(staging / MARTS_DIR / DICTIONARY, data_dictionary().encode())
        write_database(served.staging, staging / DATABASE)


def _failures_of(context: RunContext) -> list[dict[str, Any]]:
    """Every failure, blocking or not, with where it is: what an operator reads first."""
    return [failure.to_dict() for result in context.gate_results for failure in result.failures]


def clean_partial_outputs(out_dir: Path) -> None:
    """Remove temporary files a killed run of ours left in the stage cache (never read); a
    user's own files elsewhere under the output folder are left alone."""
    for path in (out_dir / CACHE_DIR).rglob(".*.tmp-*"):
        path.unlink(missing_ok=True)
