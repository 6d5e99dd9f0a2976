"""New rows for the events file: their ids, their checks against the file, their sorted places
and their CSV lines. Shared by every writer (``add``, ``import``, ``edit``, ``remove``)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import InvalidRowError, Problem, dates, problems_in, schema
from ..contract.dates import padded_date, padded_dates
from ..errors import TrackerError

NO_DAY = np.iinfo(np.int64).min


def slugify(text: str) -> str:
    """Lowercase ascii words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def make_id(row: dict[str, str], taken) -> str:
    """A new id: the date, then the first words of the title, made unique (``taken`` answers
    ``in``)."""
    base = slugify(row.get("date", "") + " " + " ".join(row.get("title", "").split()[:6]))[:80].strip("-")
    base = base or "event"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


class TakenIds:
    """``id in taken`` over a column of ids, without building a set of a million strings."""

    def __init__(self, ids: pd.Series, more: Iterable[str] = ()):
        self.ids, self.more = ids, set(more)

    def __contains__(self, candidate: str) -> bool:
        return candidate in self.more or bool((self.ids == candidate).any())


def clean_row(row: dict) -> dict[str, str]:
    """``row`` as the contract's columns, every value a stripped string ("" when missing)."""
    return {c: str(row.get(c) or "").strip() for c in schema.COLUMNS}


def option_problems(row: dict[str, str]) -> list[Problem]:
    """What the contract says of one new row on its own, each problem named by its option."""
    unencodable = [c for c, v in row.items() if not v.isascii() and _has_surrogates(v)]
    if unencodable:  # e.g. invalid UTF-8 bytes on the command line
        hint = "the text came as bytes that are not UTF-8; pass UTF-8 text"
        return [Problem(0, f"--{c.replace('_', '-')}", "is not valid UTF-8 text", hint) for c in unencodable]
    one = pd.DataFrame([row], columns=list(schema.COLUMNS), dtype=str)
    one["_line"] = 0
    problems, _ = problems_in(one)
    return [Problem(0, f"--{p.column.replace('_', '-')}", p.message, p.hint) for p in problems]


def check_row(row: dict[str, str]) -> None:
    """Raise InvalidRowError when one new row breaks the contract on its own."""
    problems = option_problems(row)
    if problems:
        raise InvalidRowError(problems)


def refuse_duplicate(path, row: dict[str, str], existing: pd.DataFrame) -> None:
    """Raise when ``existing`` holds an event with ``row``'s id, or with its date and title."""
    hit = duplicate_of(row, existing)
    if hit is not None:
        line, other, column, what = hit
        raise TrackerError(
            f"{path}:{line}: {column}: an event with {what} is already there ({other})",
            "nothing was written; use --id to give a different id, or skip the duplicate",
        )


def duplicate_of(
    row: dict[str, str], existing: pd.DataFrame, skip: int | None = None
) -> tuple[int, str, str, str] | None:
    """(line, id, column, what) of an event of ``existing`` with ``row``'s id or its date and
    title (case aside), the row at position ``skip`` (the one being edited) aside; None when
    there is none."""
    if "start_day" in existing:  # a typed frame: only the rows that start on the same day
        same = existing["start_day"].to_numpy() == first_day(row["date"])
    else:
        same = np.ones(len(existing), dtype=bool)
    same[same] = np.asarray(existing["date"][same] == row["date"], dtype=bool)
    same[same] = np.asarray(existing["title"][same].str.casefold() == row["title"].casefold(), dtype=bool)
    same_id = np.array(existing["id"] == row["id"], dtype=bool)
    if skip is not None:
        same[skip] = same_id[skip] = False
    same_day_title = np.flatnonzero(same)  # (casefold runs per row in Python: on that day only)
    same_id = np.flatnonzero(same_id)
    for hits, column, what in (
        (same_id, "id", "the same id"),
        (same_day_title, "title", "the same date and title"),
    ):
        if len(hits):
            return int(existing["_line"].iloc[hits[0]]), existing["id"].iloc[hits[0]], column, what
    return None


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def csv_line(path, row: dict[str, str], header: list[str], newline: bytes) -> bytes:
    """``row`` as one CSV record in the file's own column order and line ending; refuses a value
    for an (optional) column the file does not have rather than drop it."""
    missing = [c for c in schema.COLUMNS if row.get(c) and c not in header]
    if missing:
        raise TrackerError(
            f"{path}:1: {missing[0]}: the file has no {missing[0]} column, so the value cannot be written",
            f"add {missing[0]} to the header line (and one more empty field to every row), or leave it out",
        )
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline.decode()).writerow([row.get(c, "") for c in header])
    return buf.getvalue().encode("utf-8")


def rows_frame(rows) -> pd.DataFrame:
    """New rows (dicts, or already a frame) as a frame of the contract's columns ("" when missing)."""
    if isinstance(rows, pd.DataFrame):
        return rows
    return pd.DataFrame(
        [[r.get(c) or "" for c in schema.COLUMNS] for r in rows], columns=list(schema.COLUMNS), dtype=str
    )


# Columns whose rules allow no comma, quote or line end (tests/test_import_bulk.py checks it): a
# checked row's value there never needs quotes.
NEVER_QUOTED = frozenset({"id", "date", "end_date", "category", "status", "actors", "lat", "lon", "un_resolutions"})


def csv_lines(path, rows: pd.DataFrame, header: list[str], newline: bytes) -> list[bytes]:
    """Each row of ``rows`` as ``csv_line`` writes it (see ``csv_block``)."""
    block, starts = csv_block(path, rows, header, newline)
    return [bytes(block[a:b]) for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)]


def csv_block(
    path, rows: pd.DataFrame, header: list[str], newline: bytes, order: np.ndarray | None = None
) -> tuple[memoryview, np.ndarray]:
    """Every row of ``rows`` (taken in ``order``, when given) as ``csv_line`` writes it (the
    file's column order and line ending, quoted as the csv module quotes: only fields holding a
    comma, a quote or a newline), back to back, and where each line starts (and the last ends):
    worked out column by column in Arrow's kernels and numpy rather than row by row."""
    if not len(rows):
        return memoryview(b""), np.zeros(1, np.int64)
    for column in schema.COLUMNS:
        if column not in header and column in rows and (rows[column] != "").any():
            csv_line(path, {column: "x"}, header, newline)  # raises its error
    empty = pa.array([""] * len(rows), type=pa.string())
    columns = [arrow_text(rows[c]) if c in rows else empty for c in header]
    if any(_holds(column, _RETURN).any() for column in columns):
        if order is not None:
            columns = [column.take(pa.array(order)) for column in columns]
        # how csv quotes a bare \r depends on the Python version: ask it, row by row
        lines = [
            csv_line(path, dict(zip(header, row, strict=True)), header, newline)
            for row in zip(*[c.to_pylist() for c in columns], strict=True)
        ]
        return memoryview(b"".join(lines)), np.concatenate(([0], np.cumsum([len(line) for line in lines])))
    quoted = [column if name in NEVER_QUOTED else _quoted(column) for name, column in zip(header, columns, strict=True)]
    joined = pc.binary_join_element_wise(*quoted, ",")
    if order is not None:  # (one take of whole lines costs less than one per column)
        joined = joined.take(pa.array(order))
    joined = pc.binary_join_element_wise(joined, newline.decode(), "").cast(pa.binary())
    starts = np.frombuffer(joined.buffers()[1], dtype=np.int32)[joined.offset : joined.offset + len(joined) + 1]
    return memoryview(joined.buffers()[2]), starts.astype(np.int64)


def arrow_text(values: pd.Series) -> pa.Array:
    """A Series of text as an Arrow string array (the one it holds, when it holds one)."""
    array = pa.array(values) if values.dtype == "str" else pa.array(values.astype(str).to_numpy(dtype=object))
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.string()) if array.type != pa.string() else array


_QUOTE_BYTES = (ord(","), ord('"'), ord("\n"))
_RETURN = (ord("\r"),)


def _holds(values: pa.Array, chars: tuple[int, ...]) -> np.ndarray:
    """Which values hold one of the bytes ``chars`` (read from the array's buffers)."""
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset : values.offset + len(values) + 1]
    found = np.zeros(len(values), dtype=bool)
    if values.buffers()[2] is None or offsets[-1] == offsets[0]:
        return found
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    marked = data == chars[0]
    for char in chars[1:]:
        marked |= data == char
    hits = np.flatnonzero(marked) + offsets[0]
    found[np.searchsorted(offsets, hits, side="right") - 1] = True
    return found


def _quoted(values: pa.Array) -> pa.Array:
    quote = _holds(values, _QUOTE_BYTES)
    if not quote.any():
        return values
    escaped = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(pa.array(quote), escaped, values)


def first_day(date: str) -> int:
    """Days since 1970 of the first day of a valid ISO ``date`` (any precision)."""
    return int(dates.first_day(date).astype(np.int64))


def first_days(dates: pd.Series) -> np.ndarray:
    """Days since 1970 of each valid ISO date's first day (worked out once per distinct date)."""
    codes, distinct = pd.factorize(dates.astype(str))
    padded = padded_dates(pd.Series(distinct, dtype=str))
    days = pd.to_datetime(padded, format="%Y-%m-%d").to_numpy().astype("datetime64[D]").astype(np.int64)
    return days[codes] if len(codes) else np.zeros(0, np.int64)


def insert_index(existing: pd.DataFrame, row: dict[str, str], kept: np.ndarray | None = None) -> int:
    """Position of the first record (of those ``kept``) that sorts after ``row`` (by date, then
    id); the count of records if none."""
    if "start_day" in existing:  # a typed frame: its first days as integers, no string work
        days, new_day = existing["start_day"].to_numpy(), first_day(row["date"])
    else:  # padded ISO dates compare as the days do
        days, new_day = padded_dates(existing["date"]).to_numpy(dtype=object), padded_date(row["date"])
    later = np.array(days > new_day, dtype=bool)
    same_day = np.asarray(days == new_day, dtype=bool)
    if same_day.any():  # ids compared on that day only
        later[same_day] = np.asarray(existing["id"][same_day] > row["id"], dtype=bool)
    if kept is not None:
        later &= kept
    return int(later.argmax()) if later.any() else len(existing)
