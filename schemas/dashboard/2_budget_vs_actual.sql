-- Budget vs actual: the statutory lines whose revised budget and accounts both are printed,
-- for the latest such year, the twelve that deviate most.
WITH compared AS (
    SELECT b.*, l.name AS line_item
    FROM budget_vs_actual AS b JOIN dim_line_item AS l USING (line_item_id)
    WHERE b.revised_budget IS NOT NULL AND b.actual IS NOT NULL
      AND b.org_unit_id IS NULL AND l.statutory_line IS NOT NULL
)
SELECT line_item, fiscal_year, revised_budget, actual, actual_minus_revised_budget, unit
FROM compared
WHERE fiscal_year = (SELECT max(fiscal_year) FROM compared)
ORDER BY abs(actual_minus_revised_budget) DESC, line_item
LIMIT 12  -- the largest deviations: a chart, not the whole statement
