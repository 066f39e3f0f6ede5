-- dim_document: one row per published PDF, with what it says about itself.
CREATE TABLE dim_document AS
SELECT
    document_id,
    municipality,
    kind,
    status,
    CASE WHEN kind = 'budget' THEN base_year END AS budget_year,
    CASE WHEN kind = 'annual_report' THEN base_year END AS report_year,
    CASE WHEN kind = 'budget' THEN list_min(years::INTEGER[]) END AS plan_start,
    CASE WHEN kind = 'budget' THEN list_max(years::INTEGER[]) END AS plan_end,
    title,
    file_name,
    producer,
    creator,
    pages,
    sha256 AS content_hash
FROM stg_document;
