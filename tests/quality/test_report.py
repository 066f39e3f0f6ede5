"""The operator's report: summary first, each blocking failure with its table's picture and
numbers, the first one on the first screen; rendered by a real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.quality import gates
from pipeline.quality.report import RunFrames, write_report
from pipeline.runner.report import RunReport, summary

from chromium import CHROMIUM, NEEDS_CHROMIUM, probe, screenshot
from project import RAW_DIR
from truthcells import BUDGET, _sample, cell_mask, sample_cells, sample_documents

T_5_4_1 = f"{BUDGET}:t0001"
# The first screen of a laptop: the summary and the first failure must fit in it.
VIEWPORT = (1280, 800)
_PROBE = """<script>
window.addEventListener('load', () => {
  const first = document.querySelector('article.failure');
  const box = first ? first.getBoundingClientRect() : null;
  const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length;
  document.body.setAttribute('data-probe', JSON.stringify({
    top: box && box.top, viewport: window.innerHeight, errors: window.__errors, broken}));
});
</script>"""


def _report(tmp_path: Path) -> Path:
    cells = sample_cells()
    cells.loc[cell_mask(cells, T_5_4_1, "Rammetilskudd", 0), "value"] = -2143.8
    tables, documents = _sample()[1].copy(), sample_documents()
    results = [gates.check_parse(cells), gates.check_curate(cells, tables, documents)]
    return write_report(results, tmp_path, RunFrames(cells, tables, documents, RAW_DIR))


def test_report_summarises_then_lists_failures_by_table_with_picture(tmp_path: Path) -> None:
    page = _report(tmp_path).read_text(encoding="utf-8")
    order = [page.index(marker) for marker in ("id='summary'", "id='failures'", "id='passes'")]
    assert order == sorted(order)
    article = page[page.index("<article class='failure'") : page.index("</article>")]
    assert T_5_4_1 in article and "Sum generelle driftsinntekter" in article
    assert "-10771.1" in article and "-10762.1" in article
    picture = re.search(r"<img alt='[^']*' src='([^']+)'", article)
    assert picture and (tmp_path / picture.group(1)).stat().st_size > 1000
    held = re.search(r"<th>tables</th><td class='num'>(\d+)</td><td class='num bad'>(\d+)", page)
    assert held and int(held.group(2)) == 1
    for expectation in gates.load_suite_dict("curate")["expectations"]:
        assert expectation["meta"]["why"] in page


def test_everything_held_back_on_the_samples_is_named_in_every_place(
    sample_run: tuple[Path, RunReport],
) -> None:
    """Each quarantined table and each held-back row of the sample run has a blocking failure in
    failures.json, is in the HTML report, and has its own heading in the console summary, whose
    first line counts exactly what it lists."""
    out, report = sample_run
    current = out / "current"
    failures = json.loads((current / "quarantine" / "failures.json").read_text("utf-8"))
    blocking = {(f["table_id"], f["row_index"]) for f in failures if f["severity"] == "error"}
    held_cells = pd.read_parquet(current / "quarantine" / "cells")
    held_rows = set(held_cells[["table_id", "row_index"]].itertuples(index=False, name=None))
    quarantined = set(report.quarantined_tables)
    assert len(held_rows) == report.rows_held_back
    assert held_rows <= blocking
    assert quarantined <= {table for table, _ in blocking}
    page = Path(str(report.validation_report)).read_text(encoding="utf-8")
    console = summary(report)
    headings = re.findall(r"^  (\S+): (quarantined|rows held back)$", console, re.M)
    assert sorted(headings) == sorted(
        [(t, "quarantined") for t in quarantined]
        + [(t, "rows held back") for t in {t for t, _ in held_rows} - quarantined]
    )
    assert f"{len(quarantined)} tables quarantined, {len(held_rows)} rows held back" in console
    for table, row in held_rows:
        label = held_cells.loc[
            (held_cells["table_id"] == table) & (held_cells["row_index"] == row), "row_label"
        ].iloc[0]
        assert table in page and label in page and repr(label) in console


@pytest.mark.skipif(CHROMIUM is None, reason=NEEDS_CHROMIUM)
def test_report_renders_in_chromium_with_the_first_failure_on_the_first_screen(
    tmp_path: Path,
) -> None:
    path = _report(tmp_path)
    facts = probe(path, _PROBE, VIEWPORT)
    assert facts["errors"] == [] and facts["broken"] == 0
    assert 0 <= facts["top"] < VIEWPORT[1] * 0.6, facts
    assert screenshot(path, tmp_path / "screen.png", VIEWPORT).stat().st_size > 10_000
