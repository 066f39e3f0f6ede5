-- Top areas: the ten appropriation units of § 5-4 andre ledd with the largest net budget for
-- the first plan year of the latest budget.
WITH latest AS (
    SELECT document_id, plan_start FROM dim_document
    WHERE kind = 'budget' ORDER BY budget_year DESC, document_id LIMIT 1
)
SELECT o.name AS org_unit, s.amount, s.unit, s.fiscal_year
FROM statutory_overview AS s
JOIN latest AS d ON d.document_id = s.document_id AND s.fiscal_year = d.plan_start
JOIN dim_org_unit AS o USING (org_unit_id)
WHERE s.statement = 'bevilgning_drift_5_4_2' AND s.line_item_id = 'netto_ramme'
  AND s.scenario = 'plan' AND s.is_canonical
ORDER BY s.amount DESC, o.name
LIMIT 10
