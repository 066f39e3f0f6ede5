"""budget-etl: Norwegian municipal budget and annual-report PDFs -> typed, traceable Parquet."""

__version__ = "0.1.0"
