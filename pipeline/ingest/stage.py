"""Stage 1, ingest: every file in raw/ -> a manifest row, or a rejection naming the reason.

Reading a manifest row opens the PDF but reads the text of a few pages only, so ingest stays
cheap however long the document is. A page is measured against the content limit before pdfium
parses it, here as in the extract stage: a decompression bomb is never inflated.
"""

from __future__ import annotations

import hashlib
import os
import re
from itertools import chain
from pathlib import Path
from typing import Any

import pandas as pd
import pikepdf
import pypdfium2 as pdfium

from pipeline.extract.limits import ContentCheck
from pipeline.extract.pdf import open_pdf
from pipeline.extract.settings import DEFAULT_LIMITS, ResourceLimits
from pipeline.ingest.inputs import RawInput
from pipeline.schemas import dataset_schema

OPENING_PAGES = 3  # title page, contents, foreword: where kind and years are printed
_KINDS = (
    ("annual_report", re.compile(r"årsrapport|årsberetning|årsregnskap|annual report", re.I)),
    ("budget", re.compile(r"budsjett|økonomiplan|handlingsprogram|handlingsdel", re.I)),
)
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*[-–]\s*((?:19|20)\d\d))?(?!\d)")
MANIFEST_EXTRA_COLUMNS = ["encrypted", "text_chars", "path"]  # for the stages, not published


class RejectedInput(Exception):
    """A file in raw/ that cannot go through; the message is the reason a user reads."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_header(path: Path) -> None:
    if path.stat().st_size == 0:
        raise RejectedInput("empty file (0 bytes)")
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise RejectedInput("not a PDF (no %PDF header)")


def _opening_text(document: pdfium.PdfDocument, content: ContentCheck) -> str:
    """Text of the first pages: where a document names its kind and its years."""
    pages = range(min(OPENING_PAGES, len(document)))
    return "\n".join(content.page_text(document, i) for i in pages)


def _text_chars(document: pdfium.PdfDocument, opening: str, content: ContentCheck) -> int:
    """Characters of text in the opening pages, or else on the first later page with any.

    Every page is looked at up to the first with text, so a long document with a single table
    deep inside is not taken for an image-only scan; 0 means no page has a text layer.
    """
    later = (content.page_text(document, i) for i in range(OPENING_PAGES, len(document)))
    return next((n for text in chain([opening], later) if (n := len(text.strip()))), 0)


def guess_kind(title: str, text: str) -> str:
    head = f"{title}\n{text[:3000]}"
    for kind, pattern in _KINDS:
        if pattern.search(head):
            return kind
    return "other"


def guess_years(title: str, text: str) -> list[int]:
    """The years a document covers, from the first period or year in its title or first page."""
    for source in (title, text[:2000]):
        if match := _YEAR_SPAN.search(source or ""):
            first, last = int(match[1]), int(match[2] or match[1])
            if first <= last <= first + 10:
                return list(range(first, last + 1))
    return []


def describe(raw: RawInput, sha256: str, limits: ResourceLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """One manifest row for a PDF; raises RejectedInput with the reason when it is unusable."""
    path = raw.path
    _check_header(path)
    try:
        with open_pdf(path) as document, ContentCheck(path, limits) as content:
            pages = len(document)
            if pages == 0:
                raise RejectedInput("the PDF has no pages")
            if pages > limits.max_document_pages:
                raise RejectedInput(
                    f"{pages} pages, over the limit of {limits.max_document_pages} "
                    "(--max-document-pages); not read"
                )
            metadata = document.get_metadata_dict()
            text = _opening_text(document, content)
            text_chars = _text_chars(document, text, content)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            raise RejectedInput("password-protected PDF") from error
        raise RejectedInput(f"damaged or truncated PDF ({message})") from error
    except pikepdf.PdfError as error:  # pdfium opens it, but its objects cannot be measured
        raise RejectedInput(f"damaged PDF ({error})") from error
    if text_chars == 0 and content.over:  # the pages with text, if any, are over the limit
        raise RejectedInput(str(content.over[0]))
    if text_chars == 0:
        raise RejectedInput("no text layer on any page (image-only PDF; OCR it first)")
    title = metadata.get("Title") or None
    return {
        "document_id": raw.document_id,
        "file_name": raw.name,
        "path": os.fsencode(path),  # bytes: a name need not be UTF-8
        "sha256": sha256,
        "bytes": path.stat().st_size,
        "pages": pages,
        "producer": metadata.get("Producer") or None,
        "creator": metadata.get("Creator") or None,
        "title": title,
        "kind": guess_kind(title or "", text),
        "years": guess_years(title or "", text),
        "encrypted": False,
        "text_chars": text_chars,
    }


def manifest_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [*dataset_schema("documents").names, *MANIFEST_EXTRA_COLUMNS]
    return pd.DataFrame(rows, columns=columns).sort_values("document_id", ignore_index=True)
