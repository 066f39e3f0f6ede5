"""Joining tables continued below or on the next page into one.

A table may run on past a page break or be split by a stray line into fragments. Deciding
whether one table continues another, and mapping its columns onto the one before, works on
whole tables found across pages rather than on one page's lines, so it stands apart from
finding them.
"""

from __future__ import annotations

import itertools

from pipeline.extract.header import adopt_head
from pipeline.extract.lines import BodyRow, Column, PageTable
from pipeline.extract.settings import DEFAULT_SETTINGS, ExtractionSettings
from pipeline.extract.table import read_against
from pipeline.parse.numbers import is_year


def _continued_column(column: Column, upper: PageTable, slack: float) -> int | None:
    """The upper column a lower one continues: the one whose numbers end on the same right
    edge, else the one whose text starts on the same left edge (a text column's right end is
    its longest text on that page); None when that is not one column."""
    for edge in (_right, _left):
        matches = [i for i, c in enumerate(upper.columns) if abs(edge(c) - edge(column)) <= slack]
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


def _right(column: Column) -> float:
    return column.x1


def _left(column: Column) -> float:
    return column.x0


def _column_map(
    upper: PageTable, lower: PageTable, settings: ExtractionSettings
) -> dict[int, int] | None:
    """Which of the upper table's columns each of the lower table's columns continues, or None.

    A continuation has its columns in the same places, in the same order; it may leave a
    column blank on its page (a one-row fragment often does), so it may have fewer.
    """
    slack = 2 * settings.align_em * max(upper.font_size, lower.font_size)
    mapping: dict[int, int] = {}
    for index, column in enumerate(lower.columns):
        continued = _continued_column(column, upper, slack)
        if continued is None or (mapping and continued <= max(mapping.values())):
            return None
        mapping[index] = continued
    return mapping


def _continues(
    upper: PageTable, lower: PageTable, tables: list[PageTable], settings: ExtractionSettings
) -> bool:
    """Whether `lower` stands where a continuation of `upper` would: below it without a header
    of its own (a fragment close below), or opening the next page without a title, with no
    header or the same again (over the columns its rows show: the last ones, where a text
    column left of the numbers printed too seldom there to count)."""
    if lower.page == upper.pages[-1]:
        gap = settings.body_gap_em * max(upper.font_size, lower.font_size)
        return not lower.has_header and not (lower.fragment and lower.top - upper.bottom > gap)
    shown = len(lower.header)
    return (
        lower.page == upper.pages[-1] + 1
        and _opens_page(lower, tables)
        and lower.title is None
        and (not lower.has_header or lower.header == upper.header[len(upper.header) - shown :])
    )


def merge_continuations(
    tables: list[PageTable], settings: ExtractionSettings = DEFAULT_SETTINGS
) -> list[PageTable]:
    """Join a table with the next one when the latter continues it; drop fragments that do not.

    A continuation has its value columns in the same places as the table before it.
    """
    merged: list[PageTable] = []
    head: PageTable | None = None  # a title and header left at the foot of the page before
    for table in tables:
        if table.head:
            head = table
            continue
        if (
            head is not None
            and _headless_opening(head, table, tables)
            and adopt_head(head, table, settings)
        ):
            merged.append(table)
            head = None
            continue
        head = None
        previous = merged[-1] if merged else None
        mapping = None
        if previous is not None and _continues(previous, table, tables, settings):
            mapping = _column_map(previous, table, settings)
            if mapping is None:
                mapping = _by_repeated_header(previous, table)
            if mapping is not None and table.body and _labels_cross(previous, table):
                read_against(table, previous.columns, settings)
                mapping = {index: index for index in range(len(previous.columns))}
        if previous is not None and mapping is not None:
            _rejoin_wrapped_label(previous, table, settings)
            for row in table.rows:
                row.cells = {mapping[index]: cell for index, cell in row.cells.items()}
            previous.rows.extend(table.rows)
            previous.withheld.extend(table.withheld)
            if table.page not in previous.pages:
                previous.pages.append(table.page)
        elif not table.fragment:
            merged.append(table)
    return merged


def _by_repeated_header(upper: PageTable, lower: PageTable) -> dict[int, int] | None:
    """A continuation repeating the whole header over as many columns continues them in order,
    wherever its page sets them (a page laid out anew may move each column by points). The
    header names more than years (bare years head unrelated series alike) and the rows are
    new ones (the same rows again are another table: shares after counts)."""
    named = any(not is_year(text) for column in upper.header for text in column)
    same = named and lower.has_header and lower.header == upper.header
    new_rows = not {row.label for row in lower.rows} & {row.label for row in upper.rows}
    if same and new_rows and len(lower.columns) == len(upper.columns):
        return {index: index for index in range(len(upper.columns))}
    return None


def _labels_cross(upper: PageTable, lower: PageTable) -> bool:
    """Whether rows continuing `upper` on the next page show fewer columns than it has and
    read labels reaching into its value columns: cells of a column printed too seldom in
    them to count as one. (A one-row fragment is never read so: one row shows no columns.)"""
    return (
        lower.page != upper.pages[-1]
        and not lower.fragment
        and len(lower.columns) < len(upper.columns)
        and any(part.x1 > upper.columns[0].x0 for row in lower.rows for part in row.label_parts)
    )


def _headless_opening(head: PageTable, table: PageTable, tables: list[PageTable]) -> bool:
    """A table opening the page after `head`'s without a title or header of its own."""
    return (
        table.page == head.page + 1
        and _opens_page(table, tables)
        and table.title is None
        and not table.has_header
        and not table.fragment
    )


def _opens_page(table: PageTable, tables: list[PageTable]) -> bool:
    return all(other.page != table.page or other.top >= table.top for other in tables)


def _rejoin_wrapped_label(upper: PageTable, lower: PageTable, settings: ExtractionSettings) -> None:
    """A continuation of one label-only line over one row is too short for its own spacing to
    tell a section row from a wrapped label's first line (a row pushed over a page break with
    its label wrapped); the table it continues tells: where its rows stand wider apart than
    its wrapped label lines, a line at the wrapped pitch, in the same font, is the row's label.
    """
    if len(lower.rows) != 2:
        return
    head, row = lower.rows
    if head.cells or not row.cells or not head.label_parts or not row.label_parts:
        return
    wrapped = min(
        (b.top - a.top for r in upper.rows for a, b in itertools.pairwise(r.label_parts)),
        default=None,
    )
    spaced = min(
        (
            b.label_parts[0].top - a.label_parts[-1].top
            for a, b in itertools.pairwise(upper.rows)
            if a.label_parts and b.label_parts and a.page == b.page
        ),
        default=None,
    )
    spread = settings.spacing_spread_em * upper.font_size
    if wrapped is None or spaced is None or spaced - wrapped < spread:
        return  # the table before does not set rows apart from wrapped lines either
    last, first = head.label_parts[-1], row.label_parts[0]
    if first.top - last.top <= wrapped + spread and last.font == first.font:
        lower.rows[:] = [
            BodyRow(
                row.page, [*head.label_parts, *row.label_parts], row.cells, head.top, row.bottom
            )
        ]
