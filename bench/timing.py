"""Timing helpers: the median of several runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(run: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> float:
    """Median wall-clock seconds of ``run()`` over ``repeat`` runs (``setup()`` untimed before each)."""
    times = []
    for _ in range(max(1, repeat)):
        if setup:
            setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
