"""Ingest: a manifest row per readable PDF, or one reason per file that cannot go through."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from pipeline.ingest.inputs import RawInput
from pipeline.ingest.stage import RejectedInput, describe, sha256_of


def _pdf(path: Path, pages: int, text_on: set[int]) -> RawInput:
    """A PDF of `pages` pages with a line of text only on the 1-based pages in `text_on`."""
    drawing = canvas.Canvas(str(path))
    drawing.setTitle("")
    for page in range(1, pages + 1):
        if page in text_on:
            drawing.drawString(72, 720, f"Handlingsprogram 2026-2029, side {page}")
        drawing.showPage()
    drawing.save()
    return RawInput(path, path.name, path.stem)


def test_text_deep_inside_a_long_document_counts(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "late.pdf", 300, {177})
    row = describe(pdf, sha256_of(pdf.path))
    assert row["pages"] == 300 and row["text_chars"] > 0


def test_no_text_on_any_page_is_rejected(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "scan.pdf", 20, set())
    with pytest.raises(RejectedInput, match="no text layer"):
        describe(pdf, sha256_of(pdf.path))


def test_kind_and_years_from_the_opening_pages(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "plan.pdf", 5, {1})
    row = describe(pdf, sha256_of(pdf.path))
    assert row["kind"] == "budget" and row["years"] == [2026, 2027, 2028, 2029]
