"""Process hygiene for the page workers: they never outlive the run that started them, stay
within their memory limit, and a worker the OS kills costs the pages it had, not the run."""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.extract.limits import limit_memory, worker_died
from pipeline.extract.settings import ResourceLimits
from pipeline.extract.stage import PagesRead

_PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies

Task = tuple[Path, range]


def start_worker(limits: ResourceLimits) -> None:
    """Pool initializer. Ctrl-C reaches the whole process group: the parent alone handles it
    and stops the workers, so they print nothing. On Linux a worker is also killed when its
    parent dies, even by SIGKILL, instead of living on as an orphan. Its memory is capped by
    the OS at `limits.max_worker_memory_mb` more than it starts with."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    limit_memory(limits)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the workers now, mid-task: the run is being stopped and their results are not
    wanted. (Python 3.14 has `terminate_workers`; before it, the pool's process table.)"""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


class WorkerPool:
    """Forked page workers that survive one of them being killed mid-task (past its memory
    limit, pdfium aborts; the OS may kill it too). The pool then breaks; the tasks not yet done
    run one at a time, each in a fresh worker, so the task that kills its worker again is
    rejected by name and every other task is read."""

    def __init__(self, workers: int, limits: ResourceLimits) -> None:
        self.limits = limits
        self.pool = self._start(workers)

    def _start(self, workers: int) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("fork")
        return ProcessPoolExecutor(
            workers, context, initializer=start_worker, initargs=(self.limits,)
        )

    def map(
        self, run_task: Callable[[Task], PagesRead], tasks: Sequence[Task]
    ) -> Iterator[PagesRead]:
        """The tasks' results in order."""
        futures = [self.pool.submit(run_task, task) for task in tasks]
        for index, future in enumerate(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                self.pool.shutdown(wait=True, cancel_futures=True)
                for task in tasks[index:]:
                    yield self._alone(run_task, task)
                return

    def _alone(self, run_task: Callable[[Task], PagesRead], task: Task) -> PagesRead:
        self.pool = self._start(1)
        try:
            return self.pool.submit(run_task, task).result()
        except BrokenProcessPool:
            return PagesRead(rejected=[worker_died(task[1], self.limits)])
        finally:
            self.pool.shutdown(wait=True)

    def stop(self) -> None:
        stop_workers(self.pool)

    def close(self) -> None:
        self.pool.shutdown()
