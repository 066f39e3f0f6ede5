"""Stage 3, parse: raw cell text -> typed values, one label per row and per column, the unit.

Plain functions from the extract frames to the `cells` and `tables` frames of schemas/. Records
are built by column name; the column order is written only in schemas/datasets.yaml.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pandas as pd

from pipeline.parse.numbers import parse_number
from pipeline.parse.vocabulary import find_unit, measure_of, price_basis_of, unit_named, year_of
from pipeline.quality.results import COMPLETE
from pipeline.schemas import dataset_schema

_SPACES = re.compile(r"\s+")
# pandas dtypes that convert to the Arrow types of schemas/datasets.yaml without loss
CELL_DTYPES = {"page": "int32", "row_index": "int32", "column_index": "int32", "year": "Int32"}
TABLE_DTYPES = {"n_rows": "int32", "n_columns": "int32", "rows_held_back": "int32"}


class ParsedFrames(NamedTuple):
    cells: pd.DataFrame  # the `cells` dataset, one row per non-empty body cell
    tables: pd.DataFrame  # the `tables` dataset, one row per table


def clean_text(text: str) -> str:
    """Collapse white space (wrapped lines were joined with spaces) and trim."""
    return _SPACES.sub(" ", text).strip()


def _table_units(candidates: pd.DataFrame, body: pd.DataFrame) -> dict[str, str | None]:
    """A table's unit from its captions, or `prosent` when every number in it is a percentage."""
    units: dict[str, str | None] = {}
    percent_only = (
        body.assign(pct=body["text"].str.contains("%", regex=False))
        .groupby("table_id")["pct"]
        .all()
    )
    for table_id, unit_text in zip(candidates["table_id"], candidates["unit_text"], strict=True):
        unit = find_unit(unit_text.split(" | ")) if isinstance(unit_text, str) else None
        if unit is None and percent_only.get(table_id, False):
            unit = unit_named("prosent")
        units[table_id] = unit.name if unit else None
    return units


def _column_units(column_labels: dict[tuple[str, int], str]) -> dict[tuple[str, int], str]:
    """The unit a column's own header names ("Prosentvis avvik" beside amounts in mill. kr):
    it overrides the table's for that column's cells."""
    named = {key: find_unit([text]) for key, text in column_labels.items()}
    return {key: unit.name for key, unit in named.items() if unit is not None}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts keyed by column name."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _frame(records: list[dict[str, Any]], dataset: str, dtypes: dict[str, str]) -> pd.DataFrame:
    """Records as the dataset's frame: columns by name, in the schema's order and types."""
    if not records:  # typed from the schema, not inferred from nothing
        empty: pd.DataFrame = dataset_schema(dataset).empty_table().to_pandas()
        return empty
    return pd.DataFrame.from_records(records, columns=dataset_schema(dataset).names).astype(dtypes)


def _cell_record(
    cell: dict[str, Any], label: str, column_label: str, title: str | None, unit: str | None
) -> dict[str, Any]:
    parsed = parse_number(cell["text"])
    nok_per_unit = unit_named(unit).nok_per_unit if unit else None
    money = parsed is not None and nok_per_unit is not None and not parsed.is_percent
    return {
        "document_id": cell["document_id"],
        "page": cell["page"],
        "table_id": cell["table_id"],
        "table_title": title,
        "canonical_table": None,
        "unit": unit,
        "row_index": cell["row_index"],
        "row_label": clean_text(label),
        "column_index": cell["column_index"],
        "column_label": column_label,
        "measure": measure_of(column_label),
        "year": year_of(column_label),
        "value": parsed.value if parsed else None,
        "value_text": clean_text(cell["text"]),
        "value_nok": parsed.value * nok_per_unit if money and parsed and nok_per_unit else None,
        **{edge: cell[edge] for edge in ("x0", "top", "x1", "bottom")},
        "table_status": COMPLETE,  # until a gate holds rows back
    }


def parse_tables(candidates: pd.DataFrame, raw_cells: pd.DataFrame) -> ParsedFrames:
    """Typed `cells` and `tables` frames from the extract stage's frames."""
    header = raw_cells[raw_cells["role"] == "header"]
    body = raw_cells[raw_cells["role"] == "body"]
    values = body[body["column_index"] >= 0]
    label_cells = body[body["column_index"] < 0]
    label_keys = zip(label_cells["table_id"], label_cells["row_index"], strict=True)
    labels = dict(zip(label_keys, label_cells["text"], strict=True))
    column_labels = {
        (t, c): clean_text(text)
        for t, c, text in zip(
            header["table_id"], header["column_index"], header["text"], strict=True
        )
    }
    units = _table_units(candidates, values)
    column_units = _column_units(column_labels)
    titles = dict(zip(candidates["table_id"], candidates["title"], strict=True))
    records = [
        _cell_record(
            cell,
            labels.get((cell["table_id"], cell["row_index"]), ""),
            column_labels.get((cell["table_id"], cell["column_index"]), ""),
            titles[cell["table_id"]],
            column_units.get((cell["table_id"], cell["column_index"]), units[cell["table_id"]]),
        )
        for cell in _records(values)
    ]
    cells = _frame(records, "cells", CELL_DTYPES)
    return ParsedFrames(cells, _tables_frame(candidates, cells, column_labels, units))


def _tables_frame(
    candidates: pd.DataFrame,
    cells: pd.DataFrame,
    column_labels: dict[tuple[str, int], str],
    units: dict[str, str | None],
) -> pd.DataFrame:
    n_rows = cells.groupby("table_id")["row_index"].nunique()
    records = [
        {
            "table_id": c["table_id"],
            "document_id": c["document_id"],
            "pages": list(c["pages"]),
            "title": c["title"],
            "canonical_table": None,
            "unit": units[c["table_id"]],
            "price_basis": price_basis_of(
                [str(text) for text in (c["unit_text"], c["title"]) if isinstance(text, str)]
            ),
            "n_rows": int(n_rows.get(c["table_id"], 0)),
            "n_columns": c["n_columns"],
            "column_labels": [
                column_labels.get((c["table_id"], i), "") for i in range(c["n_columns"])
            ],
            "method": c["method"],
            "rows_held_back": 0,
            **{edge: c[edge] for edge in ("x0", "top", "x1", "bottom")},
        }
        for c in _records(candidates)
    ]
    return _frame(records, "tables", TABLE_DTYPES)
