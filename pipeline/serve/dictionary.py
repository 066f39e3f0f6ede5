"""The data dictionary of the marts, generated from `schemas/marts.yaml`: what a BI developer
reads before pointing a tool at budget.duckdb. Nothing in it is written by hand twice."""

from __future__ import annotations

from pipeline.schemas import SCHEMA_DIR, load_yaml
from pipeline.serve.marts import MARTS, sql_files, sql_name

DICTIONARY = "DATA_DICTIONARY.md"


def _cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def data_dictionary() -> str:
    """Markdown: the conventions once, then every mart with every column."""
    schema = load_yaml(SCHEMA_DIR / MARTS)
    sql = {sql_name(path): path.name for path in sql_files()}
    lines = [
        "# Data dictionary: the marts of budget.duckdb and marts/",
        "",
        "Generated from `schemas/marts.yaml`; the SQL of each mart is `schemas/marts/<file>`.",
        "",
        *(f"- {convention}" for convention in schema["conventions"]),
    ]
    for name, spec in schema["datasets"].items():
        lines += [
            "",
            f"## `{name}` ({spec['kind']}, `schemas/marts/{sql[name]}`)",
            "",
            spec["description"],
            "",
            "| column | type | null | unit | meaning |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{f['name']}` | {f['type']} | {'yes' if f['nullable'] else 'no'} | "
            f"{_cell(f.get('unit'))} | {_cell(f.get('doc'))} |"
            for f in spec["fields"]
        ]
    return "\n".join(lines) + "\n"
