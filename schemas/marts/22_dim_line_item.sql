-- dim_line_item: one row per line item: its stable id, name, the labels it is printed with, and
-- its line in schemas/catalog.yaml when it is a statutory line.
CREATE TABLE dim_line_item AS
SELECT line_item_id, name, synonyms::VARCHAR[] AS synonyms, statutory_line, catalog_pattern
FROM stg_line_item;
