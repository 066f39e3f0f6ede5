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
`--quick` is a smaller set. This file is the entry point of both sides: the parent (steps.py,
figures.py, report.py, over workload.py) and, with --child, one measurement (measure.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from figures import figures, targets
from measure import child_main
from report import print_table
from steps import Steps
from workload import ROOT


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


def _measure_and_report(args: argparse.Namespace, work: Path, argv: list[str] | None) -> None:
    """Run every step, print the table and write results.json."""
    started = time.perf_counter()
    steps = Steps(args, work)
    steps.run_all()
    results = steps.results
    results["figures"] = figures(results)
    results["targets"] = targets(results["figures"])
    results["bench_seconds"] = time.perf_counter() - started
    results["command"] = " ".join([".venv/bin/python", "bench/bench.py", *(argv or sys.argv[1:])])
    print_table(results, results["figures"], results["targets"], args.workers)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"figures written to {args.out} (bench took {results['bench_seconds']:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child:
        return child_main(args.child)
    if args.camelot_step is None:
        args.camelot_step = 16 if args.quick else 4
    if args.plumber_step is None:
        args.plumber_step = 8 if args.quick else 1
    work = Path(args.workdir or tempfile.mkdtemp(prefix="budget-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        _measure_and_report(args, work, argv)
    finally:
        if not (args.keep or args.workdir):
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
