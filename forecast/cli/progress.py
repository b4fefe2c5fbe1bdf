"""A progress bar for long runs: shown after about a second, only on a terminal.

The engine reports progress through a plain callable (``progress(draws_done)``), so library code
never prints; the command line wraps it in :class:`ProgressBar`.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any

DELAY = 1.0
"""Seconds a run must last before its progress bar appears."""


def wanted(*, quiet: bool) -> bool:
    """Whether to show a progress bar: not ``quiet`` and both stdout and stderr are terminals."""
    return not quiet and _isatty(sys.stdout) and _isatty(sys.stderr)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A callable that counts finished draws and draws a rich bar on stderr once the run has
    lasted :data:`DELAY` seconds (a short run shows nothing).

    Parameters
    ----------
    total : int
        Draws in the run.
    enabled : bool
        When false, the bar never appears (``--quiet``, or output is not a terminal).
    description : str
        Text before the bar.
    delay : float
        Seconds before the bar appears.
    """

    def __init__(self, total: int, *, enabled: bool, description: str = "Simulating",
                 delay: float = DELAY):
        self.total = total
        self.enabled = enabled
        self.description = description
        self.delay = delay
        self.done = 0
        self._lock = threading.Lock()
        self._bar: Any = None
        self._task: Any = None
        self._timer: threading.Timer | None = None
        self._started = 0.0
        self._closed = False

    def __enter__(self) -> "ProgressBar":
        self._started = time.monotonic()
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __call__(self, draws: int) -> None:
        """Count ``draws`` more finished draws."""
        with self._lock:
            self.done += draws
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done)

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        with self._lock:
            if self._closed or self.done >= self.total:
                return
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("draws"), TimeElapsedColumn(),
                                 TimeRemainingColumn(), console=Console(stderr=True),
                                 transient=True)
            self._task = self._bar.add_task(self.description, total=self.total,
                                            completed=self.done)
            self._bar.start()

    @property
    def shown(self) -> bool:
        """Whether the bar appeared."""
        return self._bar is not None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._bar is not None:
                self._bar.stop()
