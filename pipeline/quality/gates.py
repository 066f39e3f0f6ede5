"""Data-quality gates between the stages: Great Expectations suites plus the budget arithmetic.

Each gate runs its stage's suite from `expectations/<stage>.json` (one versioned GE 1.x suite per
stage; every expectation's `meta.frame` says which frame it validates) and maps GE's unexpected rows
back to table ids, so that only the offending tables are quarantined while every good table is
published. The curate gate adds the exact schema check and the arithmetic identities.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import pandas as pd
import pyarrow as pa

from pipeline.parse.vocabulary import units
from pipeline.quality import plausibility
from pipeline.quality.grids import Failure
from pipeline.quality.identities import check_identities
from pipeline.quality.recognise import table_catalog
from pipeline.quality.results import GateResult, Outcome
from pipeline.schemas import EXPECTATIONS_DIR, SCHEMA_DIR, dataset_schema, load_yaml

__all__ = ["GateResult", "Outcome"]  # the runner's names, kept importable here

_CONTEXT_FIELDS = ("document_id", "table_id", "page", "row_label", "column_index", "column_label")
_SEVERITY = {"critical": "error", "warning": "warning", "info": "warning"}


@cache
def _context() -> Any:
    """One ephemeral GE context per process: GE is slow to import and start, so reuse it."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("gates")
    return context


def load_suite_dict(stage: str) -> dict[str, Any]:
    """The stage's suite file as GE wrote/reads it (`ExpectationSuite.to_json_dict()` format)."""
    suite: dict[str, Any] = json.loads((EXPECTATIONS_DIR / f"{stage}.json").read_text("utf-8"))
    return suite


@cache
def _suite(stage: str, frame: str) -> Any:
    """The part of a stage's suite that validates `frame`, registered once in the context."""
    import great_expectations as gx

    spec = load_suite_dict(stage)
    expectations = [e for e in spec["expectations"] if e["meta"]["frame"] == frame]
    return _context().suites.add(
        gx.ExpectationSuite(name=f"{stage}.{frame}", expectations=expectations)
    )


@cache
def _batch_definition(stage: str, frame: str) -> Any:
    source = _context().data_sources.get("gates")
    return source.add_dataframe_asset(f"{stage}.{frame}").add_batch_definition_whole_dataframe(
        "whole"
    )


def suite_parameters() -> dict[str, list[Any]]:
    """Values the suites take from the catalog and the dataset schemas instead of repeating them."""
    return {
        "units": [unit.name for unit in units()],
        "measures": [m["measure"] for m in load_yaml(SCHEMA_DIR / "vocabulary.yaml")["measures"]],
        "canonical_tables": list(table_catalog()["tables"]),
        "scenarios": load_yaml(SCHEMA_DIR / "serving.yaml")["scenario_names"],
        "cells_columns": dataset_schema("cells").names,
    }


def _frames_of(stage: str) -> list[str]:
    return list(dict.fromkeys(e["meta"]["frame"] for e in load_suite_dict(stage)["expectations"]))


def _validate(stage: str, frame: str, df: pd.DataFrame, key: str, result: GateResult) -> set[str]:
    """Run one frame's expectations, record outcomes and failures; return `key` values to block.

    An expectation whose `meta.scope` is "row" holds back only its unexpected rows (into
    `result.failed_rows`); any other blocks every table (or document) it found a row in. An
    expectation that fails without rows to show (a table-level one) blocks the whole frame.
    """
    df = df.reset_index(drop=True)
    batch = _batch_definition(stage, frame).get_batch(batch_parameters={"dataframe": df})
    run = batch.validate(
        _suite(stage, frame),
        result_format={"result_format": "COMPLETE"},
        expectation_parameters=suite_parameters(),
    )
    blocked: set[str] = set()
    for res in run.results:
        config = res.expectation_config
        severity = _SEVERITY[str(config.severity.value)]
        column = config.kwargs.get("column") or config.kwargs.get("column_A")
        indexes = res.result.get("unexpected_index_list")
        rows = df.loc[indexes] if indexes else df.iloc[0:0]
        description = config.meta.get("why", "")
        check = f"{stage}.{frame}.{config.meta.get('check', config.type)}"  # a readable name
        if config.meta.get("keep_first") and column:
            rows = rows[rows.duplicated(subset=[column], keep="first")]
        if not res.success and indexes is None:
            rows = df.iloc[0:0]
            if severity == "error" and key in df:
                blocked |= set(df[key].dropna())
            observed = res.result.get("observed_value") if res.result else None
            suffix = f" (observed {observed!r})" if observed is not None else ""
            result.failures.append(
                Failure(check, severity, None, None, message=f"{description}{suffix}")
            )
        result.outcomes.append(
            Outcome(frame, config.type, column, severity, bool(res.success), len(rows), description)
        )
        if res.success or rows.empty:
            continue
        if severity == "error" and config.meta.get("scope") == "row":
            result.failed_rows |= _row_keys(rows)
        elif severity == "error" and key in rows:
            blocked |= set(rows[key].dropna())
        result.failures += _row_failures(check, severity, rows, column, description)
    return blocked


def _row_keys(rows: pd.DataFrame) -> set[tuple[str, int]]:
    keys = rows[["table_id", "row_index"]].dropna().drop_duplicates()
    return {(str(t), int(r)) for t, r in keys.itertuples(index=False)}


def _row_failures(
    check: str, severity: str, rows: pd.DataFrame, column: str | None, why: str
) -> list[Failure]:
    """GE's unexpected rows as Failures: one per table row when the frame has rows (its columns
    listed together), else one per unexpected record."""
    by_row = ["table_id", "row_index"] if {"table_id", "row_index"} <= set(rows) else None
    groups = (
        [g for _, g in rows.groupby(by_row, sort=True, dropna=False)]
        if by_row
        else [rows.iloc[[i]] for i in range(len(rows))]
    )
    return [_row_failure(check, severity, group, column, why) for group in groups]


def _row_failure(
    check: str, severity: str, rows: pd.DataFrame, column: str | None, why: str
) -> Failure:
    """One located Failure for the unexpected records of one table row (or one record)."""
    first = rows.iloc[0].to_dict()
    context = {name: _plain(first.get(name)) for name in _CONTEXT_FIELDS}
    if context["row_label"] is None and "text" in first:
        context["row_label"] = _plain(first["text"])
    if "column_label" in rows and len(rows) > 1:
        context["column_label"] = "; ".join(str(c) for c in rows["column_label"])
    values = [_plain(v) for v in rows[column]] if column and column in rows else []
    shown = values[0] if len(values) == 1 else values
    return Failure(
        check=check,
        severity=severity,
        **context,
        row_index=_plain(first.get("row_index")),
        actual=shown if isinstance(shown, float) else None,
        message=f"{why}: {column}={shown!r}" if column else why,
    )


def _plain(value: Any) -> Any:
    """Numpy/pandas scalars -> JSON-friendly Python values; missing -> None."""
    if isinstance(value, list | tuple):
        return list(value)
    if value is None or pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def check_ingest(documents: pd.DataFrame) -> GateResult:
    """Readable, unencrypted PDFs with a text layer and pages, each content hash only once."""
    result = GateResult("ingest")
    result.failed_documents = _validate("ingest", "documents", documents, "document_id", result)
    return result


def _extract_tables(candidates: pd.DataFrame, raw_cells: pd.DataFrame) -> pd.DataFrame:
    """Per-table shape facts that row-level expectations can check: label column, cells per row."""
    body = raw_cells[raw_cells["role"] == "body"]
    per_row = body.groupby(["table_id", "row_index"]).size().rename("cells").reset_index()
    shape = pd.DataFrame(
        {
            "label_cells": body[body["column_index"] == -1].groupby("table_id").size(),
            "max_column_index": body.groupby("table_id")["column_index"].max(),
            "max_cells_in_row": per_row.groupby("table_id")["cells"].max(),
        }
    )
    tables = candidates[["table_id", "document_id", "page", "n_columns"]].merge(
        shape, left_on="table_id", right_index=True, how="left"
    )
    tables[["label_cells", "max_column_index", "max_cells_in_row"]] = (
        tables[["label_cells", "max_column_index", "max_cells_in_row"]].fillna(0).astype("int64")
    )
    tables["cell_slots"] = tables["n_columns"].astype("int64") + 1
    return tables


def check_extract(candidates: pd.DataFrame, raw_cells: pd.DataFrame) -> GateResult:
    """Each table has a label and a value column, rows fit the columns, boxes lie on the page."""
    result = GateResult("extract")
    frames = {
        "candidates": candidates,
        "raw_cells": raw_cells,
        "extract_tables": _extract_tables(candidates, raw_cells),
        "value_cells": plausibility.header_alignment(raw_cells),
    }
    for frame in _frames_of("extract"):
        result.failed_tables |= _validate("extract", frame, frames[frame], "table_id", result)
    return result


def check_parse(cells: pd.DataFrame) -> GateResult:
    """Every number parsed, labelled rows, unique cells, known units; numbers plausible for their
    unit and neighbours; each column's year printed over it, once, in order."""
    result = GateResult("parse")
    frames = {
        "cells": cells,
        "cell_facts": plausibility.cell_facts(cells),
        "column_facts": plausibility.column_facts(cells),
    }
    for frame in _frames_of("parse"):
        result.failed_tables |= _validate("parse", frame, frames[frame], "table_id", result)
    return result


def schema_failures(cells: pd.DataFrame) -> list[Failure]:
    """The frame's columns and Arrow types must be the published `cells` schema, exactly.

    Pandas strings arrive as large_string; they are written as string, so the two count as equal.
    A column that is entirely null has no type of its own and passes when the field is nullable.
    """
    expected = dataset_schema("cells")
    if list(cells.columns) != expected.names:
        return [
            Failure(
                check="curate.schema.columns",
                severity="error",
                document_id=None,
                table_id=None,
                message=f"columns {list(cells.columns)} != {expected.names}",
            )
        ]
    actual = pa.Schema.from_pandas(cells, preserve_index=False)
    failures = []
    for want in expected:
        got = actual.field(want.name).type
        if got == pa.large_string():
            got = pa.string()
        if got != want.type and not (got == pa.null() and want.nullable):
            failures.append(
                Failure(
                    check="curate.schema.type",
                    severity="error",
                    document_id=None,
                    table_id=None,
                    column_label=want.name,
                    message=f"{want.name}: {got} != {want.type}",
                )
            )
        elif not want.nullable and cells[want.name].isna().any():
            failures.append(
                Failure(
                    check="curate.schema.nullable",
                    severity="error",
                    document_id=None,
                    table_id=None,
                    column_label=want.name,
                    message=f"{want.name} is not nullable but has nulls",
                )
            )
    return failures


def value_nok_failures(cells: pd.DataFrame) -> list[Failure]:
    """value_nok must be value x the unit's kroner factor, and null when the unit isn't money.

    A percentage printed in a money table ("11,5 %") is not money either.
    """
    factors = (
        cells["unit"].map({unit.name: unit.nok_per_unit for unit in units()}).astype("float64")
    )
    factors = factors.mask(cells["value_text"].astype(str).str.contains("%", regex=False))
    expected = cells["value"].astype("float64") * factors
    wrong = ~((expected - cells["value_nok"]).abs() <= expected.abs() * 1e-9 + 1e-6) & ~(
        expected.isna() & cells["value_nok"].isna()
    )
    return [
        Failure(
            check="curate.value_nok",
            severity="error",
            document_id=row["document_id"],
            table_id=row["table_id"],
            page=_plain(row["page"]),
            row_label=row["row_label"],
            row_index=_plain(row["row_index"]),
            column_index=_plain(row["column_index"]),
            column_label=row["column_label"],
            expected=_plain(exp),
            actual=_plain(row["value_nok"]),
            message=f"value {row['value']} {row['unit']} -> value_nok",
        )
        for (_, row), exp in zip(cells[wrong].iterrows(), expected[wrong], strict=True)
    ]


def blame(failures: list[Failure]) -> set[str]:
    """Tables to quarantine for blocking arithmetic failures.

    A within-table failure blames its table. A failed equality between two tables can't say which
    one is wrong by itself: when one of them already failed on its own it explains the mismatch;
    otherwise the table that disagrees with the most distinct partners is blamed, both on a tie.
    """
    within = {f.table_id for f in failures if f.severity == "error" and not f.related_table_id}
    blamed = {t for t in within if t}
    pairs = [
        (f.table_id, f.related_table_id)
        for f in failures
        if f.severity == "error" and f.table_id and f.related_table_id
    ]
    partners: dict[str, set[str]] = defaultdict(set)
    for left, right in pairs:
        partners[left].add(right)
        partners[right].add(left)
    for left, right in pairs:
        pair = {left, right}
        if pair & blamed:
            continue
        most = max(len(partners[t]) for t in pair)
        blamed |= {t for t in pair if len(partners[t]) == most}
    return blamed


def check_curate(cells: pd.DataFrame, tables: pd.DataFrame, documents: pd.DataFrame) -> GateResult:
    """Exact schema, row-level expectations, and the arithmetic (catalog identities for recognised
    tables via `cells.canonical_table`, the generic sum rule for the rest, cross-table and
    cross-document equalities)."""
    result = GateResult("curate")
    frames = {"cells": cells, "tables": tables}
    for frame in _frames_of("curate"):
        result.failed_tables |= _validate("curate", frame, frames[frame], "table_id", result)

    structural = schema_failures(cells)
    result.outcomes.append(
        Outcome(
            "cells",
            "schema",
            None,
            "error",
            not structural,
            len(structural),
            "columns and Arrow types equal schemas/datasets.yaml `cells`",
        )
    )
    if structural:
        result.failed_tables |= set(cells["table_id"].dropna())
        result.failures += structural
    else:
        money = value_nok_failures(cells)
        result.outcomes.append(
            Outcome(
                "cells",
                "value_nok",
                "value_nok",
                "error",
                not money,
                len(money),
                "value_nok = value x unit factor",
            )
        )
        result.failures += money
        result.failed_tables |= {f.table_id for f in money if f.table_id}

    arithmetic = check_identities(cells, documents)
    counts = Counter(f.check for f in arithmetic)
    for name, severity in sorted({(f.check, f.severity) for f in arithmetic}):
        result.outcomes.append(
            Outcome("cells", name, None, severity, False, counts[name], "arithmetic")
        )
    result.outcomes.append(
        Outcome(
            "cells",
            "arithmetic identities",
            None,
            "error",
            not any(f.severity == "error" for f in arithmetic),
            len(arithmetic),
            "catalog identities, generic sums, cross-table, cross-document",
        )
    )
    result.failures += arithmetic
    result.failed_tables |= blame(arithmetic)
    return result


def check_serve(marts: dict[str, pd.DataFrame]) -> GateResult:
    """The marts' promises: every fact has a scenario and a period, one canonical printing per
    fact, unique dimension keys. A failure withholds the marts, never the curated datasets."""
    result = GateResult("serve")
    for frame in _frames_of("serve"):
        _validate("serve", frame, marts[frame], "fact_id", result)
    return result
