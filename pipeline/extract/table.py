"""Table geometry found on a page: phrases, rows, columns and header lines.

A table is found the way a reader finds it: lines whose numbers stand in aligned columns to the
right of a label, with the header lines above them. Ruling lines, when the producer drew them,
settle which wrapped label line belongs to which row; without them, spacing and letter case do.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from pipeline.extract.layout import PageLayout, Rule, Word
from pipeline.parse.numbers import continues_number, is_minus, is_number, is_year

# Gaps and tolerances in units of the font size (em), so that they hold for any type size.
PHRASE_GAP_EM = 0.55  # words closer than this belong to one phrase (a word space is ~0.3 em)
MAX_HEADER_LINES = 8
HEADER_GAP_EM = 2.2  # header lines and the body they head are at most this far apart
BODY_GAP_EM = 3.0  # a larger vertical gap ends a table
TIGHT_PITCH_EM = 1.45  # lines closer than this (centre to centre) are one wrapped cell
ALIGN_TOLERANCE = 2.0  # points
RUNNING_HEADER_ZONE = 0.06  # share of the page height at the top that holds running headers
EDGE_TOLERANCE = 0.8  # points: right-aligned numbers of one column end this close together
_LOWER_START = re.compile(r"^[a-zæøå(]")
_UNIT_CAPTION = re.compile(r"\b(beløp|tall|mill|tusen|kroner|kr|prosent)\b|1 ?000|%", re.IGNORECASE)


@dataclass(slots=True)
class Phrase(Word):
    """Words printed as one unit: a label, a header word group, or one cell's number."""

    @property
    def is_number(self) -> bool:
        return is_number(self.text)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class TextLine:
    words: list[Word]
    phrases: list[Phrase]
    top: float
    bottom: float
    size: float
    value_x0: float | None = None  # where the value columns begin, once the table is known

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def x0(self) -> float:
        return self.phrases[0].x0

    @property
    def x1(self) -> float:
        return self.phrases[-1].x1


@dataclass(slots=True)
class Column:
    x0: float
    x1: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class BodyRow:
    page: int
    label_parts: list[Phrase]
    cells: dict[int, Phrase]
    top: float
    bottom: float

    @property
    def label(self) -> str:
        return " ".join(p.text for p in self.label_parts)


@dataclass(slots=True)
class PageTable:
    """One table as found, before typing; `pages` grows when it continues on the next page."""

    pages: list[int]
    page_width: float
    page_height: float
    columns: list[Column]
    rows: list[BodyRow]
    header: list[list[str]]  # per value column, header texts top to bottom
    stub_header: list[str]  # header text above the label column
    title: str | None
    captions: list[str]  # short lines between title and header ("Beløp i mill. kr")
    method: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def page(self) -> int:
        return self.pages[0]

    @property
    def has_header(self) -> bool:
        return any(self.header)


def _joins(left: Phrase, right: Word) -> bool:
    """Whether the next word on the line continues the phrase instead of starting a new cell."""
    gap = right.x0 - left.x1
    if gap > PHRASE_GAP_EM * max(left.size, right.size):
        return False
    if is_minus(left.text) or right.text in ("%", "prosent"):
        return True
    if continues_number(left.text, right.text):
        return True
    # Two complete numbers side by side are two cells, however close.
    return not (left.is_number and (is_number(right.text) or is_minus(right.text[:1])))


_NUMERIC_WORD = re.compile(r"^[-−–]?\(?\d[\d,]*\)?%?$|^%$")


def _on_edge(word: Word, edges: list[float]) -> bool:
    return any(abs(word.x1 - edge) <= EDGE_TOLERANCE for edge in edges)


def _cell_boundary(words: list[Word], index: int, edges: list[float]) -> bool:
    """Whether a right-aligned value column ends between words[index - 1] and words[index].

    Number columns set tighter than a thousands separator can only be told apart this way: a
    word ending exactly where other rows' cells end closes its cell.
    """
    if not edges or not _NUMERIC_WORD.match(words[index].text):
        return False
    previous = words[index - 1]
    if _NUMERIC_WORD.match(previous.text):
        return _on_edge(previous, edges)
    for word in words[index:]:  # text, then a number: does the number close on an edge?
        if not _NUMERIC_WORD.match(word.text):
            return False
        if _on_edge(word, edges):
            return True
    return False


def phrases(words: list[Word], edges: list[float] | None = None) -> list[Phrase]:
    """Join a line's words into phrases; `edges` are known right edges of value columns."""
    result: list[Phrase] = []
    for index, word in enumerate(words):
        if result and _joins(result[-1], word) and not _cell_boundary(words, index, edges or []):
            last = result[-1]
            signed = is_minus(last.text) and is_number(word.text)
            last.text = f"{last.text}{word.text}" if signed else f"{last.text} {word.text}"
            last.x1 = max(last.x1, word.x1)
            last.top = min(last.top, word.top)
            last.bottom = max(last.bottom, word.bottom)
        else:
            result.append(Phrase(word.text, word.x0, word.x1, word.top, word.bottom, word.size))
    return result


def _value_edges(lines: list[TextLine]) -> list[float]:
    """Right edges shared by the numbers of several rows: the value columns' edges."""
    ends = sorted(p.x1 for line in lines for p in _split_label(line)[1] if p.is_number)
    rows = sum(1 for line in lines if _split_label(line)[1])
    edges, group = [], []
    for x1 in ends:
        if group and x1 - group[-1] > EDGE_TOLERANCE:
            if len(group) >= max(2, 0.3 * rows):
                edges.append(sum(group) / len(group))
            group = []
        group.append(x1)
    if len(group) >= max(2, 0.3 * rows):
        edges.append(sum(group) / len(group))
    return edges


def _rephrase(lines: list[TextLine], edges: list[float]) -> None:
    for line in lines:
        line.phrases = phrases(line.words, edges)


def _joined(parts: list[Phrase]) -> Phrase:
    return Phrase(
        " ".join(p.text for p in parts),
        parts[0].x0,
        max(p.x1 for p in parts),
        min(p.top for p in parts),
        max(p.bottom for p in parts),
        parts[0].size,
    )


def _split_label(line: TextLine) -> tuple[Phrase | None, list[Phrase]]:
    """The label phrase (left of the value columns) and the value phrases of a line."""
    if line.value_x0 is not None:
        count = sum(1 for p in line.phrases if p.x0 < line.value_x0 - ALIGN_TOLERANCE)
        label = _joined(line.phrases[:count]) if count else None
        return label, line.phrases[count:]
    first = line.phrases[0]
    if first.is_number or is_minus(first.text):
        return None, line.phrases
    return first, line.phrases[1:]


def _is_value_line(line: TextLine) -> bool:
    label, values = _split_label(line)
    numbers = [p for p in values if p.is_number]
    return bool(numbers) and (label is not None or len(numbers) >= 2)


def _is_year_line(line: TextLine) -> bool:
    """A header line: years over the columns, perhaps with words ("Endring"), no amounts."""
    numbers = [p for p in _split_label(line)[1] if p.is_number]
    return bool(numbers) and all(is_year(p.text) for p in numbers)


def _continues_label_above(above: TextLine, line: TextLine) -> bool:
    """A label-only line directly above whose wrapped label `line` finishes (lower-case start)."""
    label = _split_label(line)[0]
    above_label, above_values = _split_label(above)
    return (
        label is not None
        and above_label is not None
        and not above_values
        and bool(_LOWER_START.match(label.text))
        and line.middle - above.middle <= TIGHT_PITCH_EM * line.size
        and abs(above_label.x0 - label.x0) <= 2 * line.size
    )


def _overflowing_label_above(above: TextLine, line: TextLine) -> bool:
    """Numbers without a label under text that ran across the columns: that text is the label."""
    return (
        _split_label(line)[0] is None
        and not _is_year_line(line)
        and len(above.phrases) == 1
        and not above.phrases[0].is_number
        and line.middle - above.middle <= 2 * TIGHT_PITCH_EM * line.size
    )


def _rule_between(rules: list[Rule], upper: float, lower: float, x0: float, x1: float) -> bool:
    return any(
        r.horizontal
        and upper - 0.5 <= (r.top + r.bottom) / 2 <= lower + 0.5
        and r.x0 < x1
        and r.x1 > x0
        for r in rules
    )


class _Block:
    """Lines gathered into one table body while scanning down the page."""

    def __init__(self, first: TextLine) -> None:
        self.lines: list[TextLine] = [first]
        self.pending: list[TextLine] = []
        self.label_x0 = first.x0
        self.value_x0 = min(p.x0 for p in _split_label(first)[1])

    @property
    def last(self) -> TextLine:
        return (self.pending or self.lines)[-1]

    def accepts(self, line: TextLine) -> bool:
        if line.top - self.last.bottom > BODY_GAP_EM * line.size:
            return False
        label, values = _split_label(line)
        if label is not None and label.x1 > self.value_x0 + ALIGN_TOLERANCE:
            _rephrase([line], _value_edges(self.lines))
            label, values = _split_label(line)
        if label is not None and label.x1 > self.value_x0 + ALIGN_TOLERANCE:
            return False  # prose running across the value columns
        if not values:
            return label is not None and len(self.pending) < 4
        if label is None and len(values) == 1:
            return False  # a lone number under a table: a page number or a stray figure
        if _is_year_line(line) and any(_split_label(body)[1] for body in self.lines[1:]):
            return False  # a header of years under a body: the next table begins
        return any(p.is_number for p in values) or any(
            p.x0 >= self.value_x0 - ALIGN_TOLERANCE for p in values
        )

    def add(self, line: TextLine) -> None:
        values = _split_label(line)[1]
        if values:
            self.lines.extend(self.pending)
            self.pending = []
            self.lines.append(line)
            # A number where labels start ("0 - åringer", a wrapped "2027") is label text.
            in_columns = [p.x0 for p in values if p.x0 > self.label_x0 + 2 * line.size]
            self.value_x0 = min([self.value_x0, *in_columns])
            self.label_x0 = min(self.label_x0, line.x0)
        else:
            self.pending.append(line)

    def close(self) -> list[TextLine]:
        """The body lines; trailing label-only lines stay only as lower-case continuations."""
        for line in self.pending:
            if not _LOWER_START.match(line.phrases[0].text):
                break
            self.lines.append(line)
        return self.lines


def _settle_label_boundary(lines: list[TextLine]) -> None:
    """Fix where labels end: at the first column that many rows print a value in.

    Numbers printed in the label area ("0 - åringer", a year wrapped onto its own line) then
    count as label text, not as a column of their own.
    """
    value_lines = sum(1 for line in lines if _split_label(line)[1])
    spans = [(p.x0, p.x1) for line in lines for p in _split_label(line)[1]]
    for column in _columns(lines):
        members = sum(1 for x0, x1 in spans if column.x0 <= x0 and x1 <= column.x1)
        if members >= max(2, 0.25 * value_lines):
            for line in lines:
                line.value_x0 = column.x0
            return


def _columns(lines: list[TextLine]) -> list[Column]:
    """Value columns: the horizontal extents where value phrases of different rows overlap."""
    spans = sorted((p.x0, p.x1) for line in lines for p in _split_label(line)[1])
    columns: list[Column] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1].x1:
            columns[-1].x1 = max(columns[-1].x1, x1)
        else:
            columns.append(Column(x0, x1))
    return columns


def _column_of(phrase: Phrase, columns: list[Column]) -> int:
    overlaps = [min(phrase.x1, c.x1) - max(phrase.x0, c.x0) for c in columns]
    best = max(range(len(columns)), key=overlaps.__getitem__)
    if overlaps[best] > 0:
        return best
    return min(range(len(columns)), key=lambda i: abs(columns[i].centre - phrase.centre))


def _starts_new_row(previous: TextLine, line: TextLine, pitch_tight: bool, ruled: bool) -> bool:
    """Whether `line` begins a new table row rather than continuing the label above it."""
    if ruled:
        return True
    previous_has_values = bool(_split_label(previous)[1])
    label, values = _split_label(line)
    if label is None:
        return True
    if values and previous_has_values:
        return True
    if _LOWER_START.match(label.text):
        return False
    return not pitch_tight


def _rows(
    page: int, lines: list[TextLine], columns: list[Column], rules: list[Rule]
) -> list[BodyRow]:
    pitches = [b.middle - a.middle for a, b in itertools.pairwise(lines)]
    spacings = sorted({round(p / line.size, 1) for p, line in zip(pitches, lines[1:], strict=True)})
    # Only when rows are spaced wider than wrapped lines does spacing tell them apart.
    spacing_speaks = bool(spacings) and spacings[-1] - spacings[0] >= 0.25
    x0 = min(line.x0 for line in lines)
    label_x1 = columns[0].x0 if columns else max(line.x1 for line in lines)
    ruled = [
        _rule_between(rules, above.bottom, below.top, x0, label_x1)
        for above, below in itertools.pairwise(lines)
    ]
    value_pairs = [r for r, below in zip(ruled, lines[1:], strict=True) if _split_label(below)[1]]
    # Where the producer rules every row, a rule alone separates rows.
    rows_ruled = bool(value_pairs) and sum(value_pairs) >= 0.8 * len(value_pairs)
    groups: list[list[TextLine]] = []
    for index, line in enumerate(lines):
        if groups:
            previous = lines[index - 1]
            tight = spacing_speaks and pitches[index - 1] <= TIGHT_PITCH_EM * line.size
            if rows_ruled:
                new_row = ruled[index - 1] or bool(
                    _split_label(previous)[1] and _split_label(line)[1]
                )
            else:
                new_row = _starts_new_row(previous, line, tight, ruled[index - 1])
            if not new_row:
                groups[-1].append(line)
                continue
        groups.append([line])
    rows = []
    for group in groups:
        label_parts: list[Phrase] = []
        cells: dict[int, Phrase] = {}
        for line in group:
            label, values = _split_label(line)
            if label is not None:
                label_parts.append(label)
            for phrase in values:
                column = _column_of(phrase, columns)
                if column in cells:  # two phrases under one column: one cell printed in pieces
                    cells[column].text += f" {phrase.text}"
                    cells[column].x1 = phrase.x1
                else:
                    cells[column] = phrase
        rows.append(BodyRow(page, label_parts, cells, group[0].top, group[-1].bottom))
    return rows


def _header_lines(
    above: list[TextLine], body: list[TextLine], columns: list[Column]
) -> list[TextLine]:
    """The lines directly above the body whose phrases stand over the value columns."""
    value_x0 = columns[0].x0 - ALIGN_TOLERANCE
    body_x0 = min(line.x0 for line in body)
    header: list[TextLine] = []
    below = body[0]
    for line in reversed(above):
        if len(header) >= MAX_HEADER_LINES or below.top - line.bottom > HEADER_GAP_EM * line.size:
            break
        over_values = [p for p in line.phrases if p.x1 > value_x0]
        if len(line.phrases) == 1 and _UNIT_CAPTION.search(line.phrases[0].text):
            break  # a unit caption ("Beløp i mill. kr"), even when printed at the right
        if not over_values or any(p.x0 < body_x0 + 2 * line.size for p in over_values):
            break  # a caption, or prose running across the columns
        if any(p.is_number and not is_year(p.text) for p in over_values):
            break  # the body of a table above
        header.append(line)
        below = line
    return header[::-1]


def _spanned_columns(
    phrase: Phrase, line: TextLine, columns: list[Column], label_x1: float
) -> list[int]:
    """Columns a header phrase labels: those under it, or the widest group it is centred over.

    A spanning header ("Økonomiplan" over 2026-2029) is centred over its group's cells; a cell's
    left edge is taken as the right edge of the column before it, numbers being right-aligned.
    """
    under = [i for i, c in enumerate(columns) if min(phrase.x1, c.x1) - max(phrase.x0, c.x0) > 0]
    if not under:
        return [_column_of(phrase, columns)]
    if len(under) == 1 and abs(phrase.x1 - columns[under[0]].x1) <= ALIGN_TOLERANCE:
        return under  # right-aligned over its own column
    taken = {
        i
        for other in line.phrases
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
            centred = abs((left + columns[high].x1) / 2 - phrase.centre) <= 0.25 * pitch
            if centred and high - low >= best_width:
                best, best_width = list(range(low, high + 1)), high - low
    return best


def _header_labels(
    header: list[TextLine], columns: list[Column], rules: list[Rule], label_x1: float
) -> tuple[list[list[str]], list[str]]:
    labels: list[list[str]] = [[] for _ in columns]
    stub: list[str] = []
    for line in header:
        for phrase in line.phrases:
            if phrase.x1 <= columns[0].x0 - ALIGN_TOLERANCE:
                stub.append(phrase.text)
                continue
            targets = _rule_span(phrase, columns, rules) or _spanned_columns(
                phrase, line, columns, label_x1
            )
            for index in targets:
                labels[index].append(phrase.text)
    return labels, stub


def _rule_span(phrase: Phrase, columns: list[Column], rules: list[Rule]) -> list[int]:
    """Columns under a short rule drawn just below a header phrase (a spanning header's rule)."""
    table_width = columns[-1].x1 - columns[0].x0
    for rule in rules:
        if (
            rule.horizontal
            and 0 <= rule.top - phrase.bottom <= phrase.size
            and rule.x0 - ALIGN_TOLERANCE <= phrase.x0
            and phrase.x1 <= rule.x1 + ALIGN_TOLERANCE
            and rule.x1 - rule.x0 < 0.95 * table_width
        ):
            inside = [
                i
                for i, c in enumerate(columns)
                if c.x0 >= rule.x0 - ALIGN_TOLERANCE and c.x1 <= rule.x1 + ALIGN_TOLERANCE
            ]
            if len(inside) > 1:
                return inside
    return []


def _title_and_captions(
    above: list[TextLine], top: float, page_height: float
) -> tuple[str | None, list[str]]:
    """The nearest heading above the table, and the unit captions between it and the table.

    Text in the top margin is the running page header, never a table's title.
    """
    captions: list[str] = []
    bottom = top
    for line in reversed(above[-4:]):
        if bottom - line.bottom > 4 * line.size or line.bottom < RUNNING_HEADER_ZONE * page_height:
            break
        text = " ".join(p.text for p in line.phrases)
        if len(text) <= 40 and _UNIT_CAPTION.search(text) and not captions:
            captions.append(text)
            bottom = line.top
            continue
        return text, captions
    return None, captions


def _method(rules: list[Rule], x0: float, top: float, x1: float, bottom: float) -> str:
    verticals = [
        r
        for r in rules
        if not r.horizontal and x0 - 5 <= r.x0 <= x1 + 5 and r.top < bottom and r.bottom > top
    ]
    return "lattice" if len({round(r.x0) for r in verticals}) >= 3 else "stream"


def find_tables(page: PageLayout) -> list[PageTable]:
    lines = [
        TextLine(line.words, phrases(line.words), line.top, line.bottom, line.size)
        for line in page.lines
    ]
    blocks: list[tuple[int, list[TextLine]]] = []
    block: _Block | None = None
    start = 0
    for index, line in enumerate(lines):
        if block is not None and block.accepts(line):
            block.add(line)
            continue
        if block is not None:
            blocks.append((start, block.close()))
            block = None
        if _is_value_line(line):
            block, start = _Block(line), index
            while start > 0 and _continues_label_above(lines[start - 1], block.lines[0]):
                start -= 1
                block.lines.insert(0, lines[start])
            while start > 0 and _overflowing_label_above(lines[start - 1], block.lines[0]):
                start -= 1
                block.lines.insert(0, lines[start])
    if block is not None:
        blocks.append((start, block.close()))

    tables = []
    previous_end = 0
    for start, block_lines in blocks:
        body = list(block_lines)
        while body and _is_year_line(body[0]):
            body.pop(0)  # a header line of years, e.g. "Regnskap 2024 ... 2029"
        _rephrase(body, _value_edges(body))
        _settle_label_boundary(body)
        value_lines = [line for line in body if _split_label(line)[1]]
        if not value_lines:
            continue
        columns = _columns(body)
        above = lines[previous_end : start + len(block_lines) - len(body)]
        label_x1 = max(
            (label.x1 for line in body if (label := _split_label(line)[0]) is not None),
            default=columns[0].x0,
        )
        label_x1 = min(label_x1, columns[0].x0)
        header = _header_lines(above, body, columns)
        if len(value_lines) < 2 and not (header and len(columns) >= 2):
            continue  # one line of numbers without a header is not a table
        labels, stub = _header_labels(header, columns, page.rules, label_x1)
        head_top = header[0].top if header else body[0].top
        title, captions = _title_and_captions(
            [line for line in above if line.bottom <= head_top], head_top, page.height
        )
        rows = _rows(page.page, body, columns, page.rules)
        x0 = min(line.x0 for line in body)
        x1 = max(line.x1 for line in body)
        tables.append(
            PageTable(
                pages=[page.page],
                page_width=page.width,
                page_height=page.height,
                columns=columns,
                rows=rows,
                header=labels,
                stub_header=stub,
                title=title,
                captions=captions,
                method=_method(page.rules, x0, head_top, x1, body[-1].bottom),
                x0=x0,
                top=head_top,
                x1=x1,
                bottom=body[-1].bottom,
            )
        )
        previous_end = start + len(block_lines)
    return tables


def _columns_align(upper: PageTable, lower: PageTable) -> bool:
    return len(upper.columns) == len(lower.columns) and all(
        abs(a.x1 - b.x1) <= 2 * ALIGN_TOLERANCE
        for a, b in zip(upper.columns, lower.columns, strict=True)
    )


def merge_continuations(tables: list[PageTable]) -> list[PageTable]:
    """Join a table with the next one when the latter continues it.

    A continuation has the same value columns in the same places; on the same page it has no
    header of its own, on the next page it opens the page, with no header or the same again.
    """
    merged: list[PageTable] = []
    for table in tables:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and _columns_align(previous, table)
            and (
                (table.page == previous.pages[-1] and not table.has_header)
                or (
                    table.page == previous.pages[-1] + 1
                    and _opens_page(table, tables)
                    and table.title is None
                    and (not table.has_header or table.header == previous.header)
                )
            )
        ):
            previous.rows.extend(table.rows)
            if table.page not in previous.pages:
                previous.pages.append(table.page)
            continue
        merged.append(table)
    return merged


def _opens_page(table: PageTable, tables: list[PageTable]) -> bool:
    return all(other.page != table.page or other.top >= table.top for other in tables)
