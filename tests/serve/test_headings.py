"""The page texts the serve stage reads headings from: handed over by the extract workers, or read
from the PDF again when extraction came from its cache. Both must give the same facts."""

from __future__ import annotations

from pipeline.extract.pdf import page_count
from pipeline.extract.settings import DEFAULT_LIMITS
from pipeline.extract.stage import read_pages
from pipeline.serve.headings import document_text, pdf_page_texts

from project import RAW_DIR


def test_the_workers_page_texts_are_the_pdfs_page_texts() -> None:
    path = RAW_DIR / "handlingsprogram-2026-2029.pdf"
    pages = page_count(path)
    from_workers = read_pages(path, range(pages)).texts
    from_pdf = pdf_page_texts(path, pages, DEFAULT_LIMITS)
    assert from_workers == from_pdf
    text = document_text(from_workers, pages, None)
    assert len(text.areas) > 5, "the budget's chapters open with area headings"
    assert text.facts.loc[0, "municipality"] == "Bærum"


def test_a_page_without_text_has_no_lines() -> None:
    """A page over a limit has no text; its neighbours' headings are still read."""
    text = document_text({2: "Barnehage\nOm området\n"}, 3, None)
    assert text.areas.to_dict("records") == [{"page": 2, "area": "Barnehage"}]
