"""Page-level post-processing with pikepdf, the same for every producer: /Rotate 90 with the
content counter-rotated so it still displays upright, and media/crop boxes that do not start at
(0, 0). Applied after drawing, so the drawn layout and the truth's pages are unaffected."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from .model import Document


def reframe(path: Path, document: Document) -> None:
    """Rewrite `path` in place with the document's rotation and page boxes."""
    dx, dy = document.box_offset
    if not (document.rotate or dx or dy or document.crop_inset):
        return
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            width, height = x1 - x0, y1 - y0
            if document.rotate:
                # displayed (X, Y) -> user (height - Y, X): upright after a clockwise quarter turn
                matrix = (0, 1, -1, 0, height + dx - x0, dy - y0)
                box = [dx, dy, dx + height, dy + width]
                page.obj.Rotate = 90
            else:
                matrix = (1, 0, 0, 1, dx - x0, dy - y0)
                box = [dx, dy, dx + width, dy + height]
            page.contents_coalesce()
            content = page.obj.Contents.read_bytes()
            cm = " ".join(f"{v:g}" for v in matrix).encode()
            page.obj.Contents = pdf.make_stream(b"q " + cm + b" cm\n" + content + b"\nQ\n")
            page.obj.MediaBox = pikepdf.Array(box)
            if document.crop_inset:
                inset = document.crop_inset
                page.obj.CropBox = pikepdf.Array(
                    [box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset]
                )
            elif "/CropBox" in page.obj:
                del page.obj.CropBox
            for stale in ("/TrimBox", "/BleedBox", "/ArtBox"):
                if stale in page.obj:
                    del page.obj[stale]
        pdf.save(path)
