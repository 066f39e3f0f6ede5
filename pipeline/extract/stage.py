"""Stage 2, extract: a PDF's pages -> table candidates with geometry.

Output is two frames: `candidates` (one row per table) and `raw_cells` (header and body cells
with their text and boxes, untyped). Pages are read independently, so a document's pages can be
spread over processes; tables continued across a page break are joined afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.extract.continuation import merge_continuations
from pipeline.extract.layout import read_page_and_text
from pipeline.extract.limits import ContentCheck, OverLimit, out_of_memory, page_time_limit
from pipeline.extract.lines import PageTable
from pipeline.extract.pdf import open_pdf, page_count
from pipeline.extract.settings import DEFAULT_LIMITS, ResourceLimits
from pipeline.extract.table import find_tables

CANDIDATE_COLUMNS = [
    "table_id", "document_id", "page", "pages", "method", "x0", "top", "x1", "bottom",
    "page_width", "page_height", "title", "unit_text", "n_columns",
]  # fmt: skip
RAW_CELL_COLUMNS = [
    "document_id", "table_id", "page", "role", "row_index", "column_index", "text",
    "x0", "top", "x1", "bottom", "page_width", "page_height",
]  # fmt: skip
UNREADABLE_NUMBERS = (
    "laid out like a table, but its numbers are not digits in the PDF's text layer (a font "
    "without a usable character map?); no table read from it"
)


@dataclass(slots=True)
class PagesRead:
    """What a page task returns: the tables found, the pages rejected for a limit, the pages
    laid out like a table whose numbers could not be read, and every page's plain text (the
    serve stage reads headings from it instead of opening each page a second time)."""

    tables: list[PageTable] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # "page 3: <the limit it broke>"
    warnings: list[str] = field(default_factory=list)  # "page 3: <what was not read>"
    texts: dict[int, str] = field(default_factory=dict)  # by 1-based page; none past a limit


def read_pages(
    path: Path, page_indices: Iterable[int], limits: ResourceLimits = DEFAULT_LIMITS
) -> PagesRead:
    """Tables found on the given pages (0-based), in page order. Memory is bounded by a page; a
    page over one of the `limits` is rejected with the reason and the others are read."""
    read = PagesRead()
    with ContentCheck(path, limits) as content, open_pdf(path) as document:
        for index in page_indices:
            try:
                content.check(index)
                with page_time_limit(index + 1, limits):
                    text, layout = read_page_and_text(document, index, limits=limits)
                    read.texts[index + 1] = text
                    if layout is not None and layout.unreadable_numbers:
                        read.warnings.append(f"page {index + 1}: {UNREADABLE_NUMBERS}")
                    elif layout is not None:
                        read.tables.extend(find_tables(layout))
            except OverLimit as over:
                read.rejected.append(str(over))
            except MemoryError:
                read.rejected.append(str(out_of_memory(index + 1, limits)))
    return read


def page_tables(path: Path, page_indices: Iterable[int]) -> list[PageTable]:
    """Tables found on the given pages under the default limits, for tools that read a few
    pages of a known document outside a run; a page over a limit is an error here."""
    read = read_pages(path, page_indices)
    if read.rejected:
        raise ValueError(f"{path}: {'; '.join(read.rejected)}")
    return read.tables


def _table_ids(document_id: str, tables: list[PageTable]) -> list[str]:
    """Stable ids: the first page and the table's order on it, independent of other pages."""
    ids: list[str] = []
    seen: dict[int, int] = {}
    for table in tables:
        seen[table.page] = seen.get(table.page, 0) + 1
        ids.append(f"{document_id}:p{table.page:04d}:t{seen[table.page]}")
    return ids


def to_frames(document_id: str, tables: list[PageTable]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidates and raw cells of one document's tables (continuations already joined)."""
    tables = merge_continuations(tables)
    candidates, cells = [], []
    for table_id, table in zip(_table_ids(document_id, tables), tables, strict=True):
        size = (table.page_width, table.page_height)
        candidates.append(
            (table_id, document_id, table.page, list(table.pages), table.method, table.x0,
             table.top, table.x1, table.bottom, *size, table.title,
             " | ".join([*table.captions, *table.stub_header]) or None, len(table.columns))
        )  # fmt: skip
        for column_index, texts in enumerate(table.header):
            column = table.columns[column_index]
            cells.append(
                (document_id, table_id, table.page, "header", 0, column_index, " ".join(texts),
                 column.x0, table.top, column.x1, table.top, *size)
            )  # fmt: skip
        for row_index, row in enumerate(table.rows):
            if row.label_parts:
                parts = row.label_parts
                cells.append(
                    (document_id, table_id, row.page, "body", row_index, -1, row.label,
                     min(p.x0 for p in parts), parts[0].top, max(p.x1 for p in parts),
                     parts[-1].bottom, *size)
                )  # fmt: skip
            for column_index, phrase in sorted(row.cells.items()):
                cells.append(
                    (document_id, table_id, row.page, "body", row_index, column_index, phrase.text,
                     phrase.x0, phrase.top, phrase.x1, phrase.bottom, *size)
                )  # fmt: skip
    return (
        pd.DataFrame(candidates, columns=CANDIDATE_COLUMNS),
        pd.DataFrame(cells, columns=RAW_CELL_COLUMNS),
    )


def extract_document(path: Path, document_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The extract stage for one document, in one process."""
    return to_frames(document_id, page_tables(path, range(page_count(path))))
