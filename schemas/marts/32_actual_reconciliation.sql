-- actual_reconciliation: a budget's "Regnskap Y" against the annual report for Y, line by line
-- (the catalog's cross-document equalities, as data). Empty until raw/ holds a budget and the
-- annual report of one of the years whose accounts it prints.
CREATE VIEW actual_reconciliation AS
SELECT
    b.municipality,
    bf.fiscal_year,
    bf.line_item_id,
    bf.org_unit_id,
    bf.document_id AS budget_document_id,
    bf.amount AS budget_document_actual,
    rf.document_id AS report_document_id,
    rf.amount AS annual_report_actual,
    round(bf.amount - rf.amount, 6) AS difference,  -- float noise off, printed decimals kept
    bf.unit,
    bf.fact_id AS budget_fact_id,
    rf.fact_id AS report_fact_id
FROM fact_amount AS bf
JOIN dim_document AS b ON b.document_id = bf.document_id AND b.kind = 'budget'
JOIN dim_document AS r ON r.kind = 'annual_report' AND r.report_year = bf.fiscal_year
    AND r.municipality IS NOT DISTINCT FROM b.municipality
JOIN fact_amount AS rf ON rf.document_id = r.document_id
    AND rf.line_item_id = bf.line_item_id
    AND rf.org_unit_id IS NOT DISTINCT FROM bf.org_unit_id
    AND rf.fiscal_year = bf.fiscal_year
    AND rf.price_basis = bf.price_basis
    AND rf.scenario = 'actual' AND rf.is_canonical AND rf.scenario_detail IS NULL
WHERE bf.scenario = 'actual' AND bf.is_canonical AND bf.period_type = 'year'
    AND bf.scenario_detail IS NULL;
