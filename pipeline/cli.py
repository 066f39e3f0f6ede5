"""The `budget-etl` command: `run` the pipeline, `eval` it against golden tables, `debug` a page,
`report` the published marts as a dashboard.

A user's mistake (a missing or wrong-kind path, a page out of range, a bad number, an unknown
option) gets one line naming it and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from pipeline.curate.snapshots import CURRENT, KEEP_SNAPSHOTS, Snapshots
from pipeline.extract.executor import ExecutorOptions
from pipeline.extract.settings import DEFAULT_LIMITS, ResourceLimits
from pipeline.runner import RunOptions, run, summary
from pipeline.runner.context import LOCK_TIMEOUT_SECONDS
from pipeline.runner.report import (
    EXIT_BUSY,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT_ERROR,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from pipeline.runner.run import OutputBusy
from pipeline.runner.stages import STAGES


class UsageError(Exception):
    """A mistake in how the command was called; the message names it."""


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return number


def _positive_number(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"{text} must be more than 0")
    return number


LIMIT_HELP = {  # the reasons for the defaults are in pipeline/extract/settings.py
    "max_document_pages": "pages of one document",
    "max_page_chars": "characters on one page",
    "max_page_content_mb": "decompressed content streams of one page, in MB",
    "max_page_seconds": "seconds to read one page",
    "max_worker_memory_mb": "memory a page worker may add, in MB",
}


def _add_limit_arguments(run_cmd: argparse.ArgumentParser) -> None:
    """One option per resource limit, named like the setting (`max_page_chars` ->
    `--max-page-chars`)."""
    limits = run_cmd.add_argument_group(
        "limits",
        "a document or page over a limit is rejected with one line naming it (exit status 3)",
    )
    for name in ResourceLimits.__slots__:
        default = getattr(DEFAULT_LIMITS, name)
        limits.add_argument(
            f"--{name.replace('_', '-')}",
            type=_positive_int if isinstance(default, int) else _positive_number,
            default=default,
            help=LIMIT_HELP[name],
        )


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=help,
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )


def _add_run_arguments(run_cmd: argparse.ArgumentParser) -> None:
    run_cmd.add_argument("--raw", type=Path, default=Path("raw"), help="input folder")
    run_cmd.add_argument("--out", type=Path, default=Path("curated"), help="output folder")
    run_cmd.add_argument(
        "--stage",
        choices=[stage.name for stage in STAGES],
        default=STAGES[-1].name,
        help="run the stages up to this one",
    )
    run_cmd.add_argument(
        "--workers", type=_positive_int, default=os.cpu_count() or 1, help="worker processes"
    )
    run_cmd.add_argument("--executor", choices=("local", "dask"), default="local")
    run_cmd.add_argument("--scheduler", help="dask scheduler address (with --executor dask)")
    run_cmd.add_argument(
        "--strict", action="store_true", help="publish nothing when any input or gate fails"
    )
    run_cmd.add_argument(
        "--allow-empty",
        action="store_true",
        help="with an empty input folder, publish an empty snapshot (withdraw everything) "
        "instead of refusing with exit status 5",
    )
    run_cmd.add_argument(
        "--lock-timeout",
        type=float,
        default=LOCK_TIMEOUT_SECONDS,
        help="seconds to wait for another run on the same output folder",
    )
    run_cmd.add_argument(
        "--keep-snapshots",
        type=_positive_int,
        default=KEEP_SNAPSHOTS,
        help="earlier publications kept for `budget-etl rollback`",
    )
    _add_limit_arguments(run_cmd)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="budget-etl",
        description="Extract every table of municipal budget and annual-report PDFs to Parquet.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = _command(
        commands,
        "run",
        help="run the pipeline over raw/ and publish to curated/",
        description="Run ingest -> extract -> parse -> curate with quality gates between stages, "
        "then publish one snapshot under curated/current. Exit status: 0 all went through; 3 "
        "published, but inputs rejected or tables/rows held back; 4 --strict published nothing; "
        "5 no PDF in the input folder; 6 the output could not be written; 7 the output folder "
        "stayed locked; 2 usage error; 130/143 stopped by SIGINT/SIGTERM; 1 a crash.",
    )
    _add_run_arguments(run_cmd)
    rollback_cmd = _command(
        commands,
        "rollback",
        help="publish an earlier snapshot again",
        description="Point curated/current at the publication before the current one (or at "
        "--to RUN_ID). A reader sees the switch at once and whole.",
    )
    rollback_cmd.add_argument("--out", type=Path, default=Path("curated"), help="output folder")
    rollback_cmd.add_argument("--to", help="run id of the snapshot (default: the one before)")
    eval_cmd = _command(
        commands,
        "eval",
        help="score curated cells against golden truth files",
        description="Numeric-cell recall and precision, tables found, column-label accuracy.",
    )
    eval_cmd.add_argument("--truth", type=Path, nargs="+", required=True, help="*.truth.json")
    eval_cmd.add_argument("--cells", type=Path, default=Path("curated/current/cells"))
    eval_cmd.add_argument("--json", type=Path, help="also write the scores to this JSON file")
    eval_cmd.add_argument("--missed", type=int, default=20, help="missed cells to list")
    debug_cmd = _command(
        commands,
        "debug",
        help="draw the tables found on a page into a PNG (the visual debugger)",
        description="Red: tables; blue: value columns; green: row labels; orange: value cells.",
    )
    debug_cmd.add_argument("pdf", type=Path, help="the PDF")
    debug_cmd.add_argument("--page", type=_positive_int, required=True, help="1-based page")
    debug_cmd.add_argument("--out", type=Path, help="PNG path (default <stem>-p<page>.png)")
    debug_cmd.add_argument("--resolution", type=_positive_int, default=110, help="pixels per inch")
    report_cmd = _command(
        commands,
        "report",
        help="draw the published marts as one static HTML dashboard",
        description="Key statutory lines across years and scenarios, budget vs actual and the "
        "top areas, from curated/current/budget.duckdb; one HTML file that works offline.",
    )
    report_cmd.add_argument("--out", type=Path, default=Path("curated"), help="output folder")
    report_cmd.add_argument("--html", type=Path, help="HTML path (default <out>/dashboard.html)")
    by_name = {
        "run": run_cmd,
        "rollback": rollback_cmd,
        "eval": eval_cmd,
        "debug": debug_cmd,
        "report": report_cmd,
    }
    return parser, by_name


def _show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _require(path: Path, kind: str, what: str) -> None:
    """`path` must exist and be a folder (kind "dir") or a file (kind "file")."""
    if not path.exists():
        raise UsageError(f"{what} {path} does not exist")
    if kind == "dir" and not path.is_dir():
        raise UsageError(f"{what} {path} is a file, not a folder")
    if kind == "file" and not path.is_file():
        raise UsageError(f"{what} {path} is a folder, not a file")


def _run(args: argparse.Namespace) -> int:
    _require(args.raw, "dir", "input folder")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"output folder {args.out} is a file, not a folder")
    if args.out.resolve() == args.raw.resolve():
        raise UsageError(f"output folder {args.out} is the input folder")
    options = RunOptions(
        raw_dir=args.raw,
        out_dir=args.out,
        stage=args.stage,
        strict=args.strict,
        executor=ExecutorOptions(args.executor, args.workers, args.scheduler),
        progress=_show_progress(),
        keep_snapshots=args.keep_snapshots,
        lock_timeout=args.lock_timeout,
        allow_empty=args.allow_empty,
        limits=ResourceLimits(**{name: getattr(args, name) for name in ResourceLimits.__slots__}),
    )
    signal.signal(signal.SIGTERM, _stop)
    report = run(options, say=lambda line: print(line, file=sys.stderr))
    print(summary(report))
    return report.exit_status


def _rollback(args: argparse.Namespace) -> int:
    _require(args.out, "dir", "output folder")
    snapshots = Snapshots(args.out)
    try:
        run_id = snapshots.rollback(args.to)
    except (FileNotFoundError, ValueError) as missing:
        raise UsageError(str(missing)) from None
    print(f"{args.out / CURRENT} now points at snapshot {run_id}")
    return 0


class Terminated(BaseException):
    """SIGTERM, raised where the run is, so that it unwinds like Ctrl-C: workers stopped, this
    run's temporary files removed, the previous publication left as it was."""


def _stop(signum: int, frame: object) -> None:
    raise Terminated


def _debug(args: argparse.Namespace) -> int:
    from pipeline.extract.pdf import page_count
    from pipeline.tools.debug import draw_page

    _require(args.pdf, "file", "PDF")
    pages = page_count(args.pdf)
    if args.page > pages:
        raise UsageError(f"--page {args.page} is past the last page of {args.pdf} ({pages})")
    out = args.out or Path(f"{args.pdf.stem}-p{args.page}.png")
    print(draw_page(args.pdf, args.page, out, args.resolution))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from pipeline.tools.evaluate import evaluate, format_report, load_cells

    for path in args.truth:
        _require(path, "file", "truth file")
    _require(args.cells, "dir", "cells folder")
    report = evaluate(args.truth, load_cells(args.cells))
    print(format_report(report, max_missed=args.missed))
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return 0


def _report(args: argparse.Namespace) -> int:
    from pipeline.serve.dashboard import write_dashboard
    from pipeline.serve.marts import DATABASE

    database = args.out / CURRENT / DATABASE
    _require(database, "file", "published database")
    print(write_dashboard(database, args.html or args.out / "dashboard.html"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser, commands = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # named on the subcommand's own usage, not the top-level one
        commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    handlers = {"run": _run, "rollback": _rollback, "debug": _debug, "eval": _eval}
    handler = {**handlers, "report": _report}[args.command]
    try:
        return handler(args)
    except UsageError as mistake:
        print(f"budget-etl {args.command}: {mistake}", file=sys.stderr)
        return EXIT_USAGE
    except OutputBusy as busy:
        print(f"budget-etl {args.command}: {busy}", file=sys.stderr)
        return EXIT_BUSY
    except (KeyboardInterrupt, Terminated) as stop:
        name = "SIGTERM" if isinstance(stop, Terminated) else "SIGINT"
        print(
            f"budget-etl {args.command}: stopped by {name}; the previous publication is intact",
            file=sys.stderr,
        )
        return EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED
    except OSError as failure:  # a full disk, a read-only folder: named, one line
        where = f" {failure.filename}" if failure.filename else ""
        print(
            f"budget-etl {args.command}: cannot write{where}: {failure.strerror}", file=sys.stderr
        )
        return EXIT_OUTPUT_ERROR
