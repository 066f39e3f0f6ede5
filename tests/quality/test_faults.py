"""Fault injection end to end: one printed digit changed in the sample PDF's content stream, the
stages rerun on the statutory pages, the gates must name the table and the row. A few seeds here;
`python -m pipeline.quality.faults raw/*.pdf --trials 200` is the sweep."""

from __future__ import annotations

import io

import pikepdf

from pipeline.quality.faults import DIGITS, digit_sites, sweep, tampered

from project import RAW_DIR

REPORT_PDF = RAW_DIR / "arsrapport-2020.pdf"
TRIALS = 6  # about 2 s each: the sweep script runs hundreds
CATCH_FLOOR = 0.65  # today's sweep catches ~80 % here (see the module's sweep for the misses)


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
    result = sweep(REPORT_PDF, "annual_report", TRIALS)
    assert result.unclean_tables == set()  # no alarm on the unmodified statutory tables
    assert len(result.trials) == TRIALS
    assert result.catch_rate >= CATCH_FLOOR, [t for t in result.trials if not t.caught]
