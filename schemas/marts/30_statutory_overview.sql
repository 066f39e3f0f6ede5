-- statutory_overview: the statutory statements (§ 5-4, § 5-5, § 5-6, the annual report's
-- hovedoversikter and balance) as one tidy table: statement x line x scenario x period, every
-- printed number of those tables (also the duplicates: filter is_canonical to sum).
CREATE VIEW statutory_overview AS
SELECT
    f.fact_id,
    d.municipality,
    f.document_id,
    d.kind AS document_kind,
    t.table_type AS statement,
    f.table_id,
    f.row_index,
    f.line_item_id,
    l.name AS line_item,
    f.row_label,
    f.org_unit_id,
    f.scenario,
    f.scenario_detail,
    f.fiscal_year,
    f.period_type,
    f.period_start,
    f.period_end,
    f.amount,
    f.unit,
    f.amount_nok,
    f.is_total,
    f.is_canonical
FROM fact_amount AS f
JOIN dim_table AS t USING (table_id)
JOIN dim_document AS d ON d.document_id = f.document_id
JOIN dim_line_item AS l USING (line_item_id)
WHERE t.is_statutory;
