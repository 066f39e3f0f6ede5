"""Recognise the recurring statutory tables from `schemas/catalog.yaml`.

Budget software prints these tables from templates, so their titles and line labels repeat across
years and municipalities while their pages do not: a table is recognised by its title or by enough
of its line labels, never by its position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import pandas as pd

from pipeline.parse.labels import normalise_label
from pipeline.schemas import SCHEMA_DIR, load_yaml

CATALOG_PATH = SCHEMA_DIR / "catalog.yaml"


def table_catalog() -> dict[str, Any]:
    """The parsed catalog (cached by `load_yaml`)."""
    catalog: dict[str, Any] = load_yaml(CATALOG_PATH)
    return catalog


def normalise(text: str | None) -> str:
    """Label form that survives the PDF's typography (see pipeline/parse/labels.py)."""
    return normalise_label(text if isinstance(text, str) else "")


@cache
def _compiled(pattern: str, whole: bool) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern})" + (r"\Z" if whole else ""), re.IGNORECASE)


def label_matches(pattern: str, label: str) -> bool:
    """Row labels must match a line pattern as a whole."""
    return _compiled(pattern, True).match(normalise(label)) is not None


def text_contains(pattern: str, text: str | None) -> bool:
    """Titles and column labels only need to contain the pattern."""
    return _compiled(pattern, False).search(normalise(text)) is not None


def table_lines(canonical: str) -> tuple[list[str], list[str]]:
    """(required, optional) line ids of a catalog table."""
    spec = table_catalog()["tables"][canonical]
    return list(spec.get("lines", [])), list(spec.get("optional_lines", []))


def match_lines(labels: Mapping[int, str], line_ids: Iterable[str]) -> dict[str, int]:
    """Line id -> row_index of the first row printed with that line's label."""
    patterns = table_catalog()["lines"]
    found: dict[str, int] = {}
    for line_id in line_ids:
        pattern = patterns[line_id]["pattern"]
        rows = [r for r, label in sorted(labels.items()) if label_matches(pattern, label)]
        if rows:
            found[line_id] = rows[0]
    return found


def _score(
    spec: dict[str, Any], title: str | None, labels: Mapping[int, str], column_labels: list[str]
) -> tuple[float, bool, int] | None:
    """(share of key lines found, title matched, column patterns required) when the table
    qualifies as `spec`, else None; larger is a better match."""
    rules = spec["recognise"]
    columns = rules.get("column_labels", [])
    if not all(any(text_contains(p, c) for c in column_labels) for p in columns):
        return None
    keys = rules.get("key_lines", [])
    share = len(match_lines(labels, keys)) / len(keys) if keys else 0.0
    titled = any(text_contains(p, title) for p in rules.get("titles", []))
    if titled and share >= rules.get("min_share_with_title", 0.0):
        return share, True, len(columns)
    if "min_share" in rules and share >= rules["min_share"]:
        return share, False, len(columns)
    return None


def recognise(tables: pd.DataFrame, cells: pd.DataFrame) -> dict[str, str]:
    """Map table_id -> canonical table id for every table the catalog recognises.

    Each table goes to the qualifying catalog entry with the largest share of key lines found,
    then a matching title, then the more specific column requirements, then catalog order.
    """
    titles = dict(zip(tables["table_id"], tables["title"], strict=True)) if len(tables) else {}
    rows = cells.drop_duplicates(["table_id", "row_index"])
    labels_by_table = {
        tid: dict(zip(g["row_index"], g["row_label"], strict=True))
        for tid, g in rows.groupby("table_id")
    }
    columns = cells.drop_duplicates(["table_id", "column_index"])
    columns_by_table = {tid: list(g["column_label"]) for tid, g in columns.groupby("table_id")}
    if "table_title" in cells:
        for tid, title in cells.drop_duplicates("table_id")[["table_id", "table_title"]].itertuples(
            index=False
        ):
            titles.setdefault(tid, title)

    specs = table_catalog()["tables"]
    found: dict[str, str] = {}
    for table_id in sorted({str(t) for t in (*titles, *labels_by_table)}):
        best: tuple[tuple[float, bool, int], str] | None = None
        for canonical, spec in specs.items():
            score = _score(
                spec,
                titles.get(table_id),
                labels_by_table.get(table_id, {}),
                columns_by_table.get(table_id, []),
            )
            if score is not None and (best is None or score > best[0]):
                best = (score, canonical)
        if best is not None:
            found[table_id] = best[1]
    return found


def with_catalog_ids(
    cells: pd.DataFrame, tables: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells and tables with `canonical_table` set: the catalog id of each recognised table,
    None elsewhere (also in the cells' other empty fields, as the curate gate expects)."""
    canonical = recognise(tables, cells) if len(tables) else {}

    def ids(frame: pd.DataFrame) -> pd.Series:
        found = frame["table_id"].map(canonical).astype(object)
        return found.where(found.notna(), None)

    cells = cells.assign(canonical_table=ids(cells))
    return cells.where(cells.notna(), None), tables.assign(canonical_table=ids(tables))
