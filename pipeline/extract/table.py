"""Table geometry found on a page: phrases, rows, columns and header lines.

A table is found the way a reader finds it: lines whose numbers stand in aligned columns to the
right of a label, with the header lines above them. Ruling lines, when the producer drew them,
settle which wrapped label line belongs to which row; without them, spacing and letter case do.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field

from pipeline.extract.layout import PageLayout, Rule, Word
from pipeline.extract.settings import DEFAULT_SETTINGS, ExtractionSettings
from pipeline.parse.numbers import (
    continues_number,
    is_minus,
    is_number,
    is_numeric_word,
    is_year,
)

_LOWER_START = re.compile(r"^[a-zæøå(]")
_UNIT_CAPTION = re.compile(r"\b(beløp|tall|mill|tusen|kroner|kr|prosent)\b|1 ?000|%", re.IGNORECASE)


@dataclass(slots=True)
class Phrase(Word):
    """Words printed as one unit: a label, a header word group, or one cell's number."""

    withheld: str | None = None  # why this number is not published, when it is not

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
    font_size: float  # the body's, for tolerances when joining continuations
    withheld: list[str] = field(default_factory=list)  # numbers not published, and why
    fragment: bool = False  # one row without a header: kept only to continue the table before

    @property
    def page(self) -> int:
        return self.pages[0]

    @property
    def has_header(self) -> bool:
        return any(self.header)


def _joins(left: Phrase, right: Word, opens_line: bool, settings: ExtractionSettings) -> bool:
    """Whether the next word on the line continues the phrase instead of starting a new cell;
    `opens_line` when the phrase is the line's first (a footnote's number, "1 Budsjettet ...")."""
    gap = right.x0 - left.x1
    if gap > settings.phrase_gap_em * max(left.size, right.size):
        return False
    if is_minus(left.text) or right.text in ("%", "prosent"):
        return True
    if continues_number(left.text, right.text):
        return True
    # Two complete numbers side by side are two cells, however close; so are a number after a
    # label and a capitalised word after it (a text column right of the numbers).
    text_cell = right.text[:1].isupper() and not opens_line
    return not (left.is_number and (is_number(right.text) or is_minus(right.text[:1]) or text_cell))


def _on_edge(word: Word, edges: list[float], settings: ExtractionSettings) -> bool:
    return any(abs(word.x1 - edge) <= settings.edge_em * word.size for edge in edges)


def _cell_boundary(
    words: list[Word], index: int, edges: list[float], settings: ExtractionSettings
) -> bool:
    """Whether a right-aligned value column ends between words[index - 1] and words[index].

    Number columns set tighter than a thousands separator can only be told apart this way: a
    word ending exactly where other rows' cells end closes its cell.
    """
    if not edges or not is_numeric_word(words[index].text):
        return False
    previous = words[index - 1]
    if is_numeric_word(previous.text):
        return _on_edge(previous, edges, settings)
    for word in words[index:]:  # text, then a number: does the number close on an edge?
        if not is_numeric_word(word.text):
            return False
        if _on_edge(word, edges, settings):
            return True
    return False


def phrases(
    words: list[Word],
    edges: list[float] | None = None,
    settings: ExtractionSettings = DEFAULT_SETTINGS,
) -> list[Phrase]:
    """Join a line's words into phrases; `edges` are known right edges of value columns.

    A run of digit groups longer than one amount can be is several figures whose column gap is
    as narrow as a thousands separator. The edges split it where they can; what they leave
    whole is withheld, never published as one huge number.
    """
    result: list[Phrase] = []
    for index, word in enumerate(words):
        if (
            result
            and _joins(result[-1], word, len(result) == 1, settings)
            and not _cell_boundary(words, index, edges or [], settings)
        ):
            last = result[-1]
            signed = is_minus(last.text) and is_number(word.text)
            last.text = f"{last.text}{word.text}" if signed else f"{last.text} {word.text}"
            last.x1 = max(last.x1, word.x1)
            last.top = min(last.top, word.top)
            last.bottom = max(last.bottom, word.bottom)
        else:
            result.append(
                Phrase(word.text, word.x0, word.x1, word.top, word.bottom, word.size, word.font)
            )
    for phrase in result:
        if phrase.is_number and len(phrase.text.split()) > settings.max_thousands_groups:
            phrase.withheld = f"{phrase.text!r}: more digit groups than one amount has"
    return result


def _value_edges(lines: list[TextLine], settings: ExtractionSettings) -> list[float]:
    """Right edges shared by the numbers of several rows: the value columns' edges."""
    ends = sorted((p.x1, p.size) for line in lines for p in _split_label(line)[1] if p.is_number)
    rows = sum(1 for line in lines if _split_label(line)[1])
    support = max(settings.min_column_support, settings.column_support * rows)
    edges: list[float] = []
    group: list[float] = []
    for x1, size in ends:
        if group and x1 - group[-1] > settings.edge_em * size:
            if len(group) >= support:
                edges.append(sum(group) / len(group))
            group = []
        group.append(x1)
    if len(group) >= support:
        edges.append(sum(group) / len(group))
    return edges


def _rephrase(lines: list[TextLine], edges: list[float], settings: ExtractionSettings) -> None:
    for line in lines:
        line.phrases = phrases(line.words, edges, settings)


def _joined(parts: list[Phrase]) -> Phrase:
    return Phrase(
        " ".join(p.text for p in parts),
        parts[0].x0,
        max(p.x1 for p in parts),
        min(p.top for p in parts),
        max(p.bottom for p in parts),
        parts[0].size,
        parts[0].font,
    )


def _split_label(line: TextLine) -> tuple[Phrase | None, list[Phrase]]:
    """The label phrase (left of the value columns) and the value phrases of a line."""
    if line.value_x0 is not None:
        count = sum(1 for p in line.phrases if p.x0 < line.value_x0)
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


def is_table_like(words: list[Word]) -> bool:
    """A line that could open a table body: numbers in columns beside a label."""
    line = TextLine(words, phrases(words), 0.0, 0.0, 0.0)
    return bool(words) and _is_value_line(line)


def _is_year_line(line: TextLine) -> bool:
    """A header line: years over the columns, perhaps with words ("Endring"), no amounts."""
    numbers = [p for p in _split_label(line)[1] if p.is_number]
    return bool(numbers) and all(is_year(p.text) for p in numbers)


def _overlap(upper: TextLine, lower: TextLine) -> bool:
    """Lines sharing height: numbers set vertically centred on a wrapped label touch both."""
    return lower.top < upper.bottom


def _continues_label_above(above: TextLine, line: TextLine, settings: ExtractionSettings) -> bool:
    """A label-only line directly above whose wrapped label `line` finishes (lower-case start)."""
    label = _split_label(line)[0]
    above_label, above_values = _split_label(above)
    return (
        label is not None
        and above_label is not None
        and not above_values
        and bool(_LOWER_START.match(label.text))
        and line.middle - above.middle <= settings.tight_pitch_em * line.size
        and abs(above_label.x0 - label.x0) <= settings.label_indent_em * line.size
    )


def _label_lines_above(
    lines: list[TextLine], index: int, settings: ExtractionSettings
) -> list[TextLine]:
    """The label of numbers printed without one (lines[index]): the text line directly above
    them, or a label wrapped over several such lines, each a single phrase closely spaced. A
    year may end a wrapped label ("... Statsbudsjettet" / "2025") but is no label on its own."""
    numbers = lines[index]
    if _split_label(numbers)[0] is not None or _is_year_line(numbers):
        return []
    taken: list[TextLine] = []
    below = numbers
    for above in reversed(lines[max(0, index - settings.max_pending_label_lines) : index]):
        if (
            len(above.phrases) != 1
            or (above.phrases[0].is_number and not is_year(above.phrases[0].text))
            or below.middle - above.middle > 2 * settings.tight_pitch_em * below.size
        ):
            break
        taken.insert(0, above)
        below = above
    if all(line.phrases[0].is_number for line in taken):
        return []
    return taken


def _rule_between(
    rules: list[Rule], upper: float, lower: float, x0: float, x1: float, slack: float
) -> bool:
    return any(
        r.horizontal
        and upper - slack <= (r.top + r.bottom) / 2 <= lower + slack
        and r.x0 < x1
        and r.x1 > x0
        for r in rules
    )


class _Block:
    """Lines gathered into one table body while scanning down the page."""

    def __init__(self, first: TextLine, settings: ExtractionSettings) -> None:
        self.settings = settings
        self.lines: list[TextLine] = [first]
        self.pending: list[TextLine] = []
        self.label_x0 = first.x0
        self.value_x0 = min(p.x0 for p in _split_label(first)[1])
        self.spans: list[Column] = []  # where value phrases of rows with numbers stand
        self._add_spans(first)

    def _add_spans(self, line: TextLine) -> None:
        values = _split_label(line)[1]
        if any(p.is_number for p in values):
            for phrase in values:
                _merge_span(self.spans, phrase.x0, phrase.x1)

    def _text_cell(self, first: Phrase, values: list[Phrase], line: TextLine) -> bool:
        """Whether a line's first phrase is a cell of a text column the rows above print in,
        before the line's numbers: its row's label stands on another line."""
        slack = self.settings.align_em * line.size
        indent = self.settings.label_indent_em * line.size
        return (
            first.x0 >= max(self.value_x0 - slack, self.label_x0 + indent)
            and any(p.is_number for p in values)
            and any(abs(span.x0 - first.x0) <= slack for span in self.spans)
        )

    def _in_columns(self, phrase: Phrase) -> bool:
        return any(phrase.x0 < span.x1 and span.x0 < phrase.x1 for span in self.spans)

    @property
    def last(self) -> TextLine:
        return (self.pending or self.lines)[-1]

    def _crosses_columns(self, label: Phrase | None, line: TextLine) -> bool:
        return label is not None and label.x1 > self.value_x0 + self.settings.align_em * line.size

    def accepts(self, line: TextLine) -> bool:
        settings = self.settings
        if line.top - self.last.bottom > settings.body_gap_em * line.size:
            return False
        label, values = _split_label(line)
        if self._crosses_columns(label, line):
            _rephrase([line], _value_edges(self.lines, settings), settings)
            label, values = _split_label(line)
        if self._crosses_columns(label, line):
            if not (label is not None and self._text_cell(label, values, line)):
                return False  # prose running across the value columns
            label, values = None, line.phrases  # a text cell, the row's label on another line
        if not values:
            return label is not None and len(self.pending) < settings.max_pending_label_lines
        if label is None and len(values) == 1 and not (self.pending and _overlap(self.last, line)):
            return False  # a lone number under a table: a page number or a stray figure
        if _is_year_line(line) and any(_split_label(body)[1] for body in self.lines[1:]):
            return False  # a header of years under a body: the next table begins
        if any(p.is_number for p in values):
            return True
        # Text in the value area only in the columns, never in the gaps between them: a line of
        # prose beside or under the table spreads its words across both.
        slack = settings.align_em * line.size
        return all(p.x0 >= self.value_x0 - slack and self._in_columns(p) for p in values)

    def add(self, line: TextLine) -> None:
        values = _split_label(line)[1]
        if values:
            self.lines.extend(self.pending)
            self.pending = []
            self.lines.append(line)
            self._add_spans(line)
            # A number where labels start ("0 - åringer", a wrapped "2027") is label text.
            indent = self.settings.label_indent_em * line.size
            in_columns = [p.x0 for p in values if p.x0 > self.label_x0 + indent]
            self.value_x0 = min([self.value_x0, *in_columns])
            self.label_x0 = min(self.label_x0, line.x0)
        else:
            self.pending.append(line)

    def close(self) -> list[TextLine]:
        """The body lines; trailing label-only lines stay only as lower-case continuations or
        as the lower half of a label its numbers are centred on."""
        for line in self.pending:
            if not (_LOWER_START.match(line.phrases[0].text) or _overlap(self.lines[-1], line)):
                break
            self.lines.append(line)
        return self.lines


def _settle_label_boundary(lines: list[TextLine], settings: ExtractionSettings) -> None:
    """Fix where labels end: at the first column that many rows print a value in.

    Numbers printed in the label area ("0 - åringer", a year wrapped onto its own line) then
    count as label text, not as a column of their own.
    """
    value_lines = sum(1 for line in lines if _split_label(line)[1])
    spans = [(p.x0, p.x1) for line in lines for p in _split_label(line)[1]]
    support = max(settings.min_column_support, settings.column_support * value_lines)
    for column in _columns(lines):
        members = sum(1 for x0, x1 in spans if column.x0 <= x0 and x1 <= column.x1)
        if members >= support:
            for line in lines:
                line.value_x0 = column.x0 - settings.align_em * line.size
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


def _merge_span(spans: list[Column], x0: float, x1: float) -> None:
    """Add [x0, x1] to sorted, disjoint spans, merging those it overlaps."""
    kept = [span for span in spans if span.x1 < x0 or span.x0 > x1]
    for span in spans:
        if not (span.x1 < x0 or span.x0 > x1):
            x0, x1 = min(x0, span.x0), max(x1, span.x1)
    spans[:] = sorted([*kept, Column(x0, x1)], key=lambda span: span.x0)


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
    previous_label, previous_values = _split_label(previous)
    label, values = _split_label(line)
    if label is None:  # numbers under, or centred on, the label line above
        return previous_label is None or bool(previous_values)
    if previous_label is None and _overlap(previous, line):
        return False  # the lower half of a label its numbers are centred on
    if values and previous_values:
        return True
    if _LOWER_START.match(label.text):
        return False
    if previous_label is not None and not previous_values and _set_apart(previous_label, label):
        return True  # a section row ("DRIFTSBUDSJETT", "Driftsrammer¹") heading the rows below
    return not pitch_tight


def _set_apart(section: Phrase, label: Phrase) -> bool:
    """A label-only line set in another font than the label under it, or in capitals over one
    that is not: a section row. A wrapped label keeps its font and case from line to line."""
    other_font = section.font != label.font and bool(section.font and label.font)
    return other_font or (_is_capitals(section.text) and not _is_capitals(label.text))


def _is_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _has_numbers(line: TextLine) -> bool:
    return any(p.is_number for p in _split_label(line)[1])


def _row_groups(
    lines: list[TextLine], columns: list[Column], rules: list[Rule], settings: ExtractionSettings
) -> list[list[TextLine]]:
    """The body lines grouped into table rows (a row's wrapped label lines with its numbers)."""
    pitches = [b.middle - a.middle for a, b in itertools.pairwise(lines)]
    spacings = sorted({round(p / line.size, 1) for p, line in zip(pitches, lines[1:], strict=True)})
    # Only when rows are spaced wider than wrapped lines does spacing tell them apart.
    spacing_speaks = bool(spacings) and spacings[-1] - spacings[0] >= settings.spacing_spread_em
    x0 = min(line.x0 for line in lines)
    label_x1 = columns[0].x0 if columns else max(line.x1 for line in lines)
    ruled = [
        _rule_between(rules, above.bottom, below.top, x0, label_x1, settings.rule_slack_pt)
        for above, below in itertools.pairwise(lines)
    ]
    value_pairs = [r for r, below in zip(ruled, lines[1:], strict=True) if _split_label(below)[1]]
    # Where the producer rules every row, a rule alone separates rows.
    rows_ruled = bool(value_pairs) and sum(value_pairs) >= settings.ruled_rows_share * len(
        value_pairs
    )
    groups: list[list[TextLine]] = []
    for index, line in enumerate(lines):
        if groups:
            previous = lines[index - 1]
            tight = spacing_speaks and pitches[index - 1] <= settings.tight_pitch_em * line.size
            if rows_ruled:
                new_row = ruled[index - 1] or bool(
                    _split_label(previous)[1] and _split_label(line)[1]
                )
            else:
                new_row = _starts_new_row(previous, line, tight, ruled[index - 1])
            # A row prints its numbers on one line: a second line of them begins the next row.
            new_row = new_row or (_has_numbers(line) and any(map(_has_numbers, groups[-1])))
            if not new_row:
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def _rows(
    page: int,
    lines: list[TextLine],
    columns: list[Column],
    rules: list[Rule],
    settings: ExtractionSettings,
) -> tuple[list[BodyRow], list[str]]:
    """The table's rows, and why any number found in them is withheld."""
    rows: list[BodyRow] = []
    withheld: list[str] = []
    for group in _row_groups(lines, columns, rules, settings):
        label_parts: list[Phrase] = []
        cells: dict[int, Phrase] = {}
        for line in group:
            label, values = _split_label(line)
            if label is not None:
                label_parts.append(label)
            for phrase in values:
                column = _column_of(phrase, columns)
                if column not in cells:
                    cells[column] = phrase
                elif cells[column].is_number and phrase.is_number:
                    cells[
                        column
                    ].withheld = (
                        f"{cells[column].text!r} and {phrase.text!r}: two numbers in one column"
                    )
                else:  # one cell printed in pieces
                    cells[column].text += f" {phrase.text}"
                    cells[column].x1 = phrase.x1
        for column, phrase in list(cells.items()):
            if phrase.withheld:
                withheld.append(f"p{page} row {len(rows)} column {column}: {phrase.withheld}")
                del cells[column]
        rows.append(BodyRow(page, label_parts, cells, group[0].top, group[-1].bottom))
    return rows, withheld


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


def _header_lines(
    above: list[TextLine],
    body: list[TextLine],
    columns: list[Column],
    rules: list[Rule],
    settings: ExtractionSettings,
) -> list[TextLine]:
    """The lines directly above the body (or above a section row opening it) whose phrases
    stand over the value columns."""
    body_x0 = min(line.x0 for line in body)
    header: list[TextLine] = []
    below = body[0]
    for line in reversed(above):
        if (
            len(header) >= settings.max_header_lines
            or below.top - line.bottom > settings.header_gap_em * line.size
        ):
            break
        slack = settings.align_em * line.size
        if header and _top_rule_between(rules, line, below, body_x0, columns[-1].x1, slack):
            break
        value_x0 = columns[0].x0 - settings.align_em * line.size
        over_values = [p for p in line.phrases if p.x1 > value_x0]
        if _years_per_column(line, columns):
            header.append(line)
            below = line
            continue
        if len(line.phrases) == 1 and _UNIT_CAPTION.search(line.phrases[0].text):
            break  # a unit caption ("Beløp i mill. kr"), even when printed at the right
        if not over_values and below is body[0] and len(line.phrases) == 1:
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


def _spanned_columns(
    phrase: Phrase,
    line: TextLine,
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
        under = [_column_of(phrase, columns)]
    slack = settings.align_em * phrase.size
    if len(under) == 1 and abs(phrase.x1 - columns[under[0]].x1) <= slack:
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
            centre = (left + columns[high].x1) / 2
            centred = abs(centre - phrase.centre) <= settings.header_centre_share * pitch
            if centred and high - low >= best_width:
                best, best_width = list(range(low, high + 1)), high - low
    return best


def _header_labels(
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
        for phrase in line.phrases:
            if phrase.x1 <= columns[0].x0 - settings.align_em * phrase.size:
                stub.append(phrase.text)
                continue
            targets = _rule_span(phrase, columns, rules, settings) or _spanned_columns(
                phrase, line, columns, label_x1, settings
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
    for rule in rules:
        if (
            rule.horizontal
            and 0 <= rule.top - phrase.bottom <= phrase.size
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


def _title_and_captions(
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
        if len(text) <= settings.caption_chars and _UNIT_CAPTION.search(text) and not captions:
            captions.append(text)
            bottom = line.top
            continue
        return text, captions
    return None, captions


def _method(
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


def _blocks(
    lines: list[TextLine], settings: ExtractionSettings
) -> list[tuple[int, list[TextLine]]]:
    """Runs of lines that read as table bodies, each with the index of its first line."""
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
            block, start = _Block(line, settings), index
            while start > 0 and _continues_label_above(lines[start - 1], block.lines[0], settings):
                start -= 1
                block.lines.insert(0, lines[start])
            if start == index:
                label = _label_lines_above(lines, index, settings)
                start -= len(label)
                block.lines[:0] = label
    if block is not None:
        blocks.append((start, block.close()))
    return blocks


def _dated(lines: list[TextLine], running_header_bottom: float) -> bool:
    """Whether a year is printed on these lines below the running header: a header of years,
    however garbled, heads a new table rather than continuing the one above."""
    return any(
        is_year(word.text)
        for line in lines
        if line.top > running_header_bottom
        for word in line.words
    )


def _fragment_kept(
    page: PageLayout,
    body: list[TextLine],
    above: list[TextLine],
    settings: ExtractionSettings,
    explain: list[str],
) -> bool:
    """Whether one line of numbers without a header may continue a table (said in `explain`)."""
    where = f"lines at y={body[0].top:.0f}-{body[-1].bottom:.0f}"
    if _dated(above, page.height * settings.running_header_zone):
        explain.append(f"{where}: rejected, one line of numbers under a header of its own")
        return False
    if body[0].top > page.height * (1 - settings.running_footer_zone):
        explain.append(f"{where}: rejected, one line of numbers in the running footer")
        return False
    explain.append(
        f"{where}: one line of numbers without a header, kept only where it continues the "
        "table before it in the same columns"
    )
    return True


def _table(
    page: PageLayout,
    body: list[TextLine],
    above: list[TextLine],
    settings: ExtractionSettings,
    explain: list[str],
) -> PageTable | None:
    """The table a body makes with the header and title above it, or None (said in `explain`)."""
    _rephrase(body, _value_edges(body, settings), settings)
    _settle_label_boundary(body, settings)
    value_lines = [line for line in body if _split_label(line)[1]]
    if not value_lines:
        return None  # only header lines of years
    columns = _columns(body)
    label_x1 = max(
        (label.x1 for line in body if (label := _split_label(line)[0]) is not None),
        default=columns[0].x0,
    )
    label_x1 = min(label_x1, columns[0].x0)
    header = _header_lines(above, body, columns, page.rules, settings)
    fragment = len(value_lines) < 2 and not (header and len(columns) >= 2)
    if fragment and not _fragment_kept(page, body, above, settings, explain):
        return None
    labels, stub = _header_labels(header, columns, page.rules, label_x1, settings)
    head_top = header[0].top if header else body[0].top
    title, captions = _title_and_captions(
        [line for line in above if line.bottom <= head_top], head_top, page.height, settings
    )
    rows, withheld = _rows(page.page, body, columns, page.rules, settings)
    explain.extend(withheld)
    if not any(row.cells for row in rows):
        explain.append(f"lines at y={body[0].top:.0f}-{body[-1].bottom:.0f}: every number withheld")
        return None
    x0, x1 = min(line.x0 for line in body), max(line.x1 for line in body)
    bottom = body[-1].bottom
    return PageTable(
        pages=[page.page],
        page_width=page.width,
        page_height=page.height,
        columns=columns,
        rows=rows,
        header=labels,
        stub_header=stub,
        title=title,
        captions=captions,
        method=_method(page.rules, x0, head_top, x1, bottom, settings),
        x0=x0,
        top=head_top,
        x1=x1,
        bottom=bottom,
        font_size=statistics.median(line.size for line in value_lines),
        withheld=withheld,
        fragment=fragment,
    )


def find_tables(
    page: PageLayout,
    settings: ExtractionSettings = DEFAULT_SETTINGS,
    explain: list[str] | None = None,
) -> list[PageTable]:
    """The tables on a page. `explain` collects why candidates were rejected or cells withheld."""
    notes = explain if explain is not None else []
    lines = [
        TextLine(line.words, phrases(line.words, None, settings), line.top, line.bottom, line.size)
        for line in page.lines
    ]
    tables = []
    previous_end = 0
    for start, block_lines in _blocks(lines, settings):
        body = list(block_lines)
        while body and _is_year_line(body[0]):
            body.pop(0)  # a header line of years, e.g. "Regnskap 2024 ... 2029"
        above = lines[previous_end : start + len(block_lines) - len(body)]
        table = _table(page, body, above, settings, notes)
        if table is None:
            continue
        tables.append(table)
        if not table.fragment:  # a fragment's lines may still head or title the next table
            previous_end = start + len(block_lines)
    return tables


def _column_map(
    upper: PageTable, lower: PageTable, settings: ExtractionSettings
) -> dict[int, int] | None:
    """Which of the upper table's columns each of the lower table's columns continues, or None.

    A whole table continues one with the same columns in the same places. A one-row fragment
    may leave cells blank: each of its columns must end where a distinct upper column ends.
    """
    slack = 2 * settings.align_em * max(upper.font_size, lower.font_size)
    if not lower.fragment:
        aligned = len(upper.columns) == len(lower.columns) and all(
            abs(a.x1 - b.x1) <= slack for a, b in zip(upper.columns, lower.columns, strict=True)
        )
        return {i: i for i in range(len(lower.columns))} if aligned else None
    mapping: dict[int, int] = {}
    for index, column in enumerate(lower.columns):
        ends = [i for i, c in enumerate(upper.columns) if abs(c.x1 - column.x1) <= slack]
        if len(ends) != 1 or ends[0] in mapping.values():
            return None
        mapping[index] = ends[0]
    return mapping


def _continues(
    upper: PageTable, lower: PageTable, tables: list[PageTable], settings: ExtractionSettings
) -> bool:
    """Whether `lower` stands where a continuation of `upper` would: below it without a header
    of its own (a fragment close below), or opening the next page without a title, with no
    header or the same again."""
    if lower.page == upper.pages[-1]:
        gap = settings.body_gap_em * max(upper.font_size, lower.font_size)
        return not lower.has_header and not (lower.fragment and lower.top - upper.bottom > gap)
    return (
        lower.page == upper.pages[-1] + 1
        and _opens_page(lower, tables)
        and lower.title is None
        and (not lower.has_header or lower.header == upper.header)
    )


def merge_continuations(
    tables: list[PageTable], settings: ExtractionSettings = DEFAULT_SETTINGS
) -> list[PageTable]:
    """Join a table with the next one when the latter continues it; drop fragments that do not.

    A continuation has its value columns in the same places as the table before it.
    """
    merged: list[PageTable] = []
    for table in tables:
        previous = merged[-1] if merged else None
        mapping = None
        if previous is not None and _continues(previous, table, tables, settings):
            mapping = _column_map(previous, table, settings)
        if previous is not None and mapping is not None:
            for row in table.rows:
                row.cells = {mapping[index]: cell for index, cell in row.cells.items()}
            previous.rows.extend(table.rows)
            previous.withheld.extend(table.withheld)
            if table.page not in previous.pages:
                previous.pages.append(table.page)
        elif not table.fragment:
            merged.append(table)
    return merged


def _opens_page(table: PageTable, tables: list[PageTable]) -> bool:
    return all(other.page != table.page or other.top >= table.top for other in tables)
