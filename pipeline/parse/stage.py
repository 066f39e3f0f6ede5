"""Stage 3, parse: raw cell text -> typed values, one label per row and per column, the unit.

Plain functions from the extract frames to the `cells` and `tables` frames of schemas/.
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.parse.numbers import parse_number
from pipeline.parse.vocabulary import find_unit, measure_of, unit_named, year_of
from pipeline.schemas import dataset_schema

_SPACES = re.compile(r"\s+")
# pandas dtypes that convert to the Arrow types of schemas/datasets.yaml without loss
CELL_DTYPES = {"page": "int32", "row_index": "int32", "column_index": "int32", "year": "Int32"}
TABLE_DTYPES = {"n_rows": "int32", "n_columns": "int32"}


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


def parse_tables(
    candidates: pd.DataFrame, raw_cells: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed `cells` and `tables` frames from the extract stage's frames."""
    header = raw_cells[raw_cells["role"] == "header"]
    body = raw_cells[raw_cells["role"] == "body"]
    values = body[body["column_index"] >= 0]
    label_cells = body[body["column_index"] < 0]
    labels = dict(
        zip(
            zip(label_cells["table_id"], label_cells["row_index"], strict=True),
            label_cells["text"],
            strict=True,
        )
    )

    column_labels = {
        (t, c): clean_text(text)
        for t, c, text in zip(
            header["table_id"], header["column_index"], header["text"], strict=True
        )
    }
    units = _table_units(candidates, values)
    titles = dict(zip(candidates["table_id"], candidates["title"], strict=True))

    rows = []
    for cell in values.itertuples(index=False):
        column_label = column_labels.get((cell.table_id, cell.column_index), "")
        unit = units[cell.table_id]
        parsed = parse_number(cell.text)
        value = parsed.value if parsed else None
        nok_per_unit = unit_named(unit).nok_per_unit if unit else None
        value_nok = (
            value * nok_per_unit
            if value is not None and nok_per_unit and not parsed.is_percent
            else None
        )
        rows.append(
            (cell.document_id, cell.page, cell.table_id, titles[cell.table_id], None, unit,
             cell.row_index, clean_text(labels.get((cell.table_id, cell.row_index), "")),
             cell.column_index, column_label, measure_of(column_label), year_of(column_label),
             value, clean_text(cell.text), value_nok, cell.x0, cell.top, cell.x1, cell.bottom)
        )  # fmt: skip
    schema = dataset_schema("cells")
    cells = pd.DataFrame(rows, columns=schema.names).astype(CELL_DTYPES)
    tables = _tables_frame(candidates, cells, column_labels, units)
    return cells, tables


def _tables_frame(
    candidates: pd.DataFrame,
    cells: pd.DataFrame,
    column_labels: dict[tuple[str, int], str],
    units: dict[str, str | None],
) -> pd.DataFrame:
    n_rows = cells.groupby("table_id")["row_index"].nunique()
    rows = [
        (c.table_id, c.document_id, list(c.pages), c.title, None, units[c.table_id],
         int(n_rows.get(c.table_id, 0)), c.n_columns,
         [column_labels.get((c.table_id, i), "") for i in range(c.n_columns)],
         c.method, c.x0, c.top, c.x1, c.bottom)
        for c in candidates.itertuples(index=False)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=dataset_schema("tables").names).astype(TABLE_DTYPES)
