"""One document, one producer -> a PDF and its truth file, the truth written from the model.

Only the rows' pages come from the rendering (from the layout, or from WeasyPrint's or
Chromium's own pagination); labels, columns, cells and values come from the same objects the
producer drew.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pikepdf

from .model import Document, Table, table_features
from .pages import reframe
from .producers import MODEL_FOR, PRODUCERS


def table_truth(
    document_id: str, index: int, table: Table, pages: list[int | None], features: list[str]
) -> dict[str, Any]:
    """One table in the corpus truth format, plus the feature flags the sweep groups by."""
    rows = [
        {
            "page": page,
            "label": row.label,
            "cells": [cell.text for cell in row.cells],
            "values": [cell.value for cell in row.cells],
        }
        for row, page in zip(table.rows, pages, strict=True)
        if row.kind != "section"
    ]
    return {
        "id": f"{document_id}:t{index + 1:04d}",
        "title": table.title,
        "unit": table.unit,
        "columns": table.truth_columns,
        "verified": table.verified,
        "verified_by": "sum-identity" if table.verified else None,
        "features": features,
        "rows": rows,
    }


def build(
    document: Document, producer: str, directory: Path, truth_directory: Path | None = None
) -> tuple[Path, Path]:
    """Write `<name>-<producer>.pdf` into `directory` and its `.truth.json` beside it or into
    `truth_directory` (kept out of the pipeline's input folder, which rejects non-PDFs)."""
    drawn = MODEL_FOR[producer](document) if producer in MODEL_FOR else document
    document_id = f"{document.name}-{producer}"
    pdf = directory / f"{document_id}.pdf"
    row_pages = PRODUCERS[producer](drawn, pdf)
    reframe(pdf, drawn)
    with pikepdf.open(pdf) as opened:
        page_count = len(opened.pages)
    tables = []
    for index, (table, pages) in enumerate(zip(drawn.tables, row_pages, strict=True)):
        truth_pages = [p for p in pages if p is not None]
        features = [*table_features(drawn, table, truth_pages), f"producer={producer}"]
        tables.append(table_truth(document_id, index, table, pages, features))
    variant = {k: v for k, v in asdict(drawn).items() if k not in ("name", "tables")}
    truth = {
        "document": document_id,
        "seed": document.name,
        "engine": producer,
        "variant": variant,
        "pdf_pages": page_count,
        "tables": tables,
        "untracked_pages": [],
    }
    path = (truth_directory or directory) / f"{document_id}.truth.json"
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return pdf, path
