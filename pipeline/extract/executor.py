"""Where the page tasks run: in this process, in a local process pool, or on a dask cluster.

A task is (PDF path, a run of page indices) -> the tables on those pages. All executors run the
same task function and return results in submission order, so outputs are identical.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.lines import PageTable
from pipeline.extract.stage import page_tables
from pipeline.extract.workers import start_worker, stop_workers

PAGES_PER_TASK = 24

Task = tuple[Path, range]
MapFunction = Callable[[Sequence[Task]], Iterator[list[PageTable]]]


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


def _run_task(task: Task) -> list[PageTable]:
    path, pages = task
    return page_tables(path, pages)


@contextmanager
def task_mapper(options: ExecutorOptions) -> Iterator[MapFunction]:
    """A function that maps page tasks to their tables, in order, on the chosen executor."""
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
                    client.map(_run_task, list(tasks), pure=False)
                )
            )
        finally:
            client.close()  # type: ignore[no-untyped-call]
    elif options.workers <= 1:
        yield lambda tasks: map(_run_task, tasks)
    else:
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(options.workers, context, initializer=start_worker)
        try:
            yield lambda tasks: pool.map(_run_task, tasks)
        except BaseException:  # a failure, SIGINT or SIGTERM: the workers stop with the run
            stop_workers(pool)
            raise
        pool.shutdown()
