"""Stage 5, serve: the curated datasets as a star schema for BI (marts/ and budget.duckdb)."""
