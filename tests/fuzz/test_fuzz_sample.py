"""A small fixed fuzz sample through the pipeline CLI: the generator's truth must agree with its
own PDFs, and extraction must not fall below what it reached when the floors were last set.

The floors are the issue's targets (0.99 recall and precision per producer), which the large
sweep (`make fuzz`, 300 tables per producer) reaches, so a regression below them fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.tools.evaluate import Figures, load_cells, score_document
from tests.fuzz.alarms import Alarms, read_alarms
from tests.fuzz.build import build
from tests.fuzz.consistency import parse_cell, problems
from tests.fuzz.model import Document
from tests.fuzz.producers import PRODUCERS, UNAVAILABLE
from tests.fuzz.strategies import drawn_fresh, generate
from tests.fuzz.sweep import glued_values, run_pipeline

SEED = 7
TABLES_PER_PRODUCER = 10
# (recall, precision, column-label accuracy) per producer on this sample. On 2026-12-01 the
# pipeline reaches 1.00 / 1.00 / 1.00 for every producer here, and in the 300-table sweep at
# least 0.99 recall and precision (column labels 0.97 on WeasyPrint): the floors are those sweep
# figures, so one unlucky cell in this small sample does not fail the build. Chromium (added
# 2026-12-01) reaches 0.994 / 1.00 / 1.00 here (3 cells of one wrapped row lost) but only 0.947
# recall in a 100-table sweep: its floor is the target, which this sample holds.
FLOORS: dict[str, tuple[float, float, float]] = {
    "reportlab": (0.99, 0.99, 0.98),
    "fpdf2": (0.99, 0.99, 0.98),
    "weasyprint": (0.99, 0.99, 0.97),
    "chromium": (0.99, 0.99, 0.97),
}
Sample = tuple[list[Path], Path, pd.DataFrame, Alarms]  # truths, PDFs, published cells, alarms
# Producers this machine can run; the others' floor tests are skipped with the reason.
AVAILABLE = [producer for producer in PRODUCERS if producer not in UNAVAILABLE]
GLUED_CEILING = 0  # values made of two truth cells' digits: none may be published


def _sample_documents() -> list[Document]:
    """The sample's documents; the floors below are for this exact sample."""
    return drawn_fresh(f"documents_for({TABLES_PER_PRODUCER}, {SEED})")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """Every producer's PDFs of the sample in one raw folder, run once through the pipeline."""
    raw = tmp_path_factory.mktemp("fuzz-raw")
    out = tmp_path_factory.mktemp("fuzz-out")
    documents = _sample_documents()
    truths = [build(document, producer, raw)[1] for producer in AVAILABLE for document in documents]
    run_pipeline(raw, out, truths, workers=2)
    return truths, raw, load_cells(out / "current" / "cells"), read_alarms(out)


def _truth(path: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return truth


def test_generation_is_deterministic() -> None:
    assert generate(3, SEED) == generate(3, SEED)


def test_cell_texts_print_their_values() -> None:
    """The independent parser and the formatter agree on every minus sign and separator."""
    for document in generate(8, SEED):
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    if cell.value is not None:
                        assert parse_cell(cell.text) == cell.value, cell


def test_truth_agrees_with_its_pdf(sample: Sample) -> None:
    """PDFs open, page counts match, values re-parse from the cells, every label and first
    number is on the page the truth names."""
    truths, raw, _, _ = sample
    assert len(truths) == len(AVAILABLE) * len(_sample_documents())
    found = [problem for path in truths for problem in problems(path, raw)]
    assert found == []


@pytest.mark.parametrize(
    "producer",
    [
        pytest.param(p, marks=pytest.mark.skipif(p in UNAVAILABLE, reason=UNAVAILABLE.get(p, "")))
        for p in sorted(PRODUCERS)
    ],
)
def test_extraction_holds_its_floor(producer: str, sample: Sample) -> None:
    truths, _, cells, _ = sample
    mine = [_truth(p) for p in truths if p.name.endswith(f"-{producer}.truth.json")]
    figures = sum((score_document(t, cells).figures for t in mine), Figures())
    assert figures.tables >= TABLES_PER_PRODUCER
    print(
        f"\n{producer}: tables {figures.tables_found}/{figures.tables}, cells "
        f"{figures.found_cells}/{figures.truth_cells}, recall {figures.recall}, precision "
        f"{figures.precision}, column labels {figures.column_label_accuracy}"
    )
    recall, precision, labels = FLOORS[producer]
    assert (figures.recall or 0.0) >= recall
    assert (figures.precision or 0.0) >= precision
    assert (figures.column_label_accuracy or 0.0) >= labels


def test_no_more_glued_values(sample: Sample) -> None:
    truths, _, cells, _ = sample
    glued = [g for path in truths for g in glued_values(_truth(path), cells)]
    print(f"\nglued values: {glued}")
    assert len(glued) <= GLUED_CEILING


def test_no_gate_alarm_on_the_clean_sample(sample: Sample) -> None:
    """Every table of the sample is correct by construction, and on 2026-12-01 the gates raise
    nothing on it: an alarm now is a gate grown too tight or a new extraction error (issue 9)."""
    alarms = sample[3]
    print(f"\nalarms: {alarms.located}")
    assert (alarms.tables_quarantined, alarms.rows_held_back, alarms.warnings) == (0, 0, 0)
