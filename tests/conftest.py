"""Shared fixtures: the sample run that several test folders score and inspect."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import RunOptions, RunReport, run

from project import RAW_DIR


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunReport]:
    """The sample PDFs of raw/ run once through every stage into a temporary output folder."""
    out = tmp_path_factory.mktemp("curated")
    report = run(RunOptions(RAW_DIR, out, executor=ExecutorOptions("local", 2)), say=print)
    return out, report
