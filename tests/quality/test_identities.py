"""The catalog and its identities on the two sample documents' truth: recognised, silent on good
data, loud on every corrupted identity."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.quality.generic_sums import generic_sums
from pipeline.quality.grids import build_grids, tolerance
from pipeline.quality.identities import check_identities
from pipeline.quality.recognise import recognise, table_catalog

from truthcells import BUDGET, REPORT, _sample, cell_mask, sample_cells, sample_documents

EXPECTED = {
    f"{BUDGET}:t0001": "bevilgning_drift_5_4_1",
    f"{BUDGET}:t0002": "bevilgning_drift_5_4_2",
    f"{BUDGET}:t0003": "bevilgning_investering_5_5_1",
    f"{BUDGET}:t0004": "bevilgning_investering_5_5_2",
    f"{BUDGET}:t0005": "bevilgning_investering_5_5_2",
    f"{BUDGET}:t0006": "bevilgning_investering_5_5_2",
    f"{BUDGET}:t0007": "bevilgning_investering_5_5_2",
    f"{BUDGET}:t0104": "okonomisk_oversikt_drift_5_6",
    f"{REPORT}:t0001": "hovedoversikt_drift_arsrapport",
    f"{REPORT}:t0002": "disponering_netto_driftsresultat_arsrapport",
    f"{REPORT}:t0003": "mer_mindreforbruk_arsrapport",
    f"{REPORT}:t0005": "hovedoversikt_investering_arsrapport",
    f"{REPORT}:t0006": "balanse_hovedtall",
}


def test_every_statutory_table_is_recognised_and_nothing_else() -> None:
    cells, tables, _ = _sample()
    assert recognise(tables, cells) == EXPECTED


def test_recognised_by_line_labels_when_the_title_is_lost() -> None:
    cells, tables, _ = _sample()
    untitled = tables.assign(title=None)
    found = recognise(untitled, cells.assign(table_title=None))
    by_labels = {
        t: c
        for t, c in EXPECTED.items()
        if "min_share" in table_catalog()["tables"][c]["recognise"]
    }
    assert {t: found.get(t) for t in by_labels} == by_labels
    assert f"{BUDGET}:t0004" not in found  # § 5-5 andre ledd parts need their title


def test_statutory_identities_all_pass_on_the_truth() -> None:
    failures = check_identities(sample_cells(), sample_documents())
    assert [f for f in failures if f.severity == "error"] == []
    assert {f.table_id for f in failures}.isdisjoint(EXPECTED)


def _row_identities() -> list[tuple[str, str, str]]:
    """(table_id, identity, target line) for every row identity whose target a sample table prints
    (a § 5-5 andre ledd part table prints only its own part's total)."""
    grids = build_grids(_sample()[0])
    return [
        (table_id, identity["name"], identity["target"])
        for table_id, canonical in EXPECTED.items()
        for identity in table_catalog()["tables"][canonical].get("identities", [])
        if identity["kind"] == "rows" and identity["target"] in grids[table_id].lines
    ]


@pytest.mark.parametrize(("table_id", "name", "target"), _row_identities())
def test_each_row_identity_is_evaluated_and_bites(table_id: str, name: str, target: str) -> None:
    cells = sample_cells()
    cells = cells[cells["table_id"] == table_id].copy()
    grid = build_grids(cells)[table_id]
    row = grid.lines[target]
    column = min(c for (r, c) in grid.cells if r == row)
    hit = (cells["row_index"] == row) & (cells["column_index"] == column)
    cells.loc[hit, "value"] += 10.0
    failures = [f for f in check_identities(cells) if f.check == name]
    assert failures, f"{name} did not notice a changed {target}"
    assert failures[0].row_label == grid.labels[row]
    assert failures[0].actual - failures[0].expected == pytest.approx(10.0, abs=2.0)


def test_tolerance_is_half_a_printed_unit_per_number() -> None:
    assert tolerance([1] * 7) == pytest.approx(0.05 * 7)
    assert tolerance([0] * 3) == pytest.approx(0.5 * 3)


def test_herav_lines_are_subtracted_from_sum_bevilgninger() -> None:
    cells = sample_cells()
    table = f"{BUDGET}:t0002"
    assert not [f for f in check_identities(cells) if f.table_id == table]
    cells.loc[cell_mask(cells, table, "Bruk av disposisjonsfond", 0), "value"] = -142.0
    failures = [f for f in check_identities(cells) if f.table_id == table]
    assert [(f.check, f.row_label, f.column_index) for f in failures] == [
        ("korrigert_sum_bevilgninger_drift", "Korrigert sum bevilgninger drift, netto", 0)
    ]
    assert failures[0].expected == pytest.approx(9940.9 + 100.0, abs=0.2)
    assert any("Bruk av disposisjonsfond" in term and "-142" in term for term in failures[0].terms)


def _table(rows: list[tuple[int, str, list[str]]]) -> pd.DataFrame:
    """A small uncatalogued table: (row_index, label, cell texts)."""
    records = []
    for row_index, label, texts in rows:
        for column_index, text in enumerate(texts):
            records.append(
                {
                    "document_id": "doc",
                    "table_id": "doc:t1",
                    "canonical_table": None,
                    "row_index": row_index,
                    "row_label": label,
                    "page": 9,
                    "column_index": column_index,
                    "column_label": f"Budsjett {2025 + column_index}",
                    "measure": "budsjett",
                    "year": 2025 + column_index,
                    "unit": "mill. kr",
                    "value_text": text,
                    "value": float(text.replace(",", ".").replace(" ", "")),
                }
            )
    return pd.DataFrame(records)


def test_generic_sum_stops_at_section_gaps_and_skips_herav() -> None:
    cells = _table(
        [
            (0, "Opprinnelig budsjett", ["100,0"]),
            # row 1 is a section row ("Endringer"): no values, so no cells
            (2, "Tiltak A", ["1,2"]),
            (3, "Herav lønn", ["0,7"]),
            (4, "Tiltak B", ["2,3"]),
            (5, "Sum endringer", ["3,5"]),
        ]
    )
    assert generic_sums(build_grids(cells)["doc:t1"]) == []


def test_generic_sum_warns_with_the_numbers_involved() -> None:
    cells = _table(
        [
            (0, "Opprinnelig budsjett", ["100,0", "100,0"]),
            # row 1 is a section row: the block below it starts inside the table
            (2, "Tiltak A", ["1,2", "1,0"]),
            (3, "Tiltak B", ["2,3", "2,0"]),
            (4, "Sum tiltak", ["3,5", "3,3"]),
        ]
    )
    failures = generic_sums(build_grids(cells)["doc:t1"])
    assert len(failures) == 1
    failure = failures[0]
    assert (failure.severity, failure.row_label, failure.column_index) == (
        "warning",
        "Sum tiltak",
        1,
    )
    assert (failure.expected, failure.actual, failure.page) == (pytest.approx(3.0), 3.3, 9)
    assert [t.split("'")[1] for t in failure.terms] == ["Tiltak A", "Tiltak B"]


def test_generic_sum_accepts_grand_totals_of_subtotals() -> None:
    cells = _table(
        [
            (0, "A", ["1,0"]),
            (1, "Sum a", ["1,0"]),
            (2, "B", ["2,0"]),
            (3, "C", ["0,5"]),
            (4, "Sum b", ["2,5"]),
            (5, "SUM", ["3,5"]),
        ]
    )
    assert generic_sums(build_grids(cells)["doc:t1"]) == []
    cells.loc[cells["row_label"] == "SUM", "value"] = 4.5
    assert [f.row_label for f in generic_sums(build_grids(cells)["doc:t1"])] == ["SUM"]


def test_cross_table_korrigert_sum_column_by_column() -> None:
    cells = sample_cells()
    for label in (
        "Korrigert sum bevilgninger drift, netto",
        "Sum netto driftsutgifter",
        "Brutto driftsresultat",
    ):
        cells.loc[cell_mask(cells, f"{BUDGET}:t0001", label, 3), "value"] += 10.0
    failures = [f for f in check_identities(cells) if f.check == "korrigert_sum_bevilgninger_5_4"]
    assert [(f.table_id, f.related_table_id, f.column_label) for f in failures] == [
        (f"{BUDGET}:t0002", f"{BUDGET}:t0001", "Øk.plan 2026")
    ]


def _explained(grid, row: int, column: int, tolerance_: float) -> bool:
    """True when any run of rows directly above `row` adds up to it: an oracle independent of the
    generic rule's readings."""
    target = grid.cells[(row, column)].value
    above = [r for r in sorted(grid.labels) if r < row]
    for start in range(len(above)):
        run = [grid.cells[(r, column)].value for r in above[start:] if (r, column) in grid.cells]
        if run and abs(sum(run) - target) <= tolerance_:
            return True
    return False


def test_every_generic_sum_warning_on_the_truth_is_a_real_discrepancy() -> None:
    grids = build_grids(sample_cells())
    warnings = [f for f in check_identities(sample_cells()) if f.check == "generic_sum"]
    for failure in warnings:
        grid = grids[failure.table_id]
        assert not _explained(grid, failure.row_index, failure.column_index, 1.0), failure


def test_generic_sum_rule_still_bites() -> None:
    cells = sample_cells()
    table = f"{BUDGET}:t0030"
    cells.loc[
        cell_mask(cells, table, "Reduksjon av midler til styrket bemanning SFO", 0), "value"
    ] = -3.0
    warnings = [f for f in check_identities(cells) if f.check == "generic_sum"]
    assert [(f.table_id, f.row_label, f.column_index) for f in warnings] == [
        (table, "Sum Kostnadsreduserende tiltak", 0)
    ]
