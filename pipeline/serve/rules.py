"""The serving layer's rules, read from `schemas/serving.yaml`: code asks, never spells them out."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pipeline.quality.recognise import label_matches, normalise
from pipeline.schemas import SCHEMA_DIR, load_yaml

SERVING_PATH = SCHEMA_DIR / "serving.yaml"
MARTS_SQL_DIR = SCHEMA_DIR / "marts"


def serving_rules() -> dict[str, Any]:
    rules: dict[str, Any] = load_yaml(SERVING_PATH)
    return rules


@cache
def pattern(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


def searched(text_pattern: str | None, text: str | None) -> bool:
    """True when the pattern is absent (no condition) or found in the normalised text."""
    return text_pattern is None or pattern(text_pattern).search(normalise(text)) is not None


def table_kind(title: str | None, row_labels: list[str]) -> str:
    """The recurring kind of a table outside the catalog, by its title or any of its rows."""
    for rule in serving_rules()["table_kinds"]:
        by_title = "title" in rule and searched(rule["title"], title)
        by_row = "row" in rule and any(label_matches(rule["row"], r) for r in row_labels)
        if by_title or by_row or not {"title", "row"} & set(rule):
            return str(rule["kind"])
    raise ValueError("schemas/serving.yaml table_kinds needs a fallback kind without patterns")


def caption_of(title: str | None) -> str | None:
    """The title when it reads as a caption, None when it is a fragment of text or header."""
    if title and searched(serving_rules()["caption"], title):
        return title
    return None


def _offset_holds(bounds: list[int] | None, offset: int | None) -> bool:
    return bounds is None or (offset is not None and bounds[0] <= offset <= bounds[1])


def scenario_of(
    measure: str | None,
    column_label: str,
    kind: str,
    status: str | None,
    offset: int | None,
    year_printed: bool,
) -> str:
    """The first scenario rule whose conditions all hold for this column of this document."""
    for rule in serving_rules()["scenarios"]:
        if (
            ("measure" not in rule or rule["measure"] == measure)
            and searched(rule.get("label"), column_label)
            and rule.get("kind", kind) == kind
            and rule.get("status", status) == status
            and _offset_holds(rule.get("offset"), offset)
            and rule.get("year_printed", year_printed) == year_printed
        ):
            return str(rule["scenario"])
    raise ValueError("schemas/serving.yaml scenarios needs a fallback rule without conditions")
