-- fact_amount: one row per published number, with the scenario, period, line item and org unit
-- that schemas/serving.yaml gives it (decided in pipeline/serve/staging.py, read here as
-- stg_amount).
--
-- is_canonical: one printing of each fact. The same number is often printed in several tables
-- (netto driftsresultat in § 5-4 and in § 5-6; an area's net budget in § 5-4 andre ledd, in the
-- area's "fordelt på områdene" and in its "fordelt på hovedart"); exactly one of them per
-- document x line item x scenario (x its detail) x period x org unit x price basis is canonical:
-- the one in the preferred table type (serving.yaml canonical_preference), then the first page,
-- table, row and column. SUM(amount) ... WHERE is_canonical therefore counts a figure once; the
-- other printings stay, with their lineage (page, row, column, box, table).
CREATE TABLE fact_amount AS
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
    row_number() OVER (
        PARTITION BY document_id, line_item_id, scenario, scenario_detail, period_type,
                     period_start, period_end, coalesce(org_unit_id, ''), price_basis
        ORDER BY preference, page, table_id, row_index, column_index
    ) = 1 AS is_canonical,
    page,
    row_index,
    column_index,
    row_label,
    column_label,
    x0,
    top,
    x1,
    bottom
FROM stg_amount;
