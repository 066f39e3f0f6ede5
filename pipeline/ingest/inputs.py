"""What is in raw/: every entry either becomes an input with a safe, unique document id, or is
named as skipped with the reason, so that nothing under raw/ goes unaccounted for.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PDF_SUFFIX = ".pdf"


@dataclass(frozen=True, slots=True)
class RawInput:
    path: Path  # as the file system names it (may hold bytes that are not UTF-8)
    name: str  # the file name, printable: safe in logs, Parquet and partition folders
    document_id: str  # unique among the inputs; the original name is kept in `documents`


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): always >= 0x80
        return f"\\x{code - 0xDC00:02x}"
    if char == "\\":
        return "\\\\"
    if not unicodedata.category(char).startswith("C"):
        return char
    if code < 0x80:  # \n, \t, \x07: never a byte that was not UTF-8
        return char.encode("unicode_escape").decode("ascii")
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """`text` with control characters and undecodable bytes escaped (\\n, \\x07, \\u0085, a byte
    0xe9 as \\xe9), so that a file name cannot forge a log line or break a UTF-8 writer. The
    backslash itself is escaped (\\\\): two different names never print the same."""
    return "".join(_escaped(char) for char in text)


def _skip_reason(path: Path) -> str | None:
    if path.name.startswith("."):
        return "hidden file"
    if path.is_symlink() and not path.exists():
        return "broken or looping symbolic link"
    if path.is_dir():
        return "a folder, not a file"
    if not path.is_file():
        return "not a regular file"
    if path.suffix.lower() != PDF_SUFFIX:
        return "not named *.pdf"
    return None


def _document_ids(inputs: list[Path]) -> list[str]:
    """Each input's printable stem, except where ids would collide: then the stems among them
    take their whole printable file name, until none collide. Whole names are unique in a
    folder and `printable` never gives two names one text, so this ends with unique ids."""
    names = [printable(path.name) for path in inputs]
    ids = [printable(path.stem) for path in inputs]
    while True:
        counts = Counter(ids)
        clashing = [i for i, id_ in enumerate(ids) if counts[id_] > 1 and id_ != names[i]]
        if not clashing:
            return ids
        for i in clashing:
            ids[i] = names[i]


def scan_raw(raw_dir: Path) -> tuple[list[RawInput], list[dict[str, str]]]:
    """The inputs in a stable order, and the entries skipped with their reasons.

    A document id is the file's stem; where stems collide ("dup.pdf" and "dup.PDF") or a stem
    is another file's name ("a.pdf" beside "a.pdf.pdf"), the whole file name (see
    `_document_ids`).
    """
    inputs, skipped = [], []
    for path in sorted(raw_dir.iterdir()):
        reason = _skip_reason(path)
        if reason is not None:
            skipped.append({"file": printable(path.name), "reason": reason})
        else:
            inputs.append(path)
    ids = _document_ids(inputs)
    return [
        RawInput(path, printable(path.name), id_) for path, id_ in zip(inputs, ids, strict=True)
    ], skipped
