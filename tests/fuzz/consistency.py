"""Checks that a generated truth file agrees with its own PDF, read back with pypdfium2.

Nothing here feeds the truth: the truth is written from the model, and these checks only prove
the producers drew what the model says on the pages the truth names (a wrong page would make
every extractor look bad on that row).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

_MINUS = re.compile("[\u2212\u2013]")


def _squash(text: str) -> str:
    """NFKC (ligature glyphs -> letters), no whitespace: how text is compared to a page."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def parse_cell(text: str) -> float | None:
    """The value a Norwegian number prints, parsed independently of the pipeline."""
    cleaned = _MINUS.sub("-", _squash(text).removesuffix("%"))
    if not re.fullmatch(r"-?\d+(,\d+)?", cleaned):
        return None
    return float(cleaned.replace(",", "."))


def page_texts(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [_squash(page.get_textpage().get_text_range()) for page in document]
    finally:
        document.close()


def problems(truth_path: Path, pdf_directory: Path | None = None) -> list[str]:
    """Every disagreement between a truth file and its PDF; empty when consistent."""
    truth: dict[str, Any] = json.loads(truth_path.read_text(encoding="utf-8"))
    pdf = (pdf_directory or truth_path.parent) / f"{truth['document']}.pdf"
    pages = page_texts(pdf)
    found: list[str] = []
    if len(pages) != truth["pdf_pages"]:
        found.append(f"{pdf.name}: {len(pages)} pages, truth says {truth['pdf_pages']}")
    for table in truth["tables"]:
        for row in table["rows"]:
            where = f"{table['id']} p{row['page']} {row['label']!r}"
            if len(row["cells"]) != len(table["columns"]) or len(row["values"]) != len(
                row["cells"]
            ):
                found.append(f"{where}: cells do not match the columns")
            for text, value in zip(row["cells"], row["values"], strict=False):
                if value is not None and parse_cell(text) != value:
                    found.append(f"{where}: {text!r} does not print {value}")
            if not 1 <= row["page"] <= len(pages):
                found.append(f"{where}: no such page")
                continue
            text = pages[row["page"] - 1]
            missing = [w for w in row["label"].split() if _squash(w).rstrip("-") not in text]
            if missing:
                found.append(f"{where}: {missing} not on its page")
            numbers = [
                c for c, v in zip(row["cells"], row["values"], strict=False) if v is not None
            ]
            if numbers and _squash(numbers[0]).removesuffix("%") not in text:
                found.append(f"{where}: {numbers[0]!r} not on its page")
    return found
