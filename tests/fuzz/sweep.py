"""Fuzz sweep: random tables through every producer, the pipeline CLI and its evaluator.

    python -m tests.fuzz.sweep --tables-per-producer 300 --seed 1 [--json sweep.json]

Prints numeric-cell recall, precision and column-label accuracy per producer and per feature
(each table's flags are in its truth file), and counts glued values: published numbers made of
the digits of two truth cells, and the gates' alarms on these clean tables: tables quarantined,
rows held back and warnings, by check (see `alarms.py`). The pipeline is used only through its
CLI, so the figures mean the same whatever the extractor does inside.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import itertools

import pandas as pd

from pipeline.tools.evaluate import Figures, load_cells, score_document
from tests.fuzz.alarms import Alarms, read_alarms, report_alarms
from tests.fuzz.build import build
from tests.fuzz.model import Document
from tests.fuzz.producers import PRODUCERS, UNAVAILABLE
from tests.fuzz.strategies import generate

ROOT = Path(__file__).resolve().parents[2]
GLUE_FACTOR = 1000  # a published value this many times the page's largest truth value is glued
_DIGITS = re.compile(r"\d")


@dataclass
class ProducerResult:
    producer: str
    figures: Figures = field(default_factory=Figures)
    features: dict[str, Figures] = field(default_factory=dict)
    glued: list[dict[str, Any]] = field(default_factory=list)
    alarms: Alarms = field(default_factory=Alarms)
    tables: list[dict[str, Any]] = field(default_factory=list)  # per-table figures and flags
    seconds: dict[str, float] = field(default_factory=dict)


def documents_for(tables: int, seed: int) -> list[Document]:
    """Enough documents to hold at least `tables` tables (one to three per document)."""
    docs: list[Document] = []
    count = max(2, tables * 2 // 3)  # about 1.6 tables per document
    while sum(len(d.tables) for d in docs) < tables:
        docs = generate(count, seed)
        count += max(2, tables // 4)
    kept: list[Document] = []
    for document in docs:
        kept.append(document)
        if sum(len(d.tables) for d in kept) >= tables:
            break
    return kept


def _build_one(args: tuple[Document, str, Path, Path]) -> tuple[Path, Path]:
    return build(*args)


def render(
    documents: list[Document], producer: str, raw: Path, truth: Path, workers: int
) -> list[Path]:
    """Every document as a PDF in `raw` and its truth in `truth`; returns the truth files."""
    raw.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    jobs = [(document, producer, raw, truth) for document in documents]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [truth for _, truth in pool.map(_build_one, jobs, chunksize=4)]


def run_pipeline(raw: Path, out: Path, truths: list[Path], workers: int) -> dict[str, Any]:
    """`pipeline run` then `pipeline eval`, as a user would; returns the eval JSON."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    command = [sys.executable, "-m", "pipeline"]
    ran = subprocess.run(
        [*command, "run", "--raw", str(raw), "--out", str(out), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode not in (0, 3):
        raise RuntimeError(f"pipeline run failed ({ran.returncode}):\n{ran.stderr[-3000:]}")
    scores = out / "scores.json"
    evaluated = subprocess.run(
        [
            *command,
            "eval",
            "--truth",
            *map(str, truths),
            "--cells",
            str(out / "current" / "cells"),
            "--json",
            str(scores),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if evaluated.returncode != 0 or not scores.exists():
        raise RuntimeError(f"pipeline eval failed:\n{evaluated.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(scores.read_text(encoding="utf-8"))
    return result


def _digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def glued_values(truth: dict[str, Any], cells: pd.DataFrame) -> list[dict[str, Any]]:
    """Published numbers on a table page that equal no truth value there but are two printed
    neighbours' digits run together, or absurdly larger than anything printed on the page."""
    rows_by_page: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for table in truth["tables"]:
        for row in table["rows"]:
            rows_by_page[row["page"]].append(row)
    own = cells[(cells["document_id"] == truth["document"]) & cells["value"].notna()]
    glued = []
    for cell in own.itertuples(index=False):
        rows = rows_by_page.get(int(cell.page))
        if not rows:
            continue
        values = [v for row in rows for v in row["values"] if v is not None]
        value = float(cell.value)
        if any(abs(value - v) <= 1e-6 for v in values):
            continue
        pairs: set[str] = set()
        for row in rows:
            printed = [text for text in row["cells"] if _digits(text)]
            pairs.update(_digits(a) + _digits(b) for a, b in itertools.pairwise(printed))
        largest = max((abs(v) for v in values), default=0.0)
        if _digits(str(cell.value_text)) in pairs or (
            largest and abs(value) > GLUE_FACTOR * largest
        ):
            glued.append(
                {
                    "document": truth["document"],
                    "page": int(cell.page),
                    "label": str(cell.row_label),
                    "value_text": str(cell.value_text),
                    "value": value,
                }
            )
    return glued


def score_tables(truths: Iterable[Path], cells: pd.DataFrame, result: ProducerResult) -> None:
    """Per-table figures (the evaluator's own scoring, one table at a time), summed per feature."""
    for path in truths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        result.glued.extend(glued_values(truth, cells))
        for table in truth["tables"]:
            figures = score_document({**truth, "tables": [table]}, cells).figures
            result.tables.append(
                {
                    "pdf": str(path.parent.parent / "raw" / f"{truth['document']}.pdf"),
                    "truth": str(path),
                    "table": table["id"],
                    "features": table["features"],
                    **figures.to_dict(),
                }
            )
            for feature in table["features"]:
                result.features[feature] = result.features.get(feature, Figures()) + figures


def sweep_producer(
    documents: list[Document], producer: str, work: Path, workers: int
) -> ProducerResult:
    result = ProducerResult(producer)
    raw, out = work / producer / "raw", work / producer / "out"
    started = time.perf_counter()
    truths = render(documents, producer, raw, work / producer / "truth", workers)
    result.seconds["render"] = time.perf_counter() - started
    started = time.perf_counter()
    scores = run_pipeline(raw, out, truths, workers)
    result.seconds["pipeline"] = time.perf_counter() - started
    total = scores["total"]
    result.figures = Figures(**{k: total[k] for k in Figures.__dataclass_fields__})
    score_tables(truths, load_cells(out / "current" / "cells"), result)
    result.alarms = read_alarms(out)
    return result


def _pct(ratio: float | None) -> str:
    return "     -" if ratio is None else f"{100 * ratio:6.2f}"


def report(results: list[ProducerResult]) -> str:
    lines = [
        f"{'producer':<12} {'tables':>7} {'found':>7} {'cells':>13} {'recall%':>7} "
        f"{'prec%':>6} {'label%':>6} {'glued':>5}"
    ]
    for r in results:
        f = r.figures
        lines.append(
            f"{r.producer:<12} {f.tables:>7} {f.tables_found:>7} "
            f"{f.found_cells:>6}/{f.truth_cells:<6} {_pct(f.recall):>7} "
            f"{_pct(f.precision)} {_pct(f.column_label_accuracy)} {len(r.glued):>5}"
        )
    lines += ["", report_alarms([(r.producer, r.figures.tables, r.alarms) for r in results])]
    features = sorted({name for r in results for name in r.features})
    head = "".join(f" {r.producer[:10]:>21}" for r in results)
    lines += [
        "",
        "per feature: tables  recall% / precision% (label%) per producer",
        f"{'feature':<26}{head}",
    ]
    for name in features:
        row = f"{name:<26}"
        for r in results:
            got = r.features.get(name)
            row += (
                f" {got.tables:>4} {_pct(got.recall)}/{_pct(got.precision).strip():>6}"
                if got
                else f" {'':>21}"
            )
        lines.append(row)
    return "\n".join(lines)


def save_examples(results: list[ProducerResult], directory: Path, per_producer: int) -> None:
    """Copy the worst tables' PDFs and truth files, for the extraction engineer to open."""
    directory.mkdir(parents=True, exist_ok=True)
    for r in results:
        worst = sorted(
            (t for t in r.tables if t["truth_cells"] and (t["recall"] or 0) < 1),
            key=lambda t: (t["recall"] or 0, t["precision"] or 0),
        )[:per_producer]
        for table in worst:
            for source in (Path(table["pdf"]), Path(table["truth"])):
                if source.exists():
                    shutil.copy(source, directory / source.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables-per-producer", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--producers", default=",".join(PRODUCERS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write figures per producer/feature/table")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--examples", type=Path, help="copy the worst tables' PDFs here")
    args = parser.parse_args(argv)
    producers = [p.strip() for p in args.producers.split(",") if p.strip()]
    unknown = set(producers) - set(PRODUCERS)
    if unknown:
        parser.error(f"unknown producers {sorted(unknown)}; known: {sorted(PRODUCERS)}")
    if cannot := [f"{p}: {UNAVAILABLE[p]}" for p in producers if p in UNAVAILABLE]:
        parser.error("; ".join(cannot))
    documents = documents_for(args.tables_per_producer, args.seed)
    work = args.keep or Path(tempfile.mkdtemp(prefix="fuzz-sweep-"))
    try:
        results = [sweep_producer(documents, p, work, args.workers) for p in producers]
    finally:
        if not args.keep and not args.examples:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(documents)} documents, seed {args.seed}")
    print(report(results))
    for r in results:
        for glued in r.glued[:5]:
            print(f"glued ({r.producer}): {glued}")
    if args.examples:
        save_examples(results, args.examples, 4)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "seed": args.seed,
                    "documents": len(documents),
                    "producers": {
                        r.producer: {
                            "figures": r.figures.to_dict(),
                            "seconds": r.seconds,
                            "glued": r.glued,
                            "alarms": r.alarms.to_dict(),
                            "features": {k: v.to_dict() for k, v in sorted(r.features.items())},
                            "tables": r.tables,
                        }
                        for r in results
                    },
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
