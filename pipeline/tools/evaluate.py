"""Score curated cells against golden truth files.

The rules are those of the shared corpus README (`../shared/corpus/README.md`): a truth cell is
found when an output cell has the same document, page, normalised row label, column index and a
value within 1e-6. Nothing here knows how the cells were extracted, so a score means the same
whichever extractor produced it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from pipeline.parse.labels import normalise_label
from pipeline.schemas import dataset_schema

VALUE_TOLERANCE = 1e-6
TABLE_FOUND_SHARE = Fraction(9, 10)  # exact: 0.9 * 70 is 63.00000000000001
REQUIRED_COLUMNS = (
    "document_id",
    "page",
    "table_id",
    "row_label",
    "column_index",
    "column_label",
    "value",
    "value_text",
)


def load_cells(cells_dir: Path) -> pd.DataFrame:
    """Read the hive-partitioned `cells` dataset as BI tools would, document_id as a plain string.

    The partition type is given explicitly: inferred, a document named "2020" would come back as
    an int.
    """
    if not Path(cells_dir).is_dir():
        raise FileNotFoundError(f"no cells dataset at {cells_dir}")
    partitioning = ds.partitioning(pa.schema([("document_id", pa.string())]), flavor="hive")
    dataset = ds.dataset(cells_dir, format="parquet", partitioning=partitioning)
    table = dataset.to_table() if dataset.files else dataset_schema("cells").empty_table()
    frame: pd.DataFrame = table.to_pandas()
    frame["document_id"] = frame["document_id"].astype(str)
    return frame


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts behind one set of scores; ratios are derived so that figures can be summed.

    `tables` counts truth tables with at least one numeric cell.
    """

    tables: int = 0
    tables_found: int = 0
    truth_cells: int = 0
    found_cells: int = 0
    output_cells_on_truth_rows: int = 0
    column_labels_correct: int = 0

    @property
    def recall(self) -> float | None:
        return _ratio(self.found_cells, self.truth_cells)

    @property
    def precision(self) -> float | None:
        return _ratio(self.found_cells, self.output_cells_on_truth_rows)

    @property
    def column_label_accuracy(self) -> float | None:
        return _ratio(self.column_labels_correct, self.found_cells)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(a + b for a, b in zip(_counts(self), _counts(other), strict=True)))

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "recall": self.recall,
            "precision": self.precision,
            "column_label_accuracy": self.column_label_accuracy,
        }


def _ratio(numerator: int, denominator: int) -> float | None:
    """None rather than a made-up 0 or 1 when there is nothing to measure."""
    return numerator / denominator if denominator else None


def _counts(figures: Figures) -> tuple[int, ...]:
    return tuple(asdict(figures).values())


@dataclass(frozen=True, slots=True)
class MissedCell:
    """A truth cell no output cell matched, with what the output printed on that row instead."""

    table_id: str
    page: int
    label: str
    column_index: int
    expected: float
    expected_text: str
    output_row: tuple[tuple[int, str], ...]  # (column_index, value_text) of output cells on the row


@dataclass(frozen=True, slots=True)
class WrongCell:
    """An output cell on a truth row that matches no truth cell (wrong column or value)."""

    table_id: str
    page: int
    label: str
    column_index: int
    value: float
    value_text: str
    expected: tuple[float, ...]  # unmatched truth values at that row and column, if any


@dataclass(frozen=True, slots=True)
class MislabelledColumn:
    """Found cells of a truth column whose output column label differs, once per label pair."""

    table_id: str
    column_index: int
    expected: str
    got: str
    cells: int


@dataclass(frozen=True, slots=True)
class DocumentScore:
    document_id: str
    figures: Figures
    verified: Figures
    missed: tuple[MissedCell, ...]
    wrong: tuple[WrongCell, ...]
    mislabelled: tuple[MislabelledColumn, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "figures": self.figures.to_dict(),
            "verified": self.verified.to_dict(),
            "missed": [asdict(cell) for cell in self.missed],
            "wrong": [asdict(cell) for cell in self.wrong],
            "mislabelled": [asdict(column) for column in self.mislabelled],
        }


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    documents: tuple[DocumentScore, ...]

    @property
    def total(self) -> Figures:
        return sum((document.figures for document in self.documents), Figures())

    @property
    def verified(self) -> Figures:
        return sum((document.verified for document in self.documents), Figures())

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total.to_dict(),
            "verified": self.verified.to_dict(),
            "documents": [document.to_dict() for document in self.documents],
        }


@dataclass(frozen=True, slots=True)
class _Cell:
    """One cell of the truth or of the output (`value` is NaN for an output text cell)."""

    table_id: str
    page: int
    label: str
    column_index: int
    column_label: str
    value: float
    text: str


_Row = tuple[int, str]  # (page, normalised label)
_Key = tuple[int, str, int]  # (page, normalised label, column_index)


def _truth_cells(tables: Iterable[dict[str, Any]]) -> list[_Cell]:
    return [
        _Cell(table["id"], row["page"], row["label"], index, header, value, text)
        for table in tables
        for row in table["rows"]
        for index, (header, value, text) in enumerate(
            zip(table["columns"], row["values"], row["cells"], strict=True)
        )
        if value is not None
    ]


def _output_cells(cells: pd.DataFrame, document_id: str) -> list[_Cell]:
    missing = [name for name in REQUIRED_COLUMNS if name not in cells.columns]
    if missing:
        raise ValueError(f"cells lack the columns {missing}")
    own = cells[cells["document_id"] == document_id]
    values = pd.to_numeric(own["value"]).astype(float)
    rows: list[dict[Any, Any]] = own.to_dict("records")
    return [
        _Cell(
            str(row["table_id"]),
            int(row["page"]),
            str(row["row_label"]),
            int(row["column_index"]),
            str(row["column_label"]),
            value,
            str(row["value_text"]),
        )
        for row, value in zip(rows, values, strict=True)
    ]


def _match(truths: list[_Cell], outputs: list[_Cell]) -> list[tuple[_Cell, _Cell]]:
    """Maximum one-to-one matching of equal values: a sorted sweep is optimal for one tolerance."""
    truths = sorted(truths, key=lambda cell: cell.value)
    outputs = sorted(outputs, key=lambda cell: cell.value)
    pairs: list[tuple[_Cell, _Cell]] = []
    t = o = 0
    while t < len(truths) and o < len(outputs):
        difference = truths[t].value - outputs[o].value
        if abs(difference) <= VALUE_TOLERANCE:
            pairs.append((truths[t], outputs[o]))
            t, o = t + 1, o + 1
        elif difference < 0:
            t += 1
        else:
            o += 1
    return pairs


def _key(cell: _Cell) -> _Key:
    return (cell.page, normalise_label(cell.label), cell.column_index)


def _listings(
    missed_truths: list[_Cell],
    wrong_outputs: list[_Cell],
    printed_on_row: dict[_Row, list[_Cell]],
    truths_by_key: dict[_Key, list[_Cell]],
    found: set[int],
) -> tuple[tuple[MissedCell, ...], tuple[WrongCell, ...]]:
    """The missed and the wrong cells as the report lists them, with what stood beside them."""
    missed = tuple(
        MissedCell(
            cell.table_id,
            cell.page,
            cell.label,
            cell.column_index,
            cell.value,
            cell.text,
            tuple(sorted((o.column_index, o.text) for o in printed_on_row[_key(cell)[:2]])),
        )
        for cell in sorted(missed_truths, key=lambda c: (c.page, c.table_id, _key(c)))
    )
    wrong = tuple(
        WrongCell(
            cell.table_id,
            cell.page,
            cell.label,
            cell.column_index,
            cell.value,
            cell.text,
            tuple(t.value for t in truths_by_key.get(_key(cell), []) if id(t) not in found),
        )
        for cell in sorted(wrong_outputs, key=lambda c: (_key(c), c.value))
    )
    return missed, wrong


def _score_tables(
    tables: list[dict[str, Any]], outputs: list[_Cell]
) -> tuple[Figures, tuple[MissedCell, ...], tuple[WrongCell, ...], tuple[MislabelledColumn, ...]]:
    truth_rows: set[_Row] = {
        (row["page"], normalise_label(row["label"])) for table in tables for row in table["rows"]
    }
    on_truth_rows = [cell for cell in outputs if _key(cell)[:2] in truth_rows]
    truths_by_key: dict[_Key, list[_Cell]] = defaultdict(list)
    for cell in _truth_cells(tables):
        truths_by_key[_key(cell)].append(cell)
    numeric_by_key: dict[_Key, list[_Cell]] = defaultdict(list)
    printed_on_row: dict[_Row, list[_Cell]] = defaultdict(list)
    for cell in on_truth_rows:
        printed_on_row[_key(cell)[:2]].append(cell)
        if not pd.isna(cell.value):
            numeric_by_key[_key(cell)].append(cell)

    pairs = [
        pair
        for key in truths_by_key.keys() | numeric_by_key.keys()
        for pair in _match(truths_by_key.get(key, []), numeric_by_key.get(key, []))
    ]
    found = {id(truth) for truth, _ in pairs}
    used = {id(output) for _, output in pairs}
    missed_truths = [t for ts in truths_by_key.values() for t in ts if id(t) not in found]
    wrong_outputs = [o for os in numeric_by_key.values() for o in os if id(o) not in used]

    per_table: dict[str, list[bool]] = defaultdict(list)
    for cells in truths_by_key.values():
        for cell in cells:
            per_table[cell.table_id].append(id(cell) in found)
    mislabelled = Counter(
        (truth.table_id, truth.column_index, truth.column_label, output.column_label)
        for truth, output in pairs
        if normalise_label(truth.column_label) != normalise_label(output.column_label)
    )
    figures = Figures(
        tables=len(per_table),
        tables_found=sum(sum(hits) >= TABLE_FOUND_SHARE * len(hits) for hits in per_table.values()),
        truth_cells=sum(len(hits) for hits in per_table.values()),
        found_cells=len(pairs),
        output_cells_on_truth_rows=sum(len(cells) for cells in numeric_by_key.values()),
        column_labels_correct=len(pairs) - mislabelled.total(),
    )
    missed, wrong = _listings(missed_truths, wrong_outputs, printed_on_row, truths_by_key, found)
    return (
        figures,
        missed,
        wrong,
        tuple(MislabelledColumn(*key, count) for key, count in sorted(mislabelled.items())),
    )


def score_document(truth: dict[str, Any], cells: pd.DataFrame) -> DocumentScore:
    """Score one truth file against the output cells (of any documents; others are ignored)."""
    outputs = _output_cells(cells, truth["document"])
    figures, missed, wrong, mislabelled = _score_tables(truth["tables"], outputs)
    verified = _score_tables([t for t in truth["tables"] if t["verified"]], outputs)[0]
    return DocumentScore(truth["document"], figures, verified, missed, wrong, mislabelled)


def evaluate(truth_paths: list[Path], cells: pd.DataFrame) -> EvaluationReport:
    return EvaluationReport(
        tuple(
            score_document(json.loads(Path(path).read_text(encoding="utf-8")), cells)
            for path in truth_paths
        )
    )


def _percent(ratio: float | None) -> str:
    return "-" if ratio is None else f"{100 * ratio:.2f}"


def _figures_line(name: str, figures: Figures) -> str:
    return (
        f"{name:<34} {figures.tables_found:>5}/{figures.tables:<5} {figures.found_cells:>6}/"
        f"{figures.truth_cells:<6} {_percent(figures.recall):>7} {_percent(figures.precision):>9} "
        f"{_percent(figures.column_label_accuracy):>9}"
    )


def format_report(report: EvaluationReport, max_missed: int = 20) -> str:
    """A compact text table: figures per document, then the first missed cells, wrong cells and
    mislabelled columns (at most `max_missed` of each per document)."""
    lines = [
        f"{'document':<34} {'tables':>11} {'cells found':>13} {'recall%':>7} {'precision%':>9} "
        f"{'col-label%':>9}"
    ]
    for document in report.documents:
        lines.append(_figures_line(document.document_id, document.figures))
        lines.append(_figures_line("  verified tables", document.verified))
    lines.append(_figures_line("TOTAL", report.total))
    lines.append(_figures_line("  verified tables", report.verified))
    for document in report.documents:
        lines.extend(
            _listing(
                f"{document.document_id}: missed cells",
                document.missed,
                max_missed,
                lambda c: (
                    f"p{c.page:<4} {c.table_id}  col {c.column_index}  {c.label!r}: expected "
                    f"{c.expected_text!r}, output row {_printed(c.output_row)}"
                ),
            )
        )
        lines.extend(
            _listing(
                f"{document.document_id}: wrong cells",
                document.wrong,
                max_missed,
                lambda c: (
                    f"p{c.page:<4} {c.table_id}  col {c.column_index}  {c.label!r}: "
                    f"{c.value_text!r}, expected {list(c.expected) or 'nothing'}"
                ),
            )
        )
        lines.extend(
            _listing(
                f"{document.document_id}: mislabelled columns",
                document.mislabelled,
                max_missed,
                lambda c: (
                    f"{c.table_id}  col {c.column_index}: {c.got!r} for {c.expected!r}"
                    f" ({c.cells} cells)"
                ),
            )
        )
    return "\n".join(lines)


def _printed(row: tuple[tuple[int, str], ...]) -> str:
    return " ".join(f"[{index}]{text!r}" for index, text in row) if row else "absent"


def _listing(
    title: str, items: tuple[Any, ...], limit: int, describe: Callable[[Any], str]
) -> list[str]:
    if not items:
        return []
    shown = items[:limit]
    return [f"\n{title} ({len(shown)} of {len(items)}):", *(f"  {describe(c)}" for c in shown)]
