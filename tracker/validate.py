"""Read events.csv and collect every problem, each as ``path:LINE: column: problem (hint)``."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import schema
from .errors import TrackerError

MAX_FILE_BYTES = int(os.environ.get("TRACKER_MAX_BYTES", 2 * 1024**3))
MAX_PROBLEMS = 200
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where it is, what it is and how to fix it."""

    line: int
    column: str
    message: str
    hint: str = ""

    def format(self, path: str | os.PathLike) -> str:
        where = f"{path}:{self.line}: {self.column}: " if self.column else f"{path}:{self.line}: "
        return where + self.message + (f" ({self.hint})" if self.hint else "")


class ValidationError(TrackerError):
    """The file breaks the events contract; ``problems`` lists every breach found."""

    def __init__(self, path: str | os.PathLike, problems: list[Problem], total: int | None = None):
        self.path = str(path)
        self.problems = problems
        self.total = total if total is not None else len(problems)
        first = problems[0].format(path) if problems else f"{path}: invalid"
        more = f" (+{self.total - 1} more problems)" if self.total > 1 else ""
        super().__init__(first + more)

    def lines(self) -> list[str]:
        """Every problem as one line, then a count of any that were left out."""
        out = [p.format(self.path) for p in self.problems]
        if self.total > len(self.problems):
            out.append(f"{self.path}: … and {self.total - len(self.problems)} more problems")
        return out


def read_raw(path: str | os.PathLike, data: bytes | None = None) -> pd.DataFrame:
    """The file as a frame of strings plus a ``_line`` column; raises ValidationError."""
    path = Path(path)
    if data is None:
        data = read_bytes(path)
    text_problem = _text_problem(data)
    if text_problem:
        raise ValidationError(path, [text_problem])
    header = _header(data)
    header_problems = _header_problems(header)
    if header_problems:
        raise ValidationError(path, header_problems)
    try:
        frame = pd.read_csv(
            io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False,
            encoding="utf-8-sig", skip_blank_lines=True,
        )  # fmt: skip
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(path, _structure_problems(data) or [Problem(1, "", str(exc))]) from None
    frame["_line"] = _record_lines(data, len(frame))
    return frame


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what is missing or far too large."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(path, [Problem(1, "", f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit", "split it, or raise TRACKER_MAX_BYTES")])
        return path.read_bytes()
    except FileNotFoundError:
        raise TrackerError(f"{path}: no such file", "check the path, or set TRACKER_EVENTS") from None
    except IsADirectoryError:
        raise TrackerError(f"{path}: is a folder, not a CSV file", "name the events CSV file") from None
    except PermissionError:
        raise TrackerError(f"{path}: permission denied", "check the file's permissions") from None


def _text_problem(data: bytes) -> Problem | None:
    if not data.strip():
        return Problem(1, "", "file is empty", "start it with the header line: " + ",".join(schema.COLUMNS))
    nul = data.find(b"\x00")
    if nul >= 0:
        return Problem(data.count(b"\n", 0, nul) + 1, "", "file holds binary data (NUL bytes), not CSV text", "save it as UTF-8 CSV")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return Problem(line, "", f"bytes are not UTF-8 (byte {exc.start})", "save the file as UTF-8")
    return None


def _header(data: bytes) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    return next(csv.reader([first]), [])


def _header_problems(header: list[str]) -> list[Problem]:
    missing = [c for c in schema.COLUMNS if c not in header]
    dupes = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(Problem(1, "", "missing columns: " + ", ".join(missing), "the header must name: " + ",".join(schema.COLUMNS)))
    if dupes:
        problems.append(Problem(1, "", "repeated columns: " + ", ".join(dupes), "name each column once"))
    return problems


def _csv_records(data: bytes):
    """(start line, fields) for each record after the header; raises csv.Error with a line."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True)
    next(reader, None)
    start = reader.line_num + 1
    for record in reader:
        if record:
            yield start, record
        start = reader.line_num + 1


def _structure_problems(data: bytes) -> list[Problem]:
    """Precise ragged-row and quoting problems, found with the csv module (slow path only)."""
    width = len(_header(data))
    problems, start = [], 1
    try:
        for start, record in _csv_records(data):
            if len(record) != width:
                problems.append(Problem(start, "", f"row has {len(record)} fields, the header has {width}", "quote any field that holds a comma; give every column, even if empty"))
    except csv.Error as exc:
        problems.append(Problem(start, "", f"broken quoting: {exc}", "close every opening double quote; write a literal quote as two quotes"))
    return problems


def _record_lines(data: bytes, n_records: int) -> list[int] | range:
    """The starting line of each record (fast when no field spans lines)."""
    body = data.split(b"\n", 1)[1] if b"\n" in data else b""
    if body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1) == n_records and b"\n\n" not in body:
        return range(2, n_records + 2)
    return [start for start, _ in _csv_records(data)][:n_records]


def problems_in(frame: pd.DataFrame) -> tuple[list[Problem], int]:
    """Every breach of the contract in a raw frame: (first MAX_PROBLEMS, total count)."""
    found: list[tuple[pd.Series, str, str, str]] = []  # (mask, column, message template, hint)
    for f in schema.fields():
        found.extend(_field_checks(frame, f))
    found.extend(_row_checks(frame))
    problems: list[Problem] = []
    total = 0
    lines = frame["_line"]
    for mask, column, message, hint in found:
        hits = mask[mask].index
        total += len(hits)
        for i in hits[: MAX_PROBLEMS - len(problems)]:
            value = frame.at[i, column] if column in frame else ""
            text = message.format(value=_show(value), other=_other(frame, column, i))
            problems.append(Problem(int(lines[i]), column, text, hint))
    problems.sort(key=lambda p: p.line)
    return problems, total


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _other(frame: pd.DataFrame, column: str, i: int) -> str:
    if column not in frame:
        return ""
    same = frame.index[frame[column] == frame.at[i, column]]
    return str(int(frame["_line"][same[0]]))


def _field_checks(frame: pd.DataFrame, f: schema.Field):
    col = frame[f.name]
    present = col != ""
    hint = f.description
    if f.required:
        yield ~present, f.name, "is required but empty", hint
    if f.max_length:
        yield col.str.len() > f.max_length, f.name, f"is longer than {f.max_length} characters", "shorten it"
    if f.enum:
        yield present & ~col.isin(f.enum), f.name, "{value} is not allowed", "use one of: " + ", ".join(f.enum)
    if f.type == "number":
        number = pd.to_numeric(col.where(present), errors="coerce")
        yield present & number.isna(), f.name, "{value} is not a number", hint
        yield (number < f.minimum) | (number > f.maximum), f.name, "{value} is out of range", hint
    if f.pattern:
        checked = present & (col.str.len() <= (f.max_length or 10**9))
        bad = checked & ~col.str.fullmatch(f.pattern).fillna(False).astype(bool)
        if f.name == "source_url":
            unsafe = col.str.lower().str.contains("|".join(UNSAFE_SCHEMES), regex=True)
            yield bad & unsafe, f.name, "{value} uses a scheme that is never linked", "only http:// and https:// URLs are accepted"
            bad = bad & ~unsafe
        yield bad, f.name, "{value} is not valid", hint
    if f.unique:
        yield present & col.duplicated(keep="first"), f.name, "{value} is used twice (first on line {other})", "give each event its own id"


def padded_dates(col: pd.Series) -> pd.Series:
    """ISO dates at any precision padded to their first day: 2022 -> 2022-01-01."""
    length = col.str.len()
    return col.where(length != 7, col + "-01").where(length != 4, col + "-01-01")


def _row_checks(frame: pd.DataFrame):
    shaped = {}
    for column in ("date", "end_date"):
        col = frame[column]
        shaped[column] = col.str.fullmatch(schema.field(column).pattern).fillna(False).astype(bool)
        real = pd.to_datetime(padded_dates(col).where(shaped[column]), format="%Y-%m-%d", errors="coerce")
        yield shaped[column] & real.isna(), column, "{value} is not a real calendar date", "check the day and month"
    both = shaped["date"] & shaped["end_date"]
    early = both & (padded_dates(frame["end_date"]) < padded_dates(frame["date"]))
    yield early, "end_date", "{value} is before the date", "an end_date must not come before date"
    lat, lon = frame["lat"] != "", frame["lon"] != ""
    yield lat != lon, "lon", "lat and lon must be given together", "give both coordinates or neither"
    names = frame["source_name"]
    n_names = names.str.count(r" \| ") + 1
    n_urls = frame["source_url"].str.count(r" \| ") + 1
    mismatch = (names != "") & (n_names != n_urls)
    yield mismatch, "source_name", "gives a different number of names than source_url has URLs", "give one name per URL, ' | '-separated, or leave source_name empty"
