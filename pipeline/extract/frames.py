"""The extract stage's named output for one document."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd


class ExtractedFrames(NamedTuple):
    candidates: pd.DataFrame  # one row per table found
    raw_cells: pd.DataFrame  # header and body cells with text and box, untyped
