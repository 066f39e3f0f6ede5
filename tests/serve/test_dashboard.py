"""`budget-etl report`: one static HTML file, charts drawn from budget.duckdb by plotly.js
inlined in it, rendered by a real headless Chromium without errors and without the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.serve.dashboard import CHARTS

from chromium import CHROMIUM, NEEDS_CHROMIUM, probe

VIEWPORT = (1280, 900)
TOP_AREAS = 10
PLOTLY_JS_BYTES = 3_000_000  # the minified library inline, so the file opens offline
# Counts what Plotly drew: the plots, and per chart the marks (points of lines, bars).
_PROBE = """<script>
window.addEventListener('load', () => setTimeout(() => {
  const charts = {};
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    charts[plot.id] = {
      svg: plot.querySelectorAll('.main-svg').length,
      marks: plot.querySelectorAll('.trace .point').length,
      text: plot.textContent,
    };
  }
  document.body.setAttribute('data-probe', JSON.stringify({errors: window.__errors, charts}));
}, 500));
</script>"""


@pytest.fixture(scope="module")
def dashboard(sample_run: tuple[Path, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("report") / "dashboard.html"
    assert main(["report", "--out", str(sample_run[0]), "--html", str(target)]) == 0
    return target


def test_the_dashboard_is_one_file_that_needs_no_network(dashboard: Path) -> None:
    page = dashboard.read_text(encoding="utf-8")
    assert "<script src=" not in page  # no script is fetched: plotly.js itself is inline
    assert len(page) > PLOTLY_JS_BYTES
    assert page.count('class="plotly-graph-div"') == len(CHARTS)


def test_report_without_a_publication_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["report", "--out", str(tmp_path)]) == 2


@pytest.mark.skipif(CHROMIUM is None, reason=NEEDS_CHROMIUM)
def test_the_dashboard_renders_its_charts_in_chromium(dashboard: Path) -> None:
    facts = probe(dashboard, _PROBE, VIEWPORT)
    assert facts["errors"] == []
    charts = facts["charts"]
    assert set(charts) == {f"chart-{name}" for name in CHARTS}
    assert all(chart["svg"] > 0 and chart["marks"] > 0 for chart in charts.values()), charts
    top = charts["chart-top_areas"]
    assert top["marks"] == TOP_AREAS and "Barnehage vest" in top["text"]
    assert "Netto driftsresultat" in charts["chart-key_lines"]["text"]
