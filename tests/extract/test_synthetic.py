"""Extraction on small PDFs the tests build themselves: one case per layout feature.

The factory (tests/synthetic.py) writes each PDF with its truth, so these tests hold for any
producer quirk they encode, not just for the two sample documents.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.extract.stage import extract_document
from pipeline.parse.stage import parse_tables
from pipeline.tools.evaluate import score_document

from synthetic import CASES, build_pdf


def _extract(name: str, directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    pdf, truth = build_pdf(CASES[name], directory)
    cells, tables = parse_tables(*extract_document(pdf, pdf.stem))
    return cells, tables, truth


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_truth_cell_found_with_its_column_label(name: str, tmp_path: Path) -> None:
    cells, _, truth = _extract(name, tmp_path)
    figures = score_document(truth, cells).figures
    assert figures.truth_cells > 0
    assert (figures.recall, figures.precision, figures.column_label_accuracy) == (1.0, 1.0, 1.0)
    assert figures.tables_found == figures.tables


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_cell_outside_the_tables(name: str, tmp_path: Path) -> None:
    """Prose numbers, page numbers and running headers never become cells; labels are exact."""
    cells, _, truth = _extract(name, tmp_path)
    truth_rows = {(r["page"], r["label"]) for t in truth["tables"] for r in t["rows"]}
    numeric = cells[cells["value"].notna()]
    assert set(zip(numeric["page"], numeric["row_label"], strict=True)) <= truth_rows


def test_table_across_page_breaks_is_one_table(tmp_path: Path) -> None:
    cells, tables, _ = _extract("page_break", tmp_path)
    long_table = tables[tables["title"] == "Driftsbudsjett per enhet"]
    assert len(long_table) == 1
    assert len(long_table.iloc[0]["pages"]) >= 2
    pages = cells[cells["table_id"] == long_table.iloc[0]["table_id"]]["page"]
    assert pages.nunique() >= 2


def test_text_cells_keep_their_text_and_no_value(tmp_path: Path) -> None:
    cells, _, _ = _extract("text_columns", tmp_path)
    text = cells[cells["value_text"].isin(["Medium", "Innenfor rammen", "Forsinket"])]
    assert set(text["value_text"]) == {"Medium", "Innenfor rammen", "Forsinket"}
    assert text["value"].isna().all()
    assert set(text["column_label"]) == {"Risiko", "Status"}


def test_units_and_kroner(tmp_path: Path) -> None:
    cells, tables, _ = _extract("units", tmp_path)
    assert set(tables["unit"]) == {"prosent", "1 000 kroner", "mill. kr"}
    money = cells[cells["unit"].isin(["1 000 kroner", "mill. kr"]) & cells["value"].notna()]
    factor = money["unit"].map({"1 000 kroner": 1e3, "mill. kr": 1e6})
    assert (money["value_nok"] - money["value"] * factor).abs().max() < 1e-3
    assert cells[cells["unit"] == "prosent"]["value_nok"].isna().all()


def test_grid_tables_are_found_by_their_rules(tmp_path: Path) -> None:
    _, tables, _ = _extract("grid", tmp_path)
    assert set(tables["method"]) == {"lattice"}


def test_one_row_continued_on_the_next_page_joins_its_table(tmp_path: Path) -> None:
    cells, tables, _ = _extract("page_break", tmp_path)
    (table,) = tables[tables["title"] == "Tilskudd per enhet"].itertuples()
    assert len(table.pages) == 2
    rows = cells[cells["table_id"] == table.table_id].groupby("page")["row_label"].nunique()
    assert rows.tolist() == [4, 1]
