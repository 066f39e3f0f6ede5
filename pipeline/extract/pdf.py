"""Opening a PDF with pypdfium2: one place for open/close, a page's text and its picture."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium

if TYPE_CHECKING:
    from PIL.Image import Image

POINTS_PER_INCH = 72


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


def rendered_page(path: Path, page_number: int, resolution: int) -> tuple[Image, float]:
    """Page `page_number` (1-based) as displayed, rotation and crop box applied: the frame the
    extractor's boxes are in, so a box drawn on it lands on its text whatever the producer did.
    Also the scale from points to the picture's pixels."""
    scale = resolution / POINTS_PER_INCH
    with open_pdf(path) as document:
        return document[page_number - 1].render(scale=scale).to_pil().convert("RGB"), scale


def pixel_box(box: tuple[float, ...], scale: float) -> tuple[float, float, float, float]:
    """(x0, top, x1, bottom) in points -> the same box in a rendered page's pixels."""
    x0, top, x1, bottom = box
    return (x0 * scale, top * scale, max(x0, x1) * scale, max(top, bottom) * scale)
