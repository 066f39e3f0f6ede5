"""What a document's running text says about its tables: the area heading each page sits under,
the municipality and whether it is a proposal or adopted.

The extract stage keeps tables, not prose; its workers hand over each page's plain text (pypdfium2),
and these facts are read here from it, once per document content and pipeline version (the stage
cache). When extraction came from its cache, the text is read from the PDF again.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from pipeline.extract.limits import ContentCheck
from pipeline.extract.pdf import open_pdf
from pipeline.extract.settings import ResourceLimits
from pipeline.serve.rules import pattern, searched, serving_rules


class DocumentText(NamedTuple):
    areas: pd.DataFrame  # page, area: the area heading printed on that page
    facts: pd.DataFrame  # one row: municipality, status


def pdf_page_texts(path: Path, pages: int, limits: ResourceLimits) -> dict[int, str]:
    """Every page's text by 1-based page, as the extract workers read it; empty for a page over
    the content limit (the extract stage rejects it; reading it here would inflate what the limit
    keeps out)."""
    with open_pdf(path) as pdf, ContentCheck(path, limits) as content:
        return {index + 1: content.page_text(pdf, index) for index in range(pages)}


def _page_lines(texts: dict[int, str], pages: int) -> list[list[str]]:
    """Every page's text lines, in reading order; none for a page without text."""
    return [
        [line.strip() for line in texts.get(number, "").splitlines()]
        for number in range(1, pages + 1)
    ]


def _areas(pages: list[list[str]]) -> pd.DataFrame:
    """(page, area) of each page that opens an area: the line above the area marker."""
    marker = serving_rules()["org_units"]["area_marker"]
    found = []
    for number, lines in enumerate(pages, start=1):
        for above, line in pairwise(lines):
            if above and searched(marker, line):
                found.append({"page": number, "area": above})
                break
    return pd.DataFrame(found, columns=["page", "area"]).astype({"page": "int32"})


def _municipality(pages: list[list[str]]) -> str | None:
    rules = serving_rules()["documents"]
    text = "\n".join(line for lines in pages for line in lines)
    names = Counter(pattern(rules["municipality"]).findall(text))
    return names.most_common(1)[0][0] if names else None


def _status(title: str | None, pages: list[list[str]]) -> str | None:
    rules = serving_rules()["documents"]
    text = "\n".join([title or "", *(line for lines in pages[:1] for line in lines)])
    for rule in rules["status"]:
        if pattern(rule["pattern"]).search(text):
            return str(rule["status"])
    return None


def document_text(texts: dict[int, str], pages: int, title: str | None) -> DocumentText:
    """Area headings, municipality and status of one PDF from its page texts (1-based pages)."""
    lines = _page_lines(texts, pages)
    facts = pd.DataFrame([{"municipality": _municipality(lines), "status": _status(title, lines)}])
    return DocumentText(_areas(lines), facts.astype("string"))
