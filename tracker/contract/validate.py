"""Checking a whole file: the fast path when it can vouch for it, else the exact path."""

from __future__ import annotations

import os

import pandas as pd
import pyarrow.compute as pc

from .exact import exact_raw
from .fast import accepted_raw, accepted_table


def valid_raw(path: str | os.PathLike, data) -> pd.DataFrame:
    """The raw string frame of ``data`` (the bytes of ``path``); raises ValidationError listing
    every problem. A large file that surely meets the contract takes the fast path; any other
    file, and any doubt, the exact path that finds and words every problem."""
    fast = accepted_raw(data)
    return fast if fast is not None else exact_raw(path, data)


def check(path: str | os.PathLike, data) -> tuple[int, str]:
    """(events, latest date) of ``data`` read from ``path``; raises ValidationError listing every
    problem. Like ``valid_raw``, without building a frame from a file the fast path accepts."""
    table = accepted_table(data, whole=False)
    if table is not None:
        return table.num_rows, (pc.max(table["date"]).as_py() or "-")
    return events_and_latest(exact_raw(path, data))


def events_and_latest(frame: pd.DataFrame) -> tuple[int, str]:
    """How many events ``frame`` holds and its latest date ("-" when none)."""
    return len(frame), (frame["date"].max() if len(frame) else "-")
