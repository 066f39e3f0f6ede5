"""Digits in any script (issue 12): a table printed with fullwidth or Arabic-Indic digits gives
the same numbers as one printed with ASCII digits, instead of no table and no warning."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pikepdf
import pytest

from pipeline.extract.executor import ExecutorOptions
from pipeline.parse.numbers import ascii_digits, is_numeric_word, is_year, parse_number
from pipeline.runner import RunOptions, run

from synthetic import FONT, Column, Document, Row, Table, build_pdf

TABLE = Table(
    "Tilskudd til lag og foreninger",
    (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026"))),
    (Row("Idrett", (1234.5, -13.0)), Row("Kultur", (8.1, 8.4))),
)
ZEROS = {"fullwidth": 0xFF10, "arabic-indic": 0x0660, "extended arabic-indic": 0x06F0}
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
