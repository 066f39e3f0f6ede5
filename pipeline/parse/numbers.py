"""Norwegian number text -> float.

Budget PDFs print `-2 134,8`, `−2 134,8`, `–2 134,8`, `2 134,8 %`, with the thousands separator
as a space, a no-break space, a narrow no-break space or a thin space, and their digits in any
script: wherever Unicode says a character is a decimal digit (fullwidth "１２", Arabic-Indic
"١٢" and "۱۲", ...), it counts as that digit. One grammar covers them all, so that extraction
(which splits a line into cells) and parsing (which types a cell) agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MINUS_SIGNS = "-\u2212\u2013\u2012\u2014\ufe63\uff0d"
THOUSANDS_SEPARATORS = " \u00a0\u202f\u2009\u2007"

_MINUS = f"[{MINUS_SIGNS}]"
_SEP = f"[{THOUSANDS_SEPARATORS}]"
NUMBER_PATTERN = (
    rf"(?P<sign>{_MINUS})?(?P<int>[1-9][0-9]{{0,2}}(?:{_SEP}[0-9]{{3}})+|[0-9]+)"
    rf"(?:,(?P<frac>[0-9]+))?(?P<pct>{_SEP}?%)?"
)
# Plain, or in brackets as accountants print a negative: "(150)".
_NUMBER = re.compile(rf"^(?:{NUMBER_PATTERN}|\({NUMBER_PATTERN.replace('?P<', '?P<b_')}\))$")
_THOUSANDS_GROUP = re.compile(r"^[0-9]{3}(?:,[0-9]+)?%?$")
_YEAR = re.compile(r"^(19|20)[0-9][0-9]$")
# One word of a printed number, before words are joined into cells: a whole number or one of
# its thousands groups, perhaps with a minus or bracket before and a percent sign after; or "%".
_NUMERIC_WORD = re.compile(rf"^{_MINUS}?\(?[0-9][0-9,]*\)?%?$|^%$")


class _AsciiDigits(dict[int, int]):
    """str.translate table: a decimal digit of any script -> its ASCII digit, anything else
    -> itself; filled as characters are met (there are some 700 decimal digits in Unicode)."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        self[code] = ord(str(unicodedata.decimal(char))) if char.isdecimal() else code
        return self[code]


_ASCII_DIGITS = _AsciiDigits()


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit written as its ASCII digit: the one place where a
    number's script is set aside, before any of the patterns below is matched."""
    return text if text.isascii() else text.translate(_ASCII_DIGITS)


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    value: float
    is_percent: bool
    decimals: int


@lru_cache(maxsize=1 << 16)
def parse_number(text: str) -> ParsedNumber | None:
    """Parse one printed Norwegian number; None when the text is not exactly one number."""
    match = _NUMBER.match(ascii_digits(text).strip())
    if match is None:
        return None
    prefix = "b_" if match["int"] is None else ""
    digits = re.sub(_SEP, "", match[f"{prefix}int"])
    frac = match[f"{prefix}frac"] or ""
    value = float(f"{digits}.{frac}" if frac else digits)
    negative = bool(prefix) != (match[f"{prefix}sign"] is not None)
    return ParsedNumber(-value if negative else value, match[f"{prefix}pct"] is not None, len(frac))


def is_unreadable_character(char: str) -> bool:
    """A character a text layer gives for a glyph it cannot name: private use, unassigned, a
    control character or U+FFFD. A font without a usable character map prints digits so."""
    return char == "\ufffd" or unicodedata.category(char) in ("Co", "Cn", "Cc")


def is_unreadable_number(token: str) -> bool:
    """A token standing where a number could (unreadable characters, perhaps with a sign,
    brackets, separators or a percent sign) that is no number: a number the text layer lost."""
    core = token.strip(f"{MINUS_SIGNS}()%")
    return bool(core) and all(is_unreadable_character(c) or c in ",." for c in core)


def is_number(text: str) -> bool:
    return parse_number(text) is not None


def is_year(text: str) -> bool:
    """A four-digit year 1900-2099: a header label, never a value."""
    return bool(_YEAR.match(ascii_digits(text).strip()))


def is_numeric_word(text: str) -> bool:
    """A word that can be all or part of a printed number: extraction's one test for it."""
    return _NUMERIC_WORD.match(ascii_digits(text)) is not None


def is_minus(text: str) -> bool:
    return len(text) == 1 and text in MINUS_SIGNS


def continues_number(head: str, tail: str) -> bool:
    """True when `tail` is the next thousands group of the number begun in `head`.

    `head` must still be open (integer part only, groups of three after the first) and `tail` a
    group of exactly three digits, optionally with the decimals or a percent sign.
    """
    head, tail = ascii_digits(head), ascii_digits(tail)
    if not _THOUSANDS_GROUP.match(tail):
        return False
    parsed = parse_number(head)
    if parsed is None or parsed.decimals or parsed.is_percent or "," in head or "(" in head:
        return False
    groups = re.split(_SEP, head.lstrip(MINUS_SIGNS).strip())
    return len(groups[0]) <= 3 and groups[0][0] != "0" and all(len(g) == 3 for g in groups[1:])
