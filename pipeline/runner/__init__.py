"""The runner: a loop over the declared stages, with the lock, cache, report and publication."""

from pipeline.runner.context import RunOptions
from pipeline.runner.report import (
    EXIT_NO_INPUT,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_STRICT_STOP,
    RunReport,
    summary,
)
from pipeline.runner.run import run

__all__ = [
    "EXIT_NO_INPUT",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_STRICT_STOP",
    "RunOptions",
    "RunReport",
    "run",
    "summary",
]
