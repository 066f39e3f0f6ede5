"""The declarative side of the pipeline: dataset schemas from `schemas/`, read as data.

Code asks the catalog what a dataset looks like; it never spells a schema out itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = PROJECT_ROOT / "schemas"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

_SCALAR_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
}


def arrow_type(name: str) -> pa.DataType:
    if name.startswith("list<") and name.endswith(">"):
        return pa.list_(arrow_type(name[5:-1]))
    return _SCALAR_TYPES[name]


@cache
def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# The curated datasets, then the serving layer's marts: one grammar, one publication path.
DATASET_FILES = ("datasets.yaml", "marts.yaml")


def dataset_specs(file_name: str) -> dict[str, dict[str, Any]]:
    specs: dict[str, dict[str, Any]] = load_yaml(SCHEMA_DIR / file_name)["datasets"]
    return specs


def dataset_spec(name: str) -> dict[str, Any]:
    for file_name in DATASET_FILES:
        if name in (specs := dataset_specs(file_name)):
            return specs[name]
    raise KeyError(f"no dataset {name!r} in schemas/{' or '.join(DATASET_FILES)}")


def dataset_schema(name: str) -> pa.Schema:
    """The exact Arrow schema of a curated dataset, partition columns included."""
    fields = [
        pa.field(f["name"], arrow_type(f["type"]), nullable=f["nullable"])
        for f in dataset_spec(name)["fields"]
    ]
    return pa.schema(fields)
