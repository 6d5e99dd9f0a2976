"""The fast path for a file that meets the contract: one pyarrow parse, the same checks run on
each column's distinct values, several columns at once.

``accepted_raw(data)`` returns the raw frame ``validate.read_raw`` would give, or None whenever
the file might break the contract; the exact path (tracker/validate.py) then finds and words every
problem. So this module only ever has to say "surely valid": it refuses anything unusual (quoted
line breaks, blank lines, control bytes, a stray quote) rather than interpret it, and each check
it runs is the exact path's own function (``field_checks``, ``date_checks``, ...) applied to
distinct values, since those checks look at one value (or one row) at a time.
"""

from __future__ import annotations

import dataclasses
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from . import schema
from .checks import coordinate_checks, date_checks, field_checks, source_checks
from .validate import _header, _header_problems, _stray_quotes

MIN_ROWS = 20_000  # below this the exact path is fast enough, and simpler
SAMPLE_ROWS = 10_000
THREADS = min(4, os.cpu_count() or 1)
CHUNK = 1 << 20
QUOTE, LF, CR, DEL = 34, 10, 13, 127
# ``[^...]*`` over control characters only: a file with no control bytes meets it already
_ONLY_NO_CONTROLS = re.compile(r"\[\^((?:\\x[01][0-9a-f](?:-\\x[01][0-9a-f])?|\\x7f)+)\]\*")


def accepted_raw(data, min_rows: int = MIN_ROWS) -> pd.DataFrame | None:
    """The raw string frame of ``data`` (with ``_line``) when it surely meets the contract;
    None when it may not, or when it is too small to be worth the fast path."""
    if len(data) < min_rows * 16:  # (no row of the contract is shorter)
        return None
    try:
        header = _header(bytes(memoryview(data)[:65536]))
    except UnicodeDecodeError:
        return None
    if _header_problems(header) or "" in header or len(set(header)) != len(header):
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    lines = _plain_lines(raw)
    if lines is None or lines - 1 < min_rows:
        return None
    table = _parse(data, header)
    if table is None or table.num_rows != lines - 1:
        return None
    with ThreadPoolExecutor(THREADS) as pool:
        if not all(pool.map(lambda check: check(table), _checks(table))):
            return None
    frame = table.to_pandas()
    frame["_line"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame


def _plain_lines(raw: np.ndarray) -> int | None:
    """The number of lines when every line is one record: no control byte but line ends
    (``\\n`` or ``\\r\\n``), no blank line, no line break inside quotes and no stray quote."""
    if not len(raw):
        return None
    with ThreadPoolExecutor(THREADS) as pool:
        where = np.concatenate(list(pool.map(lambda at: _special_bytes(raw[at : at + CHUNK]) + at, range(0, len(raw), CHUNK))))
    kinds = raw[where]
    quotes, newlines = where[kinds == QUOTE], where[kinds == LF]
    returns = where[kinds == CR]
    if len(where) != len(quotes) + len(newlines) + len(returns):
        return None  # another control byte (NUL, tab, form feed, DEL, ...)
    if len(returns) and (returns[-1] + 1 >= len(raw) or (raw[returns + 1] != LF).any()):
        return None  # a bare \r
    if (np.searchsorted(quotes, newlines) & 1).any() or len(quotes) % 2:
        return None  # a line break inside quotes, or a quote never closed
    if len(_stray_quotes(raw, quotes)):
        return None
    starts = np.concatenate(([0], newlines[:-1] + 1))
    ends = newlines - (raw[np.maximum(newlines - 1, 0)] == CR)
    if (ends <= starts).any():
        return None  # a blank line
    return len(newlines) + (newlines[-1] != len(raw) - 1 if len(newlines) else 1)


def _special_bytes(raw: np.ndarray) -> np.ndarray:
    """Positions of control bytes, DEL and double quotes (in chunks that stay in the CPU cache)."""
    return np.flatnonzero((raw < 32) | (raw == QUOTE) | (raw == DEL))


def _parse(data, header: list[str]) -> pa.Table | None:
    """Every field as text, exactly; None when pyarrow refuses the file (ragged rows, bad UTF-8)."""
    try:
        return pcsv.read_csv(
            pa.py_buffer(data),
            parse_options=pcsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None


def _checks(table: pa.Table) -> list:
    """One callable per check, each ``table -> bool`` (True: no breach)."""
    checks = [lambda t, f=f: _field_ok(t[f.name], f) for f in schema.fields()]
    checks.append(lambda t: _rows_ok(t, ("date", "end_date"), date_checks))
    checks.append(lambda t: _rows_ok(t, ("lat", "lon"), coordinate_checks))
    checks.append(_sources_ok)
    return checks


def _field_ok(column: pa.ChunkedArray, f: schema.Field) -> bool:
    """``field_checks`` passes: on the distinct values when there are few, else on every value
    (skipping a pattern the byte scan has proved); uniqueness on every value."""
    if f.unique and len(pc.unique(column)) != len(column):
        return False
    check = dataclasses.replace(f, unique=False)
    if f.max_length and (pc.max(pc.binary_length(column)).as_py() or 0) <= f.max_length:
        check = dataclasses.replace(check, max_length=None)  # (no more characters than bytes)
    if _mostly_repeated(column):
        values = pd.Series(pc.unique(column).to_pandas(), name=f.name)
    else:
        values = column.to_pandas()
        if check.pattern and _ONLY_NO_CONTROLS.fullmatch(check.pattern):
            check = dataclasses.replace(check, pattern=None)
    return _passes(field_checks(values.to_frame(f.name), check))


def _mostly_repeated(column: pa.ChunkedArray) -> bool:
    sample = column.slice(0, SAMPLE_ROWS)
    return len(pc.unique(sample)) * 4 < len(sample)


def _rows_ok(table: pa.Table, columns: tuple[str, ...], checks) -> bool:
    """``checks`` passes on the distinct combinations of ``columns``."""
    return _passes(checks(_distinct(table, columns)))


def _sources_ok(table: pa.Table) -> bool:
    """``source_checks`` passes on the distinct (names, number of URLs) pairs."""
    n_urls = pc.add(pc.count_substring(table["source_url"], schema.SOURCE_SEPARATOR), 1)
    pairs = pa.table({"source_name": table["source_name"], "n_urls": n_urls})
    distinct = _distinct(pairs, ("source_name", "n_urls"))
    return _passes(source_checks(distinct, distinct["n_urls"]))


def _distinct(table: pa.Table, columns: tuple[str, ...]) -> pd.DataFrame:
    """The distinct combinations of ``columns`` as a small frame (via dictionary codes)."""
    key = np.zeros(table.num_rows, dtype=np.int64)
    dictionaries = []
    for name in columns:
        encoded = pc.dictionary_encode(table[name]).combine_chunks()
        dictionaries.append(encoded.dictionary)
        key = key * len(encoded.dictionary) + encoded.indices.to_numpy(zero_copy_only=False)
    distinct = pd.unique(key)
    out = {}
    for name, dictionary in zip(reversed(columns), reversed(dictionaries), strict=True):
        distinct, codes = np.divmod(distinct, len(dictionary))
        out[name] = dictionary.take(pa.array(codes)).to_pandas()
    return pd.DataFrame({name: out[name] for name in columns})


def _passes(found) -> bool:
    return not any(np.asarray(mask, dtype=bool).any() for mask, *_ in found)
