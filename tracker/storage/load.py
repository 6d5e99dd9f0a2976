"""Load events.csv into a typed frame: read the bytes, check them, add the derived columns.

The story is ``load_events``: read, check, type. The cache (``cache.py``) is a layer over it:
it answers for bytes it has already checked and typed, and otherwise stores what the story built.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import check, events_and_latest, schema, valid_raw
from ..contract.dates import exclusive_ends, padded_dates, precision_codes
from . import cache as frame_cache
from .filebytes import read_events_bytes

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
    comes from the Arrow cache (``cache.py``) instead of being parsed and validated again.
    """
    data = read_events_bytes(Path(path))
    if not cache:
        return frame_from_bytes(path, data)
    return frame_cache.load(path, data, frame_from_bytes)


def check_events(path: str | os.PathLike, cache: bool = True) -> tuple[int, str]:
    """(events, latest date) of a valid file, for checking it rather than using it: from the
    cache when it vouches for these bytes, else validated (nothing derived, nothing cached);
    raises ValidationError listing every problem."""
    data = read_events_bytes(Path(path))
    hit = frame_cache.cached(path, data) if cache else None
    if hit is not None:
        return events_and_latest(hit)
    return check(path, data)


def frame_from_bytes(path: str | os.PathLike, data) -> pd.DataFrame:
    """Parse, validate and type ``data`` read from ``path``."""
    return typed(valid_raw(path, data))


def typed(raw: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns to a valid raw frame (each worked out once per distinct value)."""
    frame = raw.reset_index(drop=True)
    codes, dates = pd.factorize(frame["date"])
    dates = pd.Series(dates, dtype=frame["date"].dtype)
    start = _to_datetime(dates).to_numpy()[codes]
    end = _exclusive_end(dates).to_numpy()[codes]
    spans = (frame["end_date"] != "").to_numpy()
    if spans.any():
        end[spans] = _per_distinct(frame["end_date"][spans], _exclusive_end).to_numpy()
    precision = precision_codes(dates)[codes]
    frame["precision"] = pd.Categorical.from_codes(precision, categories=schema.PRECISIONS)
    frame["start"], frame["end"] = start, end
    frame["start_day"] = (start.astype("datetime64[D]").astype(np.int64)).astype(np.int32)
    frame["end_day"] = (end.astype("datetime64[D]").astype(np.int64)).astype(np.int32)
    frame["category"] = _categorical(frame["category"], schema.CATEGORIES)
    frame["status"] = _categorical(frame["status"], schema.STATUSES)
    for column in ("lat", "lon"):
        frame[column] = _per_distinct(frame[column], _to_float)
    frame["actor_list"] = _split(frame["actors"], schema.LIST_SEPARATOR)
    frame["resolution_list"] = _split(frame["un_resolutions"], schema.LIST_SEPARATOR)
    frame["source_urls"] = _split(frame["source_url"], schema.SOURCE_SEPARATOR, distinct=False)
    frame["source_names"] = _split(frame["source_name"], schema.SOURCE_SEPARATOR)
    return frame


def _per_distinct(col: pd.Series, derive) -> pd.Series:
    """``derive(col)`` computed on the distinct values only, then spread back to every row."""
    codes, distinct = pd.factorize(col)
    values = derive(pd.Series(distinct)).to_numpy()
    return pd.Series(values[codes], index=col.index)


def _categorical(col: pd.Series, categories: tuple[str, ...]) -> pd.Categorical:
    codes, distinct = pd.factorize(col)
    position = np.array([categories.index(value) for value in distinct], dtype=np.int8)
    return pd.Categorical.from_codes(position[codes] if len(codes) else codes, categories=categories)


def _to_float(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.replace("", None), errors="coerce").astype(float)


def _to_datetime(iso: pd.Series) -> pd.Series:
    return pd.to_datetime(padded_dates(iso), format="%Y-%m-%d").astype("datetime64[ns]")


def _exclusive_end(iso: pd.Series) -> pd.Series:
    return pd.Series(exclusive_ends(iso).astype("datetime64[ns]"), index=iso.index)


def _split(col: pd.Series, sep: str, distinct: bool = True) -> pd.Series:
    """Each value split on ``sep`` ("" gives []): a list per row, held by Arrow (no Python
    lists); with ``distinct``, each distinct value is split once."""
    if distinct:
        codes, values = pd.factorize(col)
        parts = _split_arrow(pa.array(values, type=pa.large_string()), sep).take(pa.array(codes))
    else:
        parts = _split_arrow(pa.array(col, type=pa.large_string()), sep)
    return pd.Series(pd.arrays.ArrowExtensionArray(parts), index=col.index)


def _split_arrow(text: pa.Array, sep: str) -> pa.Array:
    parts = pc.split_pattern(text, sep)
    return pc.if_else(pc.equal(text, ""), pa.scalar([], type=parts.type), parts)
