"""What makes a run's output what it is: the code, the declarative files, the inputs, the options.

A change to any of them invalidates the stage cache or the up-to-date check.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from pipeline.schemas import EXPECTATIONS_DIR, PROJECT_ROOT, SCHEMA_DIR


@cache
def pipeline_version() -> str:
    """A hash of the code, schemas/ (the marts' SQL included) and expectations/."""
    digest = hashlib.sha256()
    sources = sorted((PROJECT_ROOT / "pipeline").rglob("*.py"))
    sources += sorted(SCHEMA_DIR.rglob("*.yaml")) + sorted(SCHEMA_DIR.rglob("*.sql"))
    sources += sorted(EXPECTATIONS_DIR.glob("*.json"))
    for path in sources:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def options_version(options: dict[str, Any]) -> str:
    """The pipeline version together with options that change a stage's output."""
    text = json.dumps({"version": pipeline_version(), "options": options}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def input_fingerprint(hashes: dict[str, str], options: dict[str, Any]) -> dict[str, Any]:
    """The content hash of every input plus every option that changes the output.

    Content, not name, size and mtime: a PDF replaced by another of the same size with its
    mtime restored is still new work.
    """
    return {"version": pipeline_version(), "options": options, "files": hashes}
