"""`budget-etl report`: one static HTML dashboard from budget.duckdb.

The charts are Plotly figures with plotly.js inlined once, so the file opens offline; the data
of each chart is the SQL of `schemas/dashboard/<n>_<chart>.sql`, run read-only against the
published database.
"""

from __future__ import annotations

import html
from pathlib import Path

import duckdb
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from pipeline.curate.storage import write_atomic
from pipeline.schemas import SCHEMA_DIR
from pipeline.serve.marts import sql_name

DASHBOARD_SQL_DIR = SCHEMA_DIR / "dashboard"
CHART_HEIGHT = 420  # pixels: two charts fit on a laptop's first screen


def chart_queries() -> dict[str, str]:
    """Chart name -> its SQL, in the order of the file names."""
    return {
        sql_name(path): path.read_text(encoding="utf-8")
        for path in sorted(DASHBOARD_SQL_DIR.glob("*.sql"))
    }


def _unit(frame: pd.DataFrame) -> str:
    units = frame["unit"].dropna().unique()
    return str(units[0]) if len(units) == 1 else "as printed"


def _key_lines(frame: pd.DataFrame) -> go.Figure:
    figure = px.line(
        frame, x="fiscal_year", y="amount", color="scenario", facet_col="line_item",
        facet_col_wrap=3, markers=True, height=CHART_HEIGHT * 1.5,
        labels={"fiscal_year": "year", "amount": _unit(frame)},
        title="Key statutory lines by year and scenario (income negative, as printed)",
    )  # fmt: skip
    figure.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    figure.update_yaxes(matches=None, showticklabels=True)
    return figure


def _budget_vs_actual(frame: pd.DataFrame) -> go.Figure:
    year = int(frame["fiscal_year"].iloc[0]) if len(frame) else None
    tidy = frame.melt(
        id_vars=["line_item"], value_vars=["revised_budget", "actual"], var_name="scenario"
    )
    return px.bar(
        tidy, x="value", y="line_item", color="scenario", barmode="group", orientation="h",
        height=CHART_HEIGHT * 2, labels={"value": _unit(frame), "line_item": ""},
        title=f"Revised budget vs actual, {year} (the statutory lines printed with both)",
    )  # fmt: skip


def _top_areas(frame: pd.DataFrame) -> go.Figure:
    year = int(frame["fiscal_year"].iloc[0]) if len(frame) else None
    figure = px.bar(
        frame, x="amount", y="org_unit", orientation="h", height=CHART_HEIGHT,
        labels={"amount": _unit(frame), "org_unit": ""},
        title=f"Top areas: net budget {year} (§ 5-4 andre ledd)",
    )  # fmt: skip
    figure.update_yaxes(autorange="reversed")
    return figure


CHARTS = {"key_lines": _key_lines, "budget_vs_actual": _budget_vs_actual, "top_areas": _top_areas}


def write_dashboard(database: Path, target: Path) -> Path:
    """The dashboard of the publication whose budget.duckdb is `database`, written to `target`."""
    with duckdb.connect(str(database), read_only=True) as connection:
        frames = {name: connection.sql(sql).to_df() for name, sql in chart_queries().items()}
    parts = []
    for number, (name, frame) in enumerate(frames.items()):
        figure = CHARTS[name](frame)
        parts.append(
            figure.to_html(
                full_html=False,
                include_plotlyjs=number == 0,  # plotly.js inline, once: the file works offline
                div_id=f"chart-{name}",
                config={"displaylogo": False},
            )
        )
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>Budget dashboard</title>"
        "<style>body{font-family:sans-serif;margin:1.5em;max-width:1200px}</style>"
        "</head><body>"
        f"<h1>Budget dashboard</h1><p>From {html.escape(str(database))}</p>"
        + "".join(f"<section>{part}</section>" for part in parts)
        + "</body></html>\n"
    )
    write_atomic(target, page.encode())
    return target
