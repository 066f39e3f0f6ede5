"""Page layout: characters with boxes -> words -> lines, plus the ruling lines drawn on the page.

pypdfium2 gives every character with its box several times faster than pdfminer-based readers,
so the layout is read with it directly. Coordinates are PDF points on the page as displayed
(rotation applied), with the origin at its top-left corner, like pdfplumber's `top`/`bottom`.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.extract.limits import check_chars
from pipeline.extract.pdf import page_text
from pipeline.extract.settings import (
    DEFAULT_LIMITS,
    DEFAULT_SETTINGS,
    ExtractionSettings,
    ResourceLimits,
)
from pipeline.parse.numbers import (
    MINUS_SIGNS,
    THOUSANDS_SEPARATORS,
    is_number,
    is_numeric_word,
    is_unreadable_character,
    is_unreadable_number,
    is_year,
)

SUPERSCRIPT_DIGITS = "¹²³⁴⁵⁶⁷⁸⁹⁰*"
# Characters a number continues with a digit after ("-14,3"): set one after the other, they are
# one word even where a narrow digit's side bearings leave an ink gap like a word space.
_BEFORE_DIGITS = MINUS_SIGNS + ",."
_FOOTNOTE_MARK = re.compile(rf"^[0-9{SUPERSCRIPT_DIGITS}]{{1,2}}[,)]?$")
_TEXT_LINE_BREAK = re.compile(r"[\r\n]+")
# An amount with its thousands groups, or any other run of non-space characters. `\d` is a
# decimal digit of any script, as parse.numbers reads them (str.isdecimal: Unicode's Nd).
_TOKEN = re.compile(rf"[{MINUS_SIGNS}]?\d{{1,3}}(?:[{THOUSANDS_SEPARATORS}]\d{{3}})+(?:,\d+)?|\S+")


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    font: int = 0  # pdfium's handle of the font the word starts in; 0 when unknown
    baseline: float | None = None  # of its first character on the displayed page, when known

    @property
    def level(self) -> float:
        """Where the word stands vertically: its baseline, which the words of one text line
        share whatever their letters' ink (a ring on "å", a descender), else its middle."""
        return self.baseline if self.baseline is not None else (self.top + self.bottom) / 2


@dataclass(slots=True)
class Line:
    words: list[Word]
    top: float
    bottom: float

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(slots=True)
class Rule:
    """A thin filled or stroked rectangle: a table rule."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) > (self.bottom - self.top)


@dataclass(slots=True)
class PageLayout:
    page: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    unreadable_numbers: bool = False  # laid out like a table, its numbers lost: see below


@dataclass(frozen=True, slots=True)
class PageFrame:
    """PDF user space -> the page as displayed: /Rotate applied, the crop box's corner at (0, 0).

    Coordinates then grow rightwards and downwards on the displayed page, like pdfplumber's
    `x0`/`top`, whatever the producer's rotation, landscape media box or box origin.
    """

    rotation: int  # clockwise degrees: 0, 90, 180 or 270
    left: float
    bottom: float
    right: float
    top: float

    @classmethod
    def of(cls, page: pdfium.PdfPage) -> PageFrame:
        left, bottom, right, top = page.get_cropbox()
        return cls(page.get_rotation() % 360, left, bottom, right, top)

    @property
    def upright(self) -> bool:
        return self.rotation == 0

    def box(
        self, left: float, right: float, low: float, high: float
    ) -> tuple[float, float, float, float]:
        """(x0, x1, top, bottom) on the displayed page of a box in user space."""
        if self.rotation == 90:
            return low - self.bottom, high - self.bottom, left - self.left, right - self.left
        if self.rotation == 180:
            return self.right - right, self.right - left, low - self.bottom, high - self.bottom
        if self.rotation == 270:
            return self.top - high, self.top - low, self.right - right, self.right - left
        return left - self.left, right - self.left, self.top - high, self.top - low


def _words(
    textpage: pdfium.PdfTextPage, text: str, frame: PageFrame, settings: ExtractionSettings
) -> list[Word]:
    """Split the page's characters into words at printed spaces, size changes and letter gaps.

    A printed space always ends a word. A space pdfium generates from a glyph gap ends it only
    where the gap is wider than kerning or a ligature leaves ("Dif feranse"); without any space,
    a gap wider than a word space does. This loop over pdfium's per-character
    boxes is the hot path of the whole pipeline, so it is written flat. The font size is asked
    only where it can change a word: at a word's first character and at a digit raised above
    the character before it (a footnote marker); the font itself at a word's first character.
    """
    raw = textpage.raw
    left, right, low, high = (ctypes.c_double() for _ in range(4))
    get_box = pdfium_c.FPDFText_GetCharBox
    get_size = pdfium_c.FPDFText_GetFontSize
    is_generated = pdfium_c.FPDFText_IsGenerated
    get_object, get_font = pdfium_c.FPDFText_GetTextObject, pdfium_c.FPDFTextObj_GetFont
    get_origin, origin_x, origin_y = (
        pdfium_c.FPDFText_GetCharOrigin,
        ctypes.c_double(),
        ctypes.c_double(),
    )
    upright, x_origin, y_origin = frame.upright, frame.left, frame.top
    gap, overlap, size_change = settings.word_gap_em, settings.word_overlap_em, settings.size_change
    raised, soft_gap = settings.raised_digit_em, settings.generated_space_gap_em
    digit_gap = settings.digit_advance_gap_em
    previous_index = 0
    spaced = False  # pdfium generated a space before this character
    words: list[Word] = []
    chars: list[str] = []
    x0 = x1 = top = bottom = size = previous_bottom = previous_x0 = baseline = 0.0
    font = 0
    for index, char in enumerate(text):
        if char.isspace():
            if chars and not is_generated(raw, index):
                words.append(Word("".join(chars), x0, x1, top, bottom, size, font, baseline))
                chars = []
            spaced = True
            continue
        get_box(raw, index, left, right, low, high)
        if upright:
            c_x0, c_x1 = left.value - x_origin, right.value - x_origin
            c_top, c_bottom = y_origin - high.value, y_origin - low.value
        else:
            c_x0, c_x1, c_top, c_bottom = frame.box(left.value, right.value, low.value, high.value)
        fresh = not chars or (char.isdigit() and previous_bottom - c_bottom > raised * size)
        c_size = get_size(raw, index) if fresh else size
        # The letters of a ligature glyph ("ﬁ" -> "f", "i") share its box: no jump back.
        ligature, previous_x0, previous_bottom = c_x0 == previous_x0, c_x0, c_bottom
        if chars and (
            abs(c_size - size) > size_change * size
            or (
                c_x0 - x1 > (soft_gap if spaced else gap) * size
                and not (
                    char.isdigit()
                    and (chars[-1].isdigit() or chars[-1] in _BEFORE_DIGITS)
                    and _advance_gap(raw, previous_index, index, frame) <= digit_gap * size
                )
            )
            or (c_x0 < x1 - overlap * size and not ligature)
            or c_bottom < top
            or c_top > bottom
        ):
            words.append(Word("".join(chars), x0, x1, top, bottom, size, font, baseline))
            chars = []
        if chars:
            if c_x1 > x1:
                x1 = c_x1
            if c_top < top:
                top = c_top
            if c_bottom > bottom:
                bottom = c_bottom
        else:
            x0, x1, top, bottom = c_x0, c_x1, c_top, c_bottom
            size = c_size if fresh else get_size(raw, index)
            get_origin(raw, index, origin_x, origin_y)
            baseline = (
                y_origin - origin_y.value
                if upright
                else frame.box(origin_x.value, origin_x.value, origin_y.value, origin_y.value)[2]
            )
            text_object = get_object(raw, index)
            font = (
                ctypes.cast(get_font(text_object), ctypes.c_void_p).value or 0 if text_object else 0
            )
        chars.append(char)
        spaced, previous_index = False, index
    if chars:
        words.append(Word("".join(chars), x0, x1, top, bottom, size, font, baseline))
    return words


def _advance_gap(raw: pdfium_c.FPDF_TEXTPAGE, before: int, after: int, frame: PageFrame) -> float:
    """The gap between two characters' advance boxes (origin to origin plus advance) on the
    displayed page. Ink boxes leave a narrow digit's side bearings ("1") as a gap as wide as a
    word space; between digits set one after the other the advance boxes touch."""
    boxes = []
    for index in (before, after):
        rect = pdfium_c.FS_RECTF()
        pdfium_c.FPDFText_GetLooseCharBox(raw, index, rect)
        boxes.append(frame.box(rect.left, rect.right, rect.bottom, rect.top))
    return boxes[1][0] - boxes[0][1]


class _Neighbours:
    """Words indexed by where they end and start, so that finding the words beside a mark looks
    at a few grid cells instead of the whole page: a page of 100 000 digits stays linear."""

    def __init__(self, words: list[Word], settings: ExtractionSettings) -> None:
        self.reach = settings.superscript_reach_em
        self.cell = max((self.reach * w.size for w in words), default=1.0) or 1.0
        self.grid: dict[tuple[int, int], list[Word]] = defaultdict(list)
        for word in words:
            rows = range(self._at(word.top - self.reach * word.size), self._at(word.bottom) + 1)
            for column in {self._at(word.x0), self._at(word.x1)}:
                for row in rows:
                    self.grid[row, column].append(word)

    def _at(self, coordinate: float) -> int:
        return math.floor(coordinate / self.cell)

    def near(self, mark: Word) -> Iterator[Word]:
        """Every word that can stand beside `mark` (a superset: the caller checks exactly)."""
        row = self._at(mark.top)
        columns = {c + d for c in (self._at(mark.x0), self._at(mark.x1)) for d in (-1, 0, 1)}
        seen: set[int] = set()
        for column in columns:
            for word in self.grid.get((row, column), ()):
                if id(word) not in seen:
                    seen.add(id(word))
                    yield word


def _is_superscript(mark: Word, neighbours: _Neighbours, settings: ExtractionSettings) -> bool:
    """A footnote marker: small digits raised beside a normal-size word."""
    if not _FOOTNOTE_MARK.match(mark.text):
        return False
    reach = settings.superscript_reach_em
    for word in neighbours.near(mark):
        if (
            word is not mark
            and mark.size < settings.superscript_size * word.size
            and word.top - reach * word.size < mark.top < word.bottom
            and mark.bottom < word.bottom - settings.superscript_rise_em * word.size
            and min(abs(mark.x0 - word.x1), abs(word.x0 - mark.x1)) < reach * word.size
        ):
            return True
    return False


def group_lines(words: list[Word], settings: ExtractionSettings = DEFAULT_SETTINGS) -> list[Line]:
    """Cluster words into text lines by vertical overlap, without footnote markers.

    A word joins a line when its baseline is near those of the words already on it (a word
    placed by its middle, its baseline unknown, must also lie within the line's height):
    numbers centred between two tightly set label lines overlap both, and would otherwise
    chain them into one line; a dash's thin ink box holds no other word's middle.
    """
    for word in words:
        word.text = word.text.rstrip(SUPERSCRIPT_DIGITS[:-1]) or word.text
    small = [w for w in words if _FOOTNOTE_MARK.match(w.text)]
    neighbours = _Neighbours(words, settings) if small else None
    marks = {id(w) for w in small if neighbours and _is_superscript(w, neighbours, settings)}
    words = sorted((w for w in words if id(w) not in marks), key=lambda w: w.level)
    lines: list[Line] = []
    levels = 0.0  # sum of the levels of the last line's words
    for word in words:
        middle = (word.top + word.bottom) / 2
        line = lines[-1] if lines else None
        if (
            line is not None
            and (word.baseline is not None or line.top <= middle <= line.bottom)
            and abs(word.level - levels / len(line.words)) <= settings.line_middle_em * word.size
        ):
            line.words.append(word)
            line.top = min(line.top, word.top)
            line.bottom = max(line.bottom, word.bottom)
            levels += word.level
        else:
            lines.append(Line([word], word.top, word.bottom))
            levels = word.level
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _rules(page: pdfium.PdfPage, frame: PageFrame, settings: ExtractionSettings) -> list[Rule]:
    """Thin path objects (borders, rules) with their boxes; thicker shapes are not rules."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    rules = []
    raw_page = page.raw
    get_object, get_type = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType
    path = pdfium_c.FPDF_PAGEOBJ_PATH
    for index in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
        obj = get_object(raw_page, index)
        if get_type(obj) != path:
            continue
        pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        width, thickness = right.value - left.value, top.value - bottom.value
        if (
            min(width, thickness) <= settings.rule_max_thickness_pt
            and max(width, thickness) >= settings.rule_min_length_pt
        ):
            x0, x1, y0, y1 = frame.box(left.value, right.value, bottom.value, top.value)
            rules.append(Rule(x0, y0, x1, y1))
    return rules


def _looks_tabular(lines: list[Line], settings: ExtractionSettings) -> bool:
    """Lines with a number set apart by a column gap: worth reading the ruling lines, a walk
    over every object on the page. Prose, whose words stand a space apart, never qualifies."""
    numeric = 0
    for line in lines:
        words = line.words
        if any(
            is_numeric_word(word.text) and word.x0 - before.x1 > settings.column_gap_em * word.size
            for before, word in itertools.pairwise(words)
        ):
            numeric += 1
            if numeric >= settings.min_tabular_lines:
                return True
    return False


def page_may_hold_table(text: str, settings: ExtractionSettings = DEFAULT_SETTINGS) -> bool:
    """The cheap pass, on the page's plain text before any layout work.

    A table shows as a text line mostly made of amounts or with amounts side by side (a row's
    values, perhaps between a label and a text column; one row may continue a table from the
    page before), or as several lines ending in an amount. Prose carries its numbers apart,
    inside sentences. Years are not amounts here, so a page of dated prose does not qualify.
    """
    ending = 0
    for line in _TEXT_LINE_BREAK.split(text):
        tokens = _TOKEN.findall(line)
        if not tokens:
            continue
        is_amount = [is_number(t) and not is_year(t) for t in tokens]
        amounts = sum(is_amount)
        side_by_side = any(a and b for a, b in itertools.pairwise(is_amount))
        if amounts >= 2 and (2 * amounts >= len(tokens) or side_by_side):
            return True
        ending += is_amount[-1]
    return ending >= settings.min_lines_ending_in_amount


def numbers_unreadable(text: str, settings: ExtractionSettings = DEFAULT_SETTINGS) -> bool:
    """A page the cheap pass would take for a table if its unreadable tokens were numbers: a
    table whose digits the text layer does not give (reported, never silently empty)."""
    if not any(is_unreadable_character(char) for char in set(text) if not char.isspace()):
        return False
    lines = _TEXT_LINE_BREAK.split(text)
    readable = [" ".join("1" if is_unreadable_number(t) else t for t in _TOKEN.findall(line))
                for line in lines]  # fmt: skip
    return page_may_hold_table("\n".join(readable), settings)


def read_page(
    document: pdfium.PdfDocument,
    index: int,
    settings: ExtractionSettings = DEFAULT_SETTINGS,
    limits: ResourceLimits = DEFAULT_LIMITS,
) -> PageLayout | None:
    """The layout of one page (0-based index), or None when the cheap pass finds no table there
    (a layout without lines, marked `unreadable_numbers`, when it finds one whose numbers the text
    layer lost). Raises OverLimit for a page with more characters than `limits` allow."""
    return read_page_and_text(document, index, settings, limits)[1]


def read_page_and_text(
    document: pdfium.PdfDocument,
    index: int,
    settings: ExtractionSettings = DEFAULT_SETTINGS,
    limits: ResourceLimits = DEFAULT_LIMITS,
) -> tuple[str, PageLayout | None]:
    """The page's plain text (which the cheap pass reads anyway, and the serve stage wants for the
    headings in the running text) and `read_page`'s layout."""
    page = document[index]
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        check_chars(index + 1, textpage.count_chars(), limits)
        text = page_text(textpage)
        if not page_may_hold_table(text, settings):
            if numbers_unreadable(text, settings):
                return text, PageLayout(index + 1, width, height, unreadable_numbers=True)
            return text, None
        frame = PageFrame.of(page)
        lines = group_lines(_words(textpage, text, frame, settings), settings)
        rules = _rules(page, frame, settings) if _looks_tabular(lines, settings) else []
        return text, PageLayout(index + 1, width, height, lines, rules)
    finally:
        textpage.close()
        page.close()
