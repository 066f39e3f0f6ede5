"""Where the tests find the project's own files: one definition for every test folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "tests" / "data"
RAW_DIR = ROOT / "raw"
TRUTH_FILES = sorted(DATA_DIR.glob("*.truth.json"))
