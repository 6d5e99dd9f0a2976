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


def interleaved_times(
    runs: dict[str, Callable[[], object]], repeat: int, setups: dict[str, Callable[[], object]] | None = None
) -> dict[str, float]:
    """Median wall-clock seconds of each of ``runs``, taken in turn within each round (``setups``
    untimed before their run), so that a slower spell of the machine or its disk falls on all."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(max(1, repeat)):
        for name, run in runs.items():
            if setups and name in setups:
                setups[name]()
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}
