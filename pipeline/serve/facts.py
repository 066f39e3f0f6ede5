"""Published cells -> facts: each number with its scenario, period, line item and org unit.

The rules are those of `schemas/serving.yaml`; the star schema itself is made by the SQL of
`schemas/marts/` from the frames built here (`stg_*`).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.parse.vocabulary import NOMINAL, price_basis_of
from pipeline.quality.recognise import label_matches, normalise, table_catalog
from pipeline.serve.headings import DocumentText
from pipeline.serve.rules import pattern, scenario_of, searched, serving_rules

NO_ORG_UNIT = ""  # in keys; published as null
NO_PERIOD = ""  # a column that prints no year or period: its numbers are not facts


def slug(text: str) -> str:
    """A stable id from a printed name: its normalised form, words joined by underscores."""
    return re.sub(r"[^0-9a-zæøå]+", "_", normalise(text)).strip("_")


@dataclass(frozen=True, slots=True)
class Line:
    line_item_id: str
    name: str
    statutory_line: str | None
    org_unit: str  # the org unit the row names, NO_ORG_UNIT when the table's applies
    is_total: bool


def _base_year(kind: str, years: list[int]) -> int | None:
    """The year a document is about: the first plan year of a budget, else its last year."""
    if not years:
        return None
    return min(years) if kind == "budget" else max(years)


def _synonym(label: str, table_type: str) -> dict[str, Any] | None:
    for item in serving_rules()["line_items"]:
        kinds = item.get("kinds")
        if (kinds is None or table_type in kinds) and any(
            label_matches(p, label) for p in item["synonyms"]
        ):
            return dict(item)
    return None


def _catalog_line(label: str) -> str | None:
    for line_id, spec in table_catalog()["lines"].items():
        if label_matches(spec["pattern"], label):
            return str(line_id)
    return None


def _named_line(label: str, table_type: str) -> Line | None:
    """The line a label names by a synonym or a catalog pattern."""
    total = searched(serving_rules()["total_pattern"], label)
    totals = serving_rules()["total_lines"]
    if (item := _synonym(label, table_type)) is not None:
        declared = str(item["id"])
        statutory = declared if declared in table_catalog()["lines"] else None
        return Line(declared, item["name"], statutory, NO_ORG_UNIT, total or declared in totals)
    if (catalog_id := _catalog_line(label)) is not None:
        return Line(catalog_id, label, catalog_id, NO_ORG_UNIT, total or catalog_id in totals)
    return None


def line_of(label: str, table_type: str) -> Line:
    """The line item (and, in tables whose rows are org units, the org unit) a row label names."""
    rules = serving_rules()
    org = rules["org_units"]
    if (named := _named_line(label, table_type)) is not None:
        return named
    total = searched(rules["total_pattern"], label)
    herav = searched(table_catalog()["herav_pattern"], label)
    if table_type not in org["row_kinds"] or herav:
        return Line(f"{table_type}.{slug(label)}", label, None, NO_ORG_UNIT, total)
    # a row of a table listing org units: "Sum Barn og unge" is that unit's total, a bare
    # "SUM" the table's own
    unit = pattern(org["sum_prefix"]).sub("", label.strip())
    if total and unit == label.strip():
        unit = NO_ORG_UNIT
    return Line(org["row_line"], _row_line_name(), None, unit, total)


def _row_line_name() -> str:
    row_line = serving_rules()["org_units"]["row_line"]
    return next(str(i["name"]) for i in serving_rules()["line_items"] if i["id"] == row_line)


def _period(column_label: str, year: Any) -> tuple[str, int | None, int | None, int | None]:
    """(period type, fiscal year, period start, period end) of a column; NO_PERIOD as type when
    it prints neither."""
    if pd.notna(year):
        return "year", int(year), int(year), int(year)
    if found := pattern(serving_rules()["period_pattern"]).search(column_label):
        return "multi_year_total", None, int(found.group(1)), int(found.group(2))
    return NO_PERIOD, None, None, None


def _without_years(column_label: str) -> str:
    return " ".join(re.sub(r"(?:19|20)\d{2}", " ", normalise(column_label)).split())


def _column(column: Mapping[Hashable, Any]) -> dict[str, Any]:
    """Scenario and period of one (document, column label, measure, year)."""
    label, year, base_year = str(column["column_label"]), column["year"], column["base_year"]
    period_type, fiscal_year, start, end = _period(label, year)
    year_assumed = not period_type and column["kind"] == "annual_report" and pd.notna(base_year)
    if year_assumed:  # an annual report's column without a year is about the report year...
        fiscal_year = int(base_year)
        period_type, start, end = "year", fiscal_year, fiscal_year
    offset = fiscal_year - int(base_year) if fiscal_year and pd.notna(base_year) else None
    measure, status = column["measure"], column["status"]
    scenario = scenario_of(
        measure if isinstance(measure, str) else None,
        label,
        str(column["kind"]),
        status if isinstance(status, str) else None,
        offset,
        pd.notna(year) or end is not None,
    )
    detailed = scenario in serving_rules()["detailed_scenarios"]
    return {"period_type": period_type, "fiscal_year": fiscal_year, "period_start": start,
            "period_end": end, "scenario": scenario,
            "scenario_detail": _without_years(label) if detailed else "",
            "year_assumed": year_assumed}  # fmt: skip


def _columns(cells: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Scenario and period of every distinct (document, column label, measure, year)."""
    keys = ["document_id", "column_label", "measure", "year"]
    columns = cells[keys].drop_duplicates()
    columns = columns.merge(documents[["document_id", "kind", "status", "base_year"]])
    described = pd.DataFrame(
        [_column(c) for c in columns.to_dict("records")],
        index=columns.index,
        columns=["period_type", "fiscal_year", "period_start", "period_end", "scenario",
                 "scenario_detail", "year_assumed"],
    )  # fmt: skip
    return pd.concat([columns[keys], described], axis=1)


def annotate_documents(documents: pd.DataFrame, texts: dict[str, DocumentText]) -> pd.DataFrame:
    """The manifest with the municipality, status and base year each document prints."""
    facts = pd.DataFrame(
        [{"document_id": d, **texts[d].facts.iloc[0].to_dict()} for d in documents["document_id"]],
        columns=["document_id", "municipality", "status"],
    )
    out = documents.merge(facts, on="document_id", how="left")
    base_years = [
        _base_year(str(kind), [int(y) for y in years])
        for kind, years in zip(out["kind"], out["years"], strict=True)
    ]
    out["base_year"] = pd.Series(base_years, index=out.index, dtype="Int32")
    return out


def _lines(numbers: pd.DataFrame) -> pd.DataFrame:
    """Line item, statutory line, org unit named by the row, total flag: per (type, label)."""
    keys = numbers[["table_type", "row_label"]].drop_duplicates()
    lines = [line_of(str(label), str(kind)) for kind, label in keys.itertuples(index=False)]
    return keys.assign(
        line_item_id=[line.line_item_id for line in lines],
        line_name=[line.name for line in lines],
        statutory_line=pd.Series(
            [line.statutory_line for line in lines], index=keys.index, dtype="string"
        ),
        row_org_unit=[line.org_unit for line in lines],
        is_total=[line.is_total for line in lines],
    )


def _section_qualified(numbers: pd.DataFrame) -> pd.Series:
    """Line item ids with a label printed on several rows of one table qualified by its section:
    the label of the next total row ("Andre tiltak" under "Sum Vedtatte endringer" and again
    under "Sum Kostnadsreduserende tiltak" are two lines), else by its occurrence."""
    declared = {str(item["id"]) for item in serving_rules()["line_items"]}
    generic = numbers["statutory_line"].isna() & ~numbers["line_item_id"].isin(declared)
    rows = numbers[generic].drop_duplicates(["table_id", "row_index"])
    rows = rows.sort_values(["table_id", "row_index"])
    sum_prefix = pattern(serving_rules()["org_units"]["sum_prefix"])
    qualified: dict[tuple[str, int], str] = {}
    for _, table in rows.groupby("table_id"):
        repeated = table[table["line_item_id"].duplicated(keep=False)]
        if repeated.empty:
            continue
        closing = table["row_label"].where(table["is_total"]).shift(-1).bfill()
        for table_id, row, line, section in zip(
            repeated["table_id"], repeated["row_index"], repeated["line_item_id"],
            closing[repeated.index], strict=True,
        ):  # fmt: skip
            named = sum_prefix.sub("", str(section)) if pd.notna(section) else str(row)
            qualified[(str(table_id), int(row))] = f"{line}.{slug(named)}"
    keys = zip(numbers["table_id"], numbers["row_index"], strict=True)
    return pd.Series(
        [qualified.get((str(t), int(r))) for t, r in keys], index=numbers.index, dtype="object"
    ).fillna(numbers["line_item_id"])


def _price_basis(numbers: pd.DataFrame) -> pd.Series:
    """A row or column naming fixed prices ("(2025-kr)") overrides its table's basis."""
    own = pd.Series(
        [
            price_basis_of([str(r), str(c)])
            for r, c in zip(numbers["row_label"], numbers["column_label"], strict=True)
        ],
        index=numbers.index,
    )
    return own.where(own != NOMINAL, numbers["price_basis"])


def _unless_ambiguous(numbers: pd.DataFrame) -> pd.DataFrame:
    """...unless another column of its table then has the same scenario and year (a table of
    several years whose header was not read): those columns' numbers get no period."""
    key = ["table_id", "scenario", "scenario_detail", "fiscal_year"]
    columns = numbers.groupby(key, dropna=False)["column_index"].transform("nunique")
    ambiguous = numbers["year_assumed"] & (columns > 1)
    unplaced = (NO_PERIOD, None, None, None)
    numbers.loc[ambiguous, ["period_type", "fiscal_year", "period_start", "period_end"]] = unplaced
    return numbers.drop(columns=["year_assumed"])


def facts_of(
    cells: pd.DataFrame, tables: pd.DataFrame, table_types: pd.DataFrame, documents: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series]:
    """One row per published number whose period is known, and per table how many numbers have
    no period (a column without a printed year in a budget document)."""
    numbers = cells[cells["value"].notna()].merge(
        table_types[["table_id", "table_type", "area"]], on="table_id"
    )
    numbers = numbers.merge(tables[["table_id", "price_basis"]], on="table_id")
    numbers = numbers.merge(_lines(numbers), on=["table_type", "row_label"])
    numbers["line_item_id"] = _section_qualified(numbers)
    periods = _columns(numbers, documents)
    numbers = numbers.merge(periods, on=["document_id", "column_label", "measure", "year"])
    numbers["price_basis"] = _price_basis(numbers)
    named = numbers["row_org_unit"] != NO_ORG_UNIT
    area = numbers["area"].fillna(NO_ORG_UNIT)
    numbers["org_unit"] = numbers["row_org_unit"].where(named, area)
    numbers["org_parent"] = area.where(named, NO_ORG_UNIT)
    numbers = _unless_ambiguous(numbers)
    placed = numbers["period_type"] != NO_PERIOD
    unplaced = numbers[~placed].groupby("table_id").size()
    return numbers[placed].reset_index(drop=True), unplaced
