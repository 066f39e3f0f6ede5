-- Key statutory lines across years and scenarios: one amount per line x scenario x year, from
-- the latest document printing it (the latest plan, the annual report's accounts).
SELECT
    line_item,
    fiscal_year,
    scenario,
    arg_max(amount, (document_kind = 'annual_report', document_year, document_id)) AS amount,
    arg_max(unit, (document_kind = 'annual_report', document_year, document_id)) AS unit
FROM line_item_series
WHERE statutory_line IN ('netto_driftsresultat', 'brutto_driftsresultat', 'rammetilskudd',
                         'inntekts_og_formuesskatt', 'netto_finansutgifter',
                         'sum_investeringsutgifter')
  AND org_unit_id IS NULL
  AND price_basis = 'nominal'
  AND scenario IN ('actual', 'original_budget', 'revised_budget', 'plan')
GROUP BY ALL
ORDER BY line_item, scenario, fiscal_year
