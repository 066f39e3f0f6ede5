"""The command line as a user meets it: a mistake is one line and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import EXIT_USAGE, main
from pipeline.runner import EXIT_NO_INPUT

from synthetic import Column, Document, Row, Table, build_pdf

SMALL_TABLE = Table(
    "Tilskudd til lag og foreninger",
    (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026"))),
    (Row("Idrett", (12.5, 13.0)), Row("Kultur", (8.1, 8.4)), Row("Sum", (20.6, 21.4))),
)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    path, _ = build_pdf(Document("plan", (SMALL_TABLE,)), raw)
    return path


def _one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> None:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    for word in words:
        assert word in lines[0], lines[0]


def test_eval_on_a_missing_cells_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = tmp_path / "x.truth.json"
    truth.write_text("{}")
    missing = tmp_path / "nowhere"
    assert main(["eval", "--truth", str(truth), "--cells", str(missing)]) == EXIT_USAGE
    _one_line_error(capsys, str(missing), "does not exist")


def test_debug_on_a_missing_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["debug", str(tmp_path / "gone.pdf"), "--page", "1"]) == EXIT_USAGE
    _one_line_error(capsys, "gone.pdf", "does not exist")


def test_debug_past_the_last_page(pdf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["debug", str(pdf), "--page", "99"]) == EXIT_USAGE
    _one_line_error(capsys, "--page 99", "last page")


def test_raw_that_is_a_file(pdf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--raw", str(pdf), "--out", str(pdf.parent / "out")]) == EXIT_USAGE
    _one_line_error(capsys, str(pdf), "is a file, not a folder")


def test_out_equal_to_raw_is_refused(pdf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = str(pdf.parent)
    assert main(["run", "--raw", raw, "--out", raw]) == EXIT_USAGE
    _one_line_error(capsys, "is the input folder")


@pytest.mark.parametrize("workers", ["0", "-3", "two"])
def test_bad_worker_counts(workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--workers", workers])
    assert stopped.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "budget-etl run" in err and "--workers" in err and "Traceback" not in err


def test_unknown_option_shows_the_subcommand_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--bogus"])
    assert stopped.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "usage: budget-etl run" in err and "--bogus" in err


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "(default: raw)" in capsys.readouterr().out


def test_empty_input_folder_has_its_own_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    assert main(["run", "--raw", str(raw), "--out", str(tmp_path / "out")]) == EXIT_NO_INPUT
    assert "no input" in capsys.readouterr().out
