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


def printable(text: str) -> str:
    """`text` with control characters and undecodable bytes escaped (\\n, \\x07, \\udce9 as
    \\xe9), so that a file name cannot forge a log line or break a UTF-8 writer."""
    escaped = []
    for char in text:
        if 0xDC80 <= ord(char) <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            escaped.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif unicodedata.category(char).startswith("C"):
            escaped.append(char.encode("unicode_escape").decode("ascii"))
        else:
            escaped.append(char)
    return "".join(escaped)


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


def scan_raw(raw_dir: Path) -> tuple[list[RawInput], list[dict[str, str]]]:
    """The inputs in a stable order, and the entries skipped with their reasons.

    A document id is the file's stem; where two stems differ only in case or suffix ("dup.pdf"
    and "dup.PDF"), both take their whole file name instead, which is unique in the folder.
    """
    inputs, skipped = [], []
    for path in sorted(raw_dir.iterdir()):
        reason = _skip_reason(path)
        if reason is not None:
            skipped.append({"file": printable(path.name), "reason": reason})
        else:
            inputs.append(path)
    stems = Counter(printable(p.stem).casefold() for p in inputs)

    def document_id(path: Path) -> str:
        stem = printable(path.stem)
        return stem if stems[stem.casefold()] == 1 else printable(path.name)

    return [RawInput(path, printable(path.name), document_id(path)) for path in inputs], skipped
