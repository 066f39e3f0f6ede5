"""Real `kill -9` at random points of a publication (issue 12), and what a BI tool then reads.

Each round starts `budget-etl run` as a process on a small PDF with new numbers, waits until its
snapshot's staging folder appears (publication has begun), sleeps a random share of the time a
publication takes and kills the process with SIGKILL. `curated/current` is then read as a BI
tool reads it (pyarrow datasets with hive partitioning, DuckDB, `_run.json`): every file must
carry one run id, and the cells must be the ones that run's report counts. The next round is the
next run: it has to recover by itself. `make fuzz` runs 50 rounds; the test suite runs a few.

    python tests/support/kill_sweep.py --kills 50 --seed 1
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.curate.snapshots import Snapshots
from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import RunOptions, run

from project import ROOT
from publication import published_run_ids
from synthetic import Column, Document, Row, Table, build_pdf

POLL_SECONDS = 0.002  # how often the staging folder is looked for: far below a publication
RUN_TIMEOUT_SECONDS = 300  # a run of one small PDF takes seconds; more is a hang
KILL_WINDOW_SLACK = 1.5  # kill points reach past the measured publication (in a subprocess it
# is slower, and the history, pruning and the attempt's own report come after the swap)


def _table(value: float) -> Table:
    columns = (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026")))
    rows = (Row("Idrett", (value, 13.0)), Row("Kultur", (8.1, 8.4)))
    return Table("Tilskudd til lag og foreninger", columns, rows)


def write_inputs(raw: Path, value: float) -> None:
    """raw/ with one small PDF whose numbers make a run id of their own."""
    raw.mkdir(parents=True, exist_ok=True)
    build_pdf(Document("plan", (_table(value),)), raw)


def _start(raw: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out),
               "--workers", "1"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _staging(out: Path) -> set[str]:
    snapshots = out / "snapshots"
    return {p.name for p in snapshots.glob(".staging-*")} if snapshots.is_dir() else set()


def _publication_started(process: subprocess.Popen[bytes], out: Path, left: set[str]) -> float:
    """Wait until the run has begun to publish (a staging folder other than those a killed run
    `left` exists); the time then."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while not _staging(out) - left:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"the run ended ({process.returncode}) before publishing: {error}")
        if time.monotonic() > deadline:
            raise AssertionError("the run did not begin to publish")
        time.sleep(POLL_SECONDS)
    return time.monotonic()


def _options(raw: Path, out: Path) -> RunOptions:
    return RunOptions(raw, out, executor=ExecutorOptions("local", 1))


def publication_seconds(raw: Path, out: Path) -> float:
    """One run in this process, not killed: how long its publication takes, from the staging
    folder to the pointer swap (all that happens inside a subprocess too)."""
    left, before = _staging(out), Snapshots(out).current_id()
    runner = threading.Thread(target=run, args=(_options(raw, out),), kwargs={"say": len})
    runner.start()
    while not _staging(out) - left and runner.is_alive():
        time.sleep(POLL_SECONDS)
    started = time.monotonic()
    while Snapshots(out).current_id() == before and runner.is_alive():
        time.sleep(POLL_SECONDS / 2)
    swapped = time.monotonic()
    runner.join()
    assert Snapshots(out).current_id() != before, "the calibration run published"
    return swapped - started


@dataclass
class Sweep:
    kills: int = 0  # processes killed during publication
    finished_first: int = 0  # runs that ended before their kill point
    old_publication: int = 0  # after the kill, readers saw the run before
    new_publication: int = 0  # after the kill, readers saw the killed run's publication
    window: float = 0.0  # kill points are drawn from [0, window] seconds into publication


def sweep(work: Path, kills: int, seed: int) -> Sweep:
    """`kills` rounds of run, kill -9 during publication, read as a BI tool; then one more run,
    which must publish its own inputs with nothing left over."""
    rng = random.Random(seed)
    raw, out = work / "raw", work / "out"
    write_inputs(raw, 1.5)
    window = publication_seconds(raw, out) * KILL_WINDOW_SLACK
    (before,) = published_run_ids(out)
    result = Sweep(window=window)
    for round_ in range(kills):
        write_inputs(raw, 100.0 + round_)
        left = _staging(out)
        process = _start(raw, out)
        started = _publication_started(process, out, left)
        delay = rng.uniform(0, window)
        time.sleep(max(0.0, started + delay - time.monotonic()))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            result.kills += 1
        else:
            result.finished_first += 1
        process.wait(RUN_TIMEOUT_SECONDS)
        (now,) = published_run_ids(out)  # exactly one run, whichever it is
        if now == before:
            result.old_publication += 1
        else:
            result.new_publication += 1
        before = now
    write_inputs(raw, 99_999.5)
    assert run(_options(raw, out), say=len).exit_status == 0
    (after,) = published_run_ids(out)
    assert after != before, "the run after the kills published its own inputs"
    assert not list((out / "snapshots").glob(".staging-*")), "a staging folder was left"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        result = sweep(Path(work), args.kills, args.seed)
    print(
        f"{result.kills} runs killed at random points of the first {result.window * 1000:.0f} ms "
        f"of publication ({result.finished_first} finished before "
        f"their kill point): readers saw the previous publication {result.old_publication} "
        f"times and the killed run's {result.new_publication} times, never a mix; every next "
        "run recovered by itself"
    )


if __name__ == "__main__":
    main()
