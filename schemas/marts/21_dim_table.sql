-- dim_table: one row per published table: what kind of table it is and where it sits.
CREATE TABLE dim_table AS
SELECT
    table_id,
    document_id,
    caption,
    title AS printed_title,
    table_type,
    is_statutory,
    area AS area_heading,
    org_unit_id,
    pages::INTEGER[] AS pages,
    list_min(pages::INTEGER[]) AS first_page,
    unit,
    price_basis,
    n_rows,
    n_columns,
    column_labels::VARCHAR[] AS column_labels,
    gate_status,
    rows_held_back,
    numbers_without_period
FROM stg_table;
