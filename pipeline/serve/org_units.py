"""The org-unit hierarchy: areas from the document's headings, their sub-areas from the rows of
the tables that list them, and which sub-area a "fordelt på hovedart" table belongs to.

Budget documents print one "Driftsbudsjettet fordelt på hovedart" per area and one per sub-area
without naming the sub-area in the table, and one "Driftsbudsjett med endringer" per sub-area
ending in its frame ("Ramme 2026-2029"): that row equals the sub-area's row in the area's
"fordelt på områdene" table (or in § 5-4 andre ledd), column by column. That equality, not the
page, decides.
"""

from __future__ import annotations

import pandas as pd

from pipeline.serve.facts import NO_ORG_UNIT, slug
from pipeline.serve.rules import serving_rules

COLUMN_KEY = ["scenario", "scenario_detail", "period_type", "fiscal_year", "period_start"]


def _amounts(rows: pd.DataFrame) -> dict[tuple[object, ...], float]:
    keys = zip(*(rows[column].tolist() for column in COLUMN_KEY), strict=True)
    return dict(zip(keys, rows["value"].tolist(), strict=True))


def _matches(total: dict[tuple[object, ...], float], unit: dict[tuple[object, ...], float]) -> bool:
    """Equal in every shared column, and in enough of them that are not 0 (a row of zeros, an
    unused line, equals any other)."""
    shared = total.keys() & unit.keys()
    minimum = serving_rules()["org_units"]["min_matching_columns"]
    evidence = sum(1 for k in shared if unit[k] != 0)
    return evidence >= minimum and all(total[k] == unit[k] for k in shared)


def _unit_of(rows: pd.DataFrame, listed: dict[str, dict[tuple[object, ...], float]]) -> str | None:
    """The one org unit whose frame one of the table's rows prints, if exactly one does."""
    printed = [_amounts(row) for _, row in rows.groupby("row_index")]
    found = {unit for unit, frame in listed.items() for row in printed if _matches(row, frame)}
    return found.pop() if len(found) == 1 else None


def assign_sub_areas(facts: pd.DataFrame) -> pd.DataFrame:
    """Move each table of the matched kinds one of whose rows equals one org unit's frame
    (its net total, "Ramme 2026-2029") to that unit."""
    org = serving_rules()["org_units"]
    units = facts[
        facts["table_type"].isin(org["row_kinds"])
        & (facts["line_item_id"] == org["row_line"])
        & (facts["row_org_unit"] != NO_ORG_UNIT)
    ]
    parents = units.groupby(["document_id", "org_unit"])["org_parent"].max()  # a known one
    facts = facts.copy()
    matched = facts[facts["table_type"].isin(org["matched_kinds"])]
    for document, tables in matched.groupby("document_id"):
        in_document = units[units["document_id"] == document]
        listed = {str(unit): _amounts(rows) for unit, rows in in_document.groupby("org_unit")}
        for table_id, rows in tables.groupby("table_id"):
            unit = _unit_of(rows, listed)
            in_table = facts["table_id"] == table_id
            printed_under = str(facts.loc[in_table, "org_unit"].iloc[0])
            if unit is None or unit == printed_under:
                continue
            facts.loc[in_table, "org_unit"] = unit
            facts.loc[in_table, "org_parent"] = parents[(document, unit)] or printed_under
    return facts


def _sum_parents(rows: pd.DataFrame) -> dict[str, str]:
    """Org unit -> the unit whose "Sum ..." row closes the block it is printed in (the annual
    report lists Grunnskole, Barnehager, Barnevern, then "Sum Barn og unge")."""
    parents: dict[str, str] = {}
    block: list[str] = []
    ordered = rows.drop_duplicates("row_index").sort_values("row_index")
    for unit, named, total in zip(
        ordered["org_unit"], ordered["row_org_unit"], ordered["is_total"], strict=True
    ):
        if named == NO_ORG_UNIT:  # a line of the table, not a unit: a block ends
            block = []
        elif total:
            parents |= {child: unit for child in block if child != unit}
            block = []
        else:
            block.append(unit)
    return parents


def assign_sum_parents(facts: pd.DataFrame) -> pd.DataFrame:
    """The parent of each org unit printed above a "Sum <unit>" row, where none is known."""
    kinds = serving_rules()["org_units"]["row_kinds"]
    facts = facts.copy()
    for _, rows in facts[facts["table_type"].isin(kinds)].groupby("table_id"):
        for child, parent in _sum_parents(rows).items():
            orphan = (facts["org_unit"] == child) & (facts["org_parent"] == NO_ORG_UNIT)
            facts.loc[orphan, "org_parent"] = parent
    return facts


def org_unit_frame(facts: pd.DataFrame, table_types: pd.DataFrame) -> pd.DataFrame:
    """One row per org unit: id, printed name, parent, level (1 = area)."""
    named = facts[facts["org_unit"] != NO_ORG_UNIT][["org_unit", "org_parent"]]
    areas = table_types["area"].dropna().unique()
    units = pd.concat(
        [pd.DataFrame({"org_unit": areas, "org_parent": NO_ORG_UNIT}), named], ignore_index=True
    )
    units["org_unit_id"] = units["org_unit"].map(slug)
    units["parent_id"] = units["org_parent"].map(slug)
    first = units.sort_values("parent_id", ascending=False, kind="stable")  # a known parent first
    dim = first.drop_duplicates("org_unit_id")[["org_unit_id", "org_unit", "parent_id"]]
    dim = dim.rename(columns={"org_unit": "name"}).sort_values("org_unit_id", ignore_index=True)
    dim["parent_id"] = dim["parent_id"].where(dim["parent_id"] != slug(NO_ORG_UNIT))
    dim["level"] = dim["parent_id"].notna().astype("int32") + 1
    return dim
