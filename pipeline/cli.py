"""The `budget-etl` command: `run` the pipeline, `eval` it against golden tables, `debug` a page."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pipeline.extract.executor import ExecutorOptions
from pipeline.runner.run import STAGES, RunOptions, run, summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budget-etl",
        description="Extract every table of municipal budget and annual-report PDFs to Parquet.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run_cmd = commands.add_parser(
        "run",
        help="run the pipeline over raw/ and publish to curated/",
        description="Run ingest -> extract -> parse -> curate with quality gates between stages. "
        "Exit status: 0 every input went through and every gate passed; 3 the rest was published "
        "but inputs were rejected or tables quarantined; 4 --strict published nothing; "
        "2 usage error; 1 a crash.",
    )
    run_cmd.add_argument("--raw", type=Path, default=Path("raw"), help="input folder (default raw)")
    run_cmd.add_argument("--out", type=Path, default=Path("curated"), help="output folder")
    run_cmd.add_argument(
        "--stage", choices=STAGES, default="curate", help="run the stages up to this one"
    )
    run_cmd.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes (default: cores)"
    )
    run_cmd.add_argument("--executor", choices=("local", "dask"), default="local")
    run_cmd.add_argument("--scheduler", help="dask scheduler address (with --executor dask)")
    run_cmd.add_argument(
        "--strict", action="store_true", help="publish nothing when any input or gate fails"
    )

    eval_cmd = commands.add_parser(
        "eval",
        help="score curated cells against golden truth files",
        description="Numeric-cell recall and precision, tables found, column-label accuracy.",
    )
    eval_cmd.add_argument("--truth", type=Path, nargs="+", required=True, help="*.truth.json")
    eval_cmd.add_argument("--cells", type=Path, default=Path("curated/cells"))
    eval_cmd.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    eval_cmd.add_argument("--missed", type=int, default=20, help="missed cells to list")

    debug_cmd = commands.add_parser(
        "debug",
        help="draw the tables found on a page into a PNG (the visual debugger)",
        description="Red: tables; blue: value columns; green: row labels; orange: value cells.",
    )
    debug_cmd.add_argument("pdf", type=Path, help="the PDF")
    debug_cmd.add_argument("--page", type=int, required=True, help="1-based page number")
    debug_cmd.add_argument("--out", type=Path, help="PNG path (default <stem>-p<page>.png)")
    debug_cmd.add_argument("--resolution", type=int, default=110, help="pixels per inch")
    return parser


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        if not args.raw.is_dir():
            print(f"budget-etl: input folder {args.raw} does not exist", file=sys.stderr)
            return 2
        options = RunOptions(
            raw_dir=args.raw,
            out_dir=args.out,
            stage=args.stage,
            strict=args.strict,
            executor=ExecutorOptions(args.executor, max(1, args.workers), args.scheduler),
            progress=_show_progress(),
        )
        report = run(options, say=lambda line: print(line, file=sys.stderr))
        print(summary(report))
        return report.exit_status

    if args.command == "debug":
        from pipeline.tools.debug import draw_page

        out = args.out or Path(f"{args.pdf.stem}-p{args.page}.png")
        print(draw_page(args.pdf, args.page, out, args.resolution))
        return 0

    from pipeline.tools.evaluate import evaluate, format_report, load_cells

    report = evaluate(args.truth, load_cells(args.cells))
    print(format_report(report, max_missed=args.missed))
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return 0
