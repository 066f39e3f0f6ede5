"""Truth JSON -> the frames the stages produce, so gates can be tested on known-good data.

The truth file is the ground truth of the sample PDFs: cells built from it must pass every gate, and
a single deliberate corruption of them must fail exactly the right check.
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import pyarrow as pa

from pipeline.parse.vocabulary import measure_of, price_basis_of, unit_named, year_of
from pipeline.quality.recognise import recognise
from pipeline.quality.results import COMPLETE
from pipeline.schemas import dataset_schema

from project import DATA_DIR

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0


def load_truth(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.truth.json").read_text(encoding="utf-8"))


def truth_cells(truth: dict) -> pd.DataFrame:
    """One cells row per non-empty truth cell, typed exactly as the `cells` dataset."""
    records = []
    for table in truth["tables"]:
        for row_index, row in enumerate(table["rows"]):
            for column_index, (text, value) in enumerate(
                zip(row["cells"], row["values"], strict=True)
            ):
                if not text:
                    continue
                label = table["columns"][column_index]
                factor = unit_named(table["unit"]).nok_per_unit if table["unit"] else None
                records.append(
                    {
                        "document_id": truth["document"],
                        "page": row["page"],
                        "table_id": table["id"],
                        "table_title": table["title"],
                        "canonical_table": None,
                        "unit": table["unit"],
                        "row_index": row_index,
                        "row_label": row["label"],
                        "column_index": column_index,
                        "column_label": label,
                        "measure": measure_of(label),
                        "year": year_of(label),
                        "value": value,
                        "value_text": text,
                        "value_nok": (
                            None
                            if value is None or factor is None or "%" in text
                            else value * factor
                        ),
                        **_box(row_index, column_index),
                        "table_status": COMPLETE,
                    }
                )
    schema = dataset_schema("cells")
    return pa.Table.from_pylist(records, schema=schema).to_pandas(types_mapper=_pandas_type)


def _box(row_index: int, column_index: int) -> dict[str, float]:
    """A plausible cell box on an A4 page (the truth has no coordinates)."""
    x0, top = 200.0 + 35.0 * column_index, 100.0 + 11.0 * (row_index % 60)
    return {"x0": x0, "top": top, "x1": x0 + 30.0, "bottom": top + 9.0}


def _pandas_type(arrow_type: pa.DataType) -> object:
    """Nullable pandas dtypes so that int32 columns stay int32 with nulls (year)."""
    if arrow_type == pa.int32():
        return pd.Int32Dtype()
    return None


def truth_tables(truth: dict) -> pd.DataFrame:
    """One `tables` row per truth table."""
    rows = []
    for table in truth["tables"]:
        rows.append(
            {
                "table_id": table["id"],
                "document_id": truth["document"],
                "pages": sorted({r["page"] for r in table["rows"]}),
                "title": table["title"],
                "canonical_table": None,
                "unit": table["unit"],
                "price_basis": price_basis_of([table["title"] or ""]),
                "n_rows": len(table["rows"]),
                "n_columns": len(table["columns"]),
                "column_labels": table["columns"],
                "method": "stream",
                "x0": 40.0,
                "top": 90.0,
                "x1": 500.0,
                "bottom": 700.0,
                "rows_held_back": 0,
            }
        )
    return pd.DataFrame(rows)


def truth_documents(truth: dict, kind: str, years: list[int]) -> pd.DataFrame:
    """The ingest manifest row of a truth document, with the ingest-gate extras."""
    return pd.DataFrame(
        [
            {
                "document_id": truth["document"],
                "file_name": f"{truth['document']}.pdf",
                "sha256": f"{abs(hash(truth['document'])):064x}"[-64:],
                "bytes": 1000,
                "pages": truth["pdf_pages"],
                "producer": None,
                "creator": None,
                "title": None,
                "kind": kind,
                "years": years,
                "encrypted": False,
                "text_chars": 10000,
            }
        ]
    )


def truth_extract(truth: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The extract stage's (candidates, raw_cells) for the truth tables."""
    candidates, raw = [], []
    for table in truth["tables"]:
        page = table["rows"][0]["page"]
        pages = sorted({r["page"] for r in table["rows"]})
        candidates.append(
            {
                "table_id": table["id"],
                "document_id": truth["document"],
                "page": page,
                "pages": pages,
                "method": "stream",
                "x0": 40.0,
                "top": 80.0,
                "x1": 560.0,
                "bottom": 780.0,
                "page_width": PAGE_WIDTH,
                "page_height": PAGE_HEIGHT,
                "title": table["title"],
                "unit_text": table["unit"],
                "n_columns": len(table["columns"]),
            }
        )
        base = {
            "document_id": truth["document"],
            "table_id": table["id"],
            "page_width": PAGE_WIDTH,
            "page_height": PAGE_HEIGHT,
        }
        for column_index, label in enumerate(table["columns"]):
            raw.append(
                {
                    **base,
                    "page": page,
                    "role": "header",
                    "row_index": 0,
                    "column_index": column_index,
                    "text": label,
                    **_box(0, column_index),
                }
            )
        for row_index, row in enumerate(table["rows"]):
            raw.append(
                {
                    **base,
                    "page": row["page"],
                    "role": "body",
                    "row_index": row_index,
                    "column_index": -1,
                    "text": row["label"],
                    **_box(row_index, 0),
                    "x0": 45.0,
                    "x1": 190.0,
                }
            )
            raw.extend(
                {
                    **base,
                    "page": row["page"],
                    "role": "body",
                    "row_index": row_index,
                    "column_index": column_index,
                    "text": text,
                    **_box(row_index, column_index),
                }
                for column_index, text in enumerate(row["cells"])
                if text
            )
    return pd.DataFrame(candidates), pd.DataFrame(raw)


BUDGET, REPORT = "handlingsprogram-2026-2029", "arsrapport-2020"


@cache
def _sample() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cells, tables, documents = [], [], []
    for name, kind, years in [
        (BUDGET, "budget", [2026, 2027, 2028, 2029]),
        (REPORT, "annual_report", [2020]),
    ]:
        truth = load_truth(name)
        cells.append(truth_cells(truth))
        tables.append(truth_tables(truth))
        documents.append(truth_documents(truth, kind, years))
    all_cells, all_tables = (
        pd.concat(cells, ignore_index=True),
        pd.concat(tables, ignore_index=True),
    )
    found = recognise(all_tables, all_cells)
    all_cells["canonical_table"] = all_cells["table_id"].map(found).astype("string")
    all_tables["canonical_table"] = all_tables["table_id"].map(found)
    return all_cells, all_tables, pd.concat(documents, ignore_index=True)


def sample_cells() -> pd.DataFrame:
    return _sample()[0].copy()


def sample_documents() -> pd.DataFrame:
    return _sample()[2].copy()


def cell_mask(cells: pd.DataFrame, table: str, label: str, column: int | None = None) -> pd.Series:
    mask = (cells["table_id"] == table) & (cells["row_label"] == label)
    return mask & (cells["column_index"] == column) if column is not None else mask
