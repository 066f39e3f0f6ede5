"""Every geometry threshold of the extractor, named once, with the reason for its value.

Like pdfplumber's `TableSettings`: one frozen object that layout.py and table.py read, so a
threshold is tuned in one place and the same notion is never defined twice. Lengths are in
units of the font size (em) or of the line pitch wherever a font size is at hand, so that they
hold for any type size; the few in points concern drawn rules, which have no font size.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    # Characters -> words (layout.py)
    word_gap_em: float = 0.25
    """A gap wider than this between glyphs ends a word where no space character is printed;
    kerning and ligature gaps stay well below it, a word space (~0.3 em) above."""
    generated_space_gap_em: float = 0.15
    """Where pdfium generates a space from a glyph gap, the gap must exceed this to end a word:
    ink-box gaps between letters stay below it, kerned pairs and ligatures too."""
    digit_advance_gap_em: float = 0.1
    """Before a digit (after a digit, a minus sign or a decimal comma), only a gap wider than
    this between their advance boxes ends a word:
    a narrow digit's ink box ("1") leaves side bearings as wide as a word space, while digits
    of one group are set edge to edge and a thousands gap is a space's width (~0.25 em)."""
    word_overlap_em: float = 0.5
    """A glyph starting this far left of the word's end begins a new word (a jump back)."""
    size_change: float = 0.05
    """A relative font-size change larger than this ends a word (a footnote mark, a new font)."""
    raised_digit_em: float = 0.1
    """A digit whose baseline is this much above the previous glyph may be a footnote mark."""

    line_middle_em: float = 0.3
    """Words of one text line have their baselines this close to the line's mean baseline (the
    same, but for a word whose baseline is unknown, placed by its middle: words of x-height and
    of cap height differ by ~0.15 em); numbers centred between two wrapped label lines stand
    half a line pitch (>= 0.5 em) from either."""

    # Footnote markers (layout.py)
    superscript_size: float = 0.9
    """A footnote marker is printed smaller than this share of the word it sits beside."""
    superscript_rise_em: float = 0.15
    """...and its bottom stands at least this far above that word's bottom."""
    superscript_reach_em: float = 0.5
    """...and it touches the word: closer than this horizontally, no higher than this above."""

    # Ruling lines (layout.py): drawn shapes, so in points
    rule_max_thickness_pt: float = 2.0
    """A path thinner than this is a rule; thicker shapes are shading or pictures."""
    rule_min_length_pt: float = 5.0
    """A rule is at least this long; shorter marks are glyph parts or bullets."""

    # The cheap page filter (layout.py)
    column_gap_em: float = 1.0
    """A number set this far from the word before it stands in a column, not in a sentence."""
    min_tabular_lines: int = 2
    """Lines with a column-set number a page needs before its rules are read."""
    min_lines_ending_in_amount: int = 3
    """Lines ending in an amount that make a page worth laying out."""

    # Phrases and columns (table.py)
    phrase_gap_em: float = 0.55
    """Words closer than this belong to one phrase (a word space is ~0.3 em)."""
    thousands_gap_em: float = 0.7
    """A digit group continues the number before it across a gap up to this: a thousands space
    (up to ~0.33 em in wide fonts) plus the side bearings of narrow digits ("1 161") on both
    sides of it. Columns set closer are split by their edges (lines._cell_boundary)."""
    align_em: float = 0.25
    """Edges of one column or one label indent agree within this much."""
    header_align_em: float = 0.5
    """A header year ending within this of a column's right edge stands right-aligned over it:
    header cells may be padded apart from the numbers under them."""
    edge_em: float = 0.1
    """Right-aligned numbers of one column end this close together."""
    column_support: float = 0.3
    """Share of the value rows that must print in a column (or end on an edge) for it to count."""
    min_column_support: int = 2
    """...and never fewer rows than this: one row's spacing is no column."""
    max_thousands_groups: int = 3
    """A printed amount has at most this many digit groups (< 1e9): a longer run is several
    figures glued, never one number."""
    label_indent_em: float = 2.0
    """A number within this of where labels start is label text ("0 - åringer"); labels of one
    row and its wrapped lines start within this of each other."""

    # Rows (table.py)
    tight_pitch_em: float = 1.45
    """Lines closer than this (centre to centre) are one wrapped cell."""
    spacing_spread_em: float = 0.25
    """Row pitches must differ by this much before spacing tells rows from wrapped lines; then
    a pitch within this of the tightest one is a wrapped line (a producer may set rows closer
    than tight_pitch_em when it sets wrapped lines closer still)."""
    ruled_rows_share: float = 0.8
    """Where this share of value rows has a rule above it, rules alone separate rows."""
    rule_slack_pt: float = 0.5
    """A rule may touch the text it separates by this much."""
    max_pending_label_lines: int = 4
    """Label-only lines a body keeps while waiting for the numbers of their row."""
    body_gap_em: float = 3.0
    """A larger vertical gap ends a table."""

    # Header, title and captions (table.py)
    max_header_lines: int = 8
    """Header lines above a body: more is prose."""
    header_gap_em: float = 2.2
    """Header lines and the body they head are at most this far apart."""
    header_centre_share: float = 0.25
    """A spanning header is centred over its group within this share of a column's pitch."""
    rule_segment_em: float = 0.1
    """Segments of one rule drawn cell by cell (an HTML table's border under a spanning header
    cell) butt or overlap end to end at one height: a gap or step up to this is rounding."""
    spanning_rule_width: float = 0.95
    """A rule under a header narrower than this share of the table spans a group of columns."""
    title_lines: int = 4
    """Lines above a table searched for its title."""
    title_gap_em: float = 4.0
    """A title stands at most this far above the table."""
    caption_chars: int = 40
    """A unit caption ("Beløp i mill. kr") is at most this long."""
    running_header_zone: float = 0.06
    """Share of the page height at the top that holds running headers, never titles."""
    running_footer_zone: float = 0.06
    """Share of the page height at the bottom that holds running footers (a date and a page
    number look like a one-row table), never a row continuing a table on its own."""
    lattice_min_verticals: int = 3
    """Vertical rules at this many places make a table a grid ("lattice")."""


DEFAULT_SETTINGS = ExtractionSettings()


@dataclass(frozen=True, slots=True)
class ResourceLimits:
    """What one document, one page or one page worker may cost before it is rejected: a hostile
    or broken PDF is named with the limit it broke, and the rest of the run goes through. Each
    has a `budget-etl run` option of the same name (`--max-page-chars` and so on)."""

    max_document_pages: int = 5000
    """Pages of one document, as its page tree counts them. The samples' longest has 319 pages
    and a 3 000-page document still goes through; every page is read, so a page tree that lists
    one page thousands of times (a 53 KB file) costs as much as thousands of real pages, and a
    document past this is rejected whole before any page is read."""
    max_page_chars: int = 500_000
    """Characters on one page, as pdfium counts them (with the spaces and line breaks it
    generates). A dense A4 table page holds about 10 000 and an A3 spreadsheet print about
    40 000; a page of 100 000 single digits counts 200 000 and reads in seconds. Far more is a
    generated or hostile page whose layout would cost minutes and gigabytes."""
    max_page_content_mb: float = 64.0
    """Decompressed content streams of one page (its own and its form XObjects'), measured
    before the page is parsed. The samples' largest page is 0.14 MB and vector maps reach a few
    MB; a decompression bomb inflates to hundreds of MB and is stopped before it is inflated."""
    max_page_seconds: float = 120.0
    """Wall-clock time to read one page's tables (the page's worker, not the whole run). A
    typical page takes milliseconds and the 100 000-digit page a few seconds: a page past this
    is stuck, and the other pages should not wait for it. Not applied on a dask cluster, whose
    tasks run in threads without signals."""
    max_worker_memory_mb: int = 4096
    """Memory a page worker may allocate on top of what it inherits from the run at start,
    enforced by the OS (RLIMIT_DATA); past it, the page in hand is rejected instead of the machine
    swapping or the kernel killing the run. Applies to process workers (`--workers 2` or more)."""

    def fingerprint(self) -> dict[str, float]:
        """The limits as data: a document or page over a limit is left out, so they change the
        output."""
        return {name: getattr(self, name) for name in self.__slots__}


DEFAULT_LIMITS = ResourceLimits()
