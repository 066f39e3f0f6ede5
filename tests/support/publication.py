"""What a reader of `curated/current` sees, read as a BI tool reads it: one definition for the
tests of publication, rollback and kills."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from pipeline.curate.storage import RUN_ID_KEY

PUBLISHED = ("cells", "tables", "documents", "quarantine/cells", "quarantine/tables")


def published_run_ids(out: Path) -> set[str]:
    """The run ids of everything a reader following the README reads under `current/`, read as
    a BI tool reads it; also checks that the cells are as many as that run's report says."""
    current = out / "current"
    ids = set()
    for name in PUBLISHED:
        dataset = ds.dataset(current / name, format="parquet", partitioning="hive")
        ids |= {f.physical_schema.metadata[RUN_ID_KEY].decode() for f in dataset.get_fragments()}
        dataset.to_table()  # every file whole and readable
    report = json.loads((current / "_run.json").read_text(encoding="utf-8"))
    ids.add(report["run_id"])
    pattern = str(current / "cells" / "*" / "*.parquet")
    ((cells,),) = duckdb.sql(f"select count(*) from read_parquet('{pattern}')").fetchall()
    assert cells == report["cells"], f"{cells} cells published, the report says {report['cells']}"
    return ids
