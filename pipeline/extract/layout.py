"""Page layout: characters with boxes -> words -> lines, plus the ruling lines drawn on the page.

pypdfium2 gives every character with its box several times faster than pdfminer-based readers,
so the layout is read with it directly. Coordinates are PDF points with the origin at the page's
top-left corner, like pdfplumber's `top`/`bottom`.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.parse.numbers import MINUS_SIGNS, THOUSANDS_SEPARATORS, is_number, is_year

SUPERSCRIPT_DIGITS = "¹²³⁴⁵⁶⁷⁸⁹⁰*"
_FOOTNOTE_MARK = re.compile(rf"^[0-9{SUPERSCRIPT_DIGITS}]{{1,2}}[,)]?$")
_TEXT_LINE_BREAK = re.compile(r"[\r\n]+")
# An amount with its thousands groups, or any other run of non-space characters.
_TOKEN = re.compile(
    rf"[{MINUS_SIGNS}]?[0-9]{{1,3}}(?:[{THOUSANDS_SEPARATORS}][0-9]{{3}})+(?:,[0-9]+)?|\S+"
)
_NUMERIC_WORD = re.compile(r"^[-−–(]?[0-9][0-9,]*%?\)?$")
MIN_LINES_ENDING_IN_AMOUNT = 3


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


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


def _words(textpage: pdfium.PdfTextPage, text: str, height: float) -> list[Word]:
    """Split the page's characters into words at white space, size changes and letter gaps.

    This loop over pdfium's per-character boxes is the hot path of the whole pipeline, so it is
    written flat. The font size is asked only where it can change a word: at a word's first
    character and at a digit raised above the character before it (a footnote marker).
    """
    raw = textpage.raw
    left, right, low, high = (ctypes.c_double() for _ in range(4))
    get_box = pdfium_c.FPDFText_GetCharBox
    get_size = pdfium_c.FPDFText_GetFontSize
    words: list[Word] = []
    chars: list[str] = []
    x0 = x1 = top = bottom = size = previous_bottom = 0.0
    for index, char in enumerate(text):
        if char.isspace():
            if chars:
                words.append(Word("".join(chars), x0, x1, top, bottom, size))
                chars = []
            continue
        get_box(raw, index, left, right, low, high)
        c_x0, c_x1 = left.value, right.value
        c_top, c_bottom = height - high.value, height - low.value
        fresh = not chars or (char.isdigit() and previous_bottom - c_bottom > 0.1 * size)
        c_size = get_size(raw, index) if fresh else size
        previous_bottom = c_bottom
        if chars and (
            abs(c_size - size) > 0.05 * size
            or c_x0 - x1 > 0.25 * size
            or c_x0 < x1 - 0.5 * size
            or c_bottom < top
            or c_top > bottom
        ):
            words.append(Word("".join(chars), x0, x1, top, bottom, size))
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
        chars.append(char)
    if chars:
        words.append(Word("".join(chars), x0, x1, top, bottom, size))
    return words


def _is_superscript(mark: Word, words: list[Word]) -> bool:
    """A footnote marker: small digits raised beside a normal-size word."""
    if not _FOOTNOTE_MARK.match(mark.text):
        return False
    for word in words:
        if (
            word is not mark
            and mark.size < 0.9 * word.size
            and word.top - 0.5 * word.size < mark.top < word.bottom
            and mark.bottom < word.bottom - 0.15 * word.size
            and min(abs(mark.x0 - word.x1), abs(word.x0 - mark.x1)) < 0.5 * word.size
        ):
            return True
    return False


def group_lines(words: list[Word]) -> list[Line]:
    """Cluster words into text lines by vertical overlap, without footnote markers."""
    for word in words:
        word.text = word.text.rstrip(SUPERSCRIPT_DIGITS[:-1]) or word.text
    small = [w for w in words if _FOOTNOTE_MARK.match(w.text)]
    marks = {id(w) for w in small if _is_superscript(w, words)}
    words = sorted((w for w in words if id(w) not in marks), key=lambda w: (w.top + w.bottom) / 2)
    lines: list[Line] = []
    for word in words:
        middle = (word.top + word.bottom) / 2
        if lines and lines[-1].top <= middle <= lines[-1].bottom:
            line = lines[-1]
            line.words.append(word)
            line.top = min(line.top, word.top)
            line.bottom = max(line.bottom, word.bottom)
        else:
            lines.append(Line([word], word.top, word.bottom))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _rules(page: pdfium.PdfPage, height: float) -> list[Rule]:
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
        if min(width, thickness) <= 2.0 and max(width, thickness) >= 5.0:
            rules.append(Rule(left.value, height - top.value, right.value, height - bottom.value))
    return rules


def _looks_tabular(lines: list[Line]) -> bool:
    """Two lines with a number set apart by a column gap: worth reading the ruling lines, a walk
    over every object on the page. Prose, whose words stand a space apart, never qualifies."""
    numeric = 0
    for line in lines:
        words = line.words
        if any(
            _NUMERIC_WORD.match(word.text) and word.x0 - before.x1 > word.size
            for before, word in itertools.pairwise(words)
        ):
            numeric += 1
            if numeric >= 2:
                return True
    return False


def page_may_hold_table(text: str) -> bool:
    """The cheap pass, on the page's plain text before any layout work.

    A table shows as text lines mostly made of amounts (a row's values), a line of years over
    the columns, or several lines ending in an amount. Prose carries its numbers inside
    sentences. Years are not amounts here, so a page of dated prose does not qualify.
    """
    dense = ending = 0
    years = False
    for line in _TEXT_LINE_BREAK.split(text):
        tokens = _TOKEN.findall(line)
        if not tokens:
            continue
        amounts = sum(1 for t in tokens if is_number(t) and not is_year(t))
        dated = sum(1 for t in tokens if is_year(t))
        dense += amounts >= 2 and 2 * amounts >= len(tokens)
        years = years or (dated >= 2 and 2 * dated >= len(tokens))
        ending += is_number(tokens[-1]) and not is_year(tokens[-1])
    return dense + years >= 2 or ending >= MIN_LINES_ENDING_IN_AMOUNT


def read_page(document: pdfium.PdfDocument, index: int) -> PageLayout | None:
    """The layout of one page (0-based index), or None when the cheap pass finds no table there."""
    page = document[index]
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        # pdfium marks a soft hyphen printed at a line break with U+FFFE
        text = textpage.get_text_range().replace("\ufffe", "-")
        if not page_may_hold_table(text):
            return None
        lines = group_lines(_words(textpage, text, height))
        rules = _rules(page, height) if _looks_tabular(lines) else []
        return PageLayout(index + 1, width, height, lines, rules)
    finally:
        textpage.close()
        page.close()
