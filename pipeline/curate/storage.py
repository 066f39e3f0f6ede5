"""Stage 4, curate: typed frames -> Parquet datasets in a run's snapshot folder.

Files outside snapshots (the stage cache, run state) are written under a temporary name and
renamed into place, so that no reader ever sees half a file; snapshots become visible whole
(see snapshots.py). The bytes depend on the data and the run id only, so reruns are identical.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

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


RUN_ID_KEY = b"budget_etl_run_id"  # in every published file's metadata: which run wrote it


def to_arrow(
    frame: pd.DataFrame, dataset: str, run_id: str, drop: tuple[str, ...] = ()
) -> pa.Table:
    """The frame with the dataset's exact Arrow schema (partition columns dropped), stamped with
    the run id so that a reader can tell which publication a file belongs to."""
    schema = dataset_schema(dataset)
    for name in drop:
        schema = schema.remove(schema.get_field_index(name))
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    # no pandas version in the file: the bytes depend on the data and the run id only
    return table.replace_schema_metadata({RUN_ID_KEY: run_id.encode()})


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue()


def _sorted(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    return frame.sort_values(dataset_spec(dataset)["sort_by"], kind="stable", ignore_index=True)


def partition_folder(key: str, value: str) -> str:
    """A hive partition folder name that reads back as `value`: readers decode %-escapes, so the
    value is %-escaped ("x/y" and "50%" stay distinct documents, never a path)."""
    return f"{key}={quote(value, safe='')}"


def _write(target: Path, data: bytes, previous: Path | None) -> None:
    """Write a new snapshot's file; a file the previous snapshot holds unchanged is hard-linked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if previous is not None and previous.is_file() and previous.read_bytes() == data:
        os.link(previous, target)
    else:
        target.write_bytes(data)


def _parts(
    frame: pd.DataFrame, relative: Path, partition_by: list[str]
) -> list[tuple[Path, pd.DataFrame, tuple[str, ...]]]:
    """(file path, rows, columns the path carries instead of the file) of one dataset."""
    if not partition_by:
        return [(relative / PART_NAME, frame, ())]
    (key,) = partition_by  # one partition column: the document
    return [
        (relative / partition_folder(key, str(value)) / PART_NAME, part, (key,))
        for value, part in frame.groupby(key, sort=True)
    ]


def publish(
    frames: dict[str, pd.DataFrame], snapshot: Path, run_id: str, previous: Path | None
) -> None:
    """Write each dataset into a new snapshot folder; `previous` is the snapshot it replaces."""
    for dataset, frame in frames.items():
        spec = dataset_spec(dataset)
        relative = Path(spec["path"])
        (snapshot / relative).mkdir(parents=True, exist_ok=True)  # present even when empty
        for path, part, drop in _parts(_sorted(frame, dataset), relative, spec["partition_by"]):
            data = parquet_bytes(to_arrow(part, dataset, run_id, drop=drop))
            _write(snapshot / path, data, previous / path if previous else None)
