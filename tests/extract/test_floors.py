"""Issue 8's floors, per document: every sample PDF in raw/ must come out as well as the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.runner import RunReport
from pipeline.tools.evaluate import evaluate, load_cells

from project import DATA_DIR, RAW_DIR


@pytest.mark.parametrize("stem", sorted(p.stem for p in RAW_DIR.glob("*.pdf")))
def test_each_document_meets_the_floors(stem: str, sample_run: tuple[Path, RunReport]) -> None:
    out, _ = sample_run
    figures = evaluate(
        [DATA_DIR / f"{stem}.truth.json"], load_cells(out / "current" / "cells")
    ).total
    assert figures.recall >= 0.995, figures
    assert figures.precision >= 0.995, figures
    assert figures.column_label_accuracy >= 0.98, figures
