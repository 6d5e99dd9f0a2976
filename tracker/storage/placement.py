"""Where records are and where rows go: each record's byte offset, a record read whole from the
file's bytes, and the places of many new rows (by first day, then id: the file's order)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import schema
from ..contract.csvtext import byte_positions
from .rows import arrow_text, first_days


def record_text(data, start: int, end: int, header: list[str]) -> dict[str, str]:
    """The record in ``data[start:end]`` (one record, on one line or more) by column, as text;
    the contract's columns the file lacks are empty (as the validator's rows have them)."""
    # (newline="": a line ends at \n or \r only; str.splitlines would also cut at U+2028 or U+0085)
    text = io.StringIO(bytes(data[start:end]).decode("utf-8"), newline="")
    row = dict(zip(header, next(csv.reader(text), []), strict=True))
    return row | {name: "" for name in schema.COLUMNS if name not in row}


LineStart = Callable[[int], int] | None  # byte offset of a physical line (the cache's index), if known


def record_offsets(data, lines: np.ndarray, positions: Iterable[int], line_start: LineStart = None) -> dict[int, int]:
    """Byte offset where each record of ``positions`` (by row number; ``lines``: each record's
    physical start line) begins, ``len(data)`` for one past the last; with ``line_start``
    without scanning the whole file for its newlines."""
    if line_start is None:
        starts = np.append(record_starts(data, lines), len(data))
        return {p: int(starts[p]) for p in positions}
    return {p: line_start(int(lines[p])) if p < len(lines) else len(data) for p in positions}


def record_starts(data: bytes, lines: np.ndarray) -> np.ndarray:
    """Byte offset where each record (by its physical start line) begins."""
    line_starts = np.concatenate(([0], byte_positions(data, b"\n") + 1))
    return line_starts[lines.astype(np.int64) - 1]


def insert_order(kept: pd.DataFrame, new: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(the new rows' order by date then id, and where each goes among the ``kept`` rows: before
    the first one that sorts after it, as ``insert_index`` says), whatever their number."""
    if not len(new):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys, new_keys = sort_keys(kept, new)
    order = np.argsort(new_keys, kind="stable")
    if len(keys) and not (keys[1:] >= keys[:-1]).all():  # a file out of order: the first that sorts
        keys = np.maximum.accumulate(keys)  # after a key is the first whose running maximum does
    return order, np.searchsorted(keys, new_keys[order], side="right").astype(np.int64)


DAY_OFFSET = 1_000_000  # days since 1970 plus this are positive for every year the contract allows


def sort_keys(*frames: pd.DataFrame) -> list[np.ndarray]:
    """For each frame, integers that sort its rows as (first day, id), the file's order,
    comparable across the frames: the day, then the id's rank among all their ids."""
    sizes = [len(f) for f in frames]
    if not sum(sizes):
        return [np.zeros(0, np.int64) for _ in frames]
    # (whole arrays: a chunked array made of chunked arrays goes through Python objects)
    ids = pa.chunked_array([arrow_text(f["id"]) for f in frames], pa.string())
    rank = pc.rank(ids, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(np.int64)
    days = np.concatenate([_first_days(f) for f in frames])
    keys = (days + DAY_OFFSET) * (int(rank.max()) + 1) + rank
    return np.split(keys, np.cumsum(sizes)[:-1])


def _first_days(frame: pd.DataFrame) -> np.ndarray:
    """Each row's first day (a typed frame has them)."""
    if "start_day" in frame:
        return frame["start_day"].to_numpy().astype(np.int64)
    return first_days(frame["date"]) if len(frame) else np.zeros(0, np.int64)
