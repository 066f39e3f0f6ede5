"""Table geometry found on a page: phrases, rows, columns and header lines.

A table is found the way a reader finds it: lines whose numbers stand in aligned columns to the
right of a label, with the header lines above them. Ruling lines, when the producer drew them,
settle which wrapped label line belongs to which row; without them, spacing and letter case do.
"""

from __future__ import annotations

import itertools
import statistics

from pipeline.extract.header import (
    headed_by_years,
    header_labels,
    header_lines,
    method,
    title_and_captions,
    with_blank_year_columns,
)
from pipeline.extract.layout import PageLayout, Rule
from pipeline.extract.lines import (
    LOWER_START,
    BodyRow,
    Column,
    PageTable,
    Phrase,
    TextLine,
    centred_on_label,
    column_of,
    continues_label_above,
    is_value_line,
    is_year_line,
    label_lines_above,
    line_pitch,
    overlap,
    phrases,
    rephrase,
    rule_between,
    split_label,
    value_edges,
)
from pipeline.extract.settings import DEFAULT_SETTINGS, ExtractionSettings
from pipeline.parse.numbers import is_year


class _Block:
    """Lines gathered into one table body while scanning down the page."""

    def __init__(self, first: TextLine, settings: ExtractionSettings) -> None:
        self.settings = settings
        self.lines: list[TextLine] = [first]
        self.pending: list[TextLine] = []
        self.label_x0 = first.x0
        self.value_x0 = min(p.x0 for p in split_label(first)[1])
        self.spans: list[Column] = []  # where value phrases of rows with numbers stand
        self._add_spans(first)

    def _add_spans(self, line: TextLine) -> None:
        values = split_label(line)[1]
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

    def _in_one_column(self, phrase: Phrase) -> bool:
        return sum(phrase.x0 < span.x1 and span.x0 < phrase.x1 for span in self.spans) == 1

    @property
    def last(self) -> TextLine:
        return (self.pending or self.lines)[-1]

    def _crosses_columns(self, label: Phrase | None, line: TextLine) -> bool:
        return label is not None and label.x1 > self.value_x0 + self.settings.align_em * line.size

    def accepts(self, line: TextLine) -> bool:
        settings = self.settings
        if line.top - self.last.bottom > settings.body_gap_em * line.size:
            return False
        label, values = split_label(line)
        if self._crosses_columns(label, line):
            rephrase([line], value_edges(self.lines, settings), settings)
            label, values = split_label(line)
        if self._crosses_columns(label, line):
            if not (label is not None and self._text_cell(label, values, line)):
                return False  # prose running across the value columns
            label, values = None, line.phrases  # a text cell, the row's label on another line
        if not values:
            return label is not None and len(self.pending) < settings.max_pending_label_lines
        if label is None and len(values) == 1 and not (self.pending and overlap(self.last, line)):
            return False  # a lone number under a table: a page number or a stray figure
        if is_year_line(line) and any(split_label(body)[1] for body in self.lines[1:]):
            return False  # a header of years under a body: the next table begins
        if any(p.is_number for p in values):
            return True
        # Text in the value area only in the columns, each phrase in one, never in the gaps
        # between them: a line of prose beside or under the table spreads its words across
        # both, and the next table's header ("Endring i") may stand over two.
        slack = settings.align_em * line.size
        return all(p.x0 >= self.value_x0 - slack and self._in_one_column(p) for p in values)

    def add(self, line: TextLine) -> None:
        values = split_label(line)[1]
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
            if not (LOWER_START.match(line.phrases[0].text) or overlap(self.lines[-1], line)):
                break
            self.lines.append(line)
        return self.lines


def _settle_label_boundary(
    lines: list[TextLine], above: list[TextLine], settings: ExtractionSettings
) -> None:
    """Fix where labels end: at the first column that many rows print a value in, or, right of
    where labels start, that a header year above the body stands right-aligned over (a few
    rows before a page break may print in it only once).

    Numbers printed in the label area ("0 - åringer", a year wrapped onto its own line) then
    count as label text, not as a column of their own.
    """
    value_lines = sum(1 for line in lines if split_label(line)[1])
    spans = [(p.x0, p.x1) for line in lines for p in split_label(line)[1]]
    support = max(settings.min_column_support, settings.column_support * value_lines)
    year_lines = [line for line in above[-settings.max_header_lines :] if is_year_line(line)]
    columns = _columns(lines)
    labels_x0 = min((line.x0 for line in lines), default=0.0)
    headed = {
        id(column)
        for column in headed_by_years(year_lines, columns, settings)
        if column.x0 > labels_x0 + settings.label_indent_em * lines[0].size
    }
    for column in columns:
        members = sum(1 for x0, x1 in spans if column.x0 <= x0 and x1 <= column.x1)
        if members >= support or (members and id(column) in headed):
            for line in lines:
                line.value_x0 = column.x0 - settings.align_em * line.size
            return


def _columns(lines: list[TextLine]) -> list[Column]:
    """Value columns: the horizontal extents where value phrases of different rows overlap."""
    spans = sorted((p.x0, p.x1) for line in lines for p in split_label(line)[1])
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


def _starts_new_row(previous: TextLine, line: TextLine, pitch_tight: bool, ruled: bool) -> bool:
    """Whether `line` begins a new table row rather than continuing the label above it."""
    if ruled:
        return True
    previous_label, previous_values = split_label(previous)
    label, values = split_label(line)
    if label is None:  # numbers under, or centred on, the label line above
        return previous_label is None or bool(previous_values)
    if previous_label is None and overlap(previous, line):
        return False  # the lower half of a label its numbers are centred on
    if values and previous_values:
        return True
    if LOWER_START.match(label.text):
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
    return any(p.is_number for p in split_label(line)[1])


def _row_groups(
    lines: list[TextLine], columns: list[Column], rules: list[Rule], settings: ExtractionSettings
) -> list[list[TextLine]]:
    """The body lines grouped into table rows (a row's wrapped label lines with its numbers)."""
    pitches = [line_pitch(a, b) for a, b in itertools.pairwise(lines)]
    # Numbers centred on a wrapped label overlap its lines: their half pitch says nothing of
    # how rows or wrapped lines are spaced.
    spacings = sorted(
        p / below.size
        for p, above, below in zip(pitches, lines, lines[1:], strict=False)
        if not overlap(above, below)
    )
    # Only when rows are spaced wider than wrapped lines does spacing tell them apart; then a
    # pitch near the tightest one is a wrapped line, a wider one a new row.
    spacing_speaks = bool(spacings) and spacings[-1] - spacings[0] >= settings.spacing_spread_em
    wrapped_pitch_em = (spacings[0] + settings.spacing_spread_em) if spacings else 0.0
    x0 = min(line.x0 for line in lines)
    label_x1 = columns[0].x0 if columns else max(line.x1 for line in lines)
    ruled = [
        rule_between(rules, above.bottom, below.top, x0, label_x1, settings.rule_slack_pt)
        for above, below in itertools.pairwise(lines)
    ]
    value_pairs = [r for r, below in zip(ruled, lines[1:], strict=True) if split_label(below)[1]]
    # Where the producer rules every row, a rule alone separates rows.
    rows_ruled = bool(value_pairs) and sum(value_pairs) >= settings.ruled_rows_share * len(
        value_pairs
    )
    groups: list[list[TextLine]] = []
    for index, line in enumerate(lines):
        if groups:
            previous = lines[index - 1]
            pitch = pitches[index - 1]
            tight = spacing_speaks and pitch <= line.size * min(
                settings.tight_pitch_em, wrapped_pitch_em
            )
            if rows_ruled:
                new_row = ruled[index - 1] or bool(
                    split_label(previous)[1] and split_label(line)[1]
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
            label, values = split_label(line)
            if label is not None:
                label_parts.append(label)
            for phrase in values:
                column = column_of(phrase, columns)
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
        if is_value_line(line) or centred_on_label(lines, index):
            block, start = _Block(line, settings), index
            while start > 0 and continues_label_above(lines[start - 1], block.lines[0], settings):
                start -= 1
                block.lines.insert(0, lines[start])
            if start == index:
                label = label_lines_above(lines, index, settings)
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


def _section_row_above(
    page: PageLayout, above: list[TextLine], body: list[TextLine], settings: ExtractionSettings
) -> list[TextLine]:
    """A label-only line set like the body's rows directly over a table without a header, the
    first text of its page: the table's first (section) row, not its title. A table continued
    on a new page without its header often opens so ("Bymiljø og utbygging" over the sector's
    rows); taken for a title it would stop the table from joining the part before it."""
    first = body[0]
    zone = settings.running_header_zone * page.height
    opening = next((line for line in page.lines if line.bottom >= zone), None)
    line = next((line for line in reversed(above) if line.bottom <= first.top), None)
    if line is None or opening is None or line.top != opening.top:
        return []
    label, values = split_label(line)
    labels = [part.x0 for row in body if (part := split_label(row)[0]) is not None]
    return (
        [line]
        if label is not None
        and not values
        and labels
        and abs(line.size - first.size) <= settings.size_change * first.size
        and first.middle - line.middle <= 2 * settings.tight_pitch_em * first.size
        and abs(label.x0 - min(labels)) <= settings.label_indent_em * first.size
        else []
    )


def _table(
    page: PageLayout,
    body: list[TextLine],
    above: list[TextLine],
    settings: ExtractionSettings,
    explain: list[str],
) -> PageTable | None:
    """The table a body makes with the header and title above it, or None (said in `explain`)."""
    rephrase(body, value_edges(body, settings), settings)
    _settle_label_boundary(body, above, settings)
    value_lines = [line for line in body if split_label(line)[1]]
    if not value_lines:
        return None  # only header lines of years
    columns = _columns(body)
    label_x1 = max(
        (label.x1 for line in body if (label := split_label(line)[0]) is not None),
        default=columns[0].x0,
    )
    label_x1 = min(label_x1, columns[0].x0)
    header = header_lines(
        above, body[0], min(line.x0 for line in body), columns, page.rules, settings
    )
    columns = with_blank_year_columns(header, columns, settings)
    # One line of numbers makes a table only under a header over two columns of numbers: a
    # line of prose with one figure in it has as many "columns" as words.
    numeric_columns = {
        column_of(p, columns) for line in value_lines for p in split_label(line)[1] if p.is_number
    }
    fragment = len(value_lines) < 2 and not (header and len(numeric_columns) >= 2)
    if fragment and not _fragment_kept(page, body, above, settings, explain):
        return None
    labels, stub = header_labels(header, columns, page.rules, label_x1, settings)
    if not header:
        body = _section_row_above(page, above, body, settings) + body
    head_top = header[0].top if header else body[0].top
    title, captions = title_and_captions(
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
        method=method(page.rules, x0, head_top, x1, bottom, settings),
        x0=x0,
        top=head_top,
        x1=x1,
        bottom=bottom,
        font_size=statistics.median(line.size for line in value_lines),
        withheld=withheld,
        fragment=fragment,
        body=[] if title else body,
        body_rules=[] if title else [r for r in page.rules if r.bottom >= head_top],
    )


def read_against(table: PageTable, columns: list[Column], settings: ExtractionSettings) -> None:
    """Read a table's body again against the columns of the table it continues: a page's
    few rows may print in a column too seldom for it to count (a text column, a column blank
    in all but one row), its cells then read as label text."""
    for line in table.body:
        line.value_x0 = columns[0].x0 - settings.align_em * line.size
    table.rows, table.withheld = _rows(table.page, table.body, columns, table.body_rules, settings)
    table.columns = columns


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
        while body and is_year_line(body[0]):
            body.pop(0)  # a header line of years, e.g. "Regnskap 2024 ... 2029"
        above = lines[previous_end : start + len(block_lines) - len(body)]
        table = _table(page, body, above, settings, notes)
        if table is None:
            continue
        tables.append(table)
        if not table.fragment:  # a fragment's lines may still head or title the next table
            previous_end = start + len(block_lines)
    head = _head_at_foot(page, lines[previous_end:], tables, settings)
    if head is not None:
        notes.append(
            f"lines at y={head.top:.0f}-{head.bottom:.0f}: a header, if a body opens the next page"
        )
        tables.append(head)
    return tables


def _head_at_foot(
    page: PageLayout, tail: list[TextLine], tables: list[PageTable], settings: ExtractionSettings
) -> PageTable | None:
    """The lines after the page's last table, when a year stands among them and no body follows
    on this page: perhaps a title and header whose body opens the next page. Kept as a fragment
    without rows until that body's columns are known (continuation.merge_continuations)."""
    footer_top = (1 - settings.running_footer_zone) * page.height
    tail = [line for line in tail if line.top < footer_top]
    if not tail or (tables and tables[-1].bottom > tail[0].top):
        return None  # a one-row fragment below the last table
    if not any(is_year(word.text) for line in tail for word in line.words):
        return None  # no header year: read against the next page's columns, it must have some
    return PageTable(
        pages=[page.page],
        page_width=page.width,
        page_height=page.height,
        columns=[],
        rows=[],
        header=[],
        stub_header=[],
        title=None,
        captions=[],
        method="stream",
        x0=min(line.x0 for line in tail),
        top=tail[0].top,
        x1=max(line.x1 for line in tail),
        bottom=tail[-1].bottom,
        font_size=statistics.median(line.size for line in tail),
        fragment=True,
        head=tail,
        head_rules=[rule for rule in page.rules if rule.bottom >= tail[0].top],
    )
