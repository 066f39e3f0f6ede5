"""One atomic publication per run: a complete snapshot folder, then one pointer swap.

`<out>/current` is a symbolic link to `snapshots/<run_id>`. A run builds its snapshot under a
staging name, renames it into place when every file is written, and only then swaps the link
(`os.replace` of a fresh link over the old one, atomic on POSIX). A reader that opens
`<out>/current/...` therefore sees one run's datasets or the previous run's, never a mix; a run
that is killed or runs out of disk leaves the previous publication as it was.

The run id is a hash of what decides the output (inputs, pipeline version, options), so an
unchanged rerun is the same publication, byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from pipeline.curate.storage import write_json

SNAPSHOTS = "snapshots"
CURRENT = "current"
HISTORY = "_history.json"
STAGING_PREFIX = ".staging-"
KEEP_SNAPSHOTS = 3  # enough to roll back twice; each snapshot is the size of one publication


class Snapshots:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = out_dir / SNAPSHOTS
        self.pointer = out_dir / CURRENT

    def current_id(self) -> str | None:
        """The run id the pointer names, None before the first publication."""
        try:
            return Path(os.readlink(self.pointer)).name
        except OSError:
            return None

    def path(self, run_id: str) -> Path:
        return self.root / run_id

    def staging(self, run_id: str) -> Path:
        """A fresh folder to build the run's snapshot in; leftovers of killed runs are removed
        first (the caller holds the output folder's lock, so none is in use)."""
        self.root.mkdir(parents=True, exist_ok=True)
        for leftover in self.root.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        folder = self.root / f"{STAGING_PREFIX}{run_id}"
        folder.mkdir()
        return folder

    def commit(self, staging: Path, run_id: str) -> Path:
        """Move a complete staging folder into place and point `current` at it."""
        target = self.path(run_id)
        if target.exists():  # the same run published before (e.g. rolled back from): replace it
            shutil.rmtree(target)
        os.replace(staging, target)
        self.point_to(run_id)
        write_json(self.out_dir / HISTORY, [r for r in self.history() if r != run_id] + [run_id])
        return target

    def point_to(self, run_id: str) -> None:
        if not self.path(run_id).is_dir():
            raise FileNotFoundError(f"no snapshot {run_id} in {self.root}")
        link = self.out_dir / f".{CURRENT}.{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(SNAPSHOTS) / run_id)
        os.replace(link, self.pointer)

    def history(self) -> list[str]:
        """Run ids in the order they were published (rollbacks do not reorder), oldest first,
        those still on disk."""
        try:
            ids = json.loads((self.out_dir / HISTORY).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ids = []
        return [run_id for run_id in ids if self.path(str(run_id)).is_dir()]

    def prune(self, keep: int = KEEP_SNAPSHOTS) -> None:
        """Keep the newest `keep` snapshots (the current one always)."""
        history = self.history()
        keep_ids = set(history[-keep:]) | {self.current_id()}
        for folder in self.root.iterdir():
            staging = folder.name.startswith(STAGING_PREFIX)
            if folder.is_dir() and not staging and folder.name not in keep_ids:
                shutil.rmtree(folder)

    def rollback(self, to: str | None = None) -> str:
        """Point `current` at an earlier snapshot: `to`, or the one published before the current
        one, so that rolling back twice goes back two publications."""
        history, current = self.history(), self.current_id()
        if to is None:
            earlier = history[: history.index(current)] if current in history else history
            if not earlier:
                raise FileNotFoundError(f"no earlier snapshot in {self.root} to roll back to")
            to = earlier[-1]
        self.point_to(to)
        return to
