"""What a document's running text says about its tables: the area heading each page sits under,
the municipality and whether it is a proposal or adopted.

The extract stage keeps tables, not prose; these facts are read here from each page's plain text
(pypdfium2), once per document content and pipeline version (the stage cache).
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


def _page_lines(path: Path, limits: ResourceLimits) -> list[list[str]]:
    """Every page's text lines, in reading order; none for a page over the content limit (the
    extract stage rejects it; reading it here would inflate what the limit keeps out)."""
    with open_pdf(path) as pdf, ContentCheck(path, limits) as content:
        return [
            [line.strip() for line in content.page_text(pdf, index).splitlines()]
            for index in range(len(pdf))
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


def read_document_text(path: Path, title: str | None, limits: ResourceLimits) -> DocumentText:
    """Area headings, municipality and status of one PDF."""
    pages = _page_lines(path, limits)
    facts = pd.DataFrame([{"municipality": _municipality(pages), "status": _status(title, pages)}])
    return DocumentText(_areas(pages), facts.astype("string"))
