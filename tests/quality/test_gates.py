"""The gates on the sample truth: everything good passes, and each corruption fails the right
expectation, names the row, and quarantines only the table it is in."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.quality import gates
from pipeline.quality.identities import check_identities
from pipeline.runner import RunReport
from pipeline.runner.report import EXIT_OK

from truthcells import (
    BUDGET,
    REPORT,
    _sample,
    cell_mask,
    load_truth,
    sample_cells,
    sample_documents,
    truth_extract,
)

T_5_4_1, T_5_4_2, T_5_6 = f"{BUDGET}:t0001", f"{BUDGET}:t0002", f"{BUDGET}:t0104"


def sample_tables() -> pd.DataFrame:
    return _sample()[1].copy()


def curate(cells: pd.DataFrame, documents: pd.DataFrame | None = None) -> gates.GateResult:
    return gates.check_curate(
        cells, sample_tables(), sample_documents() if documents is None else documents
    )


def errors(result: gates.GateResult) -> list:
    return [f for f in result.failures if f.severity == "error"]


def test_truth_passes_every_gate() -> None:
    candidates, raw = (
        pd.concat(frames, ignore_index=True)
        for frames in zip(
            *(truth_extract(load_truth(name)) for name in (BUDGET, REPORT)), strict=True
        )
    )
    results = [
        gates.check_ingest(sample_documents()),
        gates.check_extract(candidates, raw),
        gates.check_parse(sample_cells()),
        curate(sample_cells()),
    ]
    for result in results:
        assert errors(result) == [], result.gate
        assert result.failed_tables == set() and result.failed_documents == set()
        assert result.outcomes and all(o.success for o in result.outcomes if o.severity == "error")


def test_changed_value_fails_its_sum_and_quarantines_only_that_table() -> None:
    cells = sample_cells()
    cells.loc[cell_mask(cells, T_5_4_1, "Rammetilskudd", 0), "value"] = -2143.8
    result = curate(cells)
    assert result.failed_tables == {T_5_4_1}
    failure = next(f for f in result.failures if f.check == "sum_generelle_driftsinntekter")
    assert (failure.document_id, failure.page, failure.row_label, failure.column_label) == (
        BUDGET,
        2,
        "Sum generelle driftsinntekter",
        "Regnskap 2024",
    )
    assert failure.actual == -10762.1 and failure.expected == pytest.approx(-10771.1)
    assert any("'Rammetilskudd'" in term and "-2143.8" in term for term in failure.terms)


def test_dropped_row_is_named_and_quarantines_only_that_table() -> None:
    cells = sample_cells()
    cells = cells[~cell_mask(cells, T_5_4_1, "Renteinntekter")]
    result = curate(cells)
    assert result.failed_tables == {T_5_4_1}
    missing = [f for f in result.failures if f.check == "catalog_line_missing"]
    assert [(f.table_id, f.row_label) for f in missing] == [(T_5_4_1, "renteinntekter")]
    sums = [
        f for f in result.failures if f.check == "netto_finansutgifter" and f.table_id == T_5_4_1
    ]
    assert [f.expected - f.actual for f in sums] == pytest.approx(
        [138.8, 179.3, 118.9, 120.7, 124.1, 130.5, 136.8], abs=0.3
    )


def test_dropped_area_row_breaks_sum_bevilgninger() -> None:
    cells = sample_cells()
    cells = cells[~cell_mask(cells, T_5_4_2, "Barnevern")]
    result = curate(cells)
    assert result.failed_tables == {T_5_4_2}
    failure = next(
        f for f in result.failures if f.check == "sum_bevilgninger_drift" and f.column_index == 0
    )
    assert failure.row_label == "Sum bevilgninger drift, netto"
    assert failure.actual - failure.expected == pytest.approx(247.5, abs=1.6)


def test_area_line_changed_within_its_sums_rounding_is_caught_by_its_copy() -> None:
    """0.1 off in one of 31 area lines stays within the sum's rounding tolerance (1.6); the area's
    frame printed again in its sector's chapter is the same number, so it must be equal."""
    cells = sample_cells()
    barnevern = cell_mask(cells, T_5_4_2, "Barnevern", 3)
    cells.loc[barnevern, "value"] = cells.loc[barnevern, "value"] + 0.1
    result = curate(cells)
    assert not any(f.check == "sum_bevilgninger_drift" for f in result.failures)
    copies = [f for f in result.failures if f.check == "area_appropriation_printed_again"]
    assert [(f.table_id, f.row_label, f.column_label) for f in copies] == [
        (T_5_4_2, "Barnevern", "Øk.plan 2026")
    ]
    copy = copies[0].related_table_id
    assert copy is not None and copy not in {T_5_4_1, T_5_6}
    assert copies[0].actual == pytest.approx(243.5) and copies[0].expected == 243.4
    assert result.failed_tables == {T_5_4_2, copy}  # two copies: the evidence can't pick one


def test_changed_frame_of_a_herav_row_breaks_its_printed_percentage() -> None:
    """A "Herav" row is in no sum; its percentage (unbound part / frame) is its evidence: 1.2 of
    7.1 is 16.9 % at least 16.1 % within the rounding, and the table prints 16.0 %."""
    cells = sample_cells()
    table = f"{REPORT}:t0003"
    cells.loc[cell_mask(cells, table, "Herav revisjon", 0), "value"] = 7.1
    result = curate(cells)
    assert result.failed_tables == {table}
    ratios = [f for f in result.failures if f.check == "prosentvis_avvik"]
    assert [(f.row_label, f.column_label, f.actual) for f in ratios] == [
        ("Herav revisjon", "Prosentvis avvik", 16.0)
    ]
    assert ratios[0].expected == pytest.approx(100 * 1.2 / 7.1)


def _header_read_as_body_row(cells: pd.DataFrame, table: str, paragraph: str) -> pd.DataFrame:
    """The table as the extractor reads it when a header year no longer parses as a year (2019
    printed as 2819): the header becomes the first body row and the columns take the paragraph
    above as their labels, a year read from its text ("i 2020") for the first and none else."""
    in_table = cells["table_id"] == table
    body = cells[in_table].assign(row_index=cells.loc[in_table, "row_index"] + 1)
    header = body[body["row_index"] == 1].assign(
        row_index=0, row_label="Mill. kr.", value_text=["2819", "2020", "Endring"]
    )
    header["value"] = pd.to_numeric(header["value_text"], errors="coerce")
    misread = pd.concat([header, body]).astype({"row_index": cells["row_index"].dtype})
    misread["column_label"] = paragraph
    first = misread["column_index"] == 0
    misread["measure"] = misread["measure"].mask(misread["measure"].notna())
    misread["year"] = misread["year"].mask(~first)
    misread.loc[first, "year"] = 2020
    return pd.concat([cells[~in_table], misread], ignore_index=True)


def test_header_read_as_a_body_row_quarantines_the_table_whose_columns_are_gone() -> None:
    """The balance sheet's change column is computed from its two year columns; with the header
    read as a body row there is no change column and one "year", so its identity has nothing to
    compare: that is a failure naming the table, not a pass."""
    table = f"{REPORT}:t0006"
    paragraph = (
        "Gjeld til ikke-rentable investeringer svarte til 49 prosent av driftsinntektene i 2020."
    )
    result = curate(_header_read_as_body_row(sample_cells(), table, paragraph))
    missing = [f for f in errors(result) if f.check == "catalog_column_missing"]
    assert [(f.table_id, f.row_index) for f in missing] == [(table, None)]
    assert "balanse_hovedtall identity endring_siste_ar" in missing[0].message
    assert "{'measure': 'endring'}" in missing[0].message and paragraph in missing[0].message
    assert result.failed_tables == {table}


def test_an_optional_target_column_may_be_absent_but_never_its_terms() -> None:
    """The plan-period sum of § 5-5 andre ledd is `optional` (the annual accounts print the table
    without it): no sum column is no failure; a sum column without plan-year columns is."""
    table = f"{BUDGET}:t0004"
    cells = sample_cells()
    sum_column = (cells["table_id"] == table) & cells["column_label"].str.startswith("Øk.plan Sum")
    assert errors(curate(cells[~sum_column])) == []
    plan_years = (cells["table_id"] == table) & (cells["measure"] == "okonomiplan") & ~sum_column
    result = curate(cells.assign(measure=cells["measure"].where(~plan_years, None)))
    missing = [f for f in errors(result) if f.check == "catalog_column_missing"]
    assert [f.table_id for f in missing] == [table]
    assert "for column 'Øk.plan Sum 2026-2029'" in missing[0].message
    assert table in result.failed_tables


def test_prose_taken_into_a_statutory_table_holds_back_that_row_only() -> None:
    """A line of the prose beside a table, read as one of its rows, prints words where the
    table prints amounts."""
    cells = sample_cells()
    row = cells[cells["table_id"] == T_5_4_1].iloc[[0]]
    prose = row.assign(
        row_index=int(cells["row_index"].max()) + 1,
        row_label="Av de samlede lånene er 44 prosent bundet til fast rente. Ved",
        value=float("nan"),
        value_nok=float("nan"),
        value_text="utfordringsbildet ble",
    )
    taken_in = pd.concat([cells, prose], ignore_index=True).astype(cells.dtypes.to_dict())
    result = curate(taken_in)
    assert result.failed_rows == {(T_5_4_1, int(prose["row_index"].iloc[0]))}
    assert result.failed_tables == set()
    assert any(f.check.endswith("statutory_cell_is_amount") for f in errors(result))


def test_warnings_never_change_the_exit_status() -> None:
    """A broken "Sum ..." in a table outside the catalog is reported, holds nothing back, and a
    run whose gates found only that exits 0."""
    cells = sample_cells()
    table = f"{BUDGET}:t0030"
    sfo = cell_mask(cells, table, "Reduksjon av midler til styrket bemanning SFO", 0)
    cells.loc[sfo, "value_nok"] = cells.loc[sfo, "value_nok"] / cells.loc[sfo, "value"] * -3.0
    cells.loc[sfo, "value"] = -3.0
    result = curate(cells)
    assert [(f.check, f.severity, f.table_id) for f in result.failures] == [
        ("generic_sum", "warning", table)
    ]
    assert result.passed and result.failed_tables == set() and result.failed_rows == set()
    assert RunReport(gates=[result.to_dict()]).exit_status == EXIT_OK


def _swap(cells: pd.DataFrame, table: str, a: int, b: int) -> pd.DataFrame:
    """Swap the numbers of two columns of one table, leaving the headers where they were."""
    cells = cells.copy()
    in_table = cells["table_id"] == table
    for field in ("value", "value_nok"):
        left = cells[in_table & (cells["column_index"] == a)].set_index("row_index")[field]
        right = cells[in_table & (cells["column_index"] == b)].set_index("row_index")[field]
        for column, values in ((a, right), (b, left)):
            mask = in_table & (cells["column_index"] == column)
            cells.loc[mask, field] = cells.loc[mask, "row_index"].map(values).to_numpy()
    return cells


def test_swapped_columns_fail_cross_table_totals_and_blame_the_swapped_table() -> None:
    result = curate(_swap(sample_cells(), T_5_4_1, 0, 2))
    assert result.failed_tables == {T_5_4_1}
    korrigert = [f for f in result.failures if f.check == "korrigert_sum_bevilgninger_5_4"]
    assert {(f.table_id, f.related_table_id, f.row_label, f.column_label) for f in korrigert} == {
        (T_5_4_2, T_5_4_1, "Korrigert sum bevilgninger drift, netto", "Regnskap 2024"),
        (T_5_4_2, T_5_4_1, "Korrigert sum bevilgninger drift, netto", "Rev. budsjett 2025"),
    }


def test_swapped_budget_and_deviation_fail_differanse() -> None:
    """Swapping Budsjett and Regnskap reads as the other avvik convention, which a table may
    follow (and Regnskap with Differanse keeps d = b - r true); Budsjett with Differanse breaks
    both conventions."""
    result = curate(_swap(sample_cells(), f"{REPORT}:t0001", 0, 2))
    assert result.failed_tables == {f"{REPORT}:t0001"}
    failures = [f for f in result.failures if f.check == "avvik_budsjett_regnskap"]
    assert (failures[0].row_label, failures[0].column_label) == (
        "Rammetilskudd",
        "Differanse 2020",
    )


def test_flipped_minus_sign_is_named_and_quarantines_only_that_table() -> None:
    cells = sample_cells()
    cells.loc[cell_mask(cells, T_5_6, "Bruk av disposisjonsfond", 0), "value"] = 676.9
    result = curate(cells)
    assert result.failed_tables == {T_5_6}
    signs = [f for f in result.failures if f.check == "sign:bruk_disposisjonsfond"]
    assert [(f.table_id, f.row_label, f.column_label, f.actual) for f in signs] == [
        (T_5_6, "Bruk av disposisjonsfond", "Regnskap 2024", 676.9)
    ]
    assert any(f.check == "sum_disponeringer" and f.table_id == T_5_6 for f in result.failures)


def _annual_report_2024(cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic annual report 2024: the 2020 report's overview relabelled as 2024."""
    report = cells[cells["table_id"] == f"{REPORT}:t0001"].copy()
    report["document_id"] = "arsrapport-2024"
    report["table_id"] = "arsrapport-2024:t0001"
    report["column_label"] = report["column_label"].str.replace("2020", "2024")
    report["year"] = report["year"].where(report["year"].isna(), 2024).astype("Int32")
    documents = pd.concat(
        [
            sample_documents(),
            sample_documents()
            .iloc[[1]]
            .assign(document_id="arsrapport-2024", sha256="f" * 64, years=[[2024]]),
        ],
        ignore_index=True,
    )
    return pd.concat([cells, report], ignore_index=True), documents


def test_cross_document_mismatch_names_both_documents_and_pages() -> None:
    cells, documents = _annual_report_2024(sample_cells())
    tables = sample_tables()
    copy = tables[tables["table_id"] == f"{REPORT}:t0001"].assign(
        table_id="arsrapport-2024:t0001", document_id="arsrapport-2024"
    )
    result = gates.check_curate(cells, pd.concat([tables, copy], ignore_index=True), documents)
    failure = next(
        f for f in result.failures if f.check == "regnskap_drift_vs_hovedoversikt:rammetilskudd"
    )
    assert (failure.document_id, failure.page, failure.table_id) == (BUDGET, 2, T_5_4_1)
    assert (failure.related_document_id, failure.related_page) == ("arsrapport-2024", 5)
    assert (failure.actual, failure.expected) == (-2134.8, -1994.0)
    assert result.failed_tables == {T_5_4_1, "arsrapport-2024:t0001"}


def test_cross_document_agreement_passes_and_one_changed_line_is_caught() -> None:
    cells = sample_cells()
    report = cells[cells["table_id"] == T_5_4_1].copy()
    report["document_id"], report["table_id"], report["page"] = (
        "arsrapport-2024",
        "arsrapport-2024:t0007",
        12,
    )
    documents = pd.concat(
        [
            sample_documents(),
            sample_documents().iloc[[1]].assign(document_id="arsrapport-2024", sha256="f" * 64),
        ],
        ignore_index=True,
    )
    both = pd.concat([cells, report], ignore_index=True)
    assert not [f for f in check_identities(both, documents) if f.check.startswith("regnskap_")]
    changed = both["table_id"].eq("arsrapport-2024:t0007") & both["row_label"].eq("Renteutgifter")
    both.loc[changed & both["column_index"].eq(0), "value"] = 569.0
    cross = [f for f in check_identities(both, documents) if f.check.startswith("regnskap_")]
    assert [
        (f.check, f.document_id, f.page, f.related_document_id, f.related_page) for f in cross
    ] == [("regnskap_drift_5_4_1:renteutgifter", BUDGET, 2, "arsrapport-2024", 12)]


def test_parse_gate_catches_unparsed_number_and_bad_year_per_table() -> None:
    cells = sample_cells()
    cells.loc[cell_mask(cells, T_5_4_1, "Rammetilskudd", 0), "value"] = None
    cells.loc[cells["table_id"] == f"{REPORT}:t0007", "year"] = cells["year"].where(
        cells["column_index"] != 0, 1890
    )
    result = gates.check_parse(cells)
    assert result.failed_tables == {T_5_4_1, f"{REPORT}:t0007"}
    unparsed = [f for f in result.failures if "not_match_regex" in f.check]
    assert [(f.table_id, f.row_label, f.page) for f in unparsed] == [(T_5_4_1, "Rammetilskudd", 2)]
    years = [
        f
        for f in result.failures
        if f.check.endswith("expect_column_values_to_be_between") and "1890" in f.message
    ]
    assert {f.table_id for f in years} == {f"{REPORT}:t0007"}


def test_parse_gate_catches_duplicate_cells_and_unknown_units() -> None:
    cells = sample_cells()
    duplicate = cells[cell_mask(cells, T_5_6, "Brukerbetalinger", 1)]
    cells = pd.concat([cells, duplicate], ignore_index=True)
    cells.loc[cells["table_id"] == f"{REPORT}:t0006", "unit"] = "mrd. kr"
    result = gates.check_parse(cells)
    assert result.failed_tables == {T_5_6, f"{REPORT}:t0006"}
    assert any(
        f.check.endswith("compound_columns_to_be_unique") and f.row_label == "Brukerbetalinger"
        for f in result.failures
    )


def test_curate_schema_mismatch_blocks_everything() -> None:
    cells = sample_cells().astype({"page": "int64"})
    result = curate(cells)
    assert not result.passed
    assert [f.message for f in result.failures if f.check == "curate.schema.type"] == [
        "page: int64 != int32"
    ]
    assert result.failed_tables == set(cells["table_id"])


def test_ingest_gate_keeps_the_first_copy_and_drops_encrypted_pdfs() -> None:
    documents = sample_documents()
    copy = documents.iloc[[0]].assign(document_id="copy", file_name="copy.pdf")
    locked = documents.iloc[[1]].assign(
        document_id="locked", sha256="e" * 64, encrypted=True, text_chars=0
    )
    result = gates.check_ingest(pd.concat([documents, copy, locked], ignore_index=True))
    assert result.failed_documents == {"copy", "locked"}
    assert {f.message.split(":")[0] for f in result.failures if f.document_id == "locked"} == {
        "not encrypted",
        "has a text layer",
    }


def test_extract_gate_quarantines_only_the_malformed_table() -> None:
    candidates, raw = truth_extract(load_truth(REPORT))
    off_page = raw["table_id"].eq(f"{REPORT}:t0002") & raw["column_index"].eq(1)
    raw.loc[off_page, "x1"] = 700.0
    raw = raw[~(raw["table_id"].eq(f"{REPORT}:t0006") & raw["column_index"].eq(-1))]
    result = gates.check_extract(candidates, raw)
    assert result.failed_tables == {f"{REPORT}:t0002", f"{REPORT}:t0006"}
    assert {f.message.split(":")[0] for f in result.failures} == {
        "box ends inside the page width",
        "every table has a label column",
    }


def test_held_back_marks_failed_tables_and_rows_and_the_partial_tables() -> None:
    from pipeline.quality.results import held_back, table_status

    cells = sample_cells()
    results = [
        gates.GateResult("parse", failed_rows={(T_5_4_2, 3)}),
        gates.GateResult("curate", failed_tables={T_5_6}),
    ]
    held = held_back(cells, results)
    assert set(cells.loc[held == "table_held_back", "table_id"]) == {T_5_6}
    rows = cells.loc[held == "row_held_back", ["table_id", "row_index"]].drop_duplicates()
    assert [tuple(r) for r in rows.itertuples(index=False)] == [(T_5_4_2, 3)]
    status = table_status(cells, held)
    assert set(status[cells["table_id"] == T_5_4_2]) == {"rows_held_back"}
    assert set(status[cells["table_id"] == T_5_4_1]) == {"complete"}
