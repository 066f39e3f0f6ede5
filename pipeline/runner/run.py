"""The staged run: raw/ -> ingest -> extract -> parse -> curate, a gate after each, then publish.

The runner is a loop over the declared stages of `stages.py`; this module adds what is around
the loop: the lock, the up-to-date check, publication and quarantine, and the run report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from pipeline.curate.storage import publish, write_json
from pipeline.ingest.stage import raw_files, sha256_of
from pipeline.runner.cache import entry_key
from pipeline.runner.context import RunContext, RunOptions
from pipeline.runner.report import REPORT_FILE, RunReport
from pipeline.runner.stages import Inputs, Parsed, stages_through
from pipeline.runner.version import input_fingerprint, pipeline_version
from pipeline.schemas import dataset_spec

STATE_FILE = "_state.json"
LOCK_FILE = ".budget-etl.lock"
PUBLISHED = ("cells", "tables", "documents")
QUARANTINE = "quarantine"


def _up_to_date(options: RunOptions, fingerprint: dict[str, Any]) -> RunReport | None:
    """The previous report, when nothing changed since it was written and its outputs exist."""
    state, report = options.out_dir / STATE_FILE, options.out_dir / REPORT_FILE
    try:
        if json.loads(state.read_text()) != fingerprint:
            return None
        previous = json.loads(report.read_text())
    except (OSError, ValueError):
        return None
    if options.stage == "curate" and not all(
        (options.out_dir / dataset_spec(name)["path"]).is_dir() for name in PUBLISHED
    ):
        return None  # someone removed published output: write it again
    result = RunReport.from_dict(previous)
    result.up_to_date = True
    result.stage_seconds = {}  # nothing ran this time
    return result


def run(options: RunOptions, say: Callable[[str], None] = print) -> RunReport:
    """Run the stages up to `options.stage` over raw/, publishing to the output folder."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(options.out_dir / LOCK_FILE))
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
    files = raw_files(options.raw_dir)
    if not files:
        return RunReport(no_input=True)
    context = RunContext(options, say, hashes={p.name: sha256_of(p) for p in files})
    fingerprint = input_fingerprint(context.hashes, options.output_options())
    if (previous := _up_to_date(options, fingerprint)) is not None:
        previous.seconds = time.perf_counter() - started
        return previous

    output = _run_stages(Inputs(files), context)
    report = context.report
    for rejection in report.rejected:
        say(f"rejected {options.raw_dir / rejection['file']}: {rejection['reason']}")
    documents = output.documents
    report.documents = list(documents["document_id"])
    report.pages = int(documents["pages"].sum()) if len(documents) else 0
    if isinstance(output, Parsed) and options.stage == "curate":
        _publish(output, context)
    context.cache.prune(
        (str(d.document_id), entry_key(str(d.sha256), pipeline_version()))
        for d in documents.itertuples()
    )
    from pipeline.quality import gates

    report.quarantined_tables = sorted(context.quarantined)
    report.gates = [result.to_dict() for result in context.gate_results]
    report.validation_report = str(
        gates.write_report(context.gate_results, options.out_dir / "_validation")
    )
    report.stage_seconds = context.timer.seconds
    report.seconds = time.perf_counter() - started
    write_json(options.out_dir / REPORT_FILE, report.to_dict())
    write_json(options.out_dir / STATE_FILE, fingerprint)
    return report


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

        def check(gate: Any = gate, output: Any = output) -> Any:
            with context.timer.measure("gates"):
                return gate(output)

        if stage.gate_beside_next and stage.name != context.options.stage:
            context.beside = check
        else:
            context.record(check())
    return data


def _publish(curated: Parsed, context: RunContext) -> None:
    """Publish what passed every gate; the quarantined tables go to quarantine/ with failures."""
    options, report = context.options, context.report
    failed = context.quarantined
    if options.strict and (failed or report.rejected):
        report.stopped_by_strict = True
        return
    cells, tables = curated.cells, curated.tables
    held_cells = cells["table_id"].isin(failed) if len(cells) else pd.Series(dtype=bool)
    held_tables = tables["table_id"].isin(failed) if len(tables) else pd.Series(dtype=bool)
    with context.timer.measure("curate"):
        publish(
            {"cells": cells[~held_cells], "tables": tables[~held_tables],
             "documents": curated.documents},
            options.out_dir,
        )  # fmt: skip
        publish(
            {"cells": cells[held_cells], "tables": tables[held_tables]},
            options.out_dir,
            root=QUARANTINE,
        )
        failures = [
            failure.to_dict()
            for result in context.gate_results
            for failure in result.failures
            if failure.table_id in failed or failure.table_id is None
        ]
        write_json(options.out_dir / QUARANTINE / "failures.json", failures)
    report.tables = int((~held_tables).sum())
    report.cells = int((~held_cells).sum())


def clean_partial_outputs(out_dir: Path) -> None:
    """Remove temporary files a killed run of ours left (they are never read)."""
    for path in out_dir.rglob(".*.tmp-*"):
        path.unlink(missing_ok=True)
