"""Tests of the scorer on small hand-made truths and outputs: the README's rules, case by case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.tools.evaluate import (
    REQUIRED_COLUMNS,
    evaluate,
    format_report,
    load_cells,
    normalise_label,
    score_document,
)

from project import DATA_DIR
from synthetic import CASES, render

DOC = "budsjett-2026"
COLUMNS = ["Regnskap 2024", "Oppr. budsjett 2025", "Økonomiplan 2026"]


def _table(
    table_id: str, rows: list[tuple[int, str, list[float | None]]], verified: bool = True
) -> dict[str, Any]:
    """A truth table; cell texts are irrelevant to scoring, so they are just the values' repr."""
    return {
        "id": f"{DOC}:{table_id}",
        "title": table_id,
        "unit": "mill. kr",
        "columns": COLUMNS,
        "verified": verified,
        "verified_by": "seed-check" if verified else None,
        "rows": [
            {
                "page": page,
                "label": label,
                "cells": ["" if v is None else str(v) for v in values],
                "values": values,
            }
            for page, label, values in rows
        ],
    }


def _truth(*tables: dict[str, Any]) -> dict[str, Any]:
    return {"document": DOC, "pdf_pages": 9, "tables": list(tables), "untracked_pages": []}


def _cells_of(truth: dict[str, Any]) -> pd.DataFrame:
    """What a perfect extractor would output for a truth: one row per numeric cell."""
    return pd.DataFrame(
        [
            {
                "document_id": truth["document"],
                "page": row["page"],
                "table_id": f"out:{table['id']}",
                "row_label": row["label"],
                "column_index": index,
                "column_label": table["columns"][index],
                "value": value,
                "value_text": text,
            }
            for table in truth["tables"]
            for row in table["rows"]
            for index, (value, text) in enumerate(zip(row["values"], row["cells"], strict=True))
            if value is not None
        ],
        columns=list(REQUIRED_COLUMNS),
    )


BUDGET = _table(
    "t1",
    [
        (3, "Rammetilskudd", [-2134.8, -2423.7, -2590.7]),
        (3, "Inntekts- og formuesskatt", [-8281.4, -8474.0, None]),
        (3, "Netto driftsresultat", [-237.0, 12.5, 0.0]),
    ],
)


def test_perfect_output_scores_full_marks() -> None:
    truth = _truth(BUDGET)
    score = score_document(truth, _cells_of(truth))
    figures = score.figures
    assert (figures.truth_cells, figures.found_cells) == (8, 8)
    assert figures.recall == figures.precision == figures.column_label_accuracy == 1.0
    assert (figures.tables, figures.tables_found) == (1, 1)
    assert score.missed == score.wrong == score.mislabelled == ()


def test_shifted_column_costs_recall_and_precision() -> None:
    truth = _truth(BUDGET)
    cells = _cells_of(truth)
    shifted = cells["row_label"] == "Rammetilskudd"
    cells.loc[shifted, "column_index"] += 1
    score = score_document(truth, cells)
    assert score.figures.found_cells == 5
    assert score.figures.recall == pytest.approx(5 / 8)
    assert score.figures.precision == pytest.approx(5 / 8)
    assert [(m.column_index, m.expected) for m in score.missed] == [
        (0, -2134.8),
        (1, -2423.7),
        (2, -2590.7),
    ]
    # what the output had on the missed cells' row, for the listing
    assert score.missed[0].output_row == ((1, "-2134.8"), (2, "-2423.7"), (3, "-2590.7"))
    wrong = {(w.column_index, w.value): w.expected for w in score.wrong}
    assert wrong == {(1, -2134.8): (-2423.7,), (2, -2423.7): (-2590.7,), (3, -2590.7): ()}
    assert score.figures.tables_found == 0


def test_value_tolerance_is_one_millionth() -> None:
    truth = _truth(BUDGET)
    cells = _cells_of(truth)
    cells.loc[0, "value"] += 5e-7
    cells.loc[1, "value"] += 5e-6
    figures = score_document(truth, cells).figures
    assert figures.found_cells == 7


def test_output_off_truth_rows_is_neither_rewarded_nor_penalised() -> None:
    truth = _truth(BUDGET)
    extra = pd.DataFrame(
        [
            # a prose number, a row the truth leaves out, a truth label on another page
            (DOC, 3, "x", "I 2025 ble driftsutgiftene", 0, "", 12.5, "12,5"),
            (DOC, 4, "x", "Eiendomsskatt", 0, "", 1.0, "1,0"),
            (DOC, 4, "x", "Rammetilskudd", 0, "", -2134.8, "-2 134,8"),
        ],
        columns=list(REQUIRED_COLUMNS),
    )
    figures = score_document(truth, pd.concat([_cells_of(truth), extra])).figures
    assert figures.precision == 1.0
    assert figures.output_cells_on_truth_rows == 8


def test_extra_cell_on_a_truth_row_costs_precision_only() -> None:
    truth = _truth(BUDGET)
    cells = _cells_of(truth)
    blank = (DOC, 3, "x", "Inntekts- og formuesskatt", 2, "Økonomiplan 2026", 5.0, "5,0")
    cells.loc[len(cells)] = blank  # the truth has a blank there
    score = score_document(truth, cells)
    assert score.figures.recall == 1.0
    assert score.figures.precision == pytest.approx(8 / 9)
    assert [(w.label, w.column_index, w.expected) for w in score.wrong] == [
        ("Inntekts- og formuesskatt", 2, ())
    ]


def test_text_cells_in_the_output_are_not_counted() -> None:
    truth = _truth(BUDGET)
    cells = _cells_of(truth)
    cells.loc[len(cells)] = (DOC, 3, "x", "Rammetilskudd", 3, "Status", None, "Innenfor rammen")
    figures = score_document(truth, cells).figures
    assert figures.precision == 1.0


def test_other_documents_are_ignored() -> None:
    truth = _truth(BUDGET)
    other = _cells_of(truth).assign(document_id="arsrapport-2020")
    figures = score_document(truth, other).figures
    assert figures.found_cells == 0
    assert figures.recall == 0.0
    assert figures.precision is None  # nothing to measure, rather than a made-up 0 or 1
    assert figures.column_label_accuracy is None


def test_labels_match_after_normalisation() -> None:
    truth = _truth(BUDGET)
    cells = _cells_of(truth)
    cells["row_label"] = cells["row_label"].map(
        {
            "Rammetilskudd": "RAMMETILSKUDD¹",
            "Inntekts- og formuesskatt": "Inntekts\u2013 og\u00a0 formuesskatt:",
            "Netto driftsresultat": "Netto driftsresultat3",
        }
    )
    assert score_document(truth, cells).figures.recall == 1.0


def test_column_label_accuracy_compares_normalised_headers() -> None:
    truth = _truth(BUDGET)
    cells = _cells_of(truth)
    cells["column_label"] = cells["column_label"].map(
        {
            "Regnskap 2024": "regnskap  2024",  # same after normalisation
            "Oppr. budsjett 2025": "Oppr. budsjett",  # year lost
            "Økonomiplan 2026": "2026",  # spanning header lost
        }
    )
    score = score_document(truth, cells)
    assert score.figures.recall == 1.0
    assert score.figures.column_labels_correct == 3
    assert score.figures.column_label_accuracy == pytest.approx(3 / 8)
    assert [(m.column_index, m.expected, m.got, m.cells) for m in score.mislabelled] == [
        (1, "Oppr. budsjett 2025", "Oppr. budsjett", 3),
        (2, "Økonomiplan 2026", "2026", 2),
    ]


def test_duplicate_rows_are_matched_as_a_multiset() -> None:
    repeated = "Andre tiltak / tekniske endringer"
    truth = _truth(
        _table("t1", [(5, repeated, [1.0, 2.0, 3.0])]),
        _table("t2", [(5, repeated, [-4.0, 2.0, None])]),
    )
    cells = _cells_of(truth)
    assert score_document(truth, cells).figures.recall == 1.0

    second_only = cells[cells["table_id"] == f"out:{DOC}:t2"]
    score = score_document(truth, second_only)
    assert score.figures.found_cells == 2
    assert score.figures.precision == 1.0
    # the shared value 2.0 is credited once; the missed cells are those not printed at all
    assert sorted(m.expected for m in score.missed) == [1.0, 2.0, 3.0]

    doubled = pd.concat([cells, cells])
    score = score_document(truth, doubled)
    assert score.figures.recall == 1.0
    assert score.figures.precision == pytest.approx(0.5)
    assert len(score.wrong) == 5


@pytest.mark.parametrize("size", [10, 70])
def test_a_table_is_found_from_ninety_percent_of_its_cells(size: int) -> None:
    rows = [(2, f"Enhet {i}", [float(i), float(-i), None]) for i in range(size // 2)]
    truth = _truth(_table("t1", rows))
    cells = _cells_of(truth)
    allowed = size // 10
    assert score_document(truth, cells.iloc[allowed:]).figures.tables_found == 1
    assert score_document(truth, cells.iloc[allowed + 1 :]).figures.tables_found == 0


def test_verified_figures_cover_verified_tables_only() -> None:
    unverified = _table("t2", [(4, "Sykefravær", [6.1, 5.9, 5.5])], verified=False)
    truth = _truth(BUDGET, unverified)
    cells = _cells_of(_truth(BUDGET))
    score = score_document(truth, cells)
    assert score.figures.recall == pytest.approx(8 / 11)
    assert (score.figures.tables, score.figures.tables_found) == (2, 1)
    assert score.verified.recall == 1.0
    assert score.verified.tables == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Driftsrammer1", "driftsrammer"),
        ("Diverse felles til fordeling12", "diverse felles til fordeling"),
        ("avvik²", "avvik"),
        ("Avvik ²", "avvik"),
        ("Covid-19¹", "covid-19"),
        ("Covid-19", "covid-19"),
        ("Merutgifter Covid\u201119", "merutgifter covid-19"),
        ("Skole 2", "skole 2"),
        ("Sum del 1-4", "sum del 1-4"),
        ("Valgår 2029", "valgår 2029"),
        ("Tiltak 2025", "tiltak 2025"),
        ("(dekningsgrad)2", "(dekningsgrad)"),
        ("Herav:", "herav"),
        ("Politisk utvalg til disp.", "politisk utvalg til disp"),
        ("Piper*", "piper"),
        ("boliger**", "boliger"),
        ("  Netto\u00a0\u202f driftsresultat\n", "netto driftsresultat"),
        ("Bundne fondsmidler \u2212 netto avsetning", "bundne fondsmidler - netto avsetning"),
        ("Økonomiplan 2026\u20132029", "økonomiplan 2026-2029"),
        ("1.\u201410. trinn", "1.-10. trinn"),
        ("Øk.plan 2026", "øk.plan 2026"),
        ("ＳＵＭ", "sum"),
        ("Straße", "strasse"),
    ],
)
def test_normalise_label(text: str, expected: str) -> None:
    assert normalise_label(text) == expected


@given(st.text())
def test_normalise_label_is_idempotent(text: str) -> None:
    once = normalise_label(text)
    assert normalise_label(once) == once


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.truth.json")), ids=lambda p: p.stem)
def test_truth_labels_normalise_stably_and_stay_distinct(path: Path) -> None:
    """Normalising must not merge two different truth labels printed on the same page.

    Labels that differ only in case ("Sum" and "SUM") are one label to the scoring rules, which
    fold case."""
    truth = json.loads(path.read_text(encoding="utf-8"))
    by_row: dict[tuple[int, str], set[str]] = {}
    for table in truth["tables"]:
        for row in table["rows"]:
            label = normalise_label(row["label"])
            assert normalise_label(label) == label
            by_row.setdefault((row["page"], label), set()).add(row["label"])
    assert all(len({label.casefold() for label in labels}) == 1 for labels in by_row.values())


def test_load_cells_reads_hive_partitions_as_strings(tmp_path: Path) -> None:
    """A document named like a year must not come back as an integer partition."""
    frame = pd.concat(
        [_cells_of(_truth(BUDGET)), _cells_of(_truth(BUDGET)).assign(document_id="2020")]
    )
    pq.write_to_dataset(
        pa.Table.from_pandas(frame), tmp_path / "cells", partition_cols=["document_id"]
    )
    loaded = load_cells(tmp_path / "cells")
    assert sorted(loaded["document_id"].unique()) == ["2020", DOC]
    assert pd.api.types.is_string_dtype(loaded["document_id"])
    assert len(loaded) == len(frame)


def test_load_cells_of_an_empty_dataset_has_the_contract_columns(tmp_path: Path) -> None:
    (tmp_path / "cells").mkdir()
    loaded = load_cells(tmp_path / "cells")
    assert loaded.empty
    assert set(REQUIRED_COLUMNS) <= set(loaded.columns)
    assert score_document(_truth(BUDGET), loaded).figures.recall == 0.0


def test_load_cells_without_a_dataset_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no cells dataset"):
        load_cells(tmp_path / "missing")


def test_missing_columns_are_reported() -> None:
    with pytest.raises(ValueError, match="row_label"):
        score_document(_truth(BUDGET), _cells_of(_truth(BUDGET)).drop(columns="row_label"))


def test_evaluate_report_totals_json_and_text(tmp_path: Path) -> None:
    truth = _truth(BUDGET)
    path = tmp_path / f"{DOC}.truth.json"
    path.write_text(json.dumps(truth), encoding="utf-8")
    cells = _cells_of(truth).iloc[2:]
    report = evaluate([path, path], cells)
    assert report.total.truth_cells == 16
    assert report.total.found_cells == 12
    assert report.verified.recall == pytest.approx(12 / 16)

    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["total"]["recall"] == pytest.approx(0.75)
    assert as_json["documents"][0]["missed"][0]["expected"] == -2134.8

    text = format_report(report, max_missed=1)
    assert DOC in text and "TOTAL" in text
    assert "missed cells (1 of 2)" in text
    assert "'Rammetilskudd'" in text
    assert "-2423.7" not in text  # the second missed cell is beyond max_missed
    assert "mislabelled" not in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_synthetic_truth_is_scorable(name: str) -> None:
    """The factory's truth is in the corpus format: a perfect output of it scores full marks."""
    _, truth = render(CASES[name])
    figures = score_document(truth, _cells_of(truth)).figures
    assert figures.truth_cells > 0
    assert figures.recall == figures.precision == figures.column_label_accuracy == 1.0
