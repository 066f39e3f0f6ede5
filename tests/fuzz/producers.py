"""Four PDF producers that render the same model: reportlab's canvas and fpdf2 draw the shared
layout (they differ in how they encode text, fonts and content streams); WeasyPrint and
Chromium's print to PDF (Skia's PDF backend, what "Save as PDF" and many web-to-PDF services
write) lay the same HTML/CSS out themselves (their own spacing, page breaks and text runs).

Each producer writes the PDF and returns every table row's 1-based page; nothing here decides
what a table contains.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pikepdf

from tests.support.chromium import CHROMIUM, NEEDS_CHROMIUM, print_to_pdf

from .layout import MARGIN, RUNNING, Fill, Layout, Line, Text, fitted_size, lay_out
from .model import GEOMETRY, Cell, Column, Document, Row, Table, printed

RowPages = list[list[int | None]]
Producer = Callable[[Document, Path], RowPages]

# reportlab writes U+00A0 as a plain space (its TrueType splitter maps it to 32), so a no-break
# space is drawn as U+2004 and that glyph's ToUnicode entry rewritten to U+00A0 afterwards.
_NBSP, _NBSP_STAND_IN = "\u00a0", "\u2004"
_TO_UNICODE = re.compile(rb"beginbfchar.*?endbfchar", re.S)


def reportlab_canvas(document: Document, path: Path) -> RowPages:
    """Draw the layout with reportlab's canvas, one drawString per run."""
    from reportlab.pdfgen.canvas import Canvas

    layout = lay_out(document)
    canvas = Canvas(str(path), invariant=1, pageCompression=0)
    for page in layout.pages:
        canvas.setPageSize((page.width, page.height))
        for op in page.ops:
            if isinstance(op, Text):
                canvas.setFont(op.font.name, op.size)
                canvas.drawString(op.x, op.y, op.text.replace(_NBSP, _NBSP_STAND_IN))
            elif isinstance(op, Line):
                canvas.setLineWidth(op.width)
                canvas.line(op.x0, op.y0, op.x1, op.y1)
            else:
                canvas.setFillGray(op.gray)
                canvas.rect(op.x, op.y, op.width, op.height, stroke=0, fill=1)
                canvas.setFillGray(0)
        canvas.showPage()
    canvas.save()
    path.write_bytes(
        _TO_UNICODE.sub(lambda m: m[0].replace(b"<2004>", b"<00A0>"), path.read_bytes())
    )
    return layout.row_pages


def fpdf2(document: Document, path: Path) -> RowPages:
    """Draw the layout with fpdf2 (CID fonts, its own content-stream encoding)."""
    from fpdf import FPDF

    layout: Layout = lay_out(document)
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    fonts: set[str] = set()
    for page in layout.pages:
        pdf.add_page(format=(page.width, page.height))
        for op in page.ops:
            if isinstance(op, Text):
                if op.font.name not in fonts:
                    pdf.add_font(op.font.name, "", str(op.font.path))
                    fonts.add(op.font.name)
                pdf.set_font(op.font.name, size=op.size)
                pdf.text(op.x, page.height - op.y, op.text)
            elif isinstance(op, Line):
                pdf.set_line_width(op.width)
                pdf.line(op.x0, page.height - op.y0, op.x1, page.height - op.y1)
            elif isinstance(op, Fill):
                gray = round(op.gray * 255)
                pdf.set_fill_color(gray, gray, gray)
                pdf.rect(op.x, page.height - op.y - op.height, op.width, op.height, style="F")
    pdf.output(str(path))
    return layout.row_pages


def weasyprint(document: Document, path: Path) -> RowPages:
    """Render the model as HTML/CSS with WeasyPrint; pages are read from its row anchors."""
    from weasyprint import HTML

    rendered = HTML(string=_html(document)).render()
    anchor_pages = {
        name: number for number, page in enumerate(rendered.pages, 1) for name in page.anchors
    }
    rendered.write_pdf(str(path))
    return _row_pages(document, anchor_pages, "WeasyPrint")


def chromium(document: Document, path: Path) -> RowPages:
    """Print the model's HTML/CSS to PDF with headless Chromium, one browser start per document.

    Rows' pages come from the PDF's named destinations: Chromium writes one, on the page where
    the element is laid out, for every element that an in-document link targets, so the HTML
    carries a hidden link to every row."""
    with tempfile.TemporaryDirectory(prefix="fuzz-chromium-") as folder:
        html_file = Path(folder) / f"{path.stem}.html"
        html_file.write_text(_html(document, row_links=True), encoding="utf-8")
        print_to_pdf(html_file, path)
    with pikepdf.open(path) as pdf:
        numbers = {page.obj.objgen: number for number, page in enumerate(pdf.pages, 1)}
        dests = pdf.Root.get("/Dests", pikepdf.Dictionary())
        anchor_pages = {str(name)[1:]: numbers[dest[0].objgen] for name, dest in dests.items()}
    return _row_pages(document, anchor_pages, "Chromium")


def _row_pages(document: Document, anchor_pages: dict[str, int], engine: str) -> RowPages:
    """Every table row's page from its anchor `t<table>r<row>` (section rows have none)."""
    missing = [
        f"t{t}r{r}"
        for t, table in enumerate(document.tables)
        for r, row in enumerate(table.rows)
        if row.kind != "section" and f"t{t}r{r}" not in anchor_pages
    ]
    if missing:
        raise RuntimeError(f"{engine} gave no page for rows {missing[:5]}")
    return [
        [
            None if row.kind == "section" else anchor_pages[f"t{t}r{r}"]
            for r, row in enumerate(table.rows)
        ]
        for t, table in enumerate(document.tables)
    ]


def html_model(document: Document) -> Document:
    """HTML engines set whole text runs with real spaces; they cannot draw glyph runs."""
    return replace(document, glyph_runs=False, no_spaces=False)


PRODUCERS: dict[str, Producer] = {
    "reportlab": reportlab_canvas,
    "fpdf2": fpdf2,
    "weasyprint": weasyprint,
    "chromium": chromium,
}
MODEL_FOR: dict[str, Callable[[Document], Document]] = {
    "weasyprint": html_model,
    "chromium": html_model,
}
# Producers that need a program outside the virtualenv, when it is missing: why they cannot run.
UNAVAILABLE: dict[str, str] = (
    {} if CHROMIUM else {"chromium": f"Chromium is not installed: {NEEDS_CHROMIUM}"}
)


_CSS = """
@page {{ size: {page}; margin: 60pt {margin}pt 55pt {margin}pt;
  @top-left {{ content: "{running}"; font-size: 7pt }}
  @bottom-right {{ content: "Side " counter(page); font-size: 7pt }} }}
body {{ font-family: "{family}"; font-size: {size}pt; line-height: {leading};
  font-variant-ligatures: none }}
h3 {{ font-size: 1.15em; margin: 0.6em 0 0.3em 0 }}
p.unit {{ font-style: italic; font-size: 0.9em; margin: 0 }}
table {{ border-collapse: collapse; margin-bottom: 1em }}
td, th {{ padding: 0.3em {gap}em 0.3em {gap}em; white-space: nowrap; vertical-align: top }}
th {{ text-align: right; vertical-align: bottom }}
th.text, td.text {{ text-align: left }}
td.n {{ text-align: right }}
.narrow {{ font-stretch: condensed }}
span.g + span.g {{ margin-left: 0.3em }}
tr.last td.n, tr.last td.text {{ vertical-align: bottom }}
tr.centre td.n, tr.centre td.text {{ vertical-align: middle }}
tr.sum td {{ font-weight: bold }}
tr.section td.bold, tr.section td.caps {{ font-weight: bold }}
tr.section td.italic {{ font-style: italic }}
td.label {{ text-align: left; padding-left: 0.8em }}
tr.section td.label {{ padding-left: 0 }}
th.span {{ text-align: center; border-bottom: 0.4pt solid black }}
table.rows tbody td, table.grid tbody td {{ border-bottom: 0.4pt solid black }}
table.grid td, table.grid th {{ border: 0.4pt solid black }}
table.zebra tr.odd td {{ background: #e0e0e0 }}
sup {{ font-size: 62%; vertical-align: super; line-height: 0 }}
tr {{ break-inside: avoid }}
"""


def _html(document: Document, row_links: bool = False) -> str:
    """The document as one HTML page; `row_links` adds a hidden link to every row anchor (the
    engine then writes each row as a PDF named destination)."""
    css = _CSS.format(
        page="A4 landscape" if document.landscape else "A4",
        margin=MARGIN,
        running=RUNNING,
        family="DejaVu Sans" if document.family == "sans" else "DejaVu Serif",
        size=document.size,
        leading=document.leading,
        gap=0.5,
    )
    body = [_table_html(document, index, table) for index, table in enumerate(document.tables)]
    if row_links:
        links = "".join(
            f"<a href='#t{t}r{r}'></a>"
            for t, table in enumerate(document.tables)
            for r, row in enumerate(table.rows)
            if row.kind != "section"
        )
        body.insert(0, f"<div style='display:none'>{links}</div>")
    return (
        f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"
        + "".join(body)
        + "</body></html>"
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _lines(lines: tuple[str, ...], document: Document, footnote: str = "") -> str:
    text = "<br>".join(_esc(printed(line, document)) for line in lines)
    return text + (f"<sup>{_esc(footnote)}</sup>" if footnote else "")


def _number(cell: Cell, table: Table) -> str:
    if table.numbers.thousands == GEOMETRY:
        return "".join(f"<span class='g'>{_esc(part)}</span>" for part in cell.text.split())
    return _esc(cell.text)


def _header_html(document: Document, table: Table) -> str:
    gap = table.column_gap / 2
    pad = f" style='padding-left:{gap}em;padding-right:{gap}em'"
    rows = []
    if table.spans:
        cells, index = ["<th></th>"], 0
        while index < len(table.columns):
            span = next((s for s in table.spans if s.first == index), None)
            if span:
                width = span.last - span.first + 1
                cells.append(f"<th class='span' colspan='{width}'{pad}>{_esc(span.text)}</th>")
                index += width
            else:
                cells.append("<th></th>")
                index += 1
        rows.append(f"<tr>{''.join(cells)}</tr>")
    cells = ["<th></th>"]
    for column in table.columns:
        kind = "" if column.numeric else " class='text'"
        cells.append(f"<th{kind}{pad}>{_lines(column.header, document, column.footnote)}</th>")
    rows.append(f"<tr>{''.join(cells)}</tr>")
    return "".join(rows)


def _row_html(document: Document, table: Table, t: int, r: int, row: Row, odd: bool) -> str:
    gap = table.column_gap / 2
    pad = f"padding-left:{gap}em;padding-right:{gap}em"
    classes = [row.kind, row.numbers_on, "odd" if odd else "even"]
    brk = " style='break-before: page'" if r == table.break_before else ""
    label_class = f"label {row.style}" if row.kind == "section" else "label"
    cells = [f"<td class='{label_class}'>{_lines(row.lines, document, row.footnote)}</td>"]
    if row.kind == "section":
        cells.extend("<td></td>" for _ in table.columns)
    else:
        cells.extend(
            _cell_html(table, column, cell, pad)
            for column, cell in zip(table.columns, row.cells, strict=True)
        )
    return f"<tr id='t{t}r{r}' class='{' '.join(classes)}'{brk}>{''.join(cells)}</tr>"


def _cell_html(table: Table, column: Column, cell: Cell, pad: str) -> str:
    narrow = " narrow" if table.narrow_numbers and column.numeric else ""
    kind = "n" if column.numeric else "text"
    text = _number(cell, table) if column.numeric else _esc(cell.text)
    return f"<td class='{kind}{narrow}' style='{pad}'>{text}</td>"


def _table_html(document: Document, t: int, table: Table) -> str:
    parts = []
    if table.prose_before:
        parts.append(f"<p>{_esc(table.prose_before)}</p>")
    parts.append(f"<h3>{_esc(printed(table.title, document))}</h3>")
    if table.unit_caption:
        parts.append(f"<p class='unit'>{_esc(table.unit_caption)}</p>")
    header = _header_html(document, table)
    head = f"<thead>{header}</thead><tbody>" if table.repeat_header else f"<tbody>{header}"
    body = "".join(
        _row_html(document, table, t, r, row, r % 2 == 1) for r, row in enumerate(table.rows)
    )
    # CSS cells pad and break headers differently from the shared layout: keep a 10 % margin
    scale = 0.9 * fitted_size(document, table) / document.size
    parts.append(
        f"<table class='{table.rules}' style='font-size:{scale:.3f}em'>{head}{body}</tbody></table>"
    )
    if table.prose_after:
        parts.append(f"<p>{_esc(table.prose_after)}</p>")
    return "".join(parts)
