-- fact_amount: one row per published number, with the scenario, period, line item and org unit
-- that schemas/serving.yaml gives it (decided in pipeline/serve/staging.py, read here as
-- stg_amount).
--
-- A fact's key is document x line item x scenario (x its detail) x period x org unit. The same
-- number is often printed under one key in several tables (netto driftsresultat in § 5-4 and in
-- § 5-6; an area's net budget in § 5-4 andre ledd, in the area's "fordelt på områdene" and in
-- its "fordelt på hovedart"; a year in nominal and in fixed-year kroner). is_canonical: exactly
-- one printing per key, the nominal one, then the one in the preferred table type (serving.yaml
-- canonical_preference), then the first page, table, row and column; SUM(amount) ... WHERE
-- is_canonical therefore counts a figure once; the other printings stay, with their lineage.
--
-- differs_from_canonical: a printing of the key that differs from the canonical one by more
-- than their rounding (half a unit of each one's last printed decimal) is a different figure the
-- key cannot tell apart (a table whose org unit no heading names, a statutory line printed with
-- another meaning in another statement): not a copy, and not counted.
CREATE TABLE fact_amount AS
WITH ranked AS (
    SELECT
        *,
        row_number() OVER printings = 1 AS is_canonical,
        abs(amount - first_value(amount) OVER printings)
            > 0.5 * (pow(10, -decimals) + pow(10, -first_value(decimals) OVER printings))
            AS differs_from_canonical
    FROM stg_amount
    WINDOW printings AS (
        PARTITION BY document_id, line_item_id, scenario, scenario_detail, period_type,
                     period_start, period_end, coalesce(org_unit_id, '')
        ORDER BY price_basis <> 'nominal', preference, page, table_id, row_index, column_index
    )
)
SELECT
    fact_id,
    document_id,
    table_id,
    line_item_id,
    org_unit_id,
    scenario,
    nullif(scenario_detail, '') AS scenario_detail,
    fiscal_year::INTEGER AS fiscal_year,
    period_type,
    period_start::INTEGER AS period_start,
    period_end::INTEGER AS period_end,
    amount,
    amount_text,
    unit,
    amount_nok,
    price_basis,
    is_total,
    is_canonical,
    differs_from_canonical,
    page,
    row_index,
    column_index,
    row_label,
    column_label,
    x0,
    top,
    x1,
    bottom
FROM ranked;
