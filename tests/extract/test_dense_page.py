"""A hostile page stays near-linear: 100 000 single digits on one page (issue 12).

Word grouping once compared every footnote-mark candidate with every word, so such a page never
finished and blocked every later run. The bound below is generous (the page takes seconds); it
only tells "finishes" from "hangs".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reportlab.pdfgen import canvas

from project import ROOT

DIGITS = 100_000
PER_ROW = 400
FINISHES_WITHIN_SECONDS = 300


def _dense_pdf(path: Path) -> Path:
    drawing = canvas.Canvas(str(path), pagesize=(600, 800))
    drawing.setFont("Helvetica", 2)
    for index in range(DIGITS):
        row, column = divmod(index, PER_ROW)
        drawing.drawString(5 + column * 1.45, 795 - row * 2.5, str(index % 10))
    drawing.save()
    return path


def test_a_page_of_100_000_digits_finishes(tmp_path: Path) -> None:
    pdf = _dense_pdf(tmp_path / "digits.pdf")
    code = (
        "import sys; from pathlib import Path; from pipeline.extract.stage import page_tables; "
        "print(len(page_tables(Path(sys.argv[1]), [0])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(pdf)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=FINISHES_WITHIN_SECONDS,
        check=True,
    )
    assert done.stdout.strip() == "1"  # read to the end: the digit grid is one table
