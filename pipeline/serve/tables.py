"""Each published table's type, caption and the area heading it sits under."""

from __future__ import annotations

import pandas as pd

from pipeline.serve.headings import DocumentText
from pipeline.serve.rules import caption_of, serving_rules, table_kind

TABLE_COLUMNS = ["table_id", "document_id", "table_type", "is_statutory", "caption", "area"]


def _area_at(areas: pd.DataFrame, page: int) -> str | None:
    """The last area heading printed on or before `page`."""
    before = areas[areas["page"] <= page]
    return str(before["area"].iloc[-1]) if len(before) else None


def annotate_tables(
    tables: pd.DataFrame, cells: pd.DataFrame, texts: dict[str, DocumentText]
) -> pd.DataFrame:
    """table_id -> table type (catalog id or recurring kind), caption, area heading."""
    labels = cells.groupby("table_id")["row_label"].unique()
    scoped = set(serving_rules()["org_units"]["area_scoped_kinds"])
    records = []
    for table in tables.to_dict("records"):
        statutory = isinstance(table["canonical_table"], str)
        title = table["title"] if isinstance(table["title"], str) else None
        rows = [str(r) for r in labels.get(table["table_id"], [])]
        kind = str(table["canonical_table"]) if statutory else table_kind(title, rows)
        areas = texts[str(table["document_id"])].areas
        area = _area_at(areas, min(int(p) for p in table["pages"])) if kind in scoped else None
        records.append(
            {"table_id": table["table_id"], "document_id": table["document_id"],
             "table_type": kind, "is_statutory": statutory, "caption": caption_of(title),
             "area": area}
        )  # fmt: skip
    return pd.DataFrame(records, columns=TABLE_COLUMNS)
