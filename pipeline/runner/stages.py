"""The pipeline as a declared list of stages, each a function from a named input to a named
output, with the gate that checks its output. `run.py` loops over this list.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pandas as pd

from pipeline.extract.executor import page_tasks, task_mapper
from pipeline.extract.frames import ExtractedFrames
from pipeline.extract.stage import PagesRead, to_frames
from pipeline.ingest import stage as ingest
from pipeline.ingest.inputs import RawInput
from pipeline.parse.stage import ParsedFrames, parse_tables
from pipeline.runner.context import RunContext
from pipeline.serve.headings import DocumentText

if TYPE_CHECKING:  # Great Expectations is slow to import: gates load when a gate runs
    from pipeline.quality.gates import GateResult

NO_TABLES = ExtractedFrames(*to_frames("", []))
NO_CELLS = parse_tables(*NO_TABLES)
In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True, slots=True)
class Inputs:
    files: list[RawInput]


@dataclass(frozen=True, slots=True)
class Ingested:
    documents: pd.DataFrame  # the manifest: one row per readable PDF

    def size(self) -> tuple[int, str]:
        """How much a gate checks, for the progress bar."""
        return len(self.documents), "doc"


@dataclass(frozen=True, slots=True)
class Extracted:
    documents: pd.DataFrame
    frames: dict[str, ExtractedFrames]  # by document id

    def size(self) -> tuple[int, str]:
        return sum(len(f.candidates) for f in self.frames.values()), "table"


@dataclass(frozen=True, slots=True)
class Parsed:
    documents: pd.DataFrame
    cells: pd.DataFrame
    tables: pd.DataFrame

    def size(self) -> tuple[int, str]:
        return len(self.tables), "table"


@dataclass(frozen=True, slots=True)
class Served(Parsed):
    """The curated datasets, published as they are, and the marts made from what they publish."""

    staging: dict[str, pd.DataFrame]  # the `stg_*` frames the marts' SQL reads
    marts: dict[str, pd.DataFrame]  # by mart name (schemas/marts.yaml)

    def size(self) -> tuple[int, str]:
        return len(self.marts["fact_amount"]), "fact"


@dataclass(frozen=True, slots=True)
class Stage(Generic[In, Out]):
    name: str
    work: Callable[[In, RunContext], Out]
    gate: Callable[[Out], GateResult] | None = None
    # The ingest gate imports Great Expectations (seconds): it runs in a thread beside the next
    # stage's page workers instead of before them.
    gate_beside_next: bool = False


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    """All documents' frames as one; `empty` (with the columns) when there are none."""
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty


def ingest_stage(inputs: Inputs, context: RunContext) -> Ingested:
    """Every file -> a manifest row, or a rejection naming the reason; same content once."""
    rows = []
    seen: dict[str, str] = {}
    for raw in inputs.files:
        try:
            sha = context.hashes[raw.name]
            if sha in seen:
                raise ingest.RejectedInput(f"same content as {seen[sha]}")
            rows.append(ingest.describe(raw, sha, context.options.limits))
            seen[sha] = raw.name
        except ingest.RejectedInput as reason:
            context.report.rejected.append({"file": raw.name, "reason": str(reason)})
    return Ingested(ingest.manifest_frame(rows))


def _without_rejected(documents: pd.DataFrame, context: RunContext) -> pd.DataFrame:
    rejected = documents["document_id"].isin(context.rejected_documents)
    return documents[~rejected].reset_index(drop=True)


def _cached_extractions(
    documents: pd.DataFrame, context: RunContext
) -> tuple[dict[str, ExtractedFrames], list[Any]]:
    """Frames this pipeline version already extracted, and the documents still to do."""
    frames: dict[str, ExtractedFrames] = {}
    todo = []
    for doc in documents.itertuples(index=False):
        key = context.cache_key(str(doc.sha256))
        cached = context.cache.load("extract", str(doc.document_id), key, ExtractedFrames)
        if cached is None:
            todo.append(doc)
        else:
            frames[str(doc.document_id)] = cached
            context.report.reused.append(str(doc.document_id))
    return frames, todo


def _extract_pages(todo: list[Any], context: RunContext) -> dict[str, PagesRead]:
    """The tables on every page of the documents to do, spread over the workers, and the pages
    rejected for a resource limit.

    The page tasks go to the workers first; the pending gate then runs in a thread while they
    extract, so no process is forked while that thread runs.
    """
    tasks = {
        str(doc.document_id): page_tasks(
            Path(os.fsdecode(doc.path)), int(doc.pages), context.workers
        )
        for doc in todo
    }
    all_tasks = [task for doc_tasks in tasks.values() for task in doc_tasks]
    beside = context.take_beside()
    results: list[PagesRead] = []
    mapper = task_mapper(context.options.executor, context.options.limits)
    with mapper as map_tasks, ThreadPoolExecutor(1) as side:
        verdict = side.submit(beside) if beside is not None else None
        advance = context.progress.count("extract", sum(int(d.pages) for d in todo), "page")
        for task, result in zip(all_tasks, map_tasks(all_tasks), strict=True):
            results.append(result)
            advance(len(task[1]))
        if verdict is not None:
            context.record(verdict.result())
    found, start = {}, 0
    for document_id, doc_tasks in tasks.items():
        chunks = results[start : start + len(doc_tasks)]
        found[document_id] = PagesRead(
            [table for chunk in chunks for table in chunk.tables],
            [page for chunk in chunks for page in chunk.rejected],
            [page for chunk in chunks for page in chunk.warnings],
            {page: text for chunk in chunks for page, text in chunk.texts.items()},
        )
        start += len(doc_tasks)
    return found


def extract_stage(ingested: Ingested, context: RunContext) -> Extracted:
    """Tables of every document not already extracted by this pipeline version; documents the
    ingest gate rejects go no further. A page over a resource limit is rejected by name, a page
    whose numbers cannot be read is warned about; the document's other pages go on, and it is
    not cached, so every run that reads it reports them again."""
    frames, todo = _cached_extractions(ingested.documents, context)
    if todo:
        read = _extract_pages(todo, context)
        for doc in todo:
            document_id = str(doc.document_id)
            frames[document_id] = ExtractedFrames(*to_frames(document_id, read[document_id].tables))
            context.note_pages(document_id, str(doc.file_name), read[document_id])
    for doc in todo:
        if (document_id := str(doc.document_id)) not in context.noted:
            key = context.cache_key(str(doc.sha256))
            context.cache.save("extract", document_id, key, frames[document_id])
    if (beside := context.take_beside()) is not None:
        context.record(beside())  # nothing to extract: the pending gate runs here
    documents = _without_rejected(ingested.documents, context)
    kept = set(documents["document_id"])
    return Extracted(documents, {d: f for d, f in frames.items() if d in kept})


def parse_stage(extracted: Extracted, context: RunContext) -> Parsed:
    """Typed cells and tables for every document, from the cache where this version has them."""
    parsed: list[ParsedFrames] = []
    for doc in context.progress.track(
        extracted.documents.itertuples(index=False), "parse", len(extracted.documents), "doc"
    ):
        document_id = str(doc.document_id)
        key = context.cache_key(str(doc.sha256))
        frames = context.cache.load("parse", document_id, key, ParsedFrames)
        if frames is None:
            frames = parse_tables(*extracted.frames[document_id])
            if document_id not in context.noted:
                context.cache.save("parse", document_id, key, frames)
        parsed.append(frames)
    return Parsed(
        extracted.documents,
        _concat([p.cells for p in parsed], NO_CELLS.cells),
        _concat([p.tables for p in parsed], NO_CELLS.tables),
    )


def curate_stage(parsed: Parsed, context: RunContext) -> Parsed:
    """Name the catalog's statutory tables; the curate gate then checks them as such."""
    from pipeline.quality.recognise import with_catalog_ids

    cells, tables = with_catalog_ids(parsed.cells, parsed.tables)
    return Parsed(parsed.documents, cells, tables)


def hold_back(
    curated: Parsed, results: list[GateResult], quarantined: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """Cells and tables with their status, and which of them are held back: a table whose
    statutory identity failed goes whole, a row with a row-local failure goes alone."""
    from pipeline.quality.results import HELD_ROW, held_back, table_status

    cells, tables = curated.cells, curated.tables
    held = held_back(cells, results)
    status = table_status(cells, held).where(held.isna(), held)
    cells = cells.assign(table_status=status)
    held_rows = cells[held == HELD_ROW].groupby("table_id")["row_index"].nunique()
    tables = tables.assign(
        rows_held_back=tables["table_id"].map(held_rows).fillna(0).astype("int32")
    )
    return cells, tables, held.notna(), tables["table_id"].isin(quarantined)


def _document_texts(documents: pd.DataFrame, context: RunContext) -> dict[str, DocumentText]:
    """Each document's headings, municipality and status, from the cache where this version has
    them, else from the page texts the extract workers read this run, else (extraction came from
    its cache) from the PDF (about 10 ms a page)."""
    from pipeline.serve.headings import document_text, pdf_page_texts

    texts = {}
    rows: list[Any] = list(documents.itertuples(index=False))
    for doc in rows:
        document_id = str(doc.document_id)
        key = context.cache_key(str(doc.sha256))
        text = context.cache.load("serve", document_id, key, DocumentText)
        if text is None:
            title = doc.title if isinstance(doc.title, str) else None
            path: Any = doc.path  # bytes or str: names that are not UTF-8 stay as they are
            pages = context.page_texts.get(document_id) or pdf_page_texts(
                Path(os.fsdecode(path)), int(doc.pages), context.options.limits
            )
            text = document_text(pages, int(doc.pages), title)
            context.cache.save("serve", document_id, key, text)
        texts[document_id] = text
    return texts


def serve_stage(curated: Parsed, context: RunContext) -> Served:
    """The star schema of what the curate gate lets through: facts by line item, scenario, year
    and org unit, the dimensions, and the views asked for every budget cycle."""
    from pipeline.serve.marts import build_marts
    from pipeline.serve.staging import staging_frames

    cells, tables, held_cells, held_tables = hold_back(
        curated, context.gate_results, context.quarantined
    )
    staging = staging_frames(
        cells[~held_cells],
        tables[~held_tables],
        curated.documents,
        _document_texts(curated.documents, context),
    )
    return Served(curated.documents, curated.cells, curated.tables, staging, build_marts(staging))


def _ingest_gate(ingested: Ingested) -> GateResult:
    from pipeline.quality import gates

    return gates.check_ingest(ingested.documents)


def _extract_gate(extracted: Extracted) -> GateResult:
    from pipeline.quality import gates

    return gates.check_extract(
        _concat([f.candidates for f in extracted.frames.values()], NO_TABLES.candidates),
        _concat([f.raw_cells for f in extracted.frames.values()], NO_TABLES.raw_cells),
    )


def _parse_gate(parsed: Parsed) -> GateResult:
    from pipeline.quality import gates

    return gates.check_parse(parsed.cells)


def _curate_gate(curated: Parsed) -> GateResult:
    from pipeline.quality import gates

    return gates.check_curate(curated.cells, curated.tables, curated.documents)


def _serve_gate(served: Served) -> GateResult:
    from pipeline.quality import gates

    return gates.check_serve(served.marts)


STAGES: tuple[Stage[Any, Any], ...] = (
    Stage("ingest", ingest_stage, _ingest_gate, gate_beside_next=True),
    Stage("extract", extract_stage, _extract_gate),
    Stage("parse", parse_stage, _parse_gate),
    Stage("curate", curate_stage, _curate_gate),
    Stage("serve", serve_stage, _serve_gate),
)
# Runs up to one of these publish a snapshot; only `serve` adds the marts and budget.duckdb.
PUBLISHING_STAGES = ("curate", "serve")


def stages_through(last: str) -> tuple[Stage[Any, Any], ...]:
    names = [stage.name for stage in STAGES]
    return STAGES[: names.index(last) + 1]
