"""One definition of when two printed labels are the same label.

A label survives the PDF's typography only in this form: NFKC, case-folded, one dash, one space,
no footnote marker and no trailing punctuation. Recognising a catalog table and scoring against
the golden tables both compare labels this way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Footnote markers printed as superscripts, stripped before NFKC turns "¹" into a plain "1"
# that could no longer be told apart from the "19" of "Covid-19".
_TRAILING_SUPERSCRIPTS = re.compile(r"[\s\u00b9\u00b2\u00b3\u2070\u2074-\u2079*\u2020\u2021]+$")
_DASHES = re.compile(r"[\u2010-\u2015\u2043\u2212\ufe58\ufe63\uff0d]")
_TRAILING_PUNCTUATION = re.compile(r"[\s.,:;*\u2020\u2021]+$")
# A footnote digit that lost its superscript size: one or two digits glued onto a word
# ("Driftsrammer1", "(dekningsgrad)2"), never digits after a space or a dash
# ("Skole 2", "Covid-19").
_GLUED_FOOTNOTE_DIGITS = re.compile(r"(?<=[^\W\d_]|\))\d{1,2}$")


@lru_cache(maxsize=1 << 16)
def normalise_label(text: str) -> str:
    """Canonical form of a row or column label, so that cosmetic differences do not count as misses.

    Idempotent: a normalised label normalises to itself, so truth labels can be fed through it too.
    """
    text = _TRAILING_SUPERSCRIPTS.sub("", text)
    # NFKC again after case folding, which can leave text denormalised ("ΐ" -> "ΐ")
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = " ".join(_DASHES.sub("-", text).split())
    text = _TRAILING_PUNCTUATION.sub("", text)
    return _GLUED_FOOTNOTE_DIGITS.sub("", text)
