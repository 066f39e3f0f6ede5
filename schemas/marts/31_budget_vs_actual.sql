-- budget_vs_actual: per municipality, line item, org unit and year, the original and revised
-- budget beside the accounts, each from the latest document that prints it; the accounts from an
-- annual report when one covers the year, else from a budget's "Regnskap" column.
CREATE VIEW budget_vs_actual AS
WITH facts AS (
    SELECT
        d.municipality,
        f.line_item_id,
        f.org_unit_id,
        f.fiscal_year,
        f.scenario,
        f.amount,
        f.unit,
        f.document_id,
        -- 1 = the printing to show: an annual report's for the accounts, then the latest
        -- document's, then the first document id (equal candidates give one answer every run)
        row_number() OVER (
            PARTITION BY d.municipality, f.line_item_id, f.org_unit_id, f.fiscal_year, f.scenario
            ORDER BY d.kind = 'annual_report' DESC,
                     coalesce(d.report_year, d.budget_year) DESC,
                     f.document_id
        ) AS choice
    FROM fact_amount AS f
    JOIN dim_document AS d USING (document_id)
    WHERE f.is_canonical AND f.period_type = 'year' AND f.scenario_detail IS NULL
      AND f.price_basis = 'nominal'
      AND f.scenario IN ('original_budget', 'revised_budget', 'actual')
)
SELECT
    municipality,
    line_item_id,
    org_unit_id,
    fiscal_year,
    any_value(amount) FILTER (WHERE scenario = 'original_budget') AS original_budget,
    any_value(amount) FILTER (WHERE scenario = 'revised_budget') AS revised_budget,
    any_value(amount) FILTER (WHERE scenario = 'actual') AS actual,
    -- rounded to the 6th decimal: the printed figures have a few decimals, float noise none
    round(actual - revised_budget, 6) AS actual_minus_revised_budget,
    any_value(unit) FILTER (WHERE scenario = 'actual') AS unit,
    any_value(document_id) FILTER (WHERE scenario = 'actual') AS actual_document_id
FROM facts
WHERE choice = 1
GROUP BY ALL;
