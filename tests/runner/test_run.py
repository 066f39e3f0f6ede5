"""The run as a user meets it: gates that keep a wrong number out, --strict, the lock, the CLI."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from filelock import FileLock

from pipeline.cli import main
from pipeline.extract.executor import ExecutorOptions
from pipeline.runner import EXIT_PARTIAL, EXIT_STRICT_STOP, RunOptions, run

from project import ROOT
from synthetic import Column, Document, Row, Table, build_pdf

COLUMNS = (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026")))
TOTAL = "Sum generelle driftsinntekter"


def _statement(total_shift: float = 0.0) -> Table:
    """§ 5-4 første ledd with the sample budget's lines and two of its columns.

    `total_shift` misprints the first column of the general-income total.
    """
    truth = json.loads((ROOT / "tests/data/handlingsprogram-2026-2029.truth.json").read_text())
    (table,) = [t for t in truth["tables"] if t["title"].endswith("§ 5-4 første ledd")]
    rows = []
    for row in table["rows"]:
        first, fourth = row["values"][0], row["values"][3]
        if row["label"] == TOTAL:
            first = round(first + total_shift, 1)
        rows.append(Row(row["label"], (first, fourth)))
    return Table(table["title"], COLUMNS, tuple(rows), rules="hrules", label_width=330.0)


OTHER = Table(
    "Tilskudd til lag og foreninger",
    COLUMNS,
    (Row("Idrett", (12.5, 13.0)), Row("Kultur", (8.1, 8.4)), Row("Sum", (20.6, 21.4))),
)


@pytest.fixture
def raw_with_wrong_total(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    # The printed total is off by 9.0 in the first column: a dropped line or a misprint.
    build_pdf(Document("budsjett-2026", (_statement(total_shift=9.0), OTHER)), raw)
    return raw


def _options(raw: Path, out: Path, strict: bool = False) -> RunOptions:
    return RunOptions(raw, out, strict=strict, executor=ExecutorOptions("local", 1))


def test_wrong_total_is_quarantined_and_named(raw_with_wrong_total: Path, tmp_path: Path) -> None:
    out = tmp_path / "curated"
    report = run(_options(raw_with_wrong_total, out), say=print)
    assert report.exit_status == EXIT_PARTIAL
    assert len(report.quarantined_tables) == 1
    errors = [f for g in report.gates for f in g["failures"] if f["severity"] == "error"]
    assert {f["table_id"] for f in errors} == set(report.quarantined_tables)
    (total,) = [f for f in errors if f["check"] == "sum_generelle_driftsinntekter"]
    assert (total["row_label"], total["column_index"], total["page"]) == (TOTAL, 0, 1)
    assert total["expected"] == pytest.approx(-10762.1)
    assert total["actual"] == pytest.approx(-10753.1)
    assert "Rammetilskudd" in " ".join(total["terms"])
    cells = pd.read_parquet(out / "current" / "cells")
    assert set(cells["row_label"]) == {"Idrett", "Kultur", "Sum"}
    quarantined = pd.read_parquet(out / "current" / "quarantine" / "cells")
    assert TOTAL in set(quarantined["row_label"])


def test_strict_publishes_nothing(raw_with_wrong_total: Path, tmp_path: Path) -> None:
    out = tmp_path / "curated"
    report = run(_options(raw_with_wrong_total, out, strict=True), say=print)
    assert report.stopped_by_strict and report.exit_status == EXIT_STRICT_STOP
    assert not (out / "current" / "cells").exists()


def test_correct_statement_passes_every_gate(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    build_pdf(Document("budsjett-2026", (_statement(), OTHER)), raw)
    report = run(_options(raw, tmp_path / "curated"), say=print)
    assert report.exit_status == 0, report.gates
    assert report.tables == 2 and not report.quarantined_tables


def test_second_run_waits_for_the_lock(raw_with_wrong_total: Path, tmp_path: Path) -> None:
    out = tmp_path / "curated"
    out.mkdir()
    lock = FileLock(str(out / ".budget-etl.lock"))
    lock.acquire()
    finished = threading.Event()
    thread = threading.Thread(
        target=lambda: (run(_options(raw_with_wrong_total, out), say=print), finished.set())
    )
    thread.start()
    time.sleep(1.0)
    assert not finished.is_set() and not (out / "current" / "cells").exists()
    lock.release()
    thread.join(timeout=120)
    assert finished.is_set() and (out / "current" / "cells").exists()


def test_cli_run_eval_and_exit_status(raw_with_wrong_total: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "curated"
    status = main(["run", "--raw", str(raw_with_wrong_total), "--out", str(out), "--workers", "1"])
    assert status == EXIT_PARTIAL
    printed = capsys.readouterr().out
    assert "1 tables quarantined" in printed and TOTAL in printed
    assert json.loads((out / "current" / "_run.json").read_text())["exit_status"] == EXIT_PARTIAL
    assert main(["run", "--raw", str(tmp_path / "missing"), "--out", str(out)]) == 2


@pytest.mark.parametrize("command", [[], ["run"], ["eval"], ["debug"]])
def test_help_on_each_command(command: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: budget-etl" in capsys.readouterr().out


def test_debug_draws_a_png(raw_with_wrong_total: Path, tmp_path: Path) -> None:
    png = tmp_path / "page.png"
    pdf = next(raw_with_wrong_total.glob("*.pdf"))
    assert main(["debug", str(pdf), "--page", "1", "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_incremental_rerun_and_removed_pdf(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    first, _ = build_pdf(Document("plan-a", (OTHER,)), raw)
    build_pdf(Document("plan.b", (_statement(),)), raw)  # a stem with a dot
    run(_options(raw, out), say=print)
    assert {p.name for p in (out / "current" / "cells").iterdir()} == {
        "document_id=plan-a",
        "document_id=plan.b",
    }
    first.write_bytes(first.read_bytes() + b"\n%edited\n")  # new bytes: only plan-a is redone
    again = run(_options(raw, out), say=print)
    assert again.reused == ["plan.b"]
    first.unlink()
    run(_options(raw, out), say=print)
    assert [p.name for p in (out / "current" / "cells").iterdir()] == ["document_id=plan.b"]
    assert list(pd.read_parquet(out / "current" / "documents")["document_id"]) == ["plan.b"]
    assert set(pd.read_parquet(out / "current" / "tables")["document_id"]) == {"plan.b"}
