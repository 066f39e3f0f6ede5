"""Fault injection end to end: one printed digit changed in the sample PDF's content stream, the
stages rerun on the statutory pages, the gates must name the table and the row. A few seeds here;
`python -m pipeline.quality.faults raw/*.pdf --trials 200` is the sweep."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from pipeline.quality.faults import (
    DIGITS,
    Stages,
    _names,
    _takes_part,
    digit_sites,
    sweep,
    tampered,
)
from pipeline.quality.grids import Failure
from pipeline.runner import RunReport

from project import RAW_DIR
from truthcells import REPORT, _sample

REPORT_PDF = RAW_DIR / "arsrapport-2020.pdf"
TRIALS = 12  # about 2 s each: the sweep script runs hundreds
# Share of the changes to cells an identity reads that must be caught, table and row named: the
# sweep catches 91-96 % of them per document (README); the rest change a number within the
# rounding of every identity that reads it, which no sound gate can tell from rounding.
COVERED_CATCH_FLOOR = 0.8


def test_digits_are_found_and_changed_in_the_glyph_encoded_stream() -> None:
    pdf = pikepdf.open(REPORT_PDF)
    sites = digit_sites(pdf, [4])
    assert len(sites) > 100 and {s.digit for s in sites} == set(DIGITS)
    site = sites[len(sites) // 2]
    changed = tampered(REPORT_PDF.read_bytes(), site, "7" if site.digit != "7" else "3")
    again = digit_sites(pikepdf.open(io.BytesIO(changed)), [4])
    assert [s.digit for s in again] != [s.digit for s in sites]
    assert len(again) == len(sites)


def test_changed_digits_in_statutory_tables_are_caught_and_named() -> None:
    """A trial counts as caught only when its own table is held back by a failure that names the
    changed cell's row (as its row or as one of its terms), or that row is held back."""
    result = sweep(REPORT_PDF, "annual_report", TRIALS)
    assert result.unclean_tables == set()  # no alarm on the unmodified statutory tables
    assert len(result.trials) == TRIALS
    assert len(result.covered) >= TRIALS // 2
    missed = [t for t in result.covered if not t.caught]
    assert result.covered_catch_rate >= COVERED_CATCH_FLOOR, missed


def test_no_arithmetic_alarm_on_any_published_table_of_the_samples(
    sample_run: tuple[Path, RunReport],
) -> None:
    """The unmodified samples: no blocking failure from the curate gate (catalog identities,
    repeated lines, cross-table and cross-document equalities) over all published tables of the
    four PDFs, not only the statutory ones, and no table quarantined."""
    _, report = sample_run
    curate = next(gate for gate in report.gates if gate["gate"] == "curate")
    assert [f for f in curate["failures"] if f["severity"] == "error"] == []
    assert report.quarantined_tables == []


def test_a_failure_about_the_whole_table_names_each_of_its_rows() -> None:
    """A missing line or column holds back the whole table, every row of it; an equality with
    another table names only the rows it lists, and another table's failure names none."""
    table = f"{REPORT}:t0006"
    whole = Failure("catalog_column_missing", "error", REPORT, table)
    assert _names(whole, table, 3, "Bundne driftsfond")
    assert not _names(whole, f"{REPORT}:t0001", 3, "Bundne driftsfond")
    paired = Failure("x", "error", REPORT, table, related_table_id=f"{REPORT}:t0001")
    assert not _names(paired, table, 3, "Bundne driftsfond")


def test_a_change_within_rounding_is_covered_but_not_beyond_rounding() -> None:
    """In the balance sheet a fund's year cell is read by the change column (two one-decimal
    years: tolerance 0.15) and the funds' total (0.3); this row's change is exact as printed, so a
    move by 0.1 satisfies both, by 1 neither; the probe always fails them."""
    cells, tables, documents = _sample()
    baseline = Stages(cells, tables, documents, [], set(), set())
    where = (baseline, f"{REPORT}:t0006", 4, 0, "Ubundne investeringsfond")
    assert _takes_part(*where)
    assert not _takes_part(*where, 0.1)
    assert _takes_part(*where, 1.0)
