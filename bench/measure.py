"""The child side of the bench: one measurement in a fresh interpreter, one JSON line on stdout.

Each library (psutil, the pipeline, pdfplumber, camelot, pypdfium2) is imported inside the
function that measures it, so a child loads only what its own measurement needs and its peak RSS
belongs to that measurement alone.
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

Result = dict[str, Any]
RESULT_MARK = "BENCH-RESULT "

START = time.perf_counter()  # at import, so `setup_seconds` covers the child's start-up


class PeakSampler:
    """Peak of the summed RSS of this process and all its descendants, sampled every 20 ms.

    ru_maxrss sees one process at a time; the pipeline's footprint is the main process plus its
    workers at the same moment.
    """

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._error = psutil.Error
        self._me = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        total = 0
        try:
            processes = [self._me, *self._me.children(recursive=True)]
        except self._error:
            return
        for process in processes:
            with contextlib.suppress(self._error):
                total += process.memory_info().rss
        self.peak = max(self.peak, total)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()


def _without_gates() -> None:
    """Every stage's gate replaced by one that checks nothing and passes, in this child only:
    the run without gates is the baseline that says what the gates add to a cold run's wall
    time. Not a pipeline option: nothing a user runs should publish unchecked numbers."""
    from dataclasses import replace
    from functools import partial

    from pipeline.quality.results import GateResult
    from pipeline.runner import stages

    def unchecked(name: str, _output: object) -> GateResult:
        return GateResult(name)

    stages.STAGES = tuple(
        replace(stage, gate=partial(unchecked, stage.name) if stage.gate else None)
        for stage in stages.STAGES
    )


def measure_pipeline(job: Result) -> Result:
    """A whole `pipeline run`, as a user of `python -m pipeline run` starts it (without its
    gates when the job says `"gates": false`)."""
    from pipeline.extract.executor import ExecutorOptions
    from pipeline.runner import RunOptions, run

    if not job.get("gates", True):
        _without_gates()

    options = RunOptions(
        raw_dir=Path(job["raw"]),
        out_dir=Path(job["out"]),
        stage=job.get("stage", "serve"),
        executor=ExecutorOptions("local", job["workers"]),
    )
    report = run(options, say=lambda line: print(line, file=sys.stderr))
    return {
        "run_seconds": report.seconds,
        "stage_seconds": report.stage_seconds,
        "pages": report.pages,
        "documents": len(report.documents),
        "tables": report.tables,
        "cells": report.cells,
        "up_to_date": report.up_to_date,
        "reused": report.reused,
        "rejected": report.rejected,
        "quarantined_tables": len(report.quarantined_tables),
        "exit_status": report.exit_status,
    }


def measure_pdfplumber(job: Result) -> Result:
    """pdfplumber's `extract_words` on the job's pages, the usual first tool for PDF text."""
    import pdfplumber

    pages = words = 0
    for path, numbers in job["files"]:
        with pdfplumber.open(path) as pdf:
            for number in numbers:
                page = pdf.pages[number - 1]
                words += len(page.extract_words())
                page.close()  # drop the page's cached objects: memory per page, not per document
                pages += 1
    return {"pages": pages, "words": words}


def measure_camelot(job: Result) -> Result:
    """camelot's stream flavour on the job's pages, the usual tool for tables without rules."""
    import warnings

    import camelot

    warnings.filterwarnings("ignore")
    pages = tables = 0
    for path, numbers in job["files"]:
        numbers_text = ",".join(map(str, numbers))
        # camelot re-exports read_pdf without __all__, which strict mypy reads as private
        found = camelot.read_pdf(path, flavor="stream", pages=numbers_text)  # type: ignore[attr-defined]
        tables += len(found)
        pages += len(numbers)
    return {"pages": pages, "tables": tables}


def measure_pdfium(job: Result) -> Result:
    """The floor: pypdfium2 reading every character's box, less than any extraction needs."""
    import pypdfium2 as pdfium

    pages = chars = 0
    for path in job["files"]:
        document = pdfium.PdfDocument(path)
        try:
            for index in range(len(document)):
                page = document[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                boxes = [(text[i], textpage.get_charbox(i)) for i in range(textpage.count_chars())]
                chars += len(boxes)
                pages += 1
                textpage.close()
                page.close()
        finally:
            document.close()
    return {"pages": pages, "chars": chars}


def measure_extract_parse(job: Result) -> Result:
    """The pipeline's extract and parse stages alone, on the run's executor, no gates.

    In a full run the page tasks share the CPUs with the Great Expectations import of the
    ingest gate, so the stage clock there does not measure extraction speed by itself.
    """
    from pipeline.extract.executor import ExecutorOptions, page_tasks, task_mapper
    from pipeline.extract.pdf import page_count
    from pipeline.extract.stage import to_frames
    from pipeline.parse.stage import parse_tables

    started = time.perf_counter()  # after the imports, which a long-running batch pays once
    paths = [Path(p) for p in job["files"]]
    tasks = {p: page_tasks(p, page_count(p), job["workers"]) for p in paths}
    cells = 0
    with task_mapper(ExecutorOptions("local", job["workers"])) as map_tasks:
        results = list(map_tasks([t for ts in tasks.values() for t in ts]))
    start = 0
    for path in paths:
        chunk = results[start : start + len(tasks[path])]
        start += len(tasks[path])
        frames = to_frames(path.stem, [table for part in chunk for table in part.tables])
        cells += len(parse_tables(*frames)[0])
    return {
        "pages": sum(page_count(p) for p in paths),
        "cells": cells,
        "work_seconds": time.perf_counter() - started,
    }


MEASUREMENTS: dict[str, Callable[[Result], Result]] = {
    "extract_parse": measure_extract_parse,
    "pipeline": measure_pipeline,
    "pdfplumber": measure_pdfplumber,
    "camelot": measure_camelot,
    "pdfium": measure_pdfium,
}


def child_main(spec: str) -> int:
    """Run the job `spec` (JSON) and print its result; a failure is a result too, not a crash."""
    job = json.loads(spec)
    imported = time.perf_counter()
    sampler = PeakSampler()
    result: Result
    try:
        with sampler:
            started = time.perf_counter()
            result = MEASUREMENTS[job["kind"]](job)
            result["seconds"] = time.perf_counter() - started
    except Exception as error:
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}"}
    result["setup_seconds"] = imported - START
    ru_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    ru_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    result["rss_main"] = ru_self
    result["rss_worker_max"] = ru_children
    result["rss_tree_peak"] = max(sampler.peak, ru_self, ru_children)
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0
