"""The visual debugger: draw what the extractor found on a page, over the page itself.

Red: a table's box. Blue: its value columns. Green: row labels. Orange: value cells. Purple:
ruling lines read from the PDF. pdfplumber's PageImage does the drawing.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from pipeline.extract.stage import page_tables

COLOURS = {
    "table": (220, 30, 30, 255),
    "column": (40, 90, 230, 60),
    "label": (30, 160, 60, 255),
    "cell": (240, 140, 0, 255),
}


def draw_page(pdf_path: Path, page_number: int, out_path: Path, resolution: int = 110) -> Path:
    """Write a PNG of page `page_number` (1-based) with the tables found on it drawn in."""
    tables = page_tables(pdf_path, [page_number - 1])
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[page_number - 1]
        image = page.to_image(resolution=resolution)
        for table in tables:
            image.draw_rect(
                (table.x0, table.top, table.x1, table.bottom), fill=None, stroke=COLOURS["table"]
            )
            for column in table.columns:
                image.draw_rect(
                    (column.x0, table.top, column.x1, table.bottom),
                    fill=COLOURS["column"],
                    stroke_width=0,
                )
            for row in table.rows:
                for part in row.label_parts:
                    box = (part.x0, part.top, part.x1, part.bottom)
                    image.draw_rect(box, fill=None, stroke=COLOURS["label"])
                for cell in row.cells.values():
                    box = (cell.x0, cell.top, cell.x1, cell.bottom)
                    image.draw_rect(box, fill=None, stroke=COLOURS["cell"])
        out_path.parent.mkdir(parents=True, exist_ok=True)
        image.save(out_path)
    return out_path
