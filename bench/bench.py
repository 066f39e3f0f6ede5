"""The benchmark of issue 4: `make bench` runs `.venv/bin/python bench/bench.py`.

Builds a fixed workload in a temporary folder (the two sample PDFs in raw/, a larger set of
byte-altered copies for scaling, a 100-page and a 1 000-page PDF for the memory check), then runs
every measurement in a fresh subprocess so that each peak RSS belongs to that run alone:

  (a) the pipeline cold on the samples with the default workers: seconds per stage, pages/s, RSS
  (b) a warm rerun (nothing changed)
  (c) reruns after one PDF is touched (mtime only) and after one PDF's bytes change
  (d) on the larger set: 1 worker vs 2 workers, throughput and ratio
  (e) on the same sample PDFs: pdfplumber extract_words, camelot stream and the pypdfium2 floor,
      as ratios to the pipeline's extract + parse
  (f) the share of the cold run spent in the quality gates
  (g) memory: a 1 000-page PDF vs a 100-page one

The code under test (pipeline/, schemas/, expectations/) is copied into the work folder first, so
edits made while the bench runs neither change what is measured nor invalidate the warm caches.
Prints a table and writes the figures to .bench/results.json, untracked (or --out).
`--quick` is a smaller set.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ("arsrapport-2020.pdf", "handlingsprogram-2026-2029.pdf")
BUDGET = "handlingsprogram-2026-2029.pdf"
REPORT = "arsrapport-2020.pdf"
RESULT_MARK = "BENCH-RESULT "
GIB = 1 << 30

# --------------------------------------------------------------------------------------------
# Child side: one measurement in this (fresh) process, reported as one JSON line on stdout.
# --------------------------------------------------------------------------------------------


class _PeakSampler:
    """Peak of the summed RSS of this process and all its descendants, sampled every 20 ms."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._psutil = psutil
        self._me = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        total = 0
        try:
            processes = [self._me, *self._me.children(recursive=True)]
        except self._psutil.Error:
            return
        for process in processes:
            with contextlib.suppress(self._psutil.Error):
                total += process.memory_info().rss
        self.peak = max(self.peak, total)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()


def _child_pipeline(job: dict[str, Any]) -> dict[str, Any]:
    from pipeline.extract.executor import ExecutorOptions
    from pipeline.runner import RunOptions, run

    options = RunOptions(
        raw_dir=Path(job["raw"]),
        out_dir=Path(job["out"]),
        stage=job.get("stage", "curate"),
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


def _child_pdfplumber(job: dict[str, Any]) -> dict[str, Any]:
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


def _child_camelot(job: dict[str, Any]) -> dict[str, Any]:
    import warnings

    import camelot

    warnings.filterwarnings("ignore")
    pages = tables = 0
    for path, numbers in job["files"]:
        found = camelot.read_pdf(path, flavor="stream", pages=",".join(map(str, numbers)))
        tables += len(found)
        pages += len(numbers)
    return {"pages": pages, "tables": tables}


def _child_pdfium(job: dict[str, Any]) -> dict[str, Any]:
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


def _child_extract_parse(job: dict[str, Any]) -> dict[str, Any]:
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
        frames = to_frames(path.stem, [table for part in chunk for table in part])
        cells += len(parse_tables(*frames)[0])
    return {
        "pages": sum(page_count(p) for p in paths),
        "cells": cells,
        "work_seconds": time.perf_counter() - started,
    }


CHILD_KINDS = {
    "extract_parse": _child_extract_parse,
    "pipeline": _child_pipeline,
    "pdfplumber": _child_pdfplumber,
    "camelot": _child_camelot,
    "pdfium": _child_pdfium,
}


def child_main(spec: str) -> int:
    job = json.loads(spec)
    imported = time.perf_counter()
    sampler = _PeakSampler()
    try:
        with sampler:
            started = time.perf_counter()
            result = CHILD_KINDS[job["kind"]](job)
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


START = time.perf_counter()

# --------------------------------------------------------------------------------------------
# Parent side: workload, measurements, table, JSON.
# --------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(args.workdir or tempfile.mkdtemp(prefix="budget-bench-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.code = self.work / "code"
        self.python = sys.executable
        self.results: dict[str, Any] = {}
        self.notes: list[str] = []

    # -- running a measurement --------------------------------------------------------------

    def spawn(self, label: str, job: dict[str, Any]) -> dict[str, Any]:
        """Run one job in a fresh interpreter; its wall time includes start-up and imports."""
        env = dict(os.environ, PYTHONPATH=str(self.code))
        command = [self.python, str(Path(__file__).resolve()), "--child", json.dumps(job)]
        live = sys.stdout.isatty()
        if live:
            print(f"  … {label}", end="", flush=True)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=self.work,
                env=env,
                capture_output=True,
                text=True,
                timeout=self.args.timeout,
            )
            stdout, stderr, status = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as expired:
            stdout, stderr, status = (
                expired.stdout or "",
                f"timed out after {expired.timeout} s",
                -1,
            )
            stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
        wall = time.perf_counter() - started
        lines = [line for line in stdout.splitlines() if line.startswith(RESULT_MARK)]
        if lines:
            result = json.loads(lines[-1][len(RESULT_MARK) :])
        else:
            result = {"error": f"exit status {status}, no result"}
        if "error" in result:
            tail = "\n".join(stderr.strip().splitlines()[-6:])
            result["stderr_tail"] = tail
            print(f"{chr(13) if live else ''}  ✗ {label}: {result['error']}", flush=True)
        else:
            print(f"{chr(13) if live else ''}  ✓ {label}: {wall:.1f} s", flush=True)
        result["wall_seconds"] = wall
        return result

    def pipeline(self, label: str, raw: Path, out: Path, workers: int, stage: str = "curate"):
        job = {
            "kind": "pipeline",
            "raw": str(raw),
            "out": str(out),
            "workers": workers,
            "stage": stage,
        }
        return self.spawn(label, job)

    # -- workload -----------------------------------------------------------------------------

    def snapshot_code(self) -> None:
        for name in ("pipeline", "schemas", "expectations"):
            shutil.copytree(
                ROOT / name,
                self.code / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__"),
            )

    def build_workload(self) -> dict[str, Any]:
        import hashlib

        import pypdfium2 as pdfium

        from pipeline.extract.pdf import page_count as pages_of

        samples = self.work / "raw-samples"
        samples.mkdir()
        for name in SAMPLES:
            shutil.copy2(ROOT / "raw" / name, samples / name)
            (samples / name).chmod(0o644)
        sample_pages = {name: pages_of(samples / name) for name in SAMPLES}

        # Scaling set: the samples plus copies with a PDF comment after %%EOF (new content hash,
        # same pages). Each copy is checked to open with pypdfium2 with the same page count.
        scale = self.work / "raw-scale"
        scale.mkdir()
        copies = {REPORT: 6} if self.args.quick else {name: self.args.copies for name in SAMPLES}
        sources = () if self.args.quick else SAMPLES
        for name in sources:
            shutil.copy2(samples / name, scale / name)
        digests = set()
        for name, count in copies.items():
            data = (samples / name).read_bytes()
            for k in range(1, count + 1):
                target = scale / f"{Path(name).stem}-copy{k}.pdf"
                target.write_bytes(data + f"\n%bench-copy-{k}\n".encode())
                if pages_of(target) != sample_pages[name]:
                    raise SystemExit(f"bench: {target.name} does not open like {name}")
                digests.add(hashlib.sha256(target.read_bytes()).hexdigest())
        if len(digests) != sum(copies.values()):
            raise SystemExit("bench: copies do not have distinct content hashes")
        scale_pages = sum(pages_of(p) for p in scale.iterdir())

        # Memory check: the budget's first 100 pages vs its pages cycled to 1 000 pages.
        big_pages = 400 if self.args.quick else 1000
        memory = {}
        for count in (100, big_pages):
            folder = self.work / f"raw-mem{count}"
            folder.mkdir()
            target = folder / f"budget-{count}p.pdf"
            source = pdfium.PdfDocument(str(samples / BUDGET))
            merged = pdfium.PdfDocument.new()
            have = len(source)
            while len(merged) < count:
                take = min(have, count - len(merged))
                merged.import_pages(source, pages=list(range(take)))
            merged.save(str(target))
            merged.close()
            source.close()
            memory[count] = {
                "raw": folder,
                "pages": pages_of(target),
                "bytes": target.stat().st_size,
            }

        self.samples, self.scale, self.memory = samples, scale, memory
        workload = {
            "work_dir": str(self.work),
            "samples": {"files": sample_pages, "pages": sum(sample_pages.values())},
            "scale": {
                "files": len(list(scale.iterdir())),
                "pages": scale_pages,
                "copies": copies,
                "samples_included": bool(sources),
            },
            "memory": {
                str(k): {"pages": v["pages"], "bytes": v["bytes"]} for k, v in memory.items()
            },
        }
        return workload

    # -- the measurements -------------------------------------------------------------------

    def run_all(self) -> None:
        args = self.args
        results = self.results
        results["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": os.getloadavg(),
        }
        results["options"] = {"quick": args.quick, "workers": args.workers}
        print(f"bench work folder: {self.work}")
        self.snapshot_code()
        results["workload"] = self.build_workload()
        load = os.getloadavg()[0]
        if load > 0.5:
            self.notes.append(
                f"load average {load:.2f} before the bench: other processes share the CPUs, "
                "figures are pessimistic"
            )

        print("pipeline on the sample corpus")
        out = self.work / "out-samples"
        cold = self.pipeline(f"(a) cold, {args.workers} workers", self.samples, out, args.workers)
        results["cold"] = cold
        if "error" in cold:
            # Still measure extract + parse alone, so the throughput figures exist.
            self.notes.append(
                "the cold full run failed; extract+parse figures come from a cold "
                "`--stage parse` run instead"
            )
            results["cold_parse_only"] = self.pipeline(
                "(a') cold to --stage parse",
                self.samples,
                self.work / "out-samples-parse",
                args.workers,
                stage="parse",
            )
        results["extract_parse"] = self.spawn(
            f"(a) extract+parse alone, {args.workers} workers",
            {"kind": "extract_parse", "files": [str(p) for p in sorted(self.samples.glob("*.pdf"))],
             "workers": args.workers},
        )  # fmt: skip
        results["warm"] = self.pipeline("(b) warm rerun", self.samples, out, args.workers)
        touched = self.samples / BUDGET
        os.utime(touched, ns=(time.time_ns(), time.time_ns()))
        results["touched"] = self.pipeline(
            f"(c) rerun after touching {BUDGET}", self.samples, out, args.workers
        )
        results["touched"]["file"] = BUDGET
        with (self.samples / REPORT).open("ab") as handle:
            handle.write(b"\n%bench-edit\n")
        results["changed"] = self.pipeline(
            f"(c) rerun after changing {REPORT}'s bytes", self.samples, out, args.workers
        )
        results["changed"]["file"] = REPORT

        print(f"scaling set ({results['workload']['scale']['pages']} pages)")
        results["scale"] = {
            str(n): self.pipeline(
                f"(d) cold, {n} worker(s)", self.scale, self.work / f"out-scale-{n}", n
            )
            for n in (1, 2)
        }

        print("other tools on the same sample PDFs (one process each)")
        files = [str(ROOT / "raw" / name) for name in SAMPLES]
        pages = results["workload"]["samples"]["files"]
        for tool, step in (("pdfplumber", args.plumber_step), ("camelot", args.camelot_step)):
            subset = [
                (path, list(range(1, pages[name] + 1, step)))
                for path, name in zip(files, SAMPLES, strict=True)
            ]
            which = "every page" if step == 1 else f"every {step}th page"
            results[tool] = self.spawn(f"(e) {tool}, {which}", {"kind": tool, "files": subset})
            results[tool]["page_step"] = step
        results["pdfium"] = self.spawn(
            "(e) pypdfium2 char boxes", {"kind": "pdfium", "files": files}
        )

        print("memory: a long PDF vs a short one")
        results["memory"] = {
            str(count): self.pipeline(
                f"(g) cold, {spec['pages']}-page PDF",
                spec["raw"],
                self.work / f"out-mem{count}",
                args.workers,
            )
            for count, spec in self.memory.items()
        }
        results["machine"]["load_average_after"] = os.getloadavg()
        results["notes"] = self.notes

    # -- figures and targets ----------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        r = self.results
        pages = r["workload"]["samples"]["pages"]
        figures: dict[str, Any] = {}
        cold = r["cold"] if "error" not in r["cold"] else r.get("cold_parse_only", {})
        stages = cold.get("stage_seconds", {})
        alone = r.get("extract_parse", {})
        if "error" not in alone and alone.get("work_seconds"):
            ep = alone["work_seconds"]
            figures["extract_parse_seconds"] = ep
            figures["extract_parse_pages_per_s"] = pages / ep
        elif "extract" in stages and "parse" in stages:
            ep = stages["extract"] + stages["parse"]
            figures["extract_parse_seconds"] = ep
            figures["extract_parse_pages_per_s"] = pages / ep if ep else None
        if "error" not in r["cold"]:
            figures["cold_wall_seconds"] = r["cold"]["wall_seconds"]
            figures["cold_run_seconds"] = r["cold"]["run_seconds"]
            figures["gates_share"] = stages.get("gates", 0.0) / r["cold"]["run_seconds"]
        for key in ("warm", "touched", "changed"):
            if "error" not in r[key]:
                figures[f"{key}_wall_seconds"] = r[key]["wall_seconds"]
                figures[f"{key}_run_seconds"] = r[key]["run_seconds"]

        scale_pages = r["workload"]["scale"]["pages"]
        throughput = {}
        for n, run in r["scale"].items():
            if "error" in run:
                continue
            s = run["stage_seconds"]
            throughput[n] = {
                "run_pages_per_s": scale_pages / run["run_seconds"],
                "wall_pages_per_s": scale_pages / run["wall_seconds"],
                "extract_pages_per_s": scale_pages / s["extract"] if s.get("extract") else None,
                "extract_parse_pages_per_s": scale_pages / (s["extract"] + s["parse"])
                if "extract" in s and "parse" in s
                else None,
            }
        figures["scale_throughput"] = throughput
        if "1" in throughput and "2" in throughput:
            one, two = throughput["1"], throughput["2"]
            figures["scale_ratio_run"] = two["run_pages_per_s"] / one["run_pages_per_s"]
            if one["extract_pages_per_s"] and two["extract_pages_per_s"]:
                figures["scale_ratio_extract"] = (
                    two["extract_pages_per_s"] / one["extract_pages_per_s"]
                )
            if one["extract_parse_pages_per_s"]:
                figures["one_worker_extract_parse_s_per_page"] = (
                    1 / one["extract_parse_pages_per_s"]
                )

        tools = {}
        for name in ("pdfplumber", "camelot", "pdfium"):
            run = r[name]
            if "error" in run:
                continue
            per_page = run["seconds"] / run["pages"]
            tools[name] = {
                "measured_pages": run["pages"],
                "measured_seconds": run["seconds"],
                "seconds_per_page": per_page,
                "seconds_all_pages": per_page * pages,  # extrapolated when a subset was timed
                "pages_per_s": 1 / per_page,
                "extrapolated": run["pages"] != pages,
                "rss_peak": run["rss_tree_peak"],
            }
            if "extract_parse_seconds" in figures:
                tools[name]["ratio_to_pipeline"] = (
                    tools[name]["seconds_all_pages"] / figures["extract_parse_seconds"]
                )
            if "one_worker_extract_parse_s_per_page" in figures:
                tools[name]["ratio_to_pipeline_1_worker"] = (
                    per_page / figures["one_worker_extract_parse_s_per_page"]
                )
        figures["tools"] = tools

        rss = [
            run["rss_tree_peak"]
            for run in (r["cold"], r.get("cold_parse_only", {}))
            if "rss_tree_peak" in run
        ]
        rss += [run["rss_tree_peak"] for run in r["scale"].values() if "error" not in run]
        rss += [run["rss_tree_peak"] for run in r["memory"].values() if "error" not in run]
        figures["pipeline_rss_peak"] = max(rss) if rss else None
        memory = {k: v for k, v in r["memory"].items() if "error" not in v}
        if len(memory) == 2:
            small, big = (memory[k] for k in sorted(memory, key=int))
            figures["memory_ratio_tree"] = big["rss_tree_peak"] / small["rss_tree_peak"]
            figures["memory_ratio_worker"] = big["rss_worker_max"] / small["rss_worker_max"]
            figures["memory_ratio_main"] = big["rss_main"] / small["rss_main"]
        return figures

    def targets(self, f: dict[str, Any]) -> list[dict[str, Any]]:
        tools = f.get("tools", {})

        def target(name: str, value: float | None, goal: str, ok) -> dict[str, Any]:
            status = "n/a" if value is None else ("PASS" if ok(value) else "MISS")
            return {"target": name, "measured": value, "goal": goal, "status": status}

        return [
            target(
                "extraction + parsing pages/s",
                f.get("extract_parse_pages_per_s"),
                ">= 100 pages/s",
                lambda v: v >= 100,
            ),
            target(
                "camelot stream time / pipeline extract+parse",
                tools.get("camelot", {}).get("ratio_to_pipeline"),
                ">= 3x",
                lambda v: v >= 3,
            ),
            target(
                "pipeline extract+parse / pypdfium2 floor",
                1 / tools["pdfium"]["ratio_to_pipeline"]
                if "ratio_to_pipeline" in tools.get("pdfium", {})
                else None,
                "<= 3x",
                lambda v: v <= 3,
            ),
            target(
                "cold run of the samples, wall s",
                f.get("cold_wall_seconds"),
                "< 15 s",
                lambda v: v < 15,
            ),
            target("warm rerun, wall s", f.get("warm_wall_seconds"), "< 2 s", lambda v: v < 2),
            target(
                "peak RSS of any pipeline run, GiB",
                f["pipeline_rss_peak"] / GIB if f.get("pipeline_rss_peak") else None,
                "< 1 GiB",
                lambda v: v < 1,
            ),
            target(
                "1000-page vs 100-page peak RSS (whole process tree)",
                f.get("memory_ratio_tree"),
                "<= 1.2x (page-bounded)",
                lambda v: v <= 1.2,
            ),
            target(
                "2 workers vs 1, whole-run throughput",
                f.get("scale_ratio_run"),
                ">= 1.6x",
                lambda v: v >= 1.6,
            ),
        ]

    # -- output -----------------------------------------------------------------------------

    def print_table(self, f: dict[str, Any], targets: list[dict[str, Any]]) -> None:
        r = self.results
        w = r["workload"]
        mib = lambda b: f"{b / (1 << 20):.0f} MiB" if b else "-"  # noqa: E731
        out: list[str] = []
        add = out.append
        add("")
        add("=" * 96)
        add(
            f"budget-etl bench  ({r['machine']['cpus']} CPUs, Python {r['machine']['python']}, "
            f"load before {r['machine']['load_average_before'][0]:.2f}, "
            f"after {r['machine']['load_average_after'][0]:.2f})"
        )
        add(
            f"samples: {w['samples']['pages']} pages in {len(w['samples']['files'])} PDFs; "
            f"scaling set: {w['scale']['pages']} pages in {w['scale']['files']} PDFs"
        )
        add("-" * 96)

        def run_line(label: str, run: dict[str, Any], pages: int | None = None) -> None:
            if "error" in run:
                add(f"{label:<40} FAILED: {run['error']}")
                return
            s = run.get("stage_seconds", {})
            stage_text = "  ".join(
                f"{k} {s[k]:.2f}"
                for k in ("ingest", "extract", "parse", "curate", "gates")
                if k in s
            )
            rate = f"{pages / run['run_seconds']:.1f} p/s" if pages and run["run_seconds"] else ""
            add(
                f"{label:<40} wall {run['wall_seconds']:6.2f} s  run {run['run_seconds']:6.2f} s"
                f"  {rate:>10}  peak RSS {mib(run['rss_tree_peak'])} "
                f"(main {mib(run['rss_main'])}, worker {mib(run['rss_worker_max'])})"
            )
            if stage_text and not run.get("up_to_date"):
                add(f"{'':<40}   stages s: {stage_text}")

        pages = w["samples"]["pages"]
        run_line(f"(a) cold, {self.args.workers} workers", r["cold"], pages)
        if "cold_parse_only" in r:
            run_line("(a') cold, --stage parse", r["cold_parse_only"], pages)
        if "extract_parse_pages_per_s" in f:
            add(
                f"{'':<40}   extract+parse {f['extract_parse_seconds']:.2f} s = "
                f"{f['extract_parse_pages_per_s']:.1f} pages/s"
            )
        if "gates_share" in f:
            add(f"{'(f) gates share of the cold run':<40} {100 * f['gates_share']:.0f} %")
        run_line("(b) warm rerun", r["warm"])
        if "error" not in r["warm"]:
            add(f"{'':<40}   up to date: {r['warm']['up_to_date']}")
        run_line(f"(c) touched {r['touched']['file']}", r["touched"])
        run_line(f"(c) changed {r['changed']['file']}", r["changed"])
        if "error" not in r["changed"]:
            add(f"{'':<40}   reused from cache: {r['changed']['reused']}")
        add("-" * 96)
        for n, run in r["scale"].items():
            run_line(f"(d) scaling set, {n} worker(s)", run, w["scale"]["pages"])
        for n, t in f.get("scale_throughput", {}).items():
            add(
                f"{'':<40}   {n} worker(s): {t['run_pages_per_s']:.1f} p/s whole run, "
                f"{t['extract_pages_per_s'] or 0:.1f} p/s extract stage"
            )
        if "scale_ratio_run" in f:
            add(
                f"{'(d) 2 workers / 1 worker':<40} {f['scale_ratio_run']:.2f}x whole run, "
                f"{f.get('scale_ratio_extract', 0):.2f}x extract stage"
            )
        add("-" * 96)
        add(
            f"{'(e) tool on the sample PDFs':<34}{'seconds':>9}{'pages/s':>9}"
            f"{'tool/pipeline':>15}{'  (1 worker)':>13}   peak RSS"
        )
        if "extract_parse_seconds" in f:
            add(
                f"{'pipeline extract+parse':<34}{f['extract_parse_seconds']:9.2f}"
                f"{f['extract_parse_pages_per_s']:9.1f}{'1.00x':>15}"
            )
        names = {
            "pdfplumber": "pdfplumber extract_words",
            "camelot": "camelot stream",
            "pdfium": "pypdfium2 char boxes (floor)",
        }
        for key, label in names.items():
            t = f.get("tools", {}).get(key)
            if t is None:
                add(f"{label:<34} FAILED: {r[key].get('error')}")
                continue
            ratio = f"{t['ratio_to_pipeline']:.2f}x" if "ratio_to_pipeline" in t else "-"
            ratio1 = (
                f"{t['ratio_to_pipeline_1_worker']:.2f}x"
                if "ratio_to_pipeline_1_worker" in t
                else "-"
            )
            add(
                f"{label:<34}{t['seconds_all_pages']:9.2f}{t['pages_per_s']:9.1f}"
                f"{ratio:>15}{ratio1:>13}   {mib(t['rss_peak'])}"
            )
            if t["extrapolated"]:
                add(
                    f"{'':<34}  timed on {t['measured_pages']} of {pages} pages "
                    f"(every {r[key].get('page_step', '?')}th page, "
                    f"{t['measured_seconds']:.1f} s), extrapolated per page"
                )
        add(
            f"{'':<34}  tool/pipeline > 1: the pipeline is faster. Tools run in one process; "
            "'(1 worker)' compares per page with the 1-worker pipeline of (d)."
        )
        add("-" * 96)
        for count, run in r["memory"].items():
            run_line(
                f"(g) {w['memory'][count]['pages']}-page PDF", run, w["memory"][count]["pages"]
            )
        if "memory_ratio_tree" in f:
            add(
                f"{'(g) long / short peak RSS':<40} tree {f['memory_ratio_tree']:.2f}x, "
                f"main {f['memory_ratio_main']:.2f}x, worker {f['memory_ratio_worker']:.2f}x"
            )
        add("=" * 96)
        add(f"{'target (issue 4)':<54}{'measured':>12}  {'goal':<24}status")
        for t in targets:
            value = "-" if t["measured"] is None else f"{t['measured']:.2f}"
            add(f"{t['target']:<54}{value:>12}  {t['goal']:<24}{t['status']}")
        for note in self.notes:
            add(f"note: {note}")
        print("\n".join(out))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "results.json")
    parser.add_argument("--quick", action="store_true", help="a smaller workload (~5 min)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="workers of the cold/warm/memory runs (default: cores)",
    )
    parser.add_argument(
        "--copies", type=int, default=3, help="copies of each sample in the scaling set (default 3)"
    )
    parser.add_argument(
        "--camelot-step",
        type=int,
        default=None,
        help="time camelot on every Nth page (default 4, quick 16)",
    )
    parser.add_argument(
        "--plumber-step",
        type=int,
        default=None,
        help="time pdfplumber on every Nth page (default 1, quick 8)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="per run, seconds")
    parser.add_argument("--workdir", type=Path, help="keep the workload here (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child:
        return child_main(args.child)
    if args.camelot_step is None:
        args.camelot_step = 16 if args.quick else 4
    if args.plumber_step is None:
        args.plumber_step = 8 if args.quick else 1
    bench = Bench(args)
    started = time.perf_counter()
    try:
        bench.run_all()
        figures = bench.figures()
        targets = bench.targets(figures)
        bench.results["figures"] = figures
        bench.results["targets"] = targets
        bench.results["bench_seconds"] = time.perf_counter() - started
        bench.results["command"] = " ".join(
            [".venv/bin/python", "bench/bench.py", *(argv or sys.argv[1:])]
        )
        bench.print_table(figures, targets)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(bench.results, indent=2, default=str) + "\n")
        print(f"figures written to {args.out} (bench took {bench.results['bench_seconds']:.0f} s)")
    finally:
        if not (args.keep or args.workdir):
            shutil.rmtree(bench.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
