"""Layout on small real PDFs, where what pdfium reports per character matters: the font of
each word, the boxes of ligature glyphs."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.extract.layout import read_page
from pipeline.extract.pdf import open_pdf
from pipeline.extract.table import find_tables

# (font, label, values, line pitch below) -- a wrapped label and a bold section row both sit
# one tight line above the row they belong to or head; rows stand wider apart.
LINES = (
    ("Helvetica", "Rammetilskudd", ("1 234,5", "1 300,0"), 16),
    ("Helvetica", "Netto avsetninger til eller", (), 10),
    ("Helvetica", "bruk av bundne fond", ("-12,0", "8,5"), 16),
    ("Helvetica-Bold", "Driftsrammer", (), 10),
    ("Helvetica", "Barn og unge", ("3 332,3", "3 400,1"), 16),
    ("Helvetica", "Bistand og omsorg", ("3 458,4", "3 500,0"), 16),
)


def _pdf(path: Path) -> Path:
    canvas = Canvas(str(path))
    y = 700.0
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(400, y, "2025")
    canvas.drawRightString(500, y, "2026")
    y -= 16
    for font, label, values, pitch in LINES:
        canvas.setFont(font, 9)
        canvas.drawString(60, y, label)
        for x, value in zip((400, 500), values, strict=False):
            canvas.drawRightString(x, y, value)
        y -= pitch
    canvas.save()
    return path


def test_a_bold_section_row_is_not_merged_into_the_row_below(tmp_path: Path) -> None:
    with open_pdf(_pdf(tmp_path / "sections.pdf")) as document:
        layout = read_page(document, 0)
    assert layout is not None
    (table,) = find_tables(layout)
    assert [row.label for row in table.rows] == [
        "Rammetilskudd",
        "Netto avsetninger til eller bruk av bundne fond",
        "Driftsrammer",
        "Barn og unge",
        "Bistand og omsorg",
    ]


def test_ligature_glyphs_do_not_split_words(tmp_path: Path) -> None:
    """pdfium reads "ﬁ" as "f" and "i", both with the ligature's box: one word still."""
    font = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font)))
    canvas = Canvas(str(tmp_path / "ligatures.pdf"))
    canvas.setFont("DejaVuSans", 9)
    for y, label in ((700, "Demogra\ufb01kompensasjon"), (684, "E\ufb00ektivisering")):
        canvas.drawString(60, y, label)
        canvas.drawRightString(400, y, "1 234,5")
        canvas.drawRightString(500, y, "-2 345,6")
    canvas.save()
    with open_pdf(tmp_path / "ligatures.pdf") as document:
        layout = read_page(document, 0)
    assert layout is not None
    assert [line.words[0].text for line in layout.lines] == [
        "Demografikompensasjon",
        "Effektivisering",
    ]
