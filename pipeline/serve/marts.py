"""The marts: the SQL files of `schemas/marts/` run by DuckDB over the `stg_*` frames.

The same files make the in-memory marts (published as Parquet, checked by the serve gate) and
the tables and views of `budget.duckdb`, which is built under a temporary name and renamed into
the run's snapshot, so a reader never opens half a database.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipeline.schemas import dataset_specs
from pipeline.serve.rules import MARTS_SQL_DIR

DATABASE = "budget.duckdb"
MARTS = "marts.yaml"
MARTS_DIR = "marts"  # the folder of the marts' Parquet in a snapshot (their `path` in marts.yaml)


# DuckDB's names of the Arrow types of schemas/marts.yaml.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int32": "INTEGER",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "bool": "BOOLEAN",
    "list<int32>": "INTEGER[]",
    "list<string>": "VARCHAR[]",
}


def mart_names() -> list[str]:
    return list(dataset_specs(MARTS))


def _conform(connection: duckdb.DuckDBPyConnection, mart: str) -> None:
    """Give a mart table the column types of schemas/marts.yaml: a column the samples leave all
    null (producer) or a count pandas widened (pages) keeps its declared type for BI tools."""
    for field in dataset_specs(MARTS)[mart]["fields"]:
        connection.execute(
            f'ALTER TABLE {mart} ALTER COLUMN "{field["name"]}" '
            f"SET DATA TYPE {DUCKDB_TYPES[field['type']]}"
        )


def sql_files() -> list[Path]:
    """The marts' SQL in the order of their file names (`<nn>_<mart>.sql`)."""
    return sorted(MARTS_SQL_DIR.glob("*.sql"))


def sql_name(sql_file: Path) -> str:
    """What `<nn>_<name>.sql` makes (a mart, a chart's data): the number only orders the files."""
    return sql_file.stem.split("_", 1)[1]


def _build(connection: duckdb.DuckDBPyConnection, staging: dict[str, pd.DataFrame]) -> None:
    for name, frame in staging.items():
        # through Arrow: a list of numpy integers is a list column, not text, for DuckDB
        connection.register(name, pa.Table.from_pandas(frame, preserve_index=False))
    specs = dataset_specs(MARTS)
    for path in sql_files():  # tables first (by file name), then the views over them
        connection.execute(path.read_text(encoding="utf-8"))
        if specs[sql_name(path)]["kind"] == "table":
            _conform(connection, sql_name(path))
    for name in staging:
        connection.unregister(name)


def build_marts(staging: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every mart of `schemas/marts.yaml` as a frame."""
    with duckdb.connect() as connection:
        _build(connection, staging)
        return {name: connection.sql(f"SELECT * FROM {name}").to_df() for name in mart_names()}


WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO)
"""What the OS answers when a file cannot be written; DuckDB raises its own exceptions and only
quotes these words in the message."""


def _as_os_error(failure: duckdb.Error, path: Path) -> OSError | None:
    """DuckDB's failure to write `path` as the OSError it stands for (a full disk, a read-only
    folder), so that the run reports it like any other failed write; None for other failures."""
    message = str(failure)
    code = next((code for code in WRITE_ERRORS if os.strerror(code) in message), None)
    return None if code is None else OSError(code, os.strerror(code), str(path))


def write_database(staging: dict[str, pd.DataFrame], path: Path) -> None:
    """`budget.duckdb` with the marts as its tables and views, swapped into place whole."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(temporary)) as connection:
            _build(connection, staging)
            connection.execute("CHECKPOINT")
        os.replace(temporary, path)
    except (duckdb.IOException, duckdb.FatalException) as failure:
        if (os_error := _as_os_error(failure, path)) is None:
            raise
        raise os_error from failure
    finally:
        temporary.unlink(missing_ok=True)
