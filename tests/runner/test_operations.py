"""The batch job as an operator meets it: signals, the lock, empty inputs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
from filelock import FileLock

from pipeline.cli import main
from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import EXIT_NO_INPUT, RunOptions, run
from pipeline.runner.report import EXIT_BUSY, EXIT_INTERRUPTED, EXIT_TERMINATED

from project import RAW_DIR, ROOT
from synthetic import Column, Document, Row, Table, build_pdf

TABLE = Table(
    "Tilskudd til lag og foreninger",
    (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026"))),
    (Row("Idrett", (12.5, 13.0)), Row("Kultur", (8.1, 8.4))),
)


def _published(out: Path) -> dict[str, bytes]:
    current = out / "current"
    return {str(p.relative_to(current)): p.read_bytes() for p in current.rglob("*") if p.is_file()}


def _as_from_a_terminal() -> None:
    """SIGINT as an operator's shell leaves it. A job started in the background of a
    non-interactive shell (as a CI runner may start the tests) inherits SIGINT ignored, and
    Python keeps it ignored, as a background job should: the run would then never see it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, EXIT_TERMINATED), (signal.SIGINT, EXIT_INTERRUPTED)]
)
def test_a_signal_stops_workers_and_keeps_the_publication(
    tmp_path: Path, signum: int, status: int
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("small", (TABLE,)), raw)
    assert main(["run", "--raw", str(raw), "--out", str(out), "--workers", "1"]) == 0
    before = _published(out)
    for pdf in RAW_DIR.glob("*.pdf"):  # long enough to be stopped mid-extraction
        shutil.copy(pdf, raw)
    command = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out),
               "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )
    deadline = time.monotonic() + 60
    parent = psutil.Process(process.pid)
    while not parent.children() and time.monotonic() < deadline:
        time.sleep(0.1)  # wait for the workers
    workers = parent.children(recursive=True)
    assert workers, "the run started no workers"
    time.sleep(1.0)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("the previous publication is intact")
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "workers outlived the run"
    assert _published(out) == before
    assert not list((out / "snapshots").glob(".staging-*"))


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(RAW_DIR, raw, ignore=shutil.ignore_patterns(".*"))
    command = [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--out", str(out),
               "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    while not parent.children() and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = parent.children(recursive=True)
    assert workers
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, "orphaned workers"


def test_lock_wait_has_a_timeout_and_names_the_holder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("small", (TABLE,)), raw)
    assert main(["run", "--raw", str(raw), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    with FileLock(str(out / ".budget-etl.lock")):  # a run that hangs, as its holder file says
        status = main(["run", "--raw", str(raw), "--out", str(out), "--lock-timeout", "0.5"])
    assert status == EXIT_BUSY
    err = capsys.readouterr().err
    assert f"pid {os.getpid()}" in err and "--lock-timeout" in err and "Traceback" not in err


def test_empty_input_refuses_unless_allowed(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("small", (TABLE,)), raw)
    options = RunOptions(raw, out, executor=ExecutorOptions("local", 1))
    run(options, say=print)
    (raw / "small.pdf").unlink()
    refused = run(options, say=print)
    assert refused.exit_status == EXIT_NO_INPUT
    assert len(pd.read_parquet(out / "current" / "cells")) == 4  # still served
    options.allow_empty = True
    assert run(options, say=print).exit_status == 0
    assert len(pd.read_parquet(out / "current" / "cells")) == 0
    assert len(pd.read_parquet(out / "current" / "documents")) == 0
