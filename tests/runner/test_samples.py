"""End to end: the sample PDFs through every stage, scored against the golden tables."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import EXIT_PARTIAL, RunOptions, run
from pipeline.tools.evaluate import load_cells

from project import ROOT
from synthetic import build_bad_inputs


def test_duckdb_reads_what_pyarrow_reads(sample_run) -> None:
    out, _ = sample_run
    pattern = str(out / "current" / "cells" / "*" / "*.parquet")
    rows = duckdb.sql(
        f"select document_id, page, table_id, row_index, column_index, value "
        f"from read_parquet('{pattern}', hive_partitioning=true) "
        "order by document_id, table_id, row_index, column_index"
    ).fetchall()
    table = ds.dataset(out / "current" / "cells", partitioning="hive").to_table()
    frame = table.to_pandas().sort_values(["document_id", "table_id", "row_index", "column_index"])
    expected = [
        (str(d), int(p), t, int(r), int(c), None if v != v else float(v))
        for d, p, t, r, c, v in frame[
            ["document_id", "page", "table_id", "row_index", "column_index", "value"]
        ].itertuples(index=False)
    ]
    assert len(rows) == len(expected) > 1000
    assert [(d, p, t, r, c, v) for d, p, t, r, c, v in rows] == expected
    types = {
        name: kind
        for name, kind, *_ in duckdb.sql(
            f"describe select * from read_parquet('{pattern}', hive_partitioning=true)"
        ).fetchall()
    }
    assert types["page"] == "INTEGER" and types["value"] == "DOUBLE"
    assert types["row_label"] == "VARCHAR" and types["document_id"] == "VARCHAR"


def test_rerun_is_byte_identical_and_skips_work(sample_run, tmp_path: Path) -> None:
    out, _ = sample_run
    before = {p: p.read_bytes() for p in out.rglob("*.parquet") if "_stages" not in p.parts}
    again = run(RunOptions(ROOT / "raw", out, executor=ExecutorOptions("local", 1)), say=print)
    assert again.up_to_date
    after = {p: p.read_bytes() for p in out.rglob("*.parquet") if "_stages" not in p.parts}
    assert after == before


def test_bad_inputs_are_named_and_others_go_through(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    bad = build_bad_inputs(raw)
    shutil.copy(ROOT / "raw" / "arsrapport-2020.pdf", raw)
    report = run(RunOptions(raw, tmp_path / "out", executor=ExecutorOptions("local", 1)), say=print)
    rejected = {r["file"]: r["reason"] for r in report.rejected}
    assert set(rejected) == {p.name for p in bad.values()}
    assert report.documents == ["arsrapport-2020"]
    assert report.exit_status == EXIT_PARTIAL
    assert (tmp_path / "out" / "current" / "cells" / "document_id=arsrapport-2020").is_dir()
    reasons = " ".join(rejected.values())
    for word in ("empty", "not a PDF", "password", "truncated", "text layer"):
        assert word in reasons


def test_every_published_cell_is_plausible(sample_run) -> None:
    """Over all published cells, not only the golden tables: no number read from several printed
    ones (|value| > 1e9 in these documents' units), and every column's year is the one printed
    in its header."""
    out, _ = sample_run
    cells = load_cells(out / "current" / "cells")
    assert len(cells) > 10_000
    assert (cells["value"].abs() > 1e9).sum() == 0
    dated = cells[cells["year"].notna()]
    assert all(
        str(int(year)) in label
        for year, label in zip(dated["year"], dated["column_label"], strict=True)
    )
