"""Process hygiene for the page workers: they never outlive the run that started them."""

from __future__ import annotations

import ctypes
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies


def start_worker() -> None:
    """Pool initializer. Ctrl-C reaches the whole process group: the parent alone handles it
    and stops the workers, so they print nothing. On Linux a worker is also killed when its
    parent dies, even by SIGKILL, instead of living on as an orphan."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the workers now, mid-task: the run is being stopped and their results are not
    wanted. (Python 3.14 has `terminate_workers`; before it, the pool's process table.)"""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
