"""Phrases and text lines: the reading of a page's words that table finding starts from.

A page's words are joined into phrases (a label, an amount) and gathered into text lines; these
types, with the columns, body rows and tables built from them, and the small questions asked of
a line (is it a line of values, of years, does it finish the label above) are shared by body,
header and continuation finding, so they stand apart from any one of them.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.extract.layout import Rule, Word
from pipeline.extract.settings import DEFAULT_SETTINGS, ExtractionSettings
from pipeline.parse.numbers import (
    continues_number,
    is_minus,
    is_number,
    is_numeric_word,
    is_year,
)

LOWER_START = re.compile(r"^[a-zæøå(]")


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
    def baseline(self) -> float | None:
        """The line's baseline where all its words' are known: unlike its middle, it does not
        move with its letters' ink (a line without descenders, "Sum", sits lower)."""
        known = [w.baseline for w in self.words if w.baseline is not None]
        return statistics.median(known) if len(known) == len(self.words) else None

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
    # A title and header left at the page's foot, its body on the next page: the lines and the
    # rules among them, read once that body's columns are known (a fragment with no rows).
    head: list[TextLine] = field(default_factory=list)
    head_rules: list[Rule] = field(default_factory=list)
    # A body without a title may continue the table before, whose columns it may be too
    # short to show: its lines and rules, to read it again against that table's columns.
    body: list[TextLine] = field(default_factory=list)
    body_rules: list[Rule] = field(default_factory=list)

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
    size = max(left.size, right.size)
    if gap <= settings.thousands_gap_em * size and continues_number(left.text, right.text):
        return True
    if gap > settings.phrase_gap_em * size:
        return False
    if is_minus(left.text) or right.text in ("%", "prosent"):
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


def _join_words(
    words: list[Word], boundary: Callable[[int], bool], settings: ExtractionSettings
) -> list[Phrase]:
    """Words joined into phrases, a new one wherever `boundary(index)` says a cell ends."""
    result: list[Phrase] = []
    for index, word in enumerate(words):
        if result and _joins(result[-1], word, len(result) == 1, settings) and not boundary(index):
            last = result[-1]
            signed = is_minus(last.text) and is_number(word.text)
            last.text = f"{last.text}{word.text}" if signed else f"{last.text} {word.text}"
            last.x1 = max(last.x1, word.x1)
            last.top = min(last.top, word.top)
            last.bottom = max(last.bottom, word.bottom)
        else:
            result.append(
                Phrase(
                    word.text,
                    word.x0,
                    word.x1,
                    word.top,
                    word.bottom,
                    word.size,
                    word.font,
                    word.baseline,
                )
            )
    return result


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
    result = _join_words(
        words, lambda index: _cell_boundary(words, index, edges or [], settings), settings
    )
    for phrase in result:
        if phrase.is_number and len(phrase.text.split()) > settings.max_thousands_groups:
            phrase.withheld = f"{phrase.text!r}: more digit groups than one amount has"
    return result


def header_phrases(
    words: list[Word], edges: list[float], settings: ExtractionSettings
) -> list[Phrase]:
    """A header line's phrases: a word ending on a value column's right edge ends its phrase.

    Right-aligned header cells set closer than a word space ("Regnskap 2020 Oppr. budsjett
    2021") are told apart only by the edges of the numbers they head.
    """
    return _join_words(
        words,
        lambda index: index > 0 and _on_edge(words[index - 1], edges, settings),
        settings,
    )


def value_edges(lines: list[TextLine], settings: ExtractionSettings) -> list[float]:
    """Right edges shared by the numbers of several rows: the value columns' edges."""
    ends = sorted((p.x1, p.size) for line in lines for p in split_label(line)[1] if p.is_number)
    rows = sum(1 for line in lines if split_label(line)[1])
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


def rephrase(lines: list[TextLine], edges: list[float], settings: ExtractionSettings) -> None:
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
        parts[0].baseline,
    )


def split_label(line: TextLine) -> tuple[Phrase | None, list[Phrase]]:
    """The label phrase (left of the value columns) and the value phrases of a line."""
    if line.value_x0 is not None:
        count = sum(1 for p in line.phrases if p.x0 < line.value_x0)
        label = _joined(line.phrases[:count]) if count else None
        return label, line.phrases[count:]
    first = line.phrases[0]
    if first.is_number or is_minus(first.text):
        return None, line.phrases
    return first, line.phrases[1:]


def is_value_line(line: TextLine) -> bool:
    label, values = split_label(line)
    numbers = [p for p in values if p.is_number]
    return bool(numbers) and (label is not None or len(numbers) >= 2)


def centred_on_label(lines: list[TextLine], index: int) -> bool:
    """A line of numbers without a label set between two label-only lines it overlaps both
    of: a row's numbers centred on its wrapped label, a row as much as a value line is."""
    line = lines[index]
    label, values = split_label(line)
    if label is not None or not any(p.is_number for p in values) or is_year_line(line):
        return False
    around = lines[index - 1 : index + 2] if index > 0 else []
    return (
        len(around) == 3
        and all(len(text.phrases) == 1 and not split_label(text)[1] for text in around[::2])
        and overlap(around[0], line)
        and overlap(line, around[2])
    )


def is_table_like(words: list[Word]) -> bool:
    """A line that could open a table body: numbers in columns beside a label."""
    line = TextLine(words, phrases(words), 0.0, 0.0, 0.0)
    return bool(words) and is_value_line(line)


def is_year_line(line: TextLine) -> bool:
    """A header line: years over the columns, perhaps with words ("Endring"), no amounts.

    Header cells set close together read as text phrases ("Oppr. budsjett 2024 Økonomiplan
    2025"), and the first may reach into the label area of the table above ("Regnskap 2021"):
    a year in the value area and another anywhere on the line make it a header all the same.
    """
    values = split_label(line)[1]
    numbers = [p for p in values if p.is_number]
    if not all(is_year(p.text) for p in numbers):
        return False
    years_in_values = sum(is_year(word) for p in values for word in p.text.split())
    return bool(numbers) or (
        years_in_values >= 1 and sum(is_year(word.text) for word in line.words) >= 2
    )


def line_pitch(upper: TextLine, lower: TextLine) -> float:
    """How far apart two lines stand: baseline to baseline where both are known, else middle
    to middle."""
    if upper.baseline is not None and lower.baseline is not None:
        return lower.baseline - upper.baseline
    return lower.middle - upper.middle


def overlap(upper: TextLine, lower: TextLine) -> bool:
    """Lines sharing height: numbers set vertically centred on a wrapped label touch both."""
    return lower.top < upper.bottom


def continues_label_above(above: TextLine, line: TextLine, settings: ExtractionSettings) -> bool:
    """A label-only line directly above whose wrapped label `line` finishes (lower-case start).

    The lower-case start says it; the pitch may be a row's, up to twice a tight one, since
    producers that space rows widely wrap labels at the same leading.
    """
    label = split_label(line)[0]
    above_label, above_values = split_label(above)
    return (
        label is not None
        and above_label is not None
        and not above_values
        and bool(LOWER_START.match(label.text))
        and line.middle - above.middle <= 2 * settings.tight_pitch_em * line.size
        and abs(above_label.x0 - label.x0) <= settings.label_indent_em * line.size
    )


def label_lines_above(
    lines: list[TextLine], index: int, settings: ExtractionSettings
) -> list[TextLine]:
    """The label of numbers printed without one (lines[index]): the text line directly above
    them, or a label wrapped over several such lines, each a single phrase closely spaced. A
    year may end a wrapped label ("... Statsbudsjettet" / "2025") but is no label on its own.

    Numbers printed after a text cell ("Forsinket") have no label either where that cell
    stands right of where the label line above starts: it is a text column's cell.
    """
    numbers = lines[index]
    first = split_label(numbers)[0]
    if is_year_line(numbers) or (
        first is not None and not _text_cell_under_label(lines, index, first, settings)
    ):
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


def _text_cell_under_label(
    lines: list[TextLine], index: int, first: Phrase, settings: ExtractionSettings
) -> bool:
    """Whether a number line's first phrase stands right of the label-only line above it, by
    more than a label's indent: a text column's cell, the row's label wrapped around it."""
    if index == 0:
        return False
    above = lines[index - 1]
    label, values = split_label(above)
    return (
        label is not None
        and not values
        and first.x0 > label.x0 + settings.label_indent_em * first.size
    )


def rule_between(
    rules: list[Rule], upper: float, lower: float, x0: float, x1: float, slack: float
) -> bool:
    return any(
        r.horizontal
        and upper - slack <= (r.top + r.bottom) / 2 <= lower + slack
        and r.x0 < x1
        and r.x1 > x0
        for r in rules
    )


def column_of(phrase: Phrase, columns: list[Column]) -> int:
    """The column a phrase overlaps most, else the one whose centre is nearest.

    Columns are sorted and disjoint, so only those around the phrase are looked at (bisect):
    a row of hundreds of cells under hundreds of columns stays near-linear.
    """
    lefts = [c.x0 for c in columns]
    low = max(0, bisect.bisect_left(lefts, phrase.x0) - 1)
    high = bisect.bisect_right(lefts, phrase.x1)
    candidates = range(low, max(high, low + 1))
    overlaps = {
        i: min(phrase.x1, columns[i].x1) - max(phrase.x0, columns[i].x0) for i in candidates
    }
    best = max(candidates, key=overlaps.__getitem__)
    if overlaps[best] > 0:
        return best
    centres = [c.centre for c in columns]
    near = bisect.bisect_left(centres, phrase.centre)
    around = [i for i in (near - 1, near) if 0 <= i < len(columns)]
    return min(around, key=lambda i: abs(columns[i].centre - phrase.centre))
