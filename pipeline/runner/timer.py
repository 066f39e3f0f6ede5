"""One timer for the whole run: seconds spent per stage (gates count as their own stage)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(slots=True)
class StageTimer:
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def measure(self, name: str) -> Iterator[Lap]:
        """Add the time spent inside the block to `name` (blocks may run in threads); the lap
        holds the block's own seconds once it ends."""
        lap, started = Lap(), time.perf_counter()
        try:
            yield lap
        finally:
            lap.seconds = time.perf_counter() - started
            self.seconds[name] = self.seconds.get(name, 0.0) + lap.seconds


@dataclass(slots=True)
class Lap:
    seconds: float = 0.0
