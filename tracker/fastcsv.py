"""The fast path for a file that meets the contract: one byte scan, one pyarrow parse, then each
check on whole Arrow columns or on a column's distinct values, several columns at once.

``accepted_raw(data)`` returns the raw frame ``validate.read_raw`` would give, or None whenever
the file might break the contract; the exact path (tracker/validate.py) then finds and words every
problem. So this module only ever has to say "surely valid": it refuses anything unusual (quoted
line breaks, blank lines, control bytes, a stray quote) rather than interpret it. Checks on one
value run the exact path's own ``field_checks`` / ``calendar_checks`` on distinct values; only
what must see every row (uniqueness, patterns of free-text columns, rules across columns) is
spelled here in Arrow terms, and tests/test_fastcsv.py fuzzes it against the exact path.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from . import arrowtext, schema
from .checks import calendar_checks, date_shaped, field_checks, padded_dates
from .validate import _header, _header_problems, closes_mid_field, opens_mid_field

MIN_ROWS = 20_000  # below this the exact path is fast enough, and simpler
SAMPLE_ROWS = 10_000
REPEATED = 4  # a column whose sample repeats each value this often is checked per distinct value
THREADS = min(4, os.cpu_count() or 1)
CHUNK = 1 << 20
BLOCK = 4 << 20  # pyarrow's parse block (fastest here of 1, 4 and 16 MiB)
QUOTE, LF, CR, DEL = 34, 10, 13, 127
# ``[^...]*`` over control characters only: a file with no control bytes meets it already
_ONLY_NO_CONTROLS = re.compile(r"\[\^((?:\\x[01][0-9a-f](?:-\\x[01][0-9a-f])?|\\x7f)+)\]\*")
# ``X*[^\sX]X*`` with X such a class: (no control byte and) not blank, like the title
_NON_BLANK = re.compile(r"\[\^(?P<c>[^\]]+)\]\*\[\^\\s(?P=c)\]\[\^(?P=c)\]\*")
ENCODED = ("date", "end_date", "source_name")  # the columns whose codes a rule across columns uses
RULE_COLUMNS = ("date", "end_date", "lat", "lon", "source_name", "source_url")
NOT_A_DAY = np.datetime64("NaT").astype(np.int64)


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
        header = _header(bytes(memoryview(data)[:65536]))
    except UnicodeDecodeError:
        return None
    if _header_problems(header) or "" in header or len(set(header)) != len(header):
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
        table = _as_text(table, lines.ascii)
        too_long = [name for name in unread if lines.longest > schema.field(name).max_length]
        if too_long and table is not None:  # (a line longer than such a field may be: read it)
            extra = _as_text(_parse(data, header, tuple(set(header) - set(too_long))), lines.ascii)
            table = None if extra is None else _joined(table, extra)
        if table is None or not all(pool.map(lambda check: check(table), _checks(table))):
            return None
    return table


def _length_only(f: schema.Field) -> bool:
    """A column the contract asks nothing of but a length (and no control character, which the
    byte scan proves), used by no rule across columns: a bound on line lengths can prove it."""
    pattern_free = f.pattern is None or _scan_proves(f.pattern)
    plain = f.type == "string" and not (f.required or f.unique or f.enum) and f.name not in RULE_COLUMNS
    return bool(pattern_free and plain and f.max_length)


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
    return _ChunkFacts(len(quotes), len(newlines), int(parity[0]) if len(parity) else None, stray, ascii_only, first, last, longest)


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


# ------------------------------------------------------------------ the checks


def _checks(table: pa.Table) -> list:
    """One callable per check, each ``table -> bool`` (True: no breach); the dictionary encodings
    they share are made once, lazily, by whichever check needs one first."""
    encoded = _Encodings(table)
    # the costliest first (each value of a unique or free-text column), so threads end together
    read = [f for f in schema.fields() if f.name in table.column_names]  # (the rest: proved by line lengths)
    every_value = {f.name: f.unique or not _mostly_repeated(table[f.name]) for f in read}
    fields = sorted(read, key=lambda f: (not f.unique, not every_value[f.name]))
    checks = [lambda t, f=f: _field_ok(t[f.name], f, encoded, every_value[f.name]) for f in fields]
    rules = [lambda t: _sources_ok(t, encoded), lambda t: _dates_ok(encoded), _coordinates_ok]
    costly = sum(every_value.values())
    return checks[:costly] + rules + checks[costly:]


class _Encodings:
    """Each column dictionary-encoded at most once: (distinct values, codes per row)."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.done: dict[str, tuple[pa.Array, np.ndarray]] = {}

    def __call__(self, name: str) -> tuple[pa.Array, np.ndarray]:
        if name not in self.done:  # (two threads may both encode: same result, no harm)
            encoded = pc.dictionary_encode(self.table[name].combine_chunks())
            self.done[name] = encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)
        return self.done[name]


def _field_ok(column: pa.ChunkedArray, f: schema.Field, encoded: _Encodings, every_value: bool) -> bool:
    """``field_checks`` passes: what byte lengths prove is skipped, value checks run on the
    distinct values when there are few, else on every value in Arrow; uniqueness on every value."""
    if f.unique and not arrowtext.all_distinct(column):
        return False
    lengths = pc.binary_length(column)
    if f.required and (pc.min(lengths).as_py() or 0) == 0 and len(column):
        return False
    check = dataclasses.replace(f, unique=False, required=False)
    if f.max_length and (pc.max(lengths).as_py() or 0) <= f.max_length:
        check = dataclasses.replace(check, max_length=None)  # (no more characters than bytes)
    if check.pattern and _scan_proves(check.pattern):
        check = dataclasses.replace(check, pattern=None)
    if not (check.max_length or check.pattern or check.enum or check.type == "number"):
        return True
    if f.name in ENCODED or not every_value:
        distinct = encoded(f.name)[0] if f.name in ENCODED else pc.unique(column)
        return _passes(field_checks(distinct.to_pandas().to_frame(f.name), check))
    if check.max_length or check.enum or check.type == "number":
        return _passes(field_checks(column.to_pandas().to_frame(f.name), check))
    if _is_non_blank(check.pattern):
        column = column.filter(pa.array(~arrowtext.starts_graphic(column)))  # these surely are not blank
    return arrowtext.all_match(column, check.pattern)


def _is_non_blank(pattern: str) -> bool:
    """``pattern`` only asks for no control character (proved by the byte scan) and not blank."""
    match = _NON_BLANK.fullmatch(pattern)
    return bool(match and _scan_proves(f"[^{match['c']}]*"))


def _scan_proves(pattern: str) -> bool:
    """``pattern`` only forbids control characters: a file the byte scan passed meets it."""
    return bool(_ONLY_NO_CONTROLS.fullmatch(pattern))


def _mostly_repeated(column: pa.ChunkedArray) -> bool:
    sample = column.slice(0, SAMPLE_ROWS)
    return len(pc.unique(sample)) * REPEATED < len(sample)


def _dates_ok(encoded: _Encodings) -> bool:
    """``date_checks`` passes: calendar checks on each column's distinct values, then the order
    of every row's date and end date (once both are real dates, padded ISO text compares as
    the dates do)."""
    (dates, date_codes), (ends, end_codes) = encoded("date"), encoded("end_date")
    dates, ends = dates.to_pandas(), ends.to_pandas()
    if not _passes([*calendar_checks(dates, "date"), *calendar_checks(ends, "end_date")]):
        return False
    starts, stops = _days(dates, "date")[date_codes], _days(ends, "end_date")[end_codes]
    return not ((stops < starts) & (stops != NOT_A_DAY) & (starts != NOT_A_DAY)).any()


def _days(values: pd.Series, column: str) -> np.ndarray:
    """Each value's first day (as an integer) where it has a date's shape, else NOT_A_DAY."""
    days = pd.to_datetime(padded_dates(values).where(date_shaped(values, column)), format="%Y-%m-%d")
    return days.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _coordinates_ok(table: pa.Table) -> bool:
    """``coordinate_checks`` passes: lat and lon are both given or both empty on every row."""
    lat, lon = (pc.equal(pc.binary_length(table[name]), 0) for name in ("lat", "lon"))
    return bool(pc.all(pc.equal(lat, lon)).as_py() is not False)


def _sources_ok(table: pa.Table, encoded: _Encodings) -> bool:
    """``source_checks`` passes: where names are given, as many names as URLs. URLs are counted
    by their ``|`` bytes: with the URL pattern (checked too) every ``|`` is a separator."""
    names, codes = encoded("source_name")
    names = names.to_pandas()
    n_names = (names.str.count(r" \| ") + 1).where(names != "", 0).to_numpy()[codes]
    n_urls = np.concatenate([arrowtext.bytes_per_value(chunk, ord("|")) for chunk in table["source_url"].chunks]) + 1
    return bool(((n_names == 0) | (n_urls == n_names)).all())


def _passes(found) -> bool:
    return not any(np.asarray(mask, dtype=bool).any() for mask, *_ in found)
