"""The visual debugger draws each box over its own text, also on a page turned by /Rotate 90 with
media and crop boxes away from (0, 0): the boxes are in the displayed page's frame."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PIL import Image

from pipeline.extract.pdf import pixel_box, rendered_page
from pipeline.tools.debug import COLOURS, draw_page, explain_page
from tests.fuzz.build import build
from tests.fuzz.strategies import generate

INK = 128  # a pixel darker than this is printed text, not paper
RESOLUTION = 110


def _inked(page: Image.Image, box: tuple[float, float, float, float]) -> bool:
    darkest, _ = page.convert("L").crop(tuple(round(v) for v in box)).getextrema()
    return float(darkest) < INK


def test_boxes_land_on_their_text_on_a_turned_and_offset_page(tmp_path: Path) -> None:
    document = replace(
        generate(1, seed=3)[0], rotate=True, box_offset=(40.0, -25.0), crop_inset=15.0
    )
    pdf, _ = build(document, "reportlab", tmp_path)
    tables, _ = explain_page(pdf, 1)
    cells = [cell for table in tables for row in table.rows for cell in row.cells.values()]
    assert cells, "the page holds a table"
    page, scale = rendered_page(pdf, 1, RESOLUTION)
    boxes = [pixel_box((c.x0, c.top, c.x1, c.bottom), scale) for c in cells]
    assert all(_inked(page, box) for box in boxes)
    drawn = Image.open(draw_page(pdf, 1, tmp_path / "page.png", RESOLUTION)).convert("RGB")
    assert drawn.size == page.size
    outlined = [drawn.getpixel((int((x0 + x1) / 2), int(top))) for x0, top, x1, _ in boxes]
    assert all(colour == COLOURS["cell"][:3] for colour in outlined), "cells outlined in place"
