"""Publication is one atomic step: whatever fails while a run publishes, readers see exactly one
run's datasets, and the next run recovers by itself."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from pipeline.cli import EXIT_OUTPUT_ERROR, main
from pipeline.curate import storage
from pipeline.curate.snapshots import Snapshots
from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import RunOptions, run
from pipeline.serve.marts import DATABASE

from publication import published_run_ids
from synthetic import Column, Document, Row, Table, build_pdf

COLUMNS = (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026")))


def _table(first: float) -> Table:
    rows = (Row("Idrett", (first, 13.0)), Row("Kultur", (8.1, 8.4)))
    return Table("Tilskudd til lag og foreninger", COLUMNS, rows)


def _raw(folder: Path, first: float, names: tuple[str, ...] = ("plan",)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        build_pdf(Document(name, (_table(first),)), folder)
    return folder


def _options(raw: Path, out: Path) -> RunOptions:
    return RunOptions(raw, out, executor=ExecutorOptions("local", 1))


def _fail_at(
    monkeypatch: pytest.MonkeyPatch, target: Any, name: str, failing_call: int, error: BaseException
) -> Callable[[], int]:
    """Make the `failing_call`-th call of target.name raise; returns the count of calls."""
    original = getattr(target, name)
    calls = [0]

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == failing_call:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    return lambda: calls[0]


def test_a_fault_at_any_write_of_a_publication_leaves_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write and rename of a publication in turn fails (a kill, a full disk): after each,
    the published set belongs to one run, and the next run publishes the new inputs."""
    out = tmp_path / "out"
    first_raw = _raw(tmp_path / "raw-a", 12.5)
    second_raw = _raw(tmp_path / "raw-b", 42.5)
    first = run(_options(first_raw, out), say=print)
    assert published_run_ids(out) == {first.run_id}
    point = 0
    outcomes: set[str] = set()
    while True:
        point += 1
        with monkeypatch.context() as patch:
            count = _fail_at(patch, Path, "write_bytes", point, OSError(errno.ENOSPC, "No space"))
            try:
                run(_options(second_raw, out), say=print)
            except OSError:
                # before the pointer swap the old run, after it (writing the attempt's own
                # report) the new one: never a mix, never a staging folder left behind
                (published,) = published_run_ids(out)
                outcomes.add(published)
                assert not list((out / "snapshots").glob(".staging-*"))
                continue
        assert count() < point, "every write point was tried"
        break
    assert point > 5
    final = run(_options(second_raw, out), say=print)
    assert published_run_ids(out) == {final.run_id} != {first.run_id}
    assert first.run_id in outcomes
    assert 42.5 in set(pd.read_parquet(out / "current" / "cells")["value"])


def test_kill_between_snapshot_and_pointer_keeps_the_old_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = run(_options(_raw(tmp_path / "raw-a", 12.5), out), say=print)
    second_raw = _raw(tmp_path / "raw-b", 42.5)
    for failing_call in (1, 2):  # the snapshot's rename, then the pointer's
        with monkeypatch.context() as patch:
            _fail_at(patch, os, "replace", failing_call, KeyboardInterrupt())
            with pytest.raises(KeyboardInterrupt):
                run(_options(second_raw, out), say=print)
        assert published_run_ids(out) == {first.run_id}
    assert run(_options(second_raw, out), say=print).run_id in published_run_ids(out)


def test_full_disk_is_one_line_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, out = _raw(tmp_path / "raw", 12.5), tmp_path / "out"
    error = OSError(errno.ENOSPC, "No space left on device", str(out / "x.parquet"))
    _fail_at(monkeypatch, Path, "write_bytes", 1, error)
    assert main(["run", "--raw", str(raw), "--out", str(out), "--workers", "1"]) == (
        EXIT_OUTPUT_ERROR
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(f"{out / 'x.parquet'}: No space left on device")
    assert not (out / "current").exists()


@pytest.mark.parametrize(
    ("failure", "strerror"),
    [
        (duckdb.FatalException("FATAL Error: Failed to create checkpoint because of error: "
                               'Could not write file "x.duckdb": No space left on device'),
         "No space left on device"),
        (duckdb.IOException('IO Error: Cannot open file "x.duckdb": Read-only file system'),
         "Read-only file system"),
    ],
)  # fmt: skip
def test_a_failed_database_write_is_one_line_naming_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    failure: duckdb.Error,
    strerror: str,
) -> None:
    """DuckDB raises its own exceptions on a full or read-only disk, not OSError: they end the
    run the same way, with the previous publication left whole."""
    out = tmp_path / "out"
    first = run(_options(_raw(tmp_path / "raw-a", 12.5), out), say=print)
    second_raw = _raw(tmp_path / "raw-b", 42.5)
    connect = duckdb.connect

    def failing_on_disk(database: str = ":memory:", *args: Any, **kwargs: Any) -> Any:
        if database == ":memory:":  # the in-memory marts
            return connect(database, *args, **kwargs)
        raise failure

    monkeypatch.setattr(duckdb, "connect", failing_on_disk)
    capsys.readouterr()
    status = main(["run", "--raw", str(second_raw), "--out", str(out), "--workers", "1"])
    assert status == EXIT_OUTPUT_ERROR
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"budget-etl run: cannot write {out / 'snapshots'}")
    assert line.endswith(f"{DATABASE}: {strerror}")
    assert published_run_ids(out) == {first.run_id}
    assert not list((out / "snapshots").glob(".staging-*"))


def test_rollback_goes_back_one_publication_at_a_time(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ids = [
        run(_options(_raw(tmp_path / f"raw-{value}", value), out), say=print).run_id
        for value in (1.5, 2.5, 3.5)
    ]
    assert Snapshots(out).current_id() == ids[-1]
    assert main(["rollback", "--out", str(out)]) == 0
    assert published_run_ids(out) == {ids[1]}
    assert main(["rollback", "--out", str(out)]) == 0
    assert published_run_ids(out) == {ids[0]}
    assert main(["rollback", "--out", str(out)]) == 2  # nothing earlier
    assert main(["rollback", "--out", str(out), "--to", ids[2]]) == 0
    assert published_run_ids(out) == {ids[2]}


def test_old_snapshots_are_pruned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for value in (1.5, 2.5, 3.5, 4.5):
        options = _options(_raw(tmp_path / f"raw-{value}", value), out)
        options.keep_snapshots = 2
        run(options, say=print)
    assert len(list((out / "snapshots").iterdir())) == 2


def test_document_ids_survive_hive_partitioning(tmp_path: Path) -> None:
    """Stems with '%', '=' or an escaped slash read back as themselves, and stay distinct."""
    names = ("x%2Fy", "50%", "50%25", "a=b")
    raw, out = _raw(tmp_path / "raw", 12.5, names), tmp_path / "out"
    run(_options(raw, out), say=print)
    cells = pd.read_parquet(out / "current" / "cells")
    assert set(cells["document_id"]) == set(names)
    pattern = str(out / "current" / "cells" / "*" / "*.parquet")
    read = duckdb.sql(
        f"select distinct document_id from read_parquet('{pattern}', hive_partitioning=true)"
    ).fetchall()
    assert {row[0] for row in read} == set(names)


def test_identical_rerun_is_byte_identical(tmp_path: Path) -> None:
    raw, out = _raw(tmp_path / "raw", 12.5), tmp_path / "out"
    run(_options(raw, out), say=print)
    before = {p: p.read_bytes() for p in (out / "current").rglob("*") if p.is_file()}
    (out / "current").unlink()  # no current publication to hard-link from: written anew
    again = run(_options(raw, out), say=print)
    assert not again.up_to_date
    after = {p: p.read_bytes() for p in (out / "current").rglob("*.parquet")}
    assert after == {p: b for p, b in before.items() if p.suffix == ".parquet"}
    assert {p.name for p in after} == {storage.PART_NAME}
