"""Header lines, column labels, title and captions of a table found on a page.

Once a table body and its value columns are found, the lines above it are read for what heads
it: years and words over the columns (spanned where a label stands over several), the rules
that bound them, the title and unit captions above. This is a reading of its own, apart from
finding the body, so it lives in its own module.
"""

from __future__ import annotations

import re

from pipeline.extract.layout import Rule, Word
from pipeline.extract.lines import (
    BodyRow,
    Column,
    PageTable,
    Phrase,
    TextLine,
    column_of,
    header_phrases,
)
from pipeline.extract.settings import ExtractionSettings
from pipeline.parse.numbers import is_year

_UNIT_CAPTION = re.compile(r"\b(beløp|tall|mill|tusen|kroner|kr|prosent)\b|1 ?000|%", re.IGNORECASE)


def _is_unit_caption(text: str, settings: ExtractionSettings) -> bool:
    """A short line naming the unit ("Beløp i mill. kr", "prosent"); a header line of the
    columns may name one too ("Endring i %"), but runs longer."""
    return len(text) <= settings.caption_chars and bool(_UNIT_CAPTION.search(text))


def _top_rule_between(
    rules: list[Rule], upper: TextLine, lower: TextLine, x0: float, x1: float, slack: float
) -> bool:
    """A rule across the whole table (label column too) between two lines outside a grid: the
    table's top border, above which no header line stands."""
    across = any(
        r.horizontal
        and upper.bottom - slack <= (r.top + r.bottom) / 2 <= lower.top + slack
        and r.x0 <= x0 + slack
        and r.x1 >= x1 - slack
        for r in rules
    )
    return across and not any(
        not r.horizontal and r.top < upper.middle < r.bottom and x0 - slack <= r.x0 <= x1 + slack
        for r in rules
    )


def _years_per_column(line: TextLine, columns: list[Column]) -> bool:
    """A line of years only, one per value column: the columns' header, wherever printed."""
    return len(line.words) == len(columns) and all(is_year(w.text) for w in line.words)


def header_lines(
    above: list[TextLine],
    below: TextLine | None,
    body_x0: float,
    columns: list[Column],
    rules: list[Rule],
    settings: ExtractionSettings,
) -> list[TextLine]:
    """The lines directly above the body's first line `below` (or above a section row opening
    it) whose phrases stand over the value columns; `below` is None where the body begins on
    the next page, under a header left at the page's foot."""
    header: list[TextLine] = []
    first = below
    for line in reversed(above):
        if len(header) >= settings.max_header_lines or (
            below is not None and below.top - line.bottom > settings.header_gap_em * line.size
        ):
            break
        slack = settings.align_em * line.size
        if (
            header
            and below is not None
            and _top_rule_between(rules, line, below, body_x0, columns[-1].x1, slack)
        ):
            break
        value_x0 = columns[0].x0 - settings.align_em * line.size
        over_values = [p for p in line.phrases if p.x1 > value_x0]
        if _years_per_column(line, columns):
            header.append(line)
            below = line
            continue
        if len(line.phrases) == 1 and _is_unit_caption(line.phrases[0].text, settings):
            break  # a unit caption ("Beløp i mill. kr"), even when printed at the right
        if not over_values and below is first and len(line.phrases) == 1:
            below = line  # a section row ("DRIFTSINNTEKTER") between the header and the body
            continue
        indent = settings.label_indent_em * line.size
        if not over_values or any(p.x0 < body_x0 + indent for p in over_values):
            break  # a caption, or prose running across the columns
        if any(p.is_number and not is_year(p.text) for p in over_values):
            break  # the body of a table above
        header.append(line)
        below = line
    return header[::-1]


def with_blank_year_columns(
    header: list[TextLine], columns: list[Column], settings: ExtractionSettings
) -> list[Column]:
    """The value columns, with a column under each header year that stands over none of them.

    Where every other header year is right-aligned with its column, a year over a gap heads a
    column its rows leave blank on this page (the rows before a page break may): a column
    still, or its header would join a neighbour's ("2025 2026").
    """
    years = _header_years(header)
    over = _years_over(years, columns)
    if not right_aligned(over, settings):
        return columns
    placed = {id(w) for w, _ in over}
    blank = [Column(w.x0, w.x1) for w in years if id(w) not in placed]
    return sorted([*columns, *blank], key=lambda column: column.x0)


def _header_years(header: list[TextLine]) -> list[Word]:
    return [word for line in header for word in line.words if is_year(word.text)]


def _years_over(years: list[Word], columns: list[Column]) -> list[tuple[Word, Column]]:
    return [(w, c) for w in years for c in columns if min(w.x1, c.x1) - max(w.x0, c.x0) > 0]


def right_aligned(over: list[tuple[Word, Column]], settings: ExtractionSettings) -> bool:
    """Whether header years stand right-aligned over the columns they overlap, two at least:
    then the header's years say where columns are."""
    return len(over) >= 2 and all(
        abs(w.x1 - c.x1) <= settings.header_align_em * w.size for w, c in over
    )


def headed_by_years(
    header: list[TextLine], columns: list[Column], settings: ExtractionSettings
) -> list[Column]:
    """The columns the header lines' years stand right-aligned over, where the header is set
    so."""
    over = _years_over(_header_years(header), columns)
    return [c for _, c in over] if right_aligned(over, settings) else []


def _spanned_columns(
    phrase: Phrase,
    line_phrases: list[Phrase],
    columns: list[Column],
    label_x1: float,
    settings: ExtractionSettings,
) -> list[int]:
    """Columns a header phrase labels: those under it, or the widest group it is centred over.

    A spanning header ("Økonomiplan" over 2026-2029) is centred over its group's cells; a cell's
    left edge is taken as the right edge of the column before it, numbers being right-aligned.
    """
    under = [i for i, c in enumerate(columns) if min(phrase.x1, c.x1) - max(phrase.x0, c.x0) > 0]
    if not under:  # in a gap between columns: the group it is centred over, else the nearest
        under = [column_of(phrase, columns)]
    slack = settings.align_em * phrase.size
    if len(under) == 1 and abs(phrase.x1 - columns[under[0]].x1) <= slack:
        return under  # right-aligned over its own column
    taken = {
        i
        for other in line_phrases
        if other is not phrase
        for i, c in enumerate(columns)
        if min(other.x1, c.x1) - max(other.x0, c.x0) > 0
    }
    pitch = (columns[-1].x1 - columns[0].x0) / len(columns)
    # The first value cell is taken as wide as the next one; the label text may end far left.
    first_cell_left = (
        2 * columns[0].x1 - columns[1].x1 if len(columns) > 1 else min(label_x1, columns[0].x0)
    )
    best, best_width = under, 0
    for low in range(under[0], -1, -1):
        if low in taken:
            break
        for high in range(under[-1], len(columns)):
            if high in taken:
                break
            left = columns[low - 1].x1 if low else first_cell_left
            centre = (left + columns[high].x1) / 2
            centred = abs(centre - phrase.centre) <= settings.header_centre_share * pitch
            if centred and high - low >= best_width:
                best, best_width = list(range(low, high + 1)), high - low
    return best


def header_labels(
    header: list[TextLine],
    columns: list[Column],
    rules: list[Rule],
    label_x1: float,
    settings: ExtractionSettings,
) -> tuple[list[list[str]], list[str]]:
    """Header texts per value column, and those over the label column.

    A line of years only, one per column, heads the columns in order: a producer that draws it
    as one run may leave it far from the columns it heads.
    """
    labels: list[list[str]] = [[] for _ in columns]
    stub: list[str] = []
    for line in header:
        if _years_per_column(line, columns):
            for column_labels, word in zip(labels, line.words, strict=True):
                column_labels.append(word.text)
            continue
        # Header cells set closer than a word space are told apart by the columns' edges.
        cells = header_phrases(line.words, [c.x1 for c in columns], settings)
        for phrase in cells:
            if phrase.x1 <= columns[0].x0 - settings.align_em * phrase.size:
                stub.append(phrase.text)
                continue
            targets = (
                _rule_span(phrase, columns, rules, settings)
                or _ruled_cell_span(phrase, columns, rules, settings)
                or _spanned_columns(phrase, cells, columns, label_x1, settings)
            )
            for index in targets:
                labels[index].append(phrase.text)
    return labels, stub


def _rule_span(
    phrase: Phrase, columns: list[Column], rules: list[Rule], settings: ExtractionSettings
) -> list[int]:
    """Columns under a short rule drawn just below a header phrase (a spanning header's rule)."""
    table_width = columns[-1].x1 - columns[0].x0
    slack = settings.align_em * phrase.size
    for rule in _joined_segments(rules, settings.rule_segment_em * phrase.size):
        if (
            0 <= rule.top - phrase.bottom <= phrase.size
            and rule.x0 - slack <= phrase.x0
            and phrase.x1 <= rule.x1 + slack
            and rule.x1 - rule.x0 < settings.spanning_rule_width * table_width
        ):
            inside = [
                i
                for i, c in enumerate(columns)
                if c.x0 >= rule.x0 - slack and c.x1 <= rule.x1 + slack
            ]
            if len(inside) > 1:
                return inside
    return []


def _joined_segments(rules: list[Rule], slack: float) -> list[Rule]:
    """Horizontal rules with the segments that continue them end to end at the same height
    joined: an HTML table draws a spanning header cell's border column by column."""
    joined: list[Rule] = []
    for rule in sorted((r for r in rules if r.horizontal), key=lambda r: (r.top, r.x0)):
        last = joined[-1] if joined else None
        if (
            last is not None
            and abs(rule.top - last.top) <= slack
            and abs(rule.bottom - last.bottom) <= slack
            and rule.x0 <= last.x1 + slack
        ):
            joined[-1] = Rule(last.x0, last.top, max(last.x1, rule.x1), last.bottom)
        else:
            joined.append(rule)
    return joined


def _ruled_cell_span(
    phrase: Phrase, columns: list[Column], rules: list[Rule], settings: ExtractionSettings
) -> list[int]:
    """Columns inside the ruled cell a header phrase stands in: between the nearest vertical
    rules left and right of it at its height (a grid draws every header cell). Where rules say
    it, they settle the span; centring cannot tell a group from a wider one around it."""
    slack = settings.rule_slack_pt
    beside = [
        rule
        for rule in rules
        if not rule.horizontal
        and rule.top <= phrase.top + slack
        and rule.bottom >= phrase.bottom - slack
    ]
    left = max((rule.x1 for rule in beside if rule.x1 <= phrase.x0 + slack), default=None)
    right = min((rule.x0 for rule in beside if rule.x0 >= phrase.x1 - slack), default=None)
    if left is None or right is None:
        return []
    inside = [i for i, c in enumerate(columns) if c.x0 >= left - slack and c.x1 <= right + slack]
    return inside if len(inside) > 1 else []


def title_and_captions(
    above: list[TextLine], top: float, page_height: float, settings: ExtractionSettings
) -> tuple[str | None, list[str]]:
    """The nearest heading above the table, and the unit captions between it and the table.

    Text in the top margin is the running page header, never a table's title.
    """
    captions: list[str] = []
    bottom = top
    for line in reversed(above[-settings.title_lines :]):
        if (
            bottom - line.bottom > settings.title_gap_em * line.size
            or line.bottom < settings.running_header_zone * page_height
        ):
            break
        text = " ".join(p.text for p in line.phrases)
        if _is_unit_caption(text, settings) and not captions:
            captions.append(text)
            bottom = line.top
            continue
        return text, captions
    return None, captions


def method(
    rules: list[Rule], x0: float, top: float, x1: float, bottom: float, settings: ExtractionSettings
) -> str:
    """ "lattice" where vertical rules stand at several places across the table, else "stream"."""
    slack = settings.rule_min_length_pt
    verticals = {
        round(r.x0)
        for r in rules
        if not r.horizontal
        and x0 - slack <= r.x0 <= x1 + slack
        and r.top < bottom
        and r.bottom > top
    }
    return "lattice" if len(verticals) >= settings.lattice_min_verticals else "stream"


def adopt_head(head: PageTable, table: PageTable, settings: ExtractionSettings) -> bool:
    """Give a table opening a page the title and header left at the previous page's foot
    (`head`), with the section rows printed under that header; False, the table unchanged,
    where no header years there stand right-aligned over its columns."""
    header = header_lines(head.head, None, table.x0, table.columns, head.head_rules, settings)
    if not headed_by_years(header, table.columns, settings):
        return False
    label_x1 = min(
        max((p.x1 for row in table.rows for p in row.label_parts), default=table.columns[0].x0),
        table.columns[0].x0,
    )
    table.header, table.stub_header = header_labels(
        header, table.columns, head.head_rules, label_x1, settings
    )
    head_top = header[0].top
    table.title, table.captions = title_and_captions(
        [line for line in head.head if line.bottom <= head_top],
        head_top,
        head.page_height,
        settings,
    )
    sections = [line for line in head.head if line.top >= header[-1].bottom]
    table.rows[:0] = [
        BodyRow(head.page, list(line.phrases), {}, line.top, line.bottom) for line in sections
    ]
    return True
