"""The library's own costs: load + validate vs a bare ``pandas.read_csv``; ``tracker add`` vs a copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from tracker.storage import add_event, check_events, load_events

from .timing import median_time


def measure_core(csv: Path, repeat: int) -> dict[str, float]:
    """Seconds (medians): read_csv, `tracker validate`'s work (in process, and the whole command),
    load+validate cold and cached, adds (a new event, back-dated ones), copy."""
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        os.environ["TRACKER_CACHE_DIR"] = str(Path(tmp) / "cache")
        out = {
            "read_csv": median_time(lambda: pd.read_csv(csv), repeat),
            "load_cold": median_time(lambda: load_events(csv, cache=False), repeat),
            "validate_only": median_time(lambda: check_events(csv, cache=False), repeat),
        }
        load_events(csv)  # fill the cache
        out["load_cached"] = median_time(lambda: load_events(csv), repeat)
        out["validate_cli"] = median_time(
            lambda: _cli("validate", str(csv)),
            repeat,
            setup=lambda: shutil.rmtree(Path(tmp) / "cache", ignore_errors=True),
        )
        out.update(_add_and_copy(csv, Path(tmp), repeat))
    return out


def _add_and_copy(csv: Path, tmp: Path, repeat: int) -> dict[str, float]:
    """`tracker add` (library call, the dashboard has loaded the file: cache warm) of a new event
    (it sorts last: appended in place) and of a back-dated one (it sorts inside: the atomic
    rewrite), the back-dated add second in a row and with no cache, and a copy."""
    work = tmp / "events.csv"
    copies = iter(range(10**6))

    def fresh_copy():
        shutil.copyfile(csv, work)
        os.sync()  # (so the timed run does not wait for the writeback of the setup's own copy)

    fresh_copy()
    load_events(work)  # as the running dashboard would: the cache now vouches for these bytes
    row = {"category": "sanctions", "status": "reported", "source_url": "https://example.org/bench"}

    def add_one(date: str = "2020-06-15"):
        add_event(work, dict(row, date=date, title=f"Bench event {next(copies)}"))

    def add_new_event():  # later than every event of the synthetic data
        inode = work.stat().st_ino
        add_one("2026-06-15")
        assert work.stat().st_ino == inode, "the new event was not appended in place"

    add_one()  # (untimed: the first add of a process pays one-off costs, whichever is measured first)
    add_last = median_time(add_new_event, repeat, setup=fresh_copy)
    add = median_time(add_one, repeat, setup=fresh_copy)
    # the second of two adds in a row: the cache vouches for the first add's output via its delta
    add_second = median_time(add_one, repeat, setup=lambda: (fresh_copy(), add_one()))
    add_cold = median_time(
        add_one,
        max(1, repeat // 2),
        setup=lambda: (fresh_copy(), shutil.rmtree(tmp / "cache", ignore_errors=True)),
    )
    settled = lambda: ((tmp / "copy.csv").unlink(missing_ok=True), os.sync())  # noqa: E731 (as for add)
    copy = median_time(lambda: shutil.copyfile(csv, tmp / "copy.csv"), repeat, setup=settled)
    durable = median_time(lambda: _durable_copy(csv, tmp / "copy.csv"), repeat, setup=settled)
    return {
        "add_last": add_last,
        "add": add,
        "add_second": add_second,
        "add_cold": add_cold,
        "copy": copy,
        "copy_fsync": durable,
    }


def _durable_copy(src: Path, dst: Path) -> None:
    """A copy that survives a crash: copied, then fsynced (what an atomic rewrite must do)."""
    shutil.copyfile(src, dst)
    with open(dst, "rb") as handle:
        os.fsync(handle.fileno())


def _cli(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        check=True,
        capture_output=True,
        env=dict(os.environ),
    )
