"""Fuzz documents that once came out wrong, kept as regression cases with their truth (by
construction) in tests/data/hard_cases: each must now come out whole. The generator has changed
since some of them were drawn, so they are kept as files, not as seeds; the failure each one
showed is said beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.tools.evaluate import load_cells, score_document
from tests.fuzz.sweep import run_pipeline

from project import DATA_DIR

HARD_CASES_DIR = DATA_DIR / "hard_cases"
HARD_CASES = {
    "fuzz-s1-0020-chromium": "two rows continuing a table on a new page, a text column left "
    "of their numbers: printed in one cell per row, too seldom to count as a column there, "
    "the text cells were read into the labels ('Bruk Innenfor rammen av disposisjonsfond')",
    "fuzz-s1-0021-weasyprint": "a spanning header's rule drawn column by column (three "
    "segments end to end): no one segment spans the header, so it labelled none of 2020-2022 "
    "and only the one its centre stood over",
    "fuzz-s1-0024-chromium": "a spanning header's rule drawn column by column beside a wide "
    "text column: centring gave 'Økonomiplan' to 'Oppr. budsjett 2025' and 'Kategori' too",
    "fuzz-s1-0030-chromium": "text drawn glyph by glyph on a page whose media box is far from "
    "(0, 0): '-14,3' and '19,1' split at the minus sign and the decimal comma",
    "fuzz-s1-0043-chromium": "a table continued on a new page opens with a row whose label "
    "is wrapped around its numbers, a text column's cell ('F3 – Gjennomføring') before them: "
    "that cell was taken for the row's label and the row was lost",
    "fuzz-s1-0044-chromium": "the rows before a page break leave two columns blank: their "
    "header years joined the neighbours' columns ('2025 2026') and the table was quarantined",
    "fuzz-s1-0049-chromium": "two rows before a page break print in the first year column "
    "once: too few to count as a column, its number was taken into the label",
    "fuzz-s1-0051-weasyprint": "a table's title, unit caption, two-line header and a section "
    "row printed at the foot of a page, its body on the next: the body had no header",
    "fuzz-s1-0063-weasyprint": "one row continuing a table on a new page under its header "
    "repeated: its text column, printed once, was no column there, so the header read "
    "differently ('Fase' over no column) and the row was not joined to its table",
    "fuzz-s1-0077-chromium": "a bold 'Sum' over its wrapped label's last line, no descender in "
    "it: measured middle to middle it stood at a wrapped line's pitch from the row above, "
    "and joined that row ('Salgs- og leieinntekter Sum')",
    "fuzz-s1-0089-weasyprint": "a table continued on a new page opens with a row of one number "
    "centred on its wrapped label: no line of the row opened a body, so its label lines were "
    "taken for a title and the continuation lost its header",
    "fuzz-s1-0092-weasyprint": "a table continued on a new page without its header opens with "
    "a section row, taken for a title, so the two parts were not joined",
    "fuzz-s1-0119-reportlab": "one row continuing a table on a new page under its repeated "
    "header, its text cell glued to the label: the header lost 'Kategori' and the row was "
    "not joined to its table",
    "fuzz-s1-0137-reportlab": "a column blank in the one row before a page break, its header "
    "year padded 3 pt from the numbers' edge: the year joined a neighbour's header and the "
    "table was quarantined",
    "fuzz-s1-0097-chromium": "a table's title, caption and header (a stub word 'Fase' on its "
    "second line) at the foot of a page, its body opening the next: no column labels",
    "fuzz-s1-0099-weasyprint": "two rows continuing a table on a new page print in two of its "
    "three columns each: the columns printed once were read into the labels",
    "fuzz-s1-0114-reportlab": "the first row under a header prints one number centred on its "
    "wrapped label: the body began below it and the header lines above went unread",
    "fuzz-s1-0117-reportlab": "the first row under the header has its label wrapped around "
    "its numbers and a text cell ('Forsinket') before them: the row was lost",
    "fuzz-s7-0004-chromium": "the word 'års' of a wrapped label, its ring accent reaching up "
    "to the numbers centred beside it, was grouped with them: the row's label came out as "
    "'Amortisering års' and the table split there",
    "fuzz-s7-0006-weasyprint": "a spanning header in a ruled cell beside a text column: "
    "centring gave it the wider group of columns around its own",
}


@pytest.fixture(scope="module")
def cells(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every case's PDF in one raw folder, run once through the pipeline."""
    raw, out = tmp_path_factory.mktemp("hard-raw"), tmp_path_factory.mktemp("hard-out")
    for name in HARD_CASES:
        shutil.copy(HARD_CASES_DIR / f"{name}.pdf", raw)
    run_pipeline(raw, out, [HARD_CASES_DIR / f"{n}.truth.json" for n in HARD_CASES], workers=2)
    return out / "current" / "cells"


@pytest.mark.parametrize("name", sorted(HARD_CASES))
def test_the_case_comes_out_whole(name: str, cells: Path) -> None:
    truth = json.loads((HARD_CASES_DIR / f"{name}.truth.json").read_text(encoding="utf-8"))
    figures = score_document(truth, load_cells(cells)).figures
    whole = (figures.recall, figures.precision, figures.column_label_accuracy)
    assert whole == (1.0, 1.0, 1.0), HARD_CASES[name]
