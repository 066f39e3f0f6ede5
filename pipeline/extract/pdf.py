"""Opening a PDF with pypdfium2: one place for the open/close pairing and for a page's text."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium


@contextmanager
def open_pdf(path: Path) -> Iterator[pdfium.PdfDocument]:
    """The document, closed when the block ends, also on error (pdfium holds a file handle)."""
    document = pdfium.PdfDocument(str(path))
    try:
        yield document
    finally:
        document.close()


def page_count(path: Path) -> int:
    with open_pdf(path) as document:
        return len(document)


def page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's characters in pdfium's order, one per character index."""
    # pdfium marks a soft hyphen printed at a line break with U+FFFE
    return str(textpage.get_text_range()).replace("\ufffe", "-")
