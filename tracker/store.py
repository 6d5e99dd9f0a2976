"""Load events.csv into a typed frame (writing lives in tracker/append.py)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import schema
from .validate import padded_dates, read_bytes, valid_raw

DEFAULT_CSV = "events.csv"


def default_csv() -> Path:
    """``$TRACKER_EVENTS`` when set, else ./events.csv."""
    return Path(os.environ.get("TRACKER_EVENTS") or DEFAULT_CSV)


def load_events(path: str | os.PathLike, cache: bool = True) -> pd.DataFrame:
    """The validated events with derived columns; raises ValidationError listing every problem.

    Derived: ``start``/``end`` (datetimes; ``end`` is exclusive, so a month-precision date spans
    its whole month), ``precision`` (day/month/year), ``start_day``/``end_day`` (integer days
    since 1970, for fast filtering), ``lat``/``lon`` as floats, and the lists ``actor_list``,
    ``resolution_list``, ``source_names`` and ``source_urls``. With ``cache`` an unchanged file
    comes from the Parquet cache (tracker/cache.py) instead of being parsed and validated again.
    """
    data = read_bytes(Path(path))
    if cache:
        from . import cache as frame_cache

        return frame_cache.load(path, data, frame_from_bytes)
    return frame_from_bytes(path, data)


def frame_from_bytes(path: str | os.PathLike, data: bytes) -> pd.DataFrame:
    """Parse, validate and type ``data`` read from ``path``."""
    return typed(valid_raw(path, data))


def typed(raw: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns to a valid raw frame."""
    frame = raw.reset_index(drop=True)
    start = _to_datetime(frame["date"])
    last = frame["end_date"].where(frame["end_date"] != "", frame["date"])
    end = _exclusive_end(last)
    frame["precision"] = pd.Categorical(
        frame["date"].str.len().map({4: "year", 7: "month", 10: "day"}), categories=schema.PRECISIONS
    )
    frame["start"], frame["end"] = start, end
    frame["start_day"] = (start.values.astype("datetime64[D]").astype(np.int64)).astype(np.int32)
    frame["end_day"] = (end.values.astype("datetime64[D]").astype(np.int64)).astype(np.int32)
    frame["category"] = pd.Categorical(frame["category"], categories=schema.CATEGORIES)
    frame["status"] = pd.Categorical(frame["status"], categories=schema.STATUSES)
    for column in ("lat", "lon"):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype(float)
    frame["actor_list"] = _split(frame["actors"], schema.LIST_SEPARATOR)
    frame["resolution_list"] = _split(frame["un_resolutions"], schema.LIST_SEPARATOR)
    frame["source_urls"] = _split(frame["source_url"], schema.SOURCE_SEPARATOR)
    frame["source_names"] = _split(frame["source_name"], schema.SOURCE_SEPARATOR)
    return frame


def _to_datetime(iso: pd.Series) -> pd.Series:
    return pd.to_datetime(padded_dates(iso), format="%Y-%m-%d").astype("datetime64[ns]")


def _exclusive_end(iso: pd.Series) -> pd.Series:
    start = _to_datetime(iso).values
    length = iso.str.len().values
    day_end = start.astype("datetime64[D]") + 1
    month_end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]")
    year_end = (start.astype("datetime64[Y]") + 1).astype("datetime64[D]")
    end = np.where(length == 10, day_end, np.where(length == 7, month_end, year_end))
    return pd.Series(end.astype("datetime64[ns]"), index=iso.index)


def _split(col: pd.Series, sep: str) -> pd.Series:
    """Each value split on ``sep`` ("" gives []): a list per row, held by Arrow (no Python lists)."""
    text = pa.array(col, type=pa.large_string())
    parts = pc.split_pattern(text, sep)
    parts = pc.if_else(pc.equal(text, ""), pa.scalar([], type=parts.type), parts)
    return pd.Series(pd.arrays.ArrowExtensionArray(parts), index=col.index)
