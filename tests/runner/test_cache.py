"""The stage cache and the up-to-date check cannot lie: content, options and checksums decide."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline.extract.executor import ExecutorOptions
from pipeline.extract.frames import ExtractedFrames
from pipeline.runner import EXIT_PARTIAL, EXIT_STRICT_STOP, RunOptions, run
from pipeline.runner.cache import StageCache

from synthetic import Column, Document, Row, Table, build_pdf

COLUMNS = (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026")))


def _table(first: float) -> Table:
    rows = (Row("Idrett", (first, 13.0)), Row("Kultur", (8.1, 8.4)))
    return Table("Tilskudd til lag og foreninger", COLUMNS, rows)


def _options(raw: Path, out: Path, strict: bool = False) -> RunOptions:
    return RunOptions(raw, out, strict=strict, executor=ExecutorOptions("local", 1))


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    build_pdf(Document("plan", (_table(12.5),)), folder)
    return folder


def test_same_size_and_mtime_but_new_content_is_new_work(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_options(raw, out), say=print)
    pdf = raw / "plan.pdf"
    stat = pdf.stat()
    replacement = tmp_path / "other"
    replacement.mkdir()
    other, _ = build_pdf(Document("plan", (_table(42.5),)), replacement)
    data = other.read_bytes()
    assert len(data) == stat.st_size, "the replacement must have the same size for this test"
    pdf.write_bytes(data)
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = run(_options(raw, out), say=print)
    assert not again.up_to_date
    assert 42.5 in set(pd.read_parquet(out / "current" / "cells")["value"])


def test_strict_is_part_of_the_up_to_date_check(raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (raw / "junk.pdf").write_bytes(b"not a pdf")  # a rejection: strict refuses to publish
    assert run(_options(raw, out, strict=True), say=print).exit_status == EXIT_STRICT_STOP
    normal = run(_options(raw, out), say=print)
    assert not normal.up_to_date and normal.exit_status == EXIT_PARTIAL
    assert (out / "current" / "cells").is_dir()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "half_rows"])
def test_damaged_cache_entries_are_recomputed(raw: Path, tmp_path: Path, damage: str) -> None:
    out = tmp_path / "out"
    run(_options(raw, out), say=print)
    before = pd.read_parquet(out / "current" / "cells")
    (part,) = (out / "_stages" / "parse").glob("*.cells.parquet")
    if damage == "truncate":
        part.write_bytes(part.read_bytes()[:100])
    elif damage == "garbage":
        part.write_bytes(os.urandom(2000))
    else:  # a valid Parquet file with half its rows: only the recorded checksum tells
        frame = pd.read_parquet(part)
        frame.iloc[: len(frame) // 2].to_parquet(part)
    (out / "current").unlink()  # no publication: the stages run again, reading the cache
    again = run(_options(raw, out), say=print)
    assert not again.up_to_date
    pd.testing.assert_frame_equal(pd.read_parquet(out / "current" / "cells"), before)


def test_cache_round_trip_and_mismatch(tmp_path: Path) -> None:
    cache = StageCache(tmp_path)
    frames = ExtractedFrames(pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"b": ["x"]}))
    cache.save("extract", "doc.v2", "key", frames)
    loaded = cache.load("extract", "doc.v2", "key", ExtractedFrames)
    assert loaded is not None
    pd.testing.assert_frame_equal(loaded.candidates, frames.candidates)
    assert cache.load("extract", "doc.v2", "other-key", ExtractedFrames) is None
    cache.prune([("doc.v2", "key")])
    assert cache.load("extract", "doc.v2", "key", ExtractedFrames) is not None
    cache.prune([])
    assert not list((tmp_path / "_stages").rglob("*.*"))
