"""Resource limits (issue 12): a page over a limit is rejected with one line naming the file, the
page and the limit, before the work that would blow up is done; the rest of the run goes through.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pandas as pd
import pikepdf
import pytest
from reportlab.pdfgen import canvas

from pipeline.cli import main
from pipeline.extract.executor import ExecutorOptions
from pipeline.extract.settings import ResourceLimits
from pipeline.extract.stage import PagesRead
from pipeline.extract.workers import Task, WorkerPool
from pipeline.runner import RunOptions, run
from pipeline.runner.report import EXIT_PARTIAL

from project import ROOT
from synthetic import Column, Document, Row, Table, build_pdf

TABLE = Table(
    "Tilskudd til lag og foreninger",
    (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026"))),
    (Row("Idrett", (12.5, 13.0)), Row("Kultur", (8.1, 8.4))),
)
MB = 1 << 20
BOMB_MB = 1024  # what the bomb's one content stream inflates to
PEAK_RSS_MB = 1024  # a run of two small PDFs peaks near 300 MB; inflating the bomb needs more


def _inflating_to(megabytes: int) -> bytes:
    """A valid zlib stream of `megabytes` MB of spaces (PDF whitespace), about 1/1000 the size.

    After a full flush the compressor's state repeats, so one compressed megabyte is repeated
    instead of compressing two gigabytes in the test."""
    chunk = b" " * MB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    repeated = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    body = first + repeated * (megabytes - 1) + deflate.flush()
    return b"\x78\xda" + body + struct.pack(">I", checksum)


def _with_bomb_first(good: Path, bomb: Path, megabytes: int) -> Path:
    """`good` with a page in front whose content stream inflates to `megabytes` MB."""
    with pikepdf.new() as pdf, pikepdf.open(good) as rest:
        page = pdf.add_blank_page(page_size=(595, 842))
        stream = pikepdf.Stream(pdf, _inflating_to(megabytes))
        stream.Filter = pikepdf.Name.FlateDecode
        page.Contents = pdf.make_indirect(stream)
        pdf.pages.extend(rest.pages)
        pdf.save(bomb)
    return bomb


def _raw(folder: Path) -> Path:
    """A good PDF, and beside it one whose first page is a bomb and whose second is good."""
    folder.mkdir()
    build_pdf(Document("good", (TABLE,)), folder)
    second_page, _ = build_pdf(Document("second-page", (TABLE,)), folder.parent)
    _with_bomb_first(second_page, folder / "bomb.pdf", BOMB_MB)
    return folder


PEAK_OF_RUN = (
    "import resource, sys\n"
    "from pipeline.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "peak = max(resource.getrusage(who).ru_maxrss for who in "
    "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
    "print(f'peak-kb {peak}', file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def test_a_decompression_bomb_is_rejected_before_it_inflates(tmp_path: Path) -> None:
    raw = _raw(tmp_path / "raw")
    assert (raw / "bomb.pdf").stat().st_size < 4 * MB
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF_RUN, "run", "--raw", str(raw), "--out", str(out),
         "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == EXIT_PARTIAL, done.stderr
    lines = done.stderr.splitlines()
    (rejection,) = [line for line in lines if line.startswith("rejected")]
    assert f"{raw / 'bomb.pdf'}: page 1:" in rejection and "--max-page-content-mb" in rejection
    peak_mb = int(lines[-1].removeprefix("peak-kb ")) / 1024
    assert peak_mb < PEAK_RSS_MB, f"peak {peak_mb:.0f} MB: the bomb was inflated"
    cells = pd.read_parquet(out / "current" / "cells")
    # the good PDF is published whole, and so are the bomb's other pages
    assert set(cells["document_id"]) == {"good", "bomb"}
    assert set(cells.loc[cells["document_id"] == "good", "value"]) == {12.5, 13.0, 8.1, 8.4}
    assert set(cells.loc[cells["document_id"] == "bomb", "page"]) == {2}


def _options(raw: Path, out: Path, limits: ResourceLimits, workers: int = 1) -> RunOptions:
    return RunOptions(raw, out, executor=ExecutorOptions("local", workers), limits=limits)


@pytest.mark.parametrize(
    ("limits", "option"),
    [
        (ResourceLimits(max_page_chars=50), "--max-page-chars"),
        (ResourceLimits(max_page_seconds=1e-6), "--max-page-seconds"),
    ],
)
def test_a_page_over_a_limit_is_rejected_and_the_run_goes_on(
    tmp_path: Path, limits: ResourceLimits, option: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("plan", (TABLE,)), raw)
    lines: list[str] = []
    report = run(_options(raw, out, limits), say=lines.append)
    assert report.exit_status == EXIT_PARTIAL
    assert report.rejected == [{"file": "plan.pdf", "reason": report.rejected[0]["reason"]}]
    assert report.rejected[0]["reason"].startswith("page 1:") and option in lines[-1]
    assert lines[-1].startswith(f"rejected {raw}/plan.pdf: page 1:")
    assert report.documents == ["plan"] and report.cells == 0
    # an unchanged rerun is up to date and says so again; the stage cache kept nothing of the
    # partly read document, so a run that has to publish anew reads the page again
    assert run(_options(raw, out, limits), say=print).rejected == report.rejected
    (out / "current").unlink()
    again = run(_options(raw, out, limits), say=print)
    assert not again.up_to_date and again.rejected == report.rejected and not again.reused


def test_a_limit_is_part_of_the_fingerprint(tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("plan", (TABLE,)), raw)
    strict_chars = run(_options(raw, out, ResourceLimits(max_page_chars=50)), say=print)
    assert strict_chars.cells == 0
    default = run(_options(raw, out, ResourceLimits()), say=print)
    assert not default.up_to_date and default.run_id != strict_chars.run_id
    assert default.cells == 4 and default.exit_status == 0


def _one_page_listed(times: int, source: Path, path: Path) -> Path:
    """`source` with a page tree that lists its first page `times` times: a few KB that reads
    as `times` pages."""
    with pikepdf.open(source) as pdf:
        pdf.Root.Pages.Kids = pikepdf.Array([pdf.pages[0].obj] * times)
        pdf.Root.Pages.Count = times
        pdf.save(path)
    return path


def test_a_document_over_the_page_limit_is_rejected_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("plan", (TABLE,)), raw)
    source, _ = build_pdf(Document("source", (TABLE,)), tmp_path)
    _one_page_listed(3, source, raw / "repeated.pdf")
    status = main(["run", "--raw", str(raw), "--out", str(out), "--workers", "1",
                   "--max-document-pages", "2"])  # fmt: skip
    assert status == EXIT_PARTIAL
    rejections = [line for line in capsys.readouterr().err.splitlines() if "rejected" in line]
    assert rejections == [
        f"rejected {raw}/repeated.pdf: 3 pages, over the limit of 2 (--max-document-pages); "
        "not read"
    ]
    cells = pd.read_parquet(out / "current" / "cells")
    assert set(cells["document_id"]) == {"plan"}
    assert set(cells["value"]) == {12.5, 13.0, 8.1, 8.4}


def _dense_page(path: Path, digits: int) -> Path:
    """One page of `digits` tiny digits in a grid: tens of MB to lay out."""
    drawing = canvas.Canvas(str(path), pagesize=(600, 800))
    drawing.setFont("Helvetica", 2)
    for index in range(digits):
        row, column = divmod(index, 400)
        drawing.drawString(5 + column * 1.45, 795 - row * 2.5, str(index % 10))
    drawing.save()
    return path


def test_memory_past_the_worker_limit_rejects_the_page(tmp_path: Path) -> None:
    """The OS refuses a worker's allocations past its limit: the MemoryError becomes one line
    naming the page and the limit, and the other document goes through."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    build_pdf(Document("plan", (TABLE,)), raw)
    _dense_page(raw / "dense.pdf", 30_000)
    report = run(_options(raw, out, ResourceLimits(max_worker_memory_mb=1), 2), say=print)
    # a MemoryError in Python, or pdfium aborting the worker: either way one line
    ((rejected, reason),) = [(r["file"], r["reason"]) for r in report.rejected]
    assert rejected == "dense.pdf" and reason.startswith("page 1:"), reason
    assert "limit of 1 MB (--max-worker-memory-mb)" in reason
    assert report.exit_status == EXIT_PARTIAL and report.cells == 4


def _killed_on_page_3(task: Task) -> PagesRead:
    """A task whose worker the OS kills on page 3 (0-based 2)."""
    if 2 in task[1]:
        os.kill(os.getpid(), signal.SIGKILL)
    return PagesRead(rejected=[f"read {list(task[1])}"])


def test_a_killed_worker_costs_only_its_pages() -> None:
    pool = WorkerPool(2, ResourceLimits())
    tasks = [(Path("any.pdf"), range(start, start + 2)) for start in range(0, 8, 2)]
    try:
        results = [read.rejected for read in pool.map(_killed_on_page_3, tasks)]
    finally:
        pool.close()
    assert results == [
        ["read [0, 1]"],
        ["pages 3-4: the worker reading them was killed (out of memory past the limit of 4096 MB "
         "(--max-worker-memory-mb), or a crash in pdfium)"],
        ["read [4, 5]"],
        ["read [6, 7]"],
    ]  # fmt: skip
