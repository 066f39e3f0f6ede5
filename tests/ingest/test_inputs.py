"""Every entry under raw/ is published or named with a reason; ids are safe and unique."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from pipeline.extract.executor import ExecutorOptions
from pipeline.ingest.inputs import printable, scan_raw
from pipeline.runner import EXIT_OK, RunOptions, run

from synthetic import Column, Document, Row, Table, build_pdf

TABLE = Table(
    "Tilskudd til lag og foreninger",
    (Column(("Regnskap", "2024")), Column(("Øk.plan", "2026"))),
    (Row("Idrett", (12.5, 13.0)), Row("Kultur", (8.1, 8.4))),
)


def _pdf_bytes(tmp_path: Path) -> bytes:
    path, _ = build_pdf(Document("source", (TABLE,)), tmp_path / "source")
    return path.read_bytes()


def test_printable_escapes_controls_and_undecodable_bytes() -> None:
    assert printable("a\nb\x07.pdf") == "a\\nb\\x07.pdf"
    assert printable(os.fsdecode(b"caf\xe9.pdf")) == "caf\\xe9.pdf"
    assert printable("Årsrapport 2020.pdf") == "Årsrapport 2020.pdf"
    # never two names one text: a backslash, and a C1 control character beside the byte
    assert printable("caf\\xe9.pdf") == "caf\\\\xe9.pdf"
    assert printable("\x85.pdf") == "\\u0085.pdf" != printable(os.fsdecode(b"\x85.pdf"))


def test_document_ids_stay_unique_when_a_stem_is_another_file_name(tmp_path: Path) -> None:
    names = ["a.pdf", "a.PDF", "a.pdf.pdf", "a.pdf.pdf.pdf", "b.pdf", "B.pdf"]
    for name in names:
        (tmp_path / name).write_bytes(b"%PDF-1.4")
    inputs, _ = scan_raw(tmp_path)
    assert {i.name: i.document_id for i in inputs} == {
        "a.pdf": "a.pdf",
        "a.PDF": "a.PDF",
        "a.pdf.pdf": "a.pdf.pdf",
        "a.pdf.pdf.pdf": "a.pdf.pdf.pdf",
        "b.pdf": "b",
        "B.pdf": "B",
    }


def test_hostile_names_and_entries(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    data = _pdf_bytes(tmp_path)
    (raw / "dup.pdf").write_bytes(data)
    (raw / "dup.PDF").write_bytes(data + b"\n%other bytes\n")
    (raw / os.fsdecode(b"caf\xe9.pdf")).write_bytes(data + b"\n%latin-1 name\n")
    (raw / "caf\\xe9.pdf").write_bytes(data + b"\n%a backslash in the name\n")
    (raw / "a.pdf").write_bytes(data + b"\n%a\n")
    (raw / "a.PDF").write_bytes(data + b"\n%A\n")
    (raw / "a.pdf.pdf").write_bytes(data + b"\n%a.pdf\n")
    (raw / "forged\nrejected everything.pdf").write_bytes(data + b"\n%newline\n")
    (raw / "folder.pdf").mkdir()
    (raw / "loop.pdf").symlink_to(raw / "loop.pdf")
    (raw / "notes.txt").write_text("not a PDF")
    inputs, skipped = scan_raw(raw)
    assert {s["file"]: s["reason"] for s in skipped} == {
        "folder.pdf": "a folder, not a file",
        "loop.pdf": "broken or looping symbolic link",
        "notes.txt": "not named *.pdf",
    }
    assert sorted(i.document_id for i in inputs) == sorted(
        ["dup.pdf", "dup.PDF", "caf\\xe9", "caf\\\\xe9", "forged\\nrejected everything",
         "a.pdf", "a.PDF", "a.pdf.pdf"]
    )  # fmt: skip
    said: list[str] = []
    out = tmp_path / "out"
    report = run(RunOptions(raw, out, executor=ExecutorOptions("local", 1)), say=said.append)
    assert report.exit_status == EXIT_OK, report.rejected
    assert all("\n" not in line for line in said)
    documents = pd.read_parquet(out / "current" / "documents")
    assert set(documents["file_name"]) == {
        "dup.pdf",
        "dup.PDF",
        "caf\\xe9.pdf",
        "caf\\\\xe9.pdf",
        "a.pdf",
        "a.PDF",
        "a.pdf.pdf",
        "forged\\nrejected everything.pdf",
    }
    cells = pd.read_parquet(out / "current" / "cells")
    assert set(cells["document_id"]) == set(documents["document_id"])
