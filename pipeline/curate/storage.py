"""Stage 4, curate: typed frames -> Parquet datasets in the output folder.

Every file is written under a temporary name and renamed into place, and rewritten only when its
bytes change, so that readers never see half a file and reruns leave outputs byte-identical.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schemas import dataset_schema, dataset_spec

PART_NAME = "part-0.parquet"


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` through a temporary file; False when it already held them."""
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


def write_json(path: Path, payload: Any) -> bool:
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True, default=str)
    return write_atomic(path, f"{text}\n".encode())


def to_arrow(frame: pd.DataFrame, dataset: str, drop: tuple[str, ...] = ()) -> pa.Table:
    """The frame with the dataset's exact Arrow schema (partition columns dropped)."""
    schema = dataset_schema(dataset)
    for name in drop:
        schema = schema.remove(schema.get_field_index(name))
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    return table.replace_schema_metadata(None)  # no pandas version in the file: stable bytes


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue()


def _sorted(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    keys = {
        "cells": ["document_id", "table_id", "row_index", "column_index"],
        "tables": ["document_id", "table_id"],
        "documents": ["document_id"],
    }[dataset]
    return frame.sort_values(keys, kind="stable", ignore_index=True)


def publish(frames: dict[str, pd.DataFrame], out_dir: Path, root: str = "") -> list[Path]:
    """Write each dataset (cells, tables, documents) under `out_dir/root`; drop stale partitions.

    Returns the files whose bytes changed.
    """
    changed: list[Path] = []
    for dataset, frame in frames.items():
        spec = dataset_spec(dataset)
        base = out_dir / root / spec["path"]
        frame = _sorted(frame, dataset)
        partition_by = spec["partition_by"]
        if not partition_by:
            target = base / PART_NAME
            if write_atomic(target, parquet_bytes(to_arrow(frame, dataset))):
                changed.append(target)
            continue
        (key,) = partition_by
        base.mkdir(parents=True, exist_ok=True)  # present even when empty, for readers
        keep = set()
        for value, part in frame.groupby(key, sort=True):
            directory = base / f"{key}={value}"
            keep.add(directory.name)
            target = directory / PART_NAME
            if write_atomic(target, parquet_bytes(to_arrow(part, dataset, drop=(key,)))):
                changed.append(target)
        for directory in base.iterdir():
            if directory.is_dir() and directory.name not in keep:
                shutil.rmtree(directory)
                changed.append(directory)
    return changed
