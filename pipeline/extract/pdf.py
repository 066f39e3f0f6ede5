"""Opening a PDF with pypdfium2: one place for the open/close pairing."""

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
