-- dim_org_unit: the org-unit hierarchy: areas (level 1, from the documents' headings or listed
-- without a parent) and their sub-areas (level 2).
CREATE TABLE dim_org_unit AS
SELECT org_unit_id, name, parent_id, level
FROM stg_org_unit;
