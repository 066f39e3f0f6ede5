"""Unit tests of the layout and table functions on hand-made words: one failure mode each."""

from __future__ import annotations

from pipeline.extract.continuation import merge_continuations
from pipeline.extract.layout import PageFrame, PageLayout, Rule, Word, group_lines
from pipeline.extract.lines import phrases
from pipeline.extract.table import find_tables

SIZE = 9.0


def _word(text: str, x0: float, top: float, width: float | None = None) -> Word:
    return Word(text, x0, x0 + (width or 0.5 * SIZE * len(text)), top, top + SIZE, SIZE)


def _row(top: float, label: str, *cells: tuple[str, float]) -> list[Word]:
    words = [_word(label, 40, top)]
    for text, x1 in cells:
        words.append(_word(text, x1 - 0.5 * SIZE * len(text), top))
    return words


def test_rotated_page_reads_in_displayed_orientation() -> None:
    frame = PageFrame(90, 0.0, 0.0, 595.0, 842.0)
    x0, x1, top, bottom = frame.box(100.0, 110.0, 200.0, 209.0)
    assert (x0, x1, top, bottom) == (200.0, 209.0, 100.0, 110.0)
    shifted = PageFrame(0, 10.0, 20.0, 605.0, 862.0)
    assert shifted.box(10.0, 20.0, 852.0, 862.0) == (0.0, 10.0, 0.0, 10.0)


def test_glued_figures_are_withheld_not_read_as_one_number() -> None:
    words = [
        _word(g, 100 + 21 * i, 0, 18) for i, g in enumerate(["116", "389", "122", "717", "128"])
    ]
    (phrase,) = phrases(words)
    assert phrase.withheld is not None


def test_thousands_groups_join_into_one_amount() -> None:
    (phrase,) = phrases([_word("-1", 100, 0, 8), _word("878,6", 111, 0, 22)])
    assert phrase.text == "-1 878,6" and phrase.withheld is None


def _table(lines: list[list[Word]]) -> list[tuple[str, dict[int, str]]]:
    layout = PageLayout(1, 595.0, 842.0, group_lines([w for line in lines for w in line]))
    (table,) = find_tables(layout)
    return [(row.label, {k: v.text for k, v in row.cells.items()}) for row in table.rows]


def test_numbers_centred_on_a_wrapped_label_take_both_lines() -> None:
    rows = _table(
        [
            _row(100, "Alpha", ("1,0", 300), ("2,0", 400)),
            [_word("Beta wraps", 40, 120)],
            _row(125, "", ("3,0", 300), ("4,0", 400))[1:],
            [_word("onto two", 40, 130)],
            _row(150, "Gamma", ("5,0", 300), ("6,0", 400)),
        ]
    )
    assert rows[1] == ("Beta wraps onto two", {0: "3,0", 1: "4,0"})


def test_blank_cells_keep_values_in_their_columns() -> None:
    rows = _table(
        [
            _row(100, "Alpha", ("1,0", 300), ("2,0", 400), ("3,0", 500)),
            _row(115, "Beta", ("4,0", 400)),
            _row(130, "Gamma", ("5,0", 300), ("6,0", 500)),
        ]
    )
    assert rows[1][1] == {1: "4,0"} and rows[2][1] == {0: "5,0", 2: "6,0"}


def _prose(top: float, x0: float, words: str, space_em: float = 0.3) -> list[Word]:
    """A line of prose; justified, its words stand wider apart than a word space."""
    line, x = [], x0
    for text in words.split():
        line.append(_word(text, x, top))
        x = line[-1].x1 + space_em * SIZE
    return line


def test_prose_under_a_table_stays_out_of_its_columns() -> None:
    """A two-column page: the prose line under the table spreads words over the value columns."""
    rows = _table(
        [
            _row(100, "Alpha", ("1,0", 300), ("2,0", 400), ("3,0", 500)),
            _row(115, "Beta", ("4,0", 300), ("5,0", 400), ("6,0", 500)),
            _prose(135, 40, "Det er iverksatt tilbud")
            + _prose(135, 290, "for barn og unge i sommer med mer", space_em=0.6),
        ]
    )
    assert [label for label, _ in rows] == ["Alpha", "Beta"]


def test_prose_above_the_table_top_rule_is_no_header() -> None:
    words = [
        *_prose(60, 290, "nye sykehjem er under bygging og flere", space_em=0.6),
        *_prose(72, 290, "bygger for en verdig eldreomsorg", space_em=0.6),
        _word("2019", 282, 90),
        _word("2020", 382, 90),
        *_row(105, "Alpha", ("1,0", 300), ("2,0", 400)),
        *_row(120, "Beta", ("3,0", 300), ("4,0", 400)),
    ]
    top_rule = Rule(38.0, 85.0, 402.0, 85.5)
    layout = PageLayout(1, 595.0, 842.0, group_lines(words), [top_rule])
    (table,) = find_tables(layout)
    assert table.header == [["2019"], ["2020"]]


def test_last_row_after_a_line_across_the_columns_stays_in_its_table() -> None:
    """A section line printed as one run across the columns splits off the last row, which
    alone has no header: it joins the table above because its numbers end in its columns."""
    words = [
        _word("2019", 282, 80),
        _word("2020", 382, 80),
        *_row(100, "Alpha", ("1,0", 300), ("2,0", 400)),
        *_row(115, "Beta", ("3,0", 300), ("4,0", 400)),
        _word("Spesialskoler Elever ved Haug skole 110 (8) 117 (5)", 40, 130, 330),
        *_row(145, "Gamma", ("5,0", 300), ("6,0", 400)),
    ]
    tables = merge_continuations(find_tables(PageLayout(1, 595.0, 842.0, group_lines(words))))
    (table,) = tables
    assert [row.label for row in table.rows] == ["Alpha", "Beta", "Gamma"]
    assert {k: v.text for k, v in table.rows[-1].cells.items()} == {0: "5,0", 1: "6,0"}


def test_wrapped_spanning_header_in_a_column_gap_spans_its_group() -> None:
    """The second line of a wrapped spanning header, short, falls between two columns."""
    words = [
        _word("Mer-/mindreforbruk med Covid-19", 190, 60, 160),  # centred on 270, cols 0-2
        _word("isolert", 254, 72, 32),
        _word("2019", 232, 84),
        _word("2020", 282, 84),
        _word("2021", 332, 84),
        _word("Sum", 382, 84),
        *_row(100, "Alpha", ("1,0", 250), ("2,0", 300), ("3,0", 350), ("6,0", 400)),
        *_row(115, "Beta", ("3,0", 250), ("4,0", 300), ("5,0", 350), ("12,0", 400)),
    ]
    (table,) = find_tables(PageLayout(1, 595.0, 842.0, group_lines(words)))
    assert [column[:2] for column in table.header[:3]] == 3 * [
        ["Mer-/mindreforbruk med Covid-19", "isolert"]
    ]
    assert table.header[3] == ["Sum"]


def test_numbers_without_a_label_take_the_wrapped_label_above_them() -> None:
    """A first row's label printed as full lines above its numbers, the last line a year."""
    rows = _table(
        [
            [_word("Styrket bemanning i barnehagene – Statsbudsjettet", 40, 100, 400)],
            [_word("2025", 40, 111)],
            _row(125, "", ("1,0", 300), ("2,0", 400))[1:],
            _row(140, "Beta", ("3,0", 300), ("4,0", 400)),
        ]
    )
    assert rows[0] == (
        "Styrket bemanning i barnehagene – Statsbudsjettet 2025",
        {0: "1,0", 1: "2,0"},
    )


def test_a_line_of_years_heads_its_columns_in_order_wherever_printed() -> None:
    """A header of years drawn as one run, packed far left of the columns it heads."""
    years = [_word(str(2020 + i), 40 + 25 * i, 80) for i in range(4)]
    body = [
        _row(100 + 15 * r, f"Rad {r}", *((f"{r},{c}", 250 + 80 * c) for c in range(4)))
        for r in range(2)
    ]
    (table,) = find_tables(PageLayout(1, 595.0, 842.0, group_lines([*years, *body[0], *body[1]])))
    assert table.header == [["2020"], ["2021"], ["2022"], ["2023"]]


def test_section_rows_stand_apart_from_the_row_under_them() -> None:
    """Rows spaced wider than wrapped lines, and section rows set as tight as a wrapped line
    over the row they head: capitals or another font set them apart."""
    bold = _word("Driftsrammer", 40, 191)
    bold.font = 2
    lines = [
        _row(100, "Alpha", ("1,0", 300), ("2,0", 400)),
        [_word("Netto avsetninger til", 40, 120)],
        _row(131, "bundne fond", ("3,0", 300), ("4,0", 400)),
        [_word("DRIFTSBUDSJETT", 40, 151)],
        _row(162, "Rammetilskudd", ("5,0", 300), ("6,0", 400)),
        [bold],
        _row(202, "Lønnsreserven", ("7,0", 300), ("8,0", 400)),
    ]
    for word in lines[-1]:
        word.font = 1
    rows = _table(lines)
    assert [label for label, _ in rows] == [
        "Alpha",
        "Netto avsetninger til bundne fond",
        "DRIFTSBUDSJETT",
        "Rammetilskudd",
        "Driftsrammer",
        "Lønnsreserven",
    ]


def test_rows_with_numbers_on_the_first_of_their_lines_stay_apart() -> None:
    """Wrapped labels with the numbers on their first line, some rows set as tight as the
    wraps: spacing cannot tell, but a row never prints two lines of numbers."""
    rows = _table(
        [
            _row(100, "Netto finans- og", ("1,0", 300), ("2,0", 400)),
            [_word("avdragsutgifter", 40, 111)],
            _row(122, "Gevinster", ("3,0", 300), ("4,0", 400)),
            [_word("og tap", 40, 133)],
            _row(144, "Renteutgifter", ("5,0", 300), ("6,0", 400)),
            _row(162, "Avskrivninger", ("7,0", 300), ("8,0", 400)),
        ]
    )
    assert [label for label, _ in rows] == [
        "Netto finans- og avdragsutgifter",
        "Gevinster og tap",
        "Renteutgifter",
        "Avskrivninger",
    ]


def test_a_section_row_under_the_header_leaves_the_header_to_the_columns() -> None:
    words = [
        _word("Budsjett", 264, 80),
        _word("Regnskap", 364, 80),
        _word("DRIFTSINNTEKTER", 40, 95),
        *_row(110, "Alpha", ("1,0", 300), ("2,0", 400)),
        *_row(125, "Beta", ("3,0", 300), ("4,0", 400)),
    ]
    (table,) = find_tables(PageLayout(1, 595.0, 842.0, group_lines(words)))
    assert table.header == [["Budsjett"], ["Regnskap"]]


def test_a_text_cell_before_numbers_centred_on_a_wrapped_label_is_no_label() -> None:
    """A left-aligned text column before the numbers; one row's label wraps, its cells are
    centred on the two lines."""

    def row(top: float, label: str, text: str, *cells: tuple[str, float]) -> list[Word]:
        return [*_row(top, label, *cells), _word(text, 200, top)]

    rows = _table(
        [
            row(100, "Alpha", "Forsinket", ("1,0", 350), ("2,0", 450)),
            row(115, "Beta", "Fullført", ("3,0", 350), ("4,0", 450)),
            [_word("Overføringer", 40, 130)],
            row(135, "", "Forprosjekt", ("5,0", 350), ("6,0", 450))[1:],
            [_word("og tilskudd", 40, 140)],
            row(160, "Gamma", "Fullført", ("7,0", 350), ("8,0", 450)),
        ]
    )
    assert rows[2] == ("Overføringer og tilskudd", {0: "Forprosjekt", 1: "5,0", 2: "6,0"})


def test_a_text_cell_close_right_of_a_number_is_its_own_cell() -> None:
    words = [
        _word("Skatt", 40, 0),
        _word("1", 100, 0, 5),
        _word("713,4", 107, 0, 22),
        _word("Fullført", 132, 0, 32),
    ]
    assert [p.text for p in phrases(words)] == ["Skatt", "1 713,4", "Fullført"]
    # A footnote's number opens its line: no cell of its own.
    (note,) = phrases([_word("1", 40, 0, 5), _word("Budsjettet", 48, 0, 40)])
    assert note.text == "1 Budsjettet"
