"""The library's own costs: load + validate vs a bare ``pandas.read_csv``; ``tracker add`` vs a copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from tracker.append import add_event
from tracker.store import load_events

from .timing import median_time


def measure_core(csv: Path, repeat: int) -> dict[str, float]:
    """Seconds (medians): read_csv, load+validate cold and cached, `tracker validate`, add, copy."""
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        os.environ["TRACKER_CACHE_DIR"] = str(Path(tmp) / "cache")
        out = {
            "read_csv": median_time(lambda: pd.read_csv(csv), repeat),
            "load_cold": median_time(lambda: load_events(csv, cache=False), repeat),
        }
        load_events(csv)  # fill the cache
        out["load_cached"] = median_time(lambda: load_events(csv), repeat)
        out["validate_cli"] = median_time(lambda: _cli("validate", str(csv)), repeat,
                                          setup=lambda: shutil.rmtree(Path(tmp) / "cache", ignore_errors=True))  # fmt: skip
        out.update(_add_and_copy(csv, Path(tmp), repeat))
    return out


def _add_and_copy(csv: Path, tmp: Path, repeat: int) -> dict[str, float]:
    """`tracker add` (library call, the dashboard has loaded the file: cache warm) and a copy."""
    work = tmp / "events.csv"
    copies = iter(range(10**6))

    def fresh_copy():
        shutil.copyfile(csv, work)

    fresh_copy()
    load_events(work)  # as the running dashboard would: the cache now vouches for these bytes
    row = {"date": "2020-06-15", "category": "sanctions", "status": "reported",
           "source_url": "https://example.org/bench"}  # fmt: skip
    add = median_time(lambda: add_event(work, dict(row, title=f"Bench event {next(copies)}")), repeat, setup=fresh_copy)
    add_cold = median_time(lambda: add_event(work, dict(row, title=f"Bench event {next(copies)}")), max(1, repeat // 2),
                           setup=lambda: (fresh_copy(), shutil.rmtree(tmp / "cache", ignore_errors=True)))  # fmt: skip
    copy = median_time(lambda: shutil.copyfile(csv, tmp / "copy.csv"), repeat)
    return {"add": add, "add_cold": add_cold, "copy": copy}


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "tracker", *args], check=True, capture_output=True,
                   env=dict(os.environ))  # fmt: skip
