"""The visual debugger: draw what the extractor found on a page, over the page itself.

Red: a table's box. Blue: its value columns. Green: row labels. Orange: value cells.
The page is drawn as displayed (rotation and crop box applied), the frame the boxes are in, so
they land on their text on any producer's page. Beside the PNG, a .txt says what the extractor saw:
the lines that looked like table rows, and which candidates it rejected or which numbers it
withheld, by which rule; most useful on a page where nothing was found.
"""

from __future__ import annotations

from pathlib import Path

from PIL import ImageDraw

from pipeline.extract.layout import read_page
from pipeline.extract.lines import PageTable, is_table_like
from pipeline.extract.pdf import open_pdf, pixel_box, rendered_page
from pipeline.extract.table import find_tables

COLOURS = {
    "table": (220, 30, 30, 255),
    "column": (40, 90, 230, 60),
    "label": (30, 160, 60, 255),
    "cell": (240, 140, 0, 255),
}


def explain_page(pdf_path: Path, page_number: int) -> tuple[list[PageTable], list[str]]:
    """The tables found on a page (1-based) and, line by line, why the extractor saw them so."""
    with open_pdf(pdf_path) as document:
        layout = read_page(document, page_number - 1)
    if layout is None:
        return [], ["the cheap text pass found no table-like lines: page not laid out"]
    notes = [
        f"table-like line at y={line.top:.0f}: {line.text[:80]}"
        for line in layout.lines
        if is_table_like(line.words)
    ] or ["no line has numbers in columns beside a label"]
    notes.append(f"{len(layout.rules)} ruling lines")
    tables = find_tables(layout, explain=notes)
    fragments = sum(table.fragment for table in tables)
    notes.append(f"{len(tables) - fragments} tables found, {fragments} one-row fragments")
    return tables, notes


def draw_page(pdf_path: Path, page_number: int, out_path: Path, resolution: int = 110) -> Path:
    """Write a PNG of page `page_number` (1-based) with the tables found on it drawn in, and
    the explanation beside it (same name, .txt)."""
    tables, notes = explain_page(pdf_path, page_number)
    image, scale = rendered_page(pdf_path, page_number, resolution)
    draw = ImageDraw.Draw(image, "RGBA")
    for table in tables:
        for column in table.columns:
            box = (column.x0, table.top, column.x1, table.bottom)
            draw.rectangle(pixel_box(box, scale), fill=COLOURS["column"])
        box = (table.x0, table.top, table.x1, table.bottom)
        draw.rectangle(pixel_box(box, scale), outline=COLOURS["table"])
        for row in table.rows:
            for part in row.label_parts:
                box = (part.x0, part.top, part.x1, part.bottom)
                draw.rectangle(pixel_box(box, scale), outline=COLOURS["label"])
            for cell in row.cells.values():
                box = (cell.x0, cell.top, cell.x1, cell.bottom)
                draw.rectangle(pixel_box(box, scale), outline=COLOURS["cell"])
    out_path.parent.mkdir(parents=True, exist_ok=True)
    image.save(out_path)
    out_path.with_suffix(".txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    return out_path
