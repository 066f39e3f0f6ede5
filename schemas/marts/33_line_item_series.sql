-- line_item_series: each line item across every document and year, one canonical number per
-- document x scenario x year x org unit: "rammetilskudd over the years" is a filter on this.
CREATE VIEW line_item_series AS
SELECT
    f.fact_id,
    l.line_item_id,
    l.name AS line_item,
    l.statutory_line,
    f.org_unit_id,
    f.fiscal_year,
    f.scenario,
    f.amount,
    f.unit,
    f.amount_nok,
    f.price_basis,
    f.document_id,
    d.kind AS document_kind,
    coalesce(d.report_year, d.budget_year) AS document_year,
    f.table_id,
    f.page
FROM fact_amount AS f
JOIN dim_line_item AS l USING (line_item_id)
JOIN dim_document AS d USING (document_id)
WHERE f.is_canonical AND f.period_type = 'year' AND f.scenario_detail IS NULL;
