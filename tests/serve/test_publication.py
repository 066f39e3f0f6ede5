"""budget.duckdb is published with the run's snapshot: a reader in another process keeps
querying `curated/current/budget.duckdb` while a run rebuilds it, and sees one publication or
the next, never an error or half a database."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipeline.curate.storage import RUN_ID_KEY
from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import RunOptions, run, version
from pipeline.runner.cache import CACHE_DIR
from pipeline.schemas import PROJECT_ROOT
from pipeline.serve.marts import DATABASE, mart_names

from project import RAW_DIR

# Opens the published database read-only again and again until told to stop; one JSON line
# per attempt: the facts it counted, or the error it got.
READER = """
import json, sys, time
from pathlib import Path
import duckdb
database, stop = Path(sys.argv[1]), Path(sys.argv[2])
while not stop.exists():
    try:
        with duckdb.connect(str(database), read_only=True) as connection:
            (count,) = connection.execute("SELECT count(*) FROM fact_amount").fetchone()
        print(json.dumps({"facts": count}), flush=True)
    except Exception as error:
        print(json.dumps({"error": repr(error)}), flush=True)
    time.sleep(0.02)
"""
MIN_READS_DURING_RUN = 10  # enough to have read before, during and after the swap


def _options(raw: Path, out: Path) -> RunOptions:
    return RunOptions(raw, out, executor=ExecutorOptions("local", 1))


def test_a_reader_queries_budget_duckdb_while_a_run_rebuilds_it(
    sample_run: tuple[Path, Any], tmp_path: Path
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copytree(sample_run[0] / CACHE_DIR, out / CACHE_DIR)  # the samples' stage cache
    shutil.copy(RAW_DIR / "quirks-2020.pdf", raw)
    first = run(_options(raw, out), say=print)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(out / "current" / DATABASE), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # the reader is reading the first publication
        shutil.copy(RAW_DIR / "arsrapport-2020-lo.pdf", raw)
        second = run(_options(raw, out), say=print)
        time.sleep(1.0)  # and then the second
    finally:
        stop.touch()
        lines, _ = reader.communicate(timeout=60)
    reads = [json.loads(line) for line in lines.splitlines()]
    assert [r for r in reads if "error" in r] == []
    counts = [r["facts"] for r in reads]
    assert len(counts) > MIN_READS_DURING_RUN
    assert counts[0] < counts[-1] and set(counts) == {counts[0], counts[-1]}
    assert first.run_id != second.run_id
    for mart in mart_names():
        metadata = pq.read_schema(out / "current" / "marts" / mart / "part-0.parquet").metadata
        assert metadata[RUN_ID_KEY] == second.run_id.encode()


def test_an_edit_of_a_marts_sql_is_a_new_pipeline_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The marts' SQL decides the output like the code does: editing it is new work, never
    an up-to-date publication built by the old SQL."""
    for folder in ("pipeline", "schemas", "expectations"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    monkeypatch.setattr(version, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(version, "SCHEMA_DIR", tmp_path / "schemas")
    monkeypatch.setattr(version, "EXPECTATIONS_DIR", tmp_path / "expectations")
    before = version.pipeline_version.__wrapped__()
    sql = tmp_path / "schemas" / "marts" / "10_fact_amount.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + "-- edited\n", encoding="utf-8")
    assert version.pipeline_version.__wrapped__() != before
