"""The validation report an operator reads after a run: what was published and what was held
back, then every blocking failure grouped by table with a picture of that table on its page and
the numbers involved; warnings and the checks that passed are folded away at the end.

The summary and the first failure fit in the first screen, so the reader never scrolls to learn
whether something is wrong.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pypdfium2 import PdfiumError

from pipeline.quality.grids import Failure
from pipeline.quality.results import GateResult, held_keys

PICTURE_RESOLUTION = 110  # dpi: a table stays legible at the report's width without huge PNGs
PICTURE_MARGIN = 24.0  # points around a table's box: its title and unit caption come along
_STYLE = """
body{font-family:system-ui,sans-serif;margin:16px 24px;color:#222;max-width:1200px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:18px 0 6px}h3{font-size:15px;margin:0}
table{border-collapse:collapse;margin:4px 0 8px}
td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;vertical-align:top;text-align:left}
.num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00}.warn{color:#a60}
.ok{color:#070}.chips span{display:inline-block;margin:2px 6px 2px 0;padding:1px 6px;
border-radius:8px;background:#f3e1e1;font-size:12px}.chips span.warn{background:#f6ecd9}
article.failure{border-left:4px solid #b00;padding:6px 10px;margin:10px 0;background:#fdf7f7}
article.failure img{max-width:100%;max-height:560px;border:1px solid #ddd;margin:6px 0}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
"""


@dataclass(frozen=True, slots=True)
class RunFrames:
    """What the run published from, so the report can count and picture it (all optional)."""

    cells: pd.DataFrame
    tables: pd.DataFrame
    documents: pd.DataFrame
    raw_dir: Path | None = None


def write_report(results: list[GateResult], out_dir: Path, frames: RunFrames | None = None) -> Path:
    """Write `validation.html` (and one PNG per failing table) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = [f for r in results for f in r.failures]
    blocking = [f for f in failures if f.severity == "error"]
    parts = [
        "<!doctype html><html lang='en'><meta charset='utf-8'>",
        f"<title>Validation report</title><style>{_STYLE}</style><body>",
        "<h1>Validation report</h1>",
        _summary(results, failures, frames),
        _failures_by_table(blocking, out_dir, frames),
        _folded_warnings([f for f in failures if f.severity != "error"]),
        _folded_passes(results),
        "</body></html>",
    ]
    path = out_dir / "validation.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _held(results: list[GateResult]) -> tuple[set[str], set[tuple[str, int]], set[str]]:
    tables, rows = held_keys(results)
    rows = {key for key in rows if key[0] not in tables}
    return tables, rows, set().union(*(r.failed_documents for r in results))


def _summary(results: list[GateResult], failures: list[Failure], frames: RunFrames | None) -> str:
    """Counts published / held back, and failures by check, compact enough for the first screen."""
    tables, rows, documents = _held(results)
    lines = ["<section id='summary'><table>", "<tr><th></th><th>published</th><th>held back</th>"]
    if frames is not None:
        cells = frames.cells
        in_rows = pd.Series(list(zip(cells["table_id"], cells["row_index"], strict=True)))
        held = cells["table_id"].isin(tables).to_numpy() | in_rows.isin(rows).to_numpy()
        all_docs = set(frames.documents["document_id"])
        all_tables = set(frames.tables["table_id"])
        counts = [
            ("documents", len(all_docs - documents), len(documents)),
            ("tables", len(all_tables - tables), len(tables)),
            ("rows", None, len(rows)),
            ("cells", int((~held).sum()), int(held.sum())),
        ]
    else:
        counts = [("documents", None, len(documents)), ("tables", None, len(tables)),
                  ("rows", None, len(rows))]  # fmt: skip
    for name, published, withheld in counts:
        shown = "" if published is None else published
        css = "bad" if withheld else "ok"
        lines.append(
            f"<tr><th>{name}</th><td class='num'>{shown}</td>"
            f"<td class='num {css}'>{withheld}</td></tr>"
        )
    lines.append("</table><div class='chips'>")
    by_check = Counter((f.check, f.severity) for f in failures)
    for (check, severity), count in sorted(by_check.items(), key=lambda i: (i[0][1], -i[1])):
        css = "" if severity == "error" else " class='warn'"
        lines.append(f"<span{css}>{html.escape(check)}: {count}</span>")
    if not failures:
        lines.append("<span class='ok'>no failures</span>")
    lines.append("</div></section>")
    return "\n".join(lines)


def _failures_by_table(blocking: list[Failure], out_dir: Path, frames: RunFrames | None) -> str:
    """One article per table with blocking failures, the whole-frame ones first."""
    if not blocking:
        return "<section id='failures'><h2 class='ok'>No blocking failures</h2></section>"
    grouped: dict[str | None, list[Failure]] = defaultdict(list)
    for failure in blocking:
        grouped[failure.table_id].append(failure)
    order = sorted(grouped, key=lambda t: (t is not None, grouped[t][0].document_id or "", t or ""))
    parts = ["<section id='failures'><h2>Blocking failures by table</h2>"]
    for table_id in order:
        found = grouped[table_id]
        first = found[0]
        where = f"{first.document_id} p{first.page}" if table_id else "every table of the frame"
        parts.append(
            f"<article class='failure' id='{_slug(table_id or 'frame')}'>"
            f"<h3>{html.escape(table_id or 'whole frame')} "
            f"<small>({html.escape(where)})</small></h3>"
        )
        parts.append(_failure_table(found))
        if table_id and frames is not None:
            try:
                picture = _picture(table_id, found, frames, out_dir)
            except (OSError, ValueError, PdfiumError):  # a picture is not worth a publication
                picture = None
            if picture:
                parts.append(f"<img alt='{html.escape(table_id)}' src='{picture}'>")
        parts.append("</article>")
    parts.append("</section>")
    return "\n".join(parts)


_BOX = ("x0", "top", "x1", "bottom")
_COLUMNS = ("check", "row", "column", "expected", "actual", "terms", "message")


def _failure_table(failures: list[Failure]) -> str:
    rows = ["<table><tr>" + "".join(f"<th>{c}</th>" for c in _COLUMNS) + "</tr>"]
    for f in failures:
        column = f.column_label if f.column_label is not None else f.column_index
        values = [f.check, f.row_label, column, f.expected, f.actual]
        cells = "".join(
            f"<td{' class=num' if i >= 3 else ''}>{html.escape('' if v is None else str(v))}</td>"
            for i, v in enumerate(values)
        )
        terms = "<br>".join(html.escape(t) for t in f.terms)
        related = f" (against {f.related_table_id} p{f.related_page})" if f.related_table_id else ""
        rows.append(f"<tr>{cells}<td>{terms}</td><td>{html.escape(f.message + related)}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _folded_warnings(warnings: list[Failure]) -> str:
    if not warnings:
        return ""
    return (
        f"<details id='warnings'><summary>{len(warnings)} warnings (reported, never blocking)"
        f"</summary>{_failure_table(warnings)}</details>"
    )


def _folded_passes(results: list[GateResult]) -> str:
    passed = [(r.gate, o) for r in results for o in r.outcomes if o.success]
    rows = "".join(
        f"<tr><td>{html.escape(gate)}</td><td>{html.escape(o.frame)}</td>"
        f"<td>{html.escape(o.name)}</td><td>{html.escape(o.column or '')}</td>"
        f"<td>{html.escape(o.description)}</td></tr>"
        for gate, o in passed
    )
    timing = ", ".join(f"{r.gate} {r.seconds:.2f} s" for r in results)
    return (
        f"<details id='passes'><summary>{len(passed)} checks passed ({timing})</summary>"
        f"<table><tr><th>gate</th><th>frame</th><th>check</th><th>column</th><th>why</th></tr>"
        f"{rows}</table></details>"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text)


def _picture(
    table_id: str, failures: list[Failure], frames: RunFrames, out_dir: Path
) -> str | None:
    """Draw the table's region of its first page with the failing rows marked; the PNG's name.

    pypdfium2 renders the page as displayed (rotation and crop box applied), the orientation the
    cell boxes are in, so the marks land on the numbers whatever the producer did.
    """
    from PIL import ImageDraw

    from pipeline.extract.pdf import pixel_box, rendered_page

    table = frames.tables[frames.tables["table_id"] == table_id]
    document = frames.documents[frames.documents["document_id"] == failures[0].document_id]
    if table.empty or document.empty:
        return None
    if "path" in document:  # the manifest's own path: a name need not be UTF-8
        pdf_path = Path(os.fsdecode(document.iloc[0]["path"]))
    elif frames.raw_dir is not None:
        pdf_path = frames.raw_dir / str(document.iloc[0]["file_name"])
    else:
        return None
    box = table.iloc[0]
    page_number = int(min(box["pages"]))
    rows = {f.row_index for f in failures if f.row_index is not None}
    cells = frames.cells
    marked = cells[
        (cells["table_id"] == table_id) & cells["row_index"].isin(rows)
        & (cells["page"] == page_number)
    ]  # fmt: skip
    image, scale = rendered_page(pdf_path, page_number, PICTURE_RESOLUTION)
    x0, top, x1, bottom = (float(v) for v in box[list(_BOX)].to_numpy(dtype=float))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.rectangle(pixel_box((x0, top, x1, bottom), scale), outline=(220, 30, 30, 255), width=2)
    for cell_box in marked[list(_BOX)].to_numpy(dtype=float):
        draw.rectangle(pixel_box(tuple(cell_box), scale), fill=(240, 140, 0, 90))
    margin = PICTURE_MARGIN * scale
    region = (
        max(0, int(x0 * scale - margin)),
        max(0, int(top * scale - margin)),
        min(image.width, int(x1 * scale + margin)),
        min(image.height, int(bottom * scale + margin)),
    )
    name = f"{_slug(table_id)}.png"
    image.crop(region).save(out_dir / name)
    return name
