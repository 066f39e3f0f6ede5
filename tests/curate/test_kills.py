"""Real SIGKILLs during publication (issue 12): after each, a BI tool reading `curated/current`
sees one run's datasets, and the next run recovers by itself: 50 kill points here (about three
minutes), 200 more in `make fuzz` (`tests/support/kill_sweep.py`)."""

from __future__ import annotations

from pathlib import Path

from kill_sweep import sweep

KILLS = 50
SEED = 12


def test_kill_9_at_random_points_of_publication(tmp_path: Path) -> None:
    result = sweep(tmp_path, KILLS, SEED)  # asserts one run id after every kill
    assert result.kills + result.finished_first == KILLS
    assert result.kills >= KILLS // 2, result  # most kill points fall inside the publication
