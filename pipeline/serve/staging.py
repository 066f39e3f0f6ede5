"""The `stg_*` frames the marts' SQL reads: the published datasets with the serving rules applied.

Everything that needs a rule of `schemas/serving.yaml` is decided here; everything that is a
join, a ranking or a view is SQL in `schemas/marts/`.
"""

from __future__ import annotations

import pandas as pd

from pipeline.quality.grids import printed_decimals
from pipeline.quality.recognise import table_catalog
from pipeline.quality.results import COMPLETE, PARTIAL
from pipeline.serve.facts import NO_ORG_UNIT, annotate_documents, facts_of, slug
from pipeline.serve.headings import DocumentText
from pipeline.serve.org_units import assign_sub_areas, assign_sum_parents, org_unit_frame
from pipeline.serve.rules import serving_rules
from pipeline.serve.tables import annotate_tables

AMOUNT_COLUMNS = [
    "fact_id", "document_id", "table_id", "table_type", "line_item_id", "org_unit_id",
    "scenario", "scenario_detail", "fiscal_year", "period_type", "period_start", "period_end",
    "amount", "amount_text", "unit", "amount_nok", "price_basis", "is_total", "page",
    "row_index", "column_index", "row_label", "column_label", "x0", "top", "x1", "bottom",
    "preference", "decimals",
]  # fmt: skip


def _preference(table_types: pd.Series) -> pd.Series:
    """Rank of a table type for the canonical printing of a fact (0 = preferred)."""
    order = {kind: rank for rank, kind in enumerate(serving_rules()["canonical_preference"])}
    return table_types.map(order).fillna(len(order)).astype("int32")


def _amounts(facts: pd.DataFrame) -> pd.DataFrame:
    out = facts.assign(
        fact_id=facts["table_id"] + ":r" + facts["row_index"].astype(str) + ":c"
        + facts["column_index"].astype(str),
        org_unit_id=facts["org_unit"].map(slug).where(facts["org_unit"] != NO_ORG_UNIT),
        amount=facts["value"],
        amount_text=facts["value_text"],
        amount_nok=facts["value_nok"],
        preference=_preference(facts["table_type"]),
        decimals=printed_decimals(facts["value_text"]),
    )  # fmt: skip
    return out[AMOUNT_COLUMNS]


def _line_items(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per line item: its name (as the most preferred table prints it), the labels it
    is printed or declared with."""
    declared = {str(i["id"]): list(i["synonyms"]) for i in serving_rules()["line_items"]}
    catalog = table_catalog()["lines"]
    preferred_first = facts.assign(preference=_preference(facts["table_type"])).sort_values(
        ["preference", "document_id", "page", "row_index"], kind="stable"
    )
    items = preferred_first.groupby("line_item_id", sort=True).agg(
        name=("line_name", "first"),
        printed=("row_label", lambda labels: set(labels.astype(str))),
        statutory_line=("statutory_line", "first"),
    )
    items["synonyms"] = [
        sorted(printed | set(declared.get(str(line_id), [])))
        for line_id, printed in zip(items.index, items["printed"], strict=True)
    ]
    items["catalog_pattern"] = [catalog.get(line_id, {}).get("pattern") for line_id in items.index]
    return items.drop(columns=["printed"]).reset_index()


def _tables(
    tables: pd.DataFrame, types: pd.DataFrame, facts: pd.DataFrame, unplaced: pd.Series
) -> pd.DataFrame:
    """Published tables with their type, caption, org unit and the numbers left without period."""
    own = facts[facts["row_org_unit"] == NO_ORG_UNIT]  # rows naming no org unit: the table's
    org = own.groupby("table_id")["org_unit"].agg(lambda units: units.mode().iloc[0])
    out = tables.merge(types.drop(columns=["document_id"]), on="table_id")
    org_unit_id = out["table_id"].map(org).fillna(NO_ORG_UNIT).map(slug)
    out["org_unit_id"] = org_unit_id.where(org_unit_id != slug(NO_ORG_UNIT))
    held = out["rows_held_back"].gt(0)
    out["gate_status"] = held.map({True: PARTIAL, False: COMPLETE})
    out["numbers_without_period"] = out["table_id"].map(unplaced).fillna(0).astype("int32")
    return out


def staging_frames(
    cells: pd.DataFrame,
    tables: pd.DataFrame,
    documents: pd.DataFrame,
    texts: dict[str, DocumentText],
) -> dict[str, pd.DataFrame]:
    """The published datasets (held-back rows and tables already removed) as `stg_*` frames."""
    documents = annotate_documents(documents, texts)
    types = annotate_tables(tables, cells, texts)
    facts, unplaced = facts_of(cells, tables, types, documents)
    facts = assign_sum_parents(assign_sub_areas(facts))
    return {
        "stg_amount": _amounts(facts),
        "stg_document": documents,
        "stg_table": _tables(tables, types, facts, unplaced),
        "stg_line_item": _line_items(facts),
        "stg_org_unit": org_unit_frame(facts, types),
    }
