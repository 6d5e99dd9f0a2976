"""The fast path for a file that meets the contract: one byte scan, one pyarrow parse, then the
fast form of every rule (``rules.py``) on whole Arrow columns, several at once.

``accepted_raw(data)`` returns the raw frame ``csvtext.read_raw`` would give, or None whenever
the file might break the contract; the exact path (``exact.py``) then finds and words every
problem. So this module only ever has to say "surely valid": it refuses anything unusual (quoted
line breaks, blank lines, control bytes, a stray quote) rather than interpret it. The rules live
in ``rules.py`` only; tests/test_fast.py fuzzes this path against the exact one.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from . import arrowtext, schema
from .columns import ArrowColumns
from .csvtext import closes_mid_field, header_of, header_problems, opens_mid_field
from .rules import ROW_RULE_COLUMNS, field_rules, row_rules

MIN_ROWS = 20_000  # below this the exact path is fast enough, and simpler
THREADS = min(4, os.cpu_count() or 1)
PARALLEL_ROWS = 5_000  # new rows from which rows_accepted checks on several threads
CHUNK = 1 << 20
BLOCK = 4 << 20  # pyarrow's parse block (fastest here of 1, 4 and 16 MiB)
QUOTE, LF, CR, DEL = 34, 10, 13, 127


def accepted_raw(data, min_rows: int = MIN_ROWS) -> pd.DataFrame | None:
    """The raw string frame of ``data`` (with ``_line``) when it surely meets the contract;
    None when it may not, or when it is too small to be worth the fast path."""
    table = accepted_table(data, min_rows)
    if table is None:
        return None
    frame = table.to_pandas()
    frame["_line"] = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame


def accepted_table(data, min_rows: int = MIN_ROWS, whole: bool = True) -> pa.Table | None:
    """Like ``accepted_raw``, as the Arrow table of every field's text (no ``_line``); unless
    ``whole``, without the columns that line lengths prove (e.g. descriptions): to check a file."""
    if len(data) < min_rows * 16:  # (no row of the contract is shorter)
        return None
    try:
        header = header_of(bytes(memoryview(data)[:65536]))
    except UnicodeDecodeError:
        return None
    if header_problems(header) or "" in header or len(set(header)) != len(header):
        return None
    if whole:
        unread = ()
    else:  # columns the longest line will likely prove: limits far above the first MiB's lines
        sample_longest = max(map(len, bytes(memoryview(data)[:CHUNK]).split(b"\n")))
        unread = tuple(f.name for f in schema.fields() if _length_only(f) and f.max_length > 4 * sample_longest)
    with ThreadPoolExecutor(THREADS) as pool, ThreadPoolExecutor(1) as side:  # scan while parsing
        scanned = side.submit(_plain_lines, np.frombuffer(data, dtype=np.uint8), pool)
        table = _parse(data, header, unread)
        lines = scanned.result()
        if lines is None or lines.count - 1 < min_rows or table is None or table.num_rows != lines.count - 1:
            return None
        table = _with_optional_columns(_as_text(table, lines.ascii), header)
        too_long = [name for name in unread if lines.longest > schema.field(name).max_length]
        if too_long and table is not None:  # (a line longer than such a field may be: read it)
            extra = _as_text(_parse(data, header, tuple(set(header) - set(too_long))), lines.ascii)
            table = None if extra is None else _joined(table, extra)
        if table is None or not all(pool.map(lambda check: check(), _checks(ArrowColumns(table)))):
            return None
    return table


def _with_optional_columns(table: pa.Table | None, header: list[str]) -> pa.Table | None:
    """``table`` with every optional column the file lacks, empty (as ``csvtext.read_raw``)."""
    if table is None:
        return None
    empty = pa.StringArray.from_buffers(
        table.num_rows, pa.py_buffer(np.zeros(table.num_rows + 1, np.int32)), pa.py_buffer(b"")
    )
    for f in schema.fields():
        if f.optional_column and f.name not in header:
            table = table.append_column(f.name, pa.chunked_array([empty], pa.string()))
    return table


def _length_only(f: schema.Field) -> bool:
    """A column whose every rule a bound on line lengths and the byte scan prove (a length, and a
    pattern forbidding only control characters), read by no row rule: it need not be parsed."""
    proved = {
        "max_length": True,
        "pattern": bool(f.pattern) and arrowtext.proved_by_byte_scan(f.pattern or ""),
    }
    rules = [rule.name for rule in field_rules(f)]
    return bool(f.max_length) and f.name not in ROW_RULE_COLUMNS and all(proved.get(name) for name in rules)


def _joined(table: pa.Table, extra: pa.Table) -> pa.Table:
    for name in extra.column_names:
        table = table.append_column(name, extra[name])
    return table


# ------------------------------------------------------------------ the bytes


@dataclasses.dataclass(frozen=True)
class _Lines:
    count: int
    ascii: bool  # every byte below 128
    longest: int  # an upper bound of any line's length in bytes


def _plain_lines(raw: np.ndarray, pool: ThreadPoolExecutor) -> _Lines | None:
    """The lines when every line is one record: no control byte but line ends (``\n`` or
    ``\r\n``), no blank line, no line break inside quotes and no stray quote. Each chunk is
    judged on its own (in threads) for both parities of the quotes before it; then one pass
    over the chunks, in order, settles which parity each one has."""
    if not len(raw):
        return None
    facts = list(pool.map(lambda at: _chunk_facts(raw, at), range(0, len(raw), CHUNK)))
    odd, last, longest = 0, -1, 0  # odd: whether an odd number of quotes came before the chunk
    for fact in facts:
        if fact is None or fact.newline_parity not in (None, odd) or fact.stray[odd]:
            return None  # a breach in the chunk, a line break inside quotes, or a stray quote
        odd ^= fact.quotes & 1
        if fact.newlines:
            longest = max(longest, fact.longest, fact.first - last)
            last = fact.last
    if odd:
        return None  # a quote never closed
    count = sum(fact.newlines for fact in facts) + (raw[-1] != LF)
    return _Lines(int(count), all(fact.ascii for fact in facts), max(longest, len(raw) - 1 - last))


def _special(chunk: np.ndarray) -> np.ndarray:
    """Where ``chunk`` holds a control byte, a quote or DEL (into this thread's scratch arrays:
    fresh 1 MiB temporaries cost more in page faults than the comparisons themselves)."""
    if not hasattr(_scratch, "masks"):
        _scratch.masks = np.empty(CHUNK, bool), np.empty(CHUNK, bool)
    found, other = (mask[: len(chunk)] for mask in _scratch.masks)
    np.less(chunk, 32, out=found)
    np.logical_or(found, np.equal(chunk, QUOTE, out=other), out=found)
    return np.logical_or(found, np.equal(chunk, DEL, out=other), out=found)


_scratch = threading.local()


@dataclasses.dataclass(frozen=True)
class _ChunkFacts:
    quotes: int  # how many
    newlines: int
    newline_parity: int | None  # the parity of the quotes before each newline, within the chunk
    stray: tuple[bool, bool]  # a stray quote, when an even (odd) number of quotes came before
    ascii: bool
    first: int  # the first and last newline's positions
    last: int
    longest: int  # the longest distance between two of its newlines


def _chunk_facts(raw: np.ndarray, at: int) -> _ChunkFacts | None:
    """One chunk's quotes and line ends (chunks sized to stay in the CPU cache); None when it
    holds a control byte other than a line end, a bare ``\r``, a blank line, or line breaks
    on both sides of a quote (so one of them is inside quotes)."""
    chunk = raw[at : at + CHUNK]
    where = np.flatnonzero(_special(chunk))
    kinds = chunk[where]
    quotes, newlines, returns = (where[kinds == kind] + at for kind in (QUOTE, LF, CR))
    if len(quotes) + len(newlines) + len(returns) != len(where):
        return None  # another control byte (NUL, tab, form feed, DEL, ...)
    if len(returns) and (returns[-1] + 1 >= len(raw) or (raw[returns + 1] != LF).any()):
        return None  # a bare \r
    before, before_that = raw[np.maximum(newlines - 1, 0)], raw[np.maximum(newlines - 2, 0)]
    if ((newlines == 0) | (before == LF) | ((before == CR) & ((newlines == 1) | (before_that == LF)))).any():
        return None  # a blank line
    parity = np.searchsorted(quotes, newlines) & 1
    if len(parity) and parity.min() != parity.max():
        return None
    bad_open, bad_close = opens_mid_field(raw, quotes), closes_mid_field(raw, quotes)
    stray = tuple(bool(bad_open[odd::2].any() or bad_close[1 - odd :: 2].any()) for odd in (0, 1))
    first, last = (int(newlines[0]), int(newlines[-1])) if len(newlines) else (-1, -1)
    longest = int(np.diff(newlines).max(initial=0))
    ascii_only = bool(chunk.max() < 128)
    return _ChunkFacts(
        len(quotes),
        len(newlines),
        int(parity[0]) if len(parity) else None,
        stray,
        ascii_only,
        first,
        last,
        longest,
    )


def _parse(data, header: list[str], unread: tuple[str, ...] = ()) -> pa.Table | None:
    """Every field (but ``unread``) as bytes, exactly; None when pyarrow refuses the file (ragged
    rows). ``_as_text`` then makes them text."""
    try:
        return pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(block_size=BLOCK),
            parse_options=pcsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.binary() for name in header},
                include_columns=[name for name in header if name not in unread],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None


def _as_text(table: pa.Table | None, ascii_only: bool) -> pa.Table | None:
    """``table``'s bytes as text: viewed, when they are ASCII (so UTF-8); else cast, which
    checks them (None when they are not UTF-8)."""
    if table is None:
        return None
    if not ascii_only:
        try:
            return table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
        except (pa.ArrowInvalid, ValueError):
            return None
    text = [pa.chunked_array([c.view(pa.string()) for c in col.chunks], pa.string()) for col in table.columns]
    return pa.table(text, names=table.column_names)


# ------------------------------------------------------------------ the rules


def _checks(cols: ArrowColumns) -> list:
    """One call per (rule, column) and per row rule, each ``() -> bool`` (True: surely no breach),
    the costliest first (every value of a unique or free-text column), so threads end together."""
    fields = [f for f in schema.fields() if f.name in cols]  # (the rest: proved by line lengths)
    calls = [
        (_cost(rule.name, f, cols), lambda rule=rule, f=f: rule.fast(cols, f))
        for f in fields
        for rule in field_rules(f)
    ]
    calls += [(1, lambda rule=rule: rule.fast(cols)) for rule in row_rules()]
    return [call for _, call in sorted(calls, key=lambda pair: -pair[0])]


def _cost(rule: str, f: schema.Field, cols: ArrowColumns) -> int:
    if rule == "unique":
        return 3
    return 2 if rule == "pattern" and cols.every_value(f.name) else 0


# ------------------------------------------------------------------ new rows (not a file)


def rows_accepted(frame: pd.DataFrame) -> bool:
    """Whether new rows (a frame of text in the contract's columns, e.g. an import) surely meet
    the contract on their own: no control character in any field (what the byte scan proves of a
    file), then every rule's fast form on whole Arrow columns. False: the exact path must look."""
    return table_accepted(pa.table({name: pa.array(frame[name], type=pa.string()) for name in schema.COLUMNS}))


def table_accepted(table: pa.Table) -> bool:
    """``rows_accepted`` for rows already in Arrow: a table of strings in the contract's columns."""
    if any(_has_control(table[name]) for name in table.column_names):
        return False
    checks = _checks(ArrowColumns(table))
    if table.num_rows < PARALLEL_ROWS:  # (a few rows: starting threads costs more than the checks)
        return all(check() for check in checks)
    with ThreadPoolExecutor(THREADS) as pool:
        return all(pool.map(lambda check: check(), checks))


def _has_control(column: pa.ChunkedArray) -> bool:
    """Whether any value holds a control byte or DEL (read from the column's data buffers)."""
    for chunk in column.chunks:
        if not len(chunk):
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int32)
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        text = data[offsets[chunk.offset] : offsets[chunk.offset + len(chunk)]]
        if ((text < 32) | (text == DEL)).any():
            return True
    return False
