"""The CSV's text and structure: UTF-8, the header, the records and the line each starts on.

Both the exact path (``exact.py``) and the fast path (``fast.py``) build on these; neither
imports the other.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .problems import MAX_PROBLEMS, Problem, ValidationError


def read_raw(path: str | os.PathLike, data: bytes) -> pd.DataFrame:
    """``data`` (the bytes of ``path``) as a frame of strings plus each record's ``_line``;
    raises ValidationError when it is not UTF-8 CSV text with the contract's header."""
    path = Path(path)
    problem = text_problem(data)
    if problem:
        raise ValidationError(path, [problem])
    header = header_of(data)
    problems = header_problems(header)
    if problems:
        raise ValidationError(path, problems)
    try:
        frame = with_optional_columns(read_strings(data))
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(path, _structure_problems(data) or [Problem(1, "", str(exc))]) from None
    frame["_line"] = record_lines(data, len(frame), path)
    return frame


def read_records(path: str | os.PathLike, data: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    """Any CSV text (whatever its header) as a frame of strings, and the line each record starts
    on; ValidationError naming the line of a ragged or badly quoted record."""
    try:
        frame = read_strings(data)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(path, _structure_problems(data) or [Problem(1, "", str(exc))]) from None
    return frame, record_lines(data, len(frame), Path(path))


def with_optional_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every optional column its file lacks, empty (so every reader sees every
    column of the contract)."""
    for name in schema.COLUMNS:
        if name not in frame:
            frame[name] = pd.Series("", index=frame.index, dtype=frame["id"].dtype)
    return frame


CSV_OPTIONS = dict(keep_default_na=False, na_filter=False, encoding="utf-8-sig", skip_blank_lines=True)


def read_strings(data: bytes) -> pd.DataFrame:
    """Every field as its exact text, as ``read_csv(dtype=str)`` gives it, but faster.

    Inferring types is several times faster than ``dtype=str``; only columns the parser made
    numeric or boolean are read again as text (exact, e.g. "1.50" stays "1.50").
    """
    frame = pd.read_csv(io.BytesIO(data), **CSV_OPTIONS)
    converted = [i for i, t in enumerate(frame.dtypes) if not isinstance(t, pd.StringDtype)]
    if not frame.index.equals(pd.RangeIndex(len(frame))):  # the parser took a column as index
        return pd.read_csv(io.BytesIO(data), dtype=str, **CSV_OPTIONS)
    if converted:
        text = pd.read_csv(io.BytesIO(data), usecols=converted, dtype=str, **CSV_OPTIONS)
        for i, name in zip(converted, text.columns, strict=True):
            frame[frame.columns[i]] = text[name]
    return frame


def text_problem(data: bytes) -> Problem | None:
    if not data or data.isspace():  # (not data.strip(): that copies the whole file)
        return Problem(1, "", "file is empty", "start it with the header line: " + ",".join(schema.COLUMNS))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem(1, "", "file is UTF-16 text, not UTF-8", "save it as UTF-8 CSV")
    nul = data.find(b"\x00")
    if nul >= 0:
        return Problem(
            data.count(b"\n", 0, nul) + 1,
            "",
            "file holds binary data (NUL bytes), not CSV text",
            "save it as UTF-8 CSV",
        )
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return Problem(
                line,
                "",
                f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8 text",
                "save the file as UTF-8",
            )
    return None


def header_of(data: bytes) -> list[str]:
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8-sig").rstrip("\r")  # no whole-file copy
    try:
        return next(csv.reader([first]), [])
    except csv.Error:  # a lone \r (old Mac line ends) inside the first line
        return next(csv.reader([first.split("\r", 1)[0]]), [])


def header_problems(header: list[str]) -> list[Problem]:
    missing = [c for c in schema.HEADER_COLUMNS if c not in header]
    dupes = sorted({c for c in header if c and header.count(c) > 1})
    problems = []
    if missing:
        problems.append(
            Problem(
                1,
                "",
                "missing columns: " + ", ".join(missing),
                "the header must name: " + ",".join(schema.HEADER_COLUMNS),
            )
        )
    if dupes:
        problems.append(Problem(1, "", "repeated columns: " + ", ".join(dupes), "name each column once"))
    return problems


def _structure_problems(data: bytes) -> list[Problem]:
    """Precise ragged-row and quoting problems, found with the csv module (slow path only)."""
    width = len(header_of(data))
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="\n"), strict=True)
    problems, start = [], 1
    try:
        for record in reader:
            if start > 1 and record and len(record) != width:
                problems.append(_ragged(start, len(record), width))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(_quoting_problem(start, str(exc)))
    return problems


def _ragged(line: int, n_fields: int, width: int) -> Problem:
    return Problem(
        line,
        "",
        f"row has {n_fields} fields, the header has {width}",
        "quote any field that holds a comma; give every column, even if empty",
    )


def _quoting_problem(line: int, error: str) -> Problem:
    hint = "close every opening double quote; write a literal quote as two quotes"
    if "unexpected end of data" in error:
        return Problem(line, "", "a quoted field that starts in this row is never closed", hint)
    if "new-line character seen in unquoted field" in error:
        return Problem(
            line,
            "",
            "a bare carriage return (\\r) ends a line",
            "save the file with \\n or \\r\\n line ends",
        )
    return Problem(line, "", f"broken quoting: {error}", hint)


# Bytes scanned at a time for one byte value: a whole file's worth of booleans at once is a fresh
# allocation as large as the file, and faulting its pages in costs more than the scan itself.
SCAN_BYTES = 1 << 22


def byte_positions(data, byte: bytes) -> np.ndarray:
    """Offsets of every occurrence of the one ``byte`` in ``data`` (bytes or a buffer), ascending."""
    raw, value = np.frombuffer(data, dtype=np.uint8), ord(byte)
    found = [np.flatnonzero(raw[at : at + SCAN_BYTES] == value) + at for at in range(0, len(raw), SCAN_BYTES)]
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def _record_layout(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(physical start line, field count) of every non-blank record, the header first; and the
    lines holding a stray double quote (inside an unquoted field or right after a closing one).

    Vectorised: a comma or newline separates only outside quotes, i.e. after an even number of
    double quotes (an escaped quote \"\" adds two), so quote parity finds the record structure.
    Works on the positions of quotes, newlines and commas (never a per-byte state array).
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes, newlines = byte_positions(data, b'"'), byte_positions(data, b"\n")
    ends = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]  # even quotes before: outside
    if len(raw) and not (len(ends) and ends[-1] == len(raw) - 1):
        ends = np.append(ends, len(raw))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (raw[np.minimum(starts, len(raw) - 1)] == ord("\r")))
    counts = _commas_outside(raw, starts, ends, quotes) + 1
    lines = np.searchsorted(newlines, starts) + 1
    stray = np.searchsorted(newlines, _stray_quotes(raw, quotes)) + 1
    return lines[~blank], counts[~blank], stray


def _commas_outside(raw: np.ndarray, starts: np.ndarray, ends: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """Commas outside double quotes in each record [start, end)."""
    commas = np.flatnonzero(raw == ord(","))
    per_record = np.searchsorted(commas, ends) - np.searchsorted(commas, starts)
    opening = quotes[0::2]
    closing = np.append(quotes[1::2], len(raw))[: len(opening)]  # an unclosed quote runs to the end
    quoted = np.searchsorted(commas, closing) - np.searchsorted(commas, opening)
    inside = np.bincount(np.searchsorted(ends, opening), weights=quoted, minlength=len(ends))
    return per_record - inside[: len(ends)].astype(np.int64)


def _stray_quotes(raw: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """Positions of quotes that open mid-field or close before more text (RFC 4180 forbids both)."""
    opening, closing = quotes[0::2], quotes[1::2]  # by parity: the 1st, 3rd, ... quote opens
    bad_open = opening[opens_mid_field(raw, opening)]
    bad_close = closing[closes_mid_field(raw, closing)]
    return np.sort(np.concatenate((bad_open, bad_close)))


def opens_mid_field(raw: np.ndarray, opening: np.ndarray) -> np.ndarray:
    """Which opening quotes follow something other than a field's start (``,`` ``\n`` ``"``)."""
    before = raw[np.maximum(opening - 1, 0)]
    return (opening > 0) & (before != ord(",")) & (before != ord("\n")) & (before != ord('"'))


def closes_mid_field(raw: np.ndarray, closing: np.ndarray) -> np.ndarray:
    """Which closing quotes come before something other than a field's end (``,`` ``\r`` ``\n`` ``"``)."""
    after = raw[np.minimum(closing + 1, len(raw) - 1)]
    ends = (after == ord(",")) | (after == ord("\r")) | (after == ord("\n")) | (after == ord('"'))
    return (closing + 1 < len(raw)) & ~ends


def record_lines(data: bytes, n_records: int, path: Path) -> np.ndarray:
    """The physical line where each record after the header starts; refuses ragged rows."""
    lines, counts, stray = _record_layout(data)
    if len(stray):
        hint = "put the whole field in double quotes and write each literal quote as two quotes"
        # only the first: after a stray quote, quote parity (and so every later guess) is off
        raise ValidationError(path, [Problem(int(stray[0]), "", "a double quote in the middle of a field", hint)])
    width = len(header_of(data))
    if len(lines) - 1 != n_records:
        raise ValidationError(
            path,
            _structure_problems(data)
            or [
                Problem(
                    1,
                    "",
                    "the rows cannot be told apart",
                    "save the file as plain UTF-8 CSV with \\n or \\r\\n line ends",
                )
            ],
        )
    ragged = np.flatnonzero(counts[1:] != width) + 1
    if len(ragged):
        raise ValidationError(
            path,
            [_ragged(int(lines[i]), int(counts[i]), width) for i in ragged[:MAX_PROBLEMS]],
            len(ragged),
        )
    return lines[1:]
