"""Typed meanings of printed words: units, measures and years, from schemas/vocabulary.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from pipeline.schemas import SCHEMA_DIR, load_yaml


@dataclass(frozen=True, slots=True)
class Unit:
    name: str
    nok_per_unit: float | None
    pattern: re.Pattern[str]


@cache
def _vocabulary() -> dict[str, Any]:
    vocabulary: dict[str, Any] = load_yaml(SCHEMA_DIR / "vocabulary.yaml")
    return vocabulary


@cache
def units() -> tuple[Unit, ...]:
    return tuple(
        Unit(u["unit"], u["nok_per_unit"], re.compile(u["pattern"], re.IGNORECASE))
        for u in _vocabulary()["units"]
    )


@cache
def _measures() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (m["measure"], re.compile(m["pattern"], re.IGNORECASE)) for m in _vocabulary()["measures"]
    )


def find_unit(texts: list[str]) -> Unit | None:
    """The first unit named in the captions and stub header of a table."""
    for text in texts:
        for unit in units():
            if unit.pattern.search(text.strip()):
                return unit
    return None


def unit_named(name: str) -> Unit:
    return next(u for u in units() if u.name == name)


@cache
def measure_of(column_label: str) -> str | None:
    for measure, pattern in _measures():
        if pattern.search(column_label):
            return measure
    return None


@cache
def year_of(column_label: str) -> int | None:
    """The last plausible four-digit year in a column label ("Øk.plan 2026" -> 2026)."""
    if re.search(r"\d{4}\s*[-–]\s*\d{4}", column_label):
        return None  # a period ("Sum 2026-2029"), not one year
    low, high = _vocabulary()["year_range"]
    years = [
        int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", column_label) if low <= int(y) <= high
    ]
    return years[-1] if years else None


NOMINAL = "nominal"


@cache
def _price_basis() -> re.Pattern[str]:
    return re.compile(_vocabulary()["price_basis"], re.IGNORECASE)


def price_basis_of(texts: list[str]) -> str:
    """`fixed_<year>` when a text names kroner of one year's prices ("Mill. 2026-kroner"), else
    `nominal`: a reader must not add fixed-price amounts to nominal ones unawares."""
    for text in texts:
        if found := _price_basis().search(text):
            return f"fixed_{found.group(1)}"
    return NOMINAL
