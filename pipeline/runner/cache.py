"""The stage cache: per-document stage outputs kept between runs in `<out>/_stages/`.

An entry is valid for one PDF content (its sha256) and one pipeline version. Each entry records
the sha256 of its Parquet files when it is written and is checked against it when read, so a
truncated, garbage or half-rewritten file is recomputed instead of crashing or dropping cells.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, TypeVar

import pandas as pd
import pyarrow as pa

from pipeline.curate.storage import parquet_bytes, write_atomic

CACHE_DIR = "_stages"
Frames = TypeVar("Frames", bound=NamedTuple)


def entry_key(sha256: str, version: str) -> str:
    """Stage outputs are valid for one content and one pipeline version."""
    return f"{sha256[:16]}-{version}"


class StageCache:
    def __init__(self, out_dir: Path) -> None:
        self.root = out_dir / CACHE_DIR

    def _base(self, stage: str, document_id: str, key: str) -> Path:
        return self.root / stage / f"{document_id}.{key}"

    def load(self, stage: str, document_id: str, key: str, kind: type[Frames]) -> Frames | None:
        """The cached frames, or None when absent or not exactly as written."""
        base = self._base(stage, document_id, key)
        index = base.with_name(f"{base.name}.json")
        try:
            digests = json.loads(index.read_text(encoding="utf-8"))
            frames = {}
            for part in kind._fields:
                data = base.with_name(f"{base.name}.{part}.parquet").read_bytes()
                if hashlib.sha256(data).hexdigest() != digests[part]:
                    return None
                frames[part] = pd.read_parquet(pa.BufferReader(data))
        except (OSError, ValueError, KeyError, pa.ArrowException):
            return None
        return kind._make(frames[part] for part in kind._fields)

    def save(self, stage: str, document_id: str, key: str, frames: NamedTuple) -> None:
        """Write the parts first and the index last: an entry without its index is absent."""
        base = self._base(stage, document_id, key)
        digests = {}
        for part, frame in frames._asdict().items():
            data = parquet_bytes(pa.Table.from_pandas(frame, preserve_index=False))
            write_atomic(base.with_name(f"{base.name}.{part}.parquet"), data)
            digests[part] = hashlib.sha256(data).hexdigest()
        write_atomic(base.with_name(f"{base.name}.json"), json.dumps(digests).encode())

    def prune(self, live: Iterable[tuple[str, str]]) -> None:
        """Drop entries of PDFs no longer in raw/ and of older pipeline versions."""
        keep = set(live)
        for path in self.root.glob("*/*"):
            # names are <document_id>.<key>.<part>.parquet or <document_id>.<key>.json; a
            # document id may itself hold dots, so the name is read from the right
            stem = path.name.removesuffix(".parquet").removesuffix(".json")
            parts = stem.rsplit(".", 2 if path.suffix == ".parquet" else 1)
            if (parts[0], parts[1]) not in keep:
                path.unlink(missing_ok=True)
