"""The bench's fixed workload, built in its work folder so raw/ and curated/ are never touched.

pypdfium2 and the pipeline are imported inside the functions that use them: bench.py also runs
the measuring children, whose peak RSS must not include libraries they do not measure.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = "arsrapport-2020.pdf"
BUDGET = "handlingsprogram-2026-2029.pdf"
SAMPLES = (REPORT, BUDGET)
CODE_UNDER_TEST = ("pipeline", "schemas", "expectations")


@dataclass(frozen=True)
class MemoryPdf:
    """One PDF of the memory check, alone in its folder so a run reads only it."""

    raw: Path
    pages: int
    bytes: int


@dataclass(frozen=True)
class Workload:
    """The folders the measurements read, and their description for results.json."""

    samples: Path
    scale: Path
    memory: dict[int, MemoryPdf]
    description: dict[str, Any]


def _pages_of(path: Path) -> int:
    from pipeline.extract.pdf import page_count

    return page_count(path)


def snapshot_code(code: Path) -> None:
    """Copy the code under test, so edits made during the bench neither change what is measured
    nor the pipeline version (which would invalidate the warm caches)."""
    for name in CODE_UNDER_TEST:
        shutil.copytree(
            ROOT / name,
            code / name,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )


def copy_samples(work: Path) -> tuple[Path, dict[str, int]]:
    """The sample PDFs, writable, since step (c) touches and edits them; and their page counts."""
    samples = work / "raw-samples"
    samples.mkdir()
    for name in SAMPLES:
        shutil.copy2(ROOT / "raw" / name, samples / name)
        (samples / name).chmod(0o644)
    return samples, {name: _pages_of(samples / name) for name in SAMPLES}


def make_scaling_set(
    work: Path, samples: Path, sample_pages: dict[str, int], copies: dict[str, int]
) -> Path:
    """Copies of the samples with a PDF comment after %%EOF: a new content hash, same pages.

    Each copy is checked to open with the same page count, and the copies to differ in hash,
    or the pipeline's cache would skip them and the scaling figures would mean nothing.
    """
    scale = work / "raw-scale"
    scale.mkdir()
    digests = set()
    for name, count in copies.items():
        data = (samples / name).read_bytes()
        for k in range(1, count + 1):
            target = scale / f"{Path(name).stem}-copy{k}.pdf"
            target.write_bytes(data + f"\n%bench-copy-{k}\n".encode())
            if _pages_of(target) != sample_pages[name]:
                raise SystemExit(f"bench: {target.name} does not open like {name}")
            digests.add(hashlib.sha256(target.read_bytes()).hexdigest())
    if len(digests) != sum(copies.values()):
        raise SystemExit("bench: copies do not have distinct content hashes")
    return scale


def _repeat_pages(source_path: Path, count: int, target: Path) -> None:
    """A `count`-page PDF of the source's pages, cycled: a long document with known pages."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(source_path))
    merged = pdfium.PdfDocument.new()
    have = len(source)
    while len(merged) < count:
        take = min(have, count - len(merged))
        merged.import_pages(source, pages=list(range(take)))
    merged.save(str(target))
    merged.close()
    source.close()


def make_memory_pdfs(work: Path, budget: Path, big_pages: int) -> dict[int, MemoryPdf]:
    """The budget's first 100 pages and its pages cycled to `big_pages`, each in its folder."""
    memory = {}
    for count in (100, big_pages):
        folder = work / f"raw-mem{count}"
        folder.mkdir()
        target = folder / f"budget-{count}p.pdf"
        _repeat_pages(budget, count, target)
        memory[count] = MemoryPdf(folder, _pages_of(target), target.stat().st_size)
    return memory


def build_workload(work: Path, quick: bool, copies_each: int) -> Workload:
    """Samples, scaling set and memory PDFs; `quick` makes the last two smaller."""
    samples, sample_pages = copy_samples(work)
    copies = {REPORT: 6} if quick else dict.fromkeys(SAMPLES, copies_each)
    scale = make_scaling_set(work, samples, sample_pages, copies)
    samples_included = not quick
    if samples_included:
        for name in SAMPLES:
            shutil.copy2(samples / name, scale / name)
    memory = make_memory_pdfs(work, samples / BUDGET, 400 if quick else 1000)
    description = {
        "work_dir": str(work),
        "samples": {"files": sample_pages, "pages": sum(sample_pages.values())},
        "scale": {
            "files": len(list(scale.iterdir())),
            "pages": sum(_pages_of(p) for p in scale.iterdir()),
            "copies": copies,
            "samples_included": samples_included,
        },
        "memory": {str(k): {"pages": v.pages, "bytes": v.bytes} for k, v in memory.items()},
    }
    return Workload(samples, scale, memory, description)
