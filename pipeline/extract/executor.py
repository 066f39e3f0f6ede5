"""Where the page tasks run: in this process, in a local process pool, or on a dask cluster.

A task is (PDF path, a run of page indices) -> the tables on those pages and the pages rejected
for a resource limit. All executors run the same task function and return results in submission
order, so outputs are identical.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pipeline.extract.limits import out_of_memory
from pipeline.extract.settings import DEFAULT_LIMITS, ResourceLimits
from pipeline.extract.stage import PagesRead, read_pages
from pipeline.extract.workers import Task, WorkerPool

PAGES_PER_TASK = 24

MapFunction = Callable[[Sequence[Task]], Iterator[PagesRead]]


@dataclass(frozen=True, slots=True)
class ExecutorOptions:
    kind: str = "local"  # local | dask
    workers: int = os.cpu_count() or 1
    scheduler: str | None = None  # dask scheduler address, e.g. tcp://10.0.0.5:8786


def page_tasks(path: Path, pages: int, workers: int) -> list[Task]:
    """Runs of pages small enough to spread a document over every worker, large enough to keep
    the per-task cost of opening the PDF small."""
    size = max(4, min(PAGES_PER_TASK, -(-pages // max(1, 2 * workers))))
    return [(path, range(start, min(start + size, pages))) for start in range(0, pages, size)]


def _run_task(task: Task, limits: ResourceLimits = DEFAULT_LIMITS) -> PagesRead:
    """The task's tables; out of memory outside a page (opening the PDF), its pages rejected."""
    path, pages = task
    try:
        return read_pages(path, pages, limits)
    except MemoryError:
        return PagesRead(rejected=[str(out_of_memory(page + 1, limits)) for page in pages])


@contextmanager
def task_mapper(
    options: ExecutorOptions, limits: ResourceLimits = DEFAULT_LIMITS
) -> Iterator[MapFunction]:
    """A function that maps page tasks to their tables, in order, on the chosen executor, each
    page under `limits` (process workers also under its memory limit)."""
    run_task = partial(_run_task, limits=limits)
    if options.kind == "dask":
        from distributed import Client

        # distributed ships no type hints
        client = (
            Client(options.scheduler)  # type: ignore[no-untyped-call]
            if options.scheduler
            else Client(processes=True)  # type: ignore[no-untyped-call]
        )
        try:
            yield lambda tasks: iter(
                client.gather(  # type: ignore[no-untyped-call]
                    client.map(run_task, list(tasks), pure=False)
                )
            )
        finally:
            client.close()  # type: ignore[no-untyped-call]
    elif options.workers <= 1:
        yield lambda tasks: map(run_task, tasks)
    else:
        pool = WorkerPool(options.workers, limits)
        try:
            yield lambda tasks: pool.map(run_task, tasks)
        except BaseException:  # a failure, SIGINT or SIGTERM: the workers stop with the run
            pool.stop()
            raise
        pool.close()
