"""Digits in any script (issue 12): a table printed with fullwidth or Arabic-Indic digits gives
the same numbers as one printed with ASCII digits, instead of no table and no warning; a table
whose digits the text layer does not give at all is reported."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pikepdf
import pytest

from pipeline.extract.executor import ExecutorOptions
from pipeline.extract.stage import UNREADABLE_NUMBERS
from pipeline.parse.numbers import (
    ascii_digits,
    is_numeric_word,
    is_unreadable_number,
    is_year,
    parse_number,
)
from pipeline.runner import RunOptions, run, summary

from synthetic import FONT, Column, Document, Row, Table, build_pdf

TABLE = Table(
    "Tilskudd til lag og foreninger",
    (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026"))),
    (Row("Idrett", (1234.5, -13.0)), Row("Kultur", (8.1, 8.4))),
)
ZEROS = {"fullwidth": 0xFF10, "arabic-indic": 0x0660, "extended arabic-indic": 0x06F0}
PRIVATE_USE_ZERO = 0xE030
_ASCII_DIGIT = re.compile(rb"(<3[0-9]>\s*)<003([0-9])>")


def _print_digits_as(pdf: Path, zero: int) -> None:
    """Rewrite the text layer of the PDF's table font so that every digit it prints reads as
    the digit of another script (the glyphs stay: the text layer is what an extractor reads)."""
    with pikepdf.open(pdf, allow_overwriting_input=True) as document:
        for font in document.pages[0].Resources.Font.values():
            if FONT not in str(font.get("/BaseFont", "")):
                continue
            cmap = font.ToUnicode
            text = cmap.read_bytes()
            cmap.write(_ASCII_DIGIT.sub(lambda m: m[1] + b"<%04X>" % (zero + int(m[2])), text))
        document.save(pdf)


@pytest.mark.parametrize("script", ZEROS)
def test_a_table_in_any_script_gives_its_numbers(tmp_path: Path, script: str) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pdf, _ = build_pdf(Document("plan", (TABLE,)), raw)
    _print_digits_as(pdf, ZEROS[script])
    report = run(RunOptions(raw, out, executor=ExecutorOptions("local", 1)), say=print)
    assert report.exit_status == 0, report.rejected
    cells = pd.read_parquet(out / "current" / "cells").sort_values(["row_index", "year"])
    assert list(cells["value"]) == [1234.5, -13.0, 8.1, 8.4]
    assert list(cells["year"]) == [2024, 2026, 2024, 2026]
    # printed as it stands on the page: the text of the other script is kept
    printed = list(cells["value_text"])
    assert all(chr(ZEROS[script] + 1) in text for text in printed[:2]), printed


def test_unicode_decimal_digits_are_digits_and_other_numerals_are_not() -> None:
    assert ascii_digits("１ ２３４,５ ٦٧ ۸۹") == "1 234,5 67 89"
    assert parse_number("−١ ٢٣٤,٥").value == -1234.5  # type: ignore[union-attr]
    assert is_year("２０２６") and is_numeric_word("(۸,۱)")
    # superscripts, circled and Roman numerals are not decimal digits: footnote marks, bullets
    assert [parse_number(text) for text in ("²", "①", "Ⅻ")] == [None, None, None]


def test_a_table_whose_digits_the_text_layer_lost_is_reported(tmp_path: Path) -> None:
    """Digits mapped to private-use code points (a font without a usable character map): no
    number can be read, and the page is named with a warning instead of being silently empty."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    pdf, _ = build_pdf(Document("plan", (TABLE,)), raw)
    _print_digits_as(pdf, PRIVATE_USE_ZERO)
    lines: list[str] = []
    report = run(RunOptions(raw, out, executor=ExecutorOptions("local", 1)), say=lines.append)
    assert report.tables == 0 and report.exit_status == 0  # a warning, not a failure
    assert report.warnings == [{"file": "plan.pdf", "warning": f"page 1: {UNREADABLE_NUMBERS}"}]
    assert f"warning {raw}/plan.pdf: page 1: laid out like a table" in lines[-1]
    assert "1 page warnings" in summary(report)
    assert is_unreadable_number("(\ue031\ue032,\ue033)") and not is_unreadable_number("Idrett")
