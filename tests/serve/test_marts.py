"""The questions a finance analyst asks every budget cycle, answered with SQL against the
published `budget.duckdb` of the sample documents, each answer equal to the printed figure
(the golden truth files of tests/data, or the page)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.quality.recognise import normalise
from pipeline.serve.dictionary import DICTIONARY
from pipeline.serve.marts import DUCKDB_TYPES, mart_names, sql_files, sql_name

from truthcells import load_truth

BUDGET = "handlingsprogram-2026-2029"
ANNUAL_REPORTS = ("arsrapport-2020", "arsrapport-2020-lo", "quirks-2020")
KINDS = {BUDGET: "budget", **dict.fromkeys(ANNUAL_REPORTS, "annual_report")}
# What a printed column header means (the rules, stated here independently of
# schemas/serving.yaml): "Budsjett Y" is the revised budget in an annual report and the
# original one in a budget document.
PRINTED_SCENARIOS = (
    (r"^regnskap \d{4}$", {"budget": "actual", "annual_report": "actual"}),
    (r"^oppr\. budsjett \d{4}$", {"budget": "original_budget"}),
    (r"^rev\. ?bud(sjett|\. i fjor) \d{4}$", {"budget": "revised_budget"}),
    (r"^(øk\.plan|økonomiplan) \d{4}$", {"budget": "plan"}),
    (r"^budsjett \d{4}$", {"budget": "original_budget", "annual_report": "revised_budget"}),
)
# Where each area of the budget document begins: its heading, printed above "Om området".
AREA_PAGES = {
    "Oppvekst": 62,
    "Helse og velferd": 118,
    "Aldring og mestring": 156,
    "Samfunns- og byutvikling": 190,
    "Organisasjon, styring og utvikling": 272,
    "Overordnet ledelse": 298,
}


@pytest.fixture(scope="module")
def db(sample_run: tuple[Path, Any]) -> duckdb.DuckDBPyConnection:
    out, _ = sample_run
    with duckdb.connect(str(out / "current" / "budget.duckdb"), read_only=True) as connection:
        yield connection


def rows(db: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return db.execute(sql, list(params)).fetchall()


def printed_scenario(column_label: str, document: str) -> str | None:
    for pattern, by_kind in PRINTED_SCENARIOS:
        if re.match(pattern, normalise(column_label)):
            return by_kind.get(KINDS[document])
    return None


def printed(documents: tuple[str, ...], label: str) -> dict[tuple[str, str, int], float]:
    """(document, scenario, year) -> the value printed on every truth row with this label,
    in tables whose columns name a scenario; two printings of one key must agree."""
    found: dict[tuple[str, str, int], float] = {}
    for document in documents:
        for table in load_truth(document)["tables"]:
            for row in table["rows"]:
                if normalise(row["label"]) != normalise(label):
                    continue
                for column, value in zip(table["columns"], row["values"], strict=True):
                    scenario = printed_scenario(column, document)
                    if scenario is None or value is None:
                        continue
                    key = (document, scenario, int(column[-4:]))
                    assert found.setdefault(key, value) == value, (key, table["id"])
    return found


def series(db: duckdb.DuckDBPyConnection, line_item: str) -> dict[tuple[str, str, int], float]:
    """The line item's canonical nominal amounts by (document, scenario, year), each once."""
    answer = rows(
        db,
        "SELECT document_id, scenario, fiscal_year, amount FROM line_item_series "
        "WHERE line_item_id = ? AND org_unit_id IS NULL AND price_basis = 'nominal'",
        line_item,
    )
    keys = [(d, s, y) for d, s, y, _ in answer]
    assert len(keys) == len(set(keys)), "a figure counted twice"
    return {(d, s, y): amount for d, s, y, amount in answer}


def test_netto_driftsresultat_per_year_and_scenario(db: duckdb.DuckDBPyConnection) -> None:
    expected = printed((BUDGET, *ANNUAL_REPORTS), "Netto driftsresultat")
    got = series(db, "netto_driftsresultat")
    assert {key: got.get(key) for key in expected} == expected
    budget = {(s, y) for d, s, y in expected if d == BUDGET}
    assert budget == {("actual", 2024), ("original_budget", 2025), ("revised_budget", 2025)} | {
        ("plan", year) for year in range(2026, 2030)
    }
    assert got[("arsrapport-2020", "revised_budget", 2020)] == -237.0  # "Budsjett 2020", p. 5
    assert got[("arsrapport-2020", "actual", 2020)] == -679.4


@pytest.mark.parametrize(
    ("line_item", "labels"),
    [
        ("rammetilskudd", ("Rammetilskudd",)),
        ("inntekts_og_formuesskatt", ("Inntekts- og formuesskatt", "Skatt på inntekt og formue")),
    ],
)
def test_rammetilskudd_and_skatt_across_every_year_and_document(
    db: duckdb.DuckDBPyConnection, line_item: str, labels: tuple[str, ...]
) -> None:
    expected: dict[tuple[str, str, int], float] = {}
    for label in labels:
        expected |= printed((BUDGET, *ANNUAL_REPORTS), label)
    got = series(db, line_item)
    assert {key: got.get(key) for key in expected} == expected
    assert {d for d, _, _ in got} == {BUDGET, *ANNUAL_REPORTS}
    assert {y for d, _, y in got if d == BUDGET} == set(range(2024, 2030))


def test_top_ten_areas_net_budget_for_the_first_plan_year(db: duckdb.DuckDBPyConnection) -> None:
    answer = rows(
        db,
        """
        SELECT s.row_label, s.amount
        FROM statutory_overview AS s
        JOIN dim_document AS d USING (document_id)
        WHERE s.statement = 'bevilgning_drift_5_4_2' AND s.line_item_id = 'netto_ramme'
          AND s.scenario = 'plan' AND s.fiscal_year = d.plan_start AND s.is_canonical
          AND s.org_unit_id IS NOT NULL
        ORDER BY s.amount DESC
        LIMIT 10
        """,
    )
    table = next(t for t in load_truth(BUDGET)["tables"] if t["title"].endswith("§ 5-4 andre ledd"))
    first_plan_year = table["columns"].index("Øk.plan 2026")
    areas = []  # the appropriation lines above "Sum bevilgninger drift, netto"
    for row in table["rows"]:
        if row["label"].startswith("Sum bevilgninger"):
            break
        areas.append((row["label"], row["values"][first_plan_year]))
    assert answer == sorted(areas, key=lambda area: -area[1])[:10]


def test_total_investment_per_plan_year(db: duckdb.DuckDBPyConnection) -> None:
    answer = rows(
        db,
        """
        SELECT f.fiscal_year, f.amount
        FROM fact_amount AS f JOIN dim_document AS d USING (document_id)
        WHERE d.kind = 'budget' AND f.line_item_id = 'sum_investeringsutgifter'
          AND f.scenario = 'plan' AND f.is_canonical
        ORDER BY f.fiscal_year
        """,
    )
    expected = printed((BUDGET,), "Sum investeringsutgifter")
    assert answer == sorted((y, v) for (_, s, y), v in expected.items() if s == "plan")
    assert [year for year, _ in answer] == [2026, 2027, 2028, 2029]


def test_a_period_total_is_its_own_period_not_a_year(db: duckdb.DuckDBPyConnection) -> None:
    """The "Sum 2026-2029" column is a multi-year fact: summing the years gives it, summing
    by year never adds it in."""
    ((years, period),) = rows(
        db,
        """
        SELECT sum(amount) FILTER (WHERE period_type = 'year'),
               sum(amount) FILTER (WHERE period_type = 'multi_year_total')
        FROM fact_amount
        WHERE line_item_id = 'investeringer_varige_driftsmidler' AND scenario = 'plan'
          AND is_canonical AND document_id = ?
        """,
        BUDGET,
    )
    part_one = next(
        t for t in load_truth(BUDGET)["tables"] if t["title"].startswith("1. Investeringer")
    )
    total = next(r for r in part_one["rows"] if r["label"] == "Investeringer i varige driftsmidler")
    assert period == total["values"][part_one["columns"].index("Øk.plan Sum 2026-2029")]
    assert years == pytest.approx(period, abs=0.05 * 4)  # four rounded printed numbers


def _area_table_lonn(area_page: int, plan_year: int) -> float:
    """Lønn in the first "fordelt på hovedart" table printed after the area's heading."""
    table = next(
        t
        for t in load_truth(BUDGET)["tables"]
        if t["title"].endswith("fordelt på hovedart") and t["rows"][0]["page"] >= area_page
    )
    row = next(r for r in table["rows"] if r["label"] == "Lønn")
    return float(row["values"][table["columns"].index(f"Økonomiplan {plan_year}")])


def test_lonn_per_area_without_double_counting(db: duckdb.DuckDBPyConnection) -> None:
    answer = rows(
        db,
        """
        SELECT o.name, sum(f.amount)
        FROM fact_amount AS f JOIN dim_org_unit AS o USING (org_unit_id)
        WHERE f.line_item_id = 'lonn' AND f.is_canonical AND o.level = 1
          AND f.scenario = 'plan' AND f.fiscal_year = 2026
        GROUP BY o.name
        """,
    )
    assert dict(answer) == {area: _area_table_lonn(page, 2026) for area, page in AREA_PAGES.items()}
    # the sub-areas' own tables are facts of the sub-areas: their sum never exceeds the area's
    parts = rows(
        db,
        """
        SELECT parent.name, sum(f.amount), count(*)
        FROM fact_amount AS f
        JOIN dim_org_unit AS o USING (org_unit_id)
        JOIN dim_org_unit AS parent ON parent.org_unit_id = o.parent_id
        WHERE f.line_item_id = 'lonn' AND f.is_canonical AND f.scenario = 'plan'
          AND f.fiscal_year = 2026
        GROUP BY parent.name
        """,
    )
    assert {area for area, _, _ in parts} == set(AREA_PAGES)
    for area, total, count in parts:  # each printed number is off by up to 0.05 (rounding)
        assert total <= dict(answer)[area] + 0.05 * (count + 1), area


def test_canonical_facts_count_each_printed_figure_once(db: duckdb.DuckDBPyConnection) -> None:
    key = (
        "document_id, line_item_id, scenario, scenario_detail, period_type, period_start, "
        "period_end, org_unit_id"
    )
    ((groups, without_one),) = rows(
        db,
        f"""
        SELECT count(*), count(*) FILTER (WHERE canonical <> 1)
        FROM (SELECT count(*) FILTER (WHERE is_canonical) AS canonical
              FROM fact_amount GROUP BY {key})
        """,
    )
    assert groups > 5000 and without_one == 0
    # the same figure printed in several tables is a fact once: § 5-4 and § 5-6 both print
    # netto driftsresultat; the second printing is kept, with its lineage, not counted
    printings = rows(
        db,
        """
        SELECT f.is_canonical, t.table_type, f.page, f.amount
        FROM fact_amount AS f JOIN dim_table AS t USING (table_id)
        WHERE f.document_id = ? AND f.line_item_id = 'netto_driftsresultat'
          AND f.scenario = 'plan' AND f.fiscal_year = 2026
        ORDER BY f.page
        """,
        BUDGET,
    )
    assert printings == [
        (True, "bevilgning_drift_5_4_1", 2, -345.1),
        (False, "okonomisk_oversikt_drift_5_6", 315, -345.1),
    ]


def test_the_printings_not_counted_are_copies_of_the_counted_one(
    db: duckdb.DuckDBPyConnection,
) -> None:
    """A printing left out of the count equals the counted one within the rounding of both
    prints, or is flagged as another figure; and the flag is rare, never on a "fordelt på
    hovedart" table (each belongs to the sub-area whose net total it prints)."""
    printings = rows(
        db,
        """
        SELECT f.amount, f.amount_text, c.amount, c.amount_text, f.differs_from_canonical,
               t.table_type
        FROM fact_amount AS f
        JOIN fact_amount AS c ON c.is_canonical AND c.document_id = f.document_id
            AND c.line_item_id = f.line_item_id AND c.scenario = f.scenario
            AND c.scenario_detail IS NOT DISTINCT FROM f.scenario_detail
            AND c.period_type = f.period_type AND c.period_start = f.period_start
            AND c.period_end = f.period_end AND c.org_unit_id IS NOT DISTINCT FROM f.org_unit_id
        JOIN dim_table AS t ON t.table_id = f.table_id
        WHERE NOT f.is_canonical
        """,
    )

    def half_unit(text: str) -> float:
        decimals = re.search(r"[,.](\d+)\D*$", text)
        return 0.5 * 10.0 ** -(len(decimals.group(1)) if decimals else 0)

    differing = 0
    for amount, text, counted, counted_text, differs, table_type in printings:
        copy = abs(amount - counted) <= half_unit(text) + half_unit(counted_text) + 1e-9
        assert differs == (not copy), (amount, counted)
        differing += differs
        assert not (differs and table_type == "by_hovedart"), (amount, counted)
    ((facts,),) = rows(db, "SELECT count(*) FROM fact_amount")
    assert len(printings) > 900 and differing < 0.02 * facts


def test_a_fact_printed_in_nominal_and_fixed_kroner_counts_once(
    db: duckdb.DuckDBPyConnection,
) -> None:
    """Netto driftsresultat 2020 is printed in the annual report's overview (nominal) and in its
    Tabell 10 ("Mill. 2020-kr"): the nominal printing is the one counted."""
    for document in ANNUAL_REPORTS:
        counted = rows(
            db,
            """
            SELECT price_basis, amount FROM fact_amount
            WHERE document_id = ? AND line_item_id = 'netto_driftsresultat'
              AND scenario = 'actual' AND fiscal_year = 2020 AND is_canonical
            """,
            document,
        )
        assert counted == [("nominal", -679.4)], document


def test_columns_without_a_year_get_none_when_the_report_year_would_repeat(
    db: duckdb.DuckDBPyConnection,
) -> None:
    """An annual report's table of several columns without printed years (their header not
    read) is not three printings of the report year: its numbers get no period."""
    years = rows(
        db,
        """
        SELECT DISTINCT table_id, scenario, scenario_detail, fiscal_year, column_index
        FROM fact_amount
        WHERE document_id IN (SELECT document_id FROM dim_document WHERE kind = 'annual_report')
          AND NOT regexp_matches(column_label, '(19|20)[0-9]{2}')
        """,
    )
    columns: dict[tuple[str, str, str | None, int], int] = {}
    for table_id, scenario, detail, year, _ in years:
        key = (table_id, scenario, detail, year)
        columns[key] = columns.get(key, 0) + 1
    assert years and max(columns.values()) == 1


def test_a_column_naming_its_unit_keeps_it(db: duckdb.DuckDBPyConnection) -> None:
    """The mer-/mindreforbruk table prints "Prosentvis avvik" beside amounts in mill. kr: those
    numbers are percentages, not millions of kroner."""
    units = rows(
        db,
        """
        SELECT DISTINCT unit, amount_nok IS NULL FROM fact_amount
        WHERE column_label = 'Prosentvis avvik'
        """,
    )
    assert units == [("prosent", True)]


@pytest.fixture()
def with_report_2024(db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The sample's facts and documents, plus an annual report for 2024 whose accounts are the
    budget's "Regnskap 2024" column with rammetilskudd misprinted by 1.0: the views of
    schemas/marts/ run over it as they are."""
    connection = duckdb.connect()
    for mart in ("fact_amount", "dim_document"):
        connection.register(f"sample_{mart}", db.sql(f"SELECT * FROM {mart}").arrow())
        connection.execute(f"CREATE TABLE {mart} AS SELECT * FROM sample_{mart}")
    connection.execute(
        """
        INSERT INTO dim_document BY NAME
        SELECT 'report-2024' AS document_id, municipality, 'annual_report' AS kind,
               2024 AS report_year
        FROM dim_document WHERE document_id = ?
        """,
        [BUDGET],
    )
    connection.execute(
        """
        INSERT INTO fact_amount BY NAME
        SELECT * REPLACE ('report-2024' AS document_id, fact_id || ':r' AS fact_id,
               CASE WHEN line_item_id = 'rammetilskudd' THEN amount + 1.0 ELSE amount END
               AS amount)
        FROM fact_amount
        WHERE document_id = ? AND scenario = 'actual' AND fiscal_year = 2024 AND is_canonical
        """,
        [BUDGET],
    )
    for path in sql_files():
        if sql_name(path) in ("budget_vs_actual", "actual_reconciliation"):
            connection.execute(path.read_text(encoding="utf-8"))
    return connection


def test_a_budgets_accounts_reconcile_with_the_annual_report_of_their_year(
    with_report_2024: duckdb.DuckDBPyConnection,
) -> None:
    lines = rows(
        with_report_2024,
        """
        SELECT line_item_id, budget_document_actual, annual_report_actual, difference
        FROM actual_reconciliation WHERE fiscal_year = 2024
        """,
    )
    ((accounts,),) = rows(
        with_report_2024,
        "SELECT count(*) FROM fact_amount WHERE document_id = 'report-2024'",
    )
    assert len(lines) == accounts > 50  # each line of the accounts, once
    differing = [(line, difference) for line, _, _, difference in lines if difference != 0]
    assert differing == [("rammetilskudd", -1.0)]
    # budget vs actual takes the accounts from the annual report once one covers the year
    ((actual, document),) = rows(
        with_report_2024,
        """
        SELECT actual, actual_document_id FROM budget_vs_actual
        WHERE line_item_id = 'rammetilskudd' AND org_unit_id IS NULL AND fiscal_year = 2024
        """,
    )
    in_budget = printed((BUDGET,), "Rammetilskudd")[(BUDGET, "actual", 2024)]
    assert (actual, document) == (in_budget + 1.0, "report-2024")


def test_every_fact_has_a_scenario_and_a_year_or_a_period(db: duckdb.DuckDBPyConnection) -> None:
    ((facts, bad),) = rows(
        db,
        """
        SELECT count(*), count(*) FILTER (WHERE NOT (
            scenario IN ('actual', 'original_budget', 'revised_budget', 'plan', 'proposal',
                         'deviation', 'other')
            AND ((period_type = 'year' AND fiscal_year = period_start
                  AND fiscal_year = period_end)
                 OR (period_type = 'multi_year_total' AND fiscal_year IS NULL
                     AND period_end > period_start))))
        FROM fact_amount
        """,
    )
    assert facts > 9000 and bad == 0


def test_facts_trace_to_the_published_cells(
    db: duckdb.DuckDBPyConnection, sample_run: tuple[Path, Any]
) -> None:
    """Every fact is a published cell: same page, number as printed and box."""
    cells = str(sample_run[0] / "current" / "cells" / "*" / "*.parquet")
    ((facts, matched),) = rows(
        db,
        f"""
        SELECT count(*), count(c.table_id)
        FROM fact_amount AS f
        LEFT JOIN read_parquet('{cells}', hive_partitioning = true) AS c
          ON c.table_id = f.table_id AND c.row_index = f.row_index
         AND c.column_index = f.column_index AND c.page = f.page
         AND c.value = f.amount AND c.value_text = f.amount_text AND c.x0 = f.x0
        """,
    )
    assert facts == matched > 9000


def _dictionary_columns(text: str) -> dict[str, dict[str, str]]:
    """mart -> column -> type, as the published data dictionary lists them."""
    marts: dict[str, dict[str, str]] = {}
    for section in text.split("\n## `")[1:]:
        name = section.split("`", 1)[0]
        marts[name] = {
            cells[0].strip("| `"): cells[1].strip()
            for line in section.splitlines()
            if line.startswith("| `") and (cells := line.split(" | "))
        }
    return marts


def test_the_data_dictionary_describes_every_column_of_every_mart(
    db: duckdb.DuckDBPyConnection, sample_run: tuple[Path, Any]
) -> None:
    text = (sample_run[0] / "current" / "marts" / DICTIONARY).read_text(encoding="utf-8")
    assert "Income and reductions are negative" in text  # the sign convention, stated once
    described = _dictionary_columns(text)
    assert set(described) == set(mart_names())
    for mart in mart_names():
        in_database = {name: kind for name, kind, *_ in rows(db, f"DESCRIBE {mart}")}
        assert in_database == {c: DUCKDB_TYPES[t] for c, t in described[mart].items()}, mart


def test_org_units_form_the_hierarchy_the_documents_print(db: duckdb.DuckDBPyConnection) -> None:
    parents = dict(rows(db, "SELECT name, parent_id FROM dim_org_unit"))
    assert {area for area, parent in parents.items() if parent is None} >= set(AREA_PAGES)
    # the budget: sub-areas listed under the area heading "Oppvekst" (p. 62-64)
    assert parents["Barnehage vest"] == parents["Skole 1"] == "oppvekst"
    # the annual report: sectors closed by "Sum Barn og unge" in Tabell 3 (p. 7)
    assert parents["Grunnskole"] == parents["Barnehager"] == "barn_og_unge"
