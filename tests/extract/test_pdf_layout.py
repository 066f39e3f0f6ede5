"""Layout on small real PDFs, where what pdfium reports per character matters: the font of
each word, the boxes of ligature glyphs."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from pipeline.extract.layout import read_page
from pipeline.extract.lines import PageTable
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


def _only_table(path: Path) -> PageTable:
    """The one table found on the first page of `path`."""
    with open_pdf(path) as document:
        layout = read_page(document, 0)
    assert layout is not None
    (table,) = find_tables(layout)
    return table


def test_a_bold_section_row_is_not_merged_into_the_row_below(tmp_path: Path) -> None:
    table = _only_table(_pdf(tmp_path / "sections.pdf"))
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


# A grid table: "Økonomiplan" spans the two middle value columns in a ruled header cell, beside a
# column with its own scenario and a text column that ends the table. Centring alone would take
# the wider group around them (it is centred too); the cell's rules say which columns it spans.
GRID_EDGES = (40.0, 200.0, 290.0, 380.0, 440.0, 500.0, 590.0)  # vertical rules, left to right
GRID_HEADER = ("", "Regnskap 2024", "Oppr. budsjett 2025", "2026", "2027", "Kategori")
GRID_ROWS = (
    ("Renteutgifter", "1 200", "5 050", "-13 072", "4 100", "B – Bundet"),
    ("Finansinntekter", "2 341", "2 400", "-128", "15 480", "S – Samlebevilgning"),
    ("Utbytter", "90", "100", "176", "0", "F2 – Forprosjekt"),
)


def _grid_pdf(path: Path) -> Path:
    canvas = Canvas(str(path))
    canvas.setLineWidth(0.5)
    top, pitch = 720.0, 16.0
    bottoms = [top - pitch * (i + 1) for i in range(len(GRID_ROWS) + 2)]
    for y in (top, *bottoms):
        canvas.line(GRID_EDGES[0], y, GRID_EDGES[-1], y)
    for index, x in enumerate(GRID_EDGES):
        spanned = index == 4  # no rule between 2026 and 2027 in the spanning cell's row
        canvas.line(x, bottoms[0] if spanned else top, x, bottoms[-1])
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawCentredString((GRID_EDGES[3] + GRID_EDGES[5]) / 2, top - 11, "Økonomiplan")
    for row_index, row in enumerate((GRID_HEADER, *GRID_ROWS)):
        y = bottoms[row_index + 1] + 5  # under the spanning cell's row
        canvas.setFont("Helvetica-Bold" if row_index == 0 else "Helvetica", 8)
        canvas.drawString(GRID_EDGES[0] + 3, y, row[0])
        for column, text in enumerate(row[1:-1], start=1):
            canvas.drawRightString(GRID_EDGES[column + 1] - 3, y, text)
        canvas.drawString(GRID_EDGES[-2] + 3, y, row[-1])
    canvas.save()
    return path


def test_a_spanning_header_spans_the_columns_of_its_ruled_cell(tmp_path: Path) -> None:
    table = _only_table(_grid_pdf(tmp_path / "grid.pdf"))
    assert [" ".join(texts) for texts in table.header] == [
        "Regnskap 2024",
        "Oppr. budsjett 2025",
        "Økonomiplan 2026",
        "Økonomiplan 2027",
        "Kategori",
    ]
