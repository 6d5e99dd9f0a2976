"""Reading an input file into text cells: CSV (pyarrow, with the contract's exact CSV checks for
a file it refuses) and spreadsheets, XLSX and ODS (python-calamine; openpyxl for an XLSX that
calamine cannot read), on this machine or at an http(s) address (``remote``). Every cell becomes
stripped text; each row keeps its line in the file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..contract import Problem, ValidationError
from ..contract.csvtext import header_of, read_records, record_lines, text_problem
from ..errors import TrackerError
from .remote import fetch, is_url, saved

SPREADSHEETS = (".xlsx", ".xlsm", ".ods")
Stage = Callable[[str, int], Callable[[int], None]]  # (what, how many steps) -> told of steps done


@dataclass(frozen=True)
class Table:
    """An input file's rows: ``frame`` holds their columns as stripped text, ``lines`` each row's
    line in the file (the sheet's row number for a spreadsheet); ``reader`` says what read it.
    ``path``: the file, or the address it came from."""

    path: Path | str
    frame: pd.DataFrame
    lines: np.ndarray
    reader: str


def read_source(source: str | os.PathLike, stage: Stage | None = None) -> Table:
    """The rows of ``source``: a file on this machine (``read_table``) or an http(s) address."""
    return read_url(source, stage) if is_url(source) else read_table(Path(source), stage)


def read_url(url: str, stage: Stage | None = None) -> Table:
    """The rows of the CSV or spreadsheet at ``url``, fetched once; problems name ``url``."""
    data, suffix, address = fetch(url)
    if suffix == ".csv":
        table = _read_csv(url, data)
    else:
        with tempfile.TemporaryDirectory(prefix="tracker-import-") as folder:
            table = _read_sheet(saved(data, suffix, folder), stage, name=url)
    via = f", from {address}" if address != url else ""
    return _drop_empty(dataclasses.replace(table, reader=table.reader + via))


def read_table(path: Path, stage: Stage | None = None) -> Table:
    """The rows of the CSV or spreadsheet at ``path``; a TrackerError or ValidationError naming
    the file (and line) when it cannot be read. Rows with no text in any cell are left out."""
    if not path.exists():
        raise TrackerError(f"{path}: no such file", "check the path of the file to import")
    try:
        if path.suffix.lower() in SPREADSHEETS:
            return _drop_empty(_read_sheet(path, stage))
        data = path.read_bytes()
    except FileNotFoundError:
        raise TrackerError(f"{path}: no such file", "check the path of the file to import") from None
    except IsADirectoryError:
        raise TrackerError(f"{path}: is a folder", "name the CSV or spreadsheet to import") from None
    except PermissionError:
        raise TrackerError(f"{path}: permission denied", "check the file's permissions") from None
    return _drop_empty(_read_csv(path, data))


# ---------------------------------------------------------------- CSV


def _read_csv(path: Path | str, data: bytes) -> Table:
    problem = text_problem(data)
    if problem:
        raise ValidationError(path, [problem])
    header = header_of(data)
    _check_header(path, header)
    lines_in_file = data.count(b"\n") + (not data.endswith(b"\n"))
    try:
        frame = _parsed(data, header, lines_in_file)
    except (pa.ArrowInvalid, ValueError):  # ragged rows, broken quoting: the exact reader words it
        frame, lines = read_records(path, data)
        return Table(path, _stripped(frame), lines, "pandas")
    if lines_in_file == len(frame) + 1:  # every record is one line (each takes at least one)
        lines = np.arange(2, len(frame) + 2, dtype=np.int64)
    else:  # records over several lines, or blank lines: found from the quotes
        lines = record_lines(data, len(frame), path)
    return Table(path, frame, lines, "pyarrow")


def _parsed(data: bytes, header: list[str], lines_in_file: int) -> pd.DataFrame:
    """Every record of ``data`` as text. First read as if no value held a line end, which lets
    Arrow split the file anywhere and parse the parts in parallel; that reading stands only when
    it found a record on every line (a value over two lines would have split a record, or
    failed), else the file is read again, quotes and all. Names and values come stripped."""
    convert = pcsv.ConvertOptions(column_types={name: pa.string() for name in header}, strings_can_be_null=False)
    try:
        one_per_line = pcsv.read_csv(
            pa.py_buffer(data), parse_options=pcsv.ParseOptions(newlines_in_values=False), convert_options=convert
        )
        if one_per_line.num_rows + 1 == lines_in_file:
            return _stripped_table(one_per_line)
    except pa.ArrowInvalid:
        pass
    parsed = pcsv.read_csv(
        pa.py_buffer(data), parse_options=pcsv.ParseOptions(newlines_in_values=True), convert_options=convert
    )
    return _stripped_table(parsed)


def _stripped_table(table: pa.Table) -> pd.DataFrame:
    """``_stripped``, done in Arrow before the table becomes a frame."""
    columns = [pc.utf8_trim_whitespace(column) for column in table.columns]
    return pa.table(columns, names=[str(name).strip() for name in table.column_names]).to_pandas()


def _check_header(path: Path | str, header: list[str]) -> None:
    names = [name.strip() for name in header]
    if "" in names:
        column = names.index("") + 1
        raise ValidationError(path, [Problem(1, "", f"column {column} has no name", "name every column in line 1")])
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(path, [Problem(1, "", "repeated columns: " + ", ".join(repeated), "name each once")])


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(name).strip() for name in frame.columns]
    return pd.DataFrame({name: frame[name].astype(str).str.strip() for name in frame.columns})


def _drop_empty(table: Table) -> Table:
    """``table`` without the rows whose every cell is empty (spreadsheets keep many)."""
    frame = table.frame
    if not len(frame.columns):
        return table
    filled = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        filled |= (frame[name] != "").to_numpy()
    if filled.all():
        return table
    return Table(table.path, frame[filled].reset_index(drop=True), table.lines[filled], table.reader)


# ---------------------------------------------------------------- spreadsheets


def _read_sheet(path: Path, stage: Stage | None, name: str = "") -> Table:
    """The first sheet, read by python-calamine (fast, XLSX and ODS); an XLSX it cannot read is
    read by openpyxl, and ``reader`` says so. Problems name ``name`` (else ``path``)."""
    name = name or str(path)
    try:
        rows, first_line = _calamine_rows(path)
        reader = "python-calamine"
    except Exception as exc:  # noqa: BLE001 - calamine raises its own error types, and more
        if path.suffix.lower() == ".ods":
            raise TrackerError(
                f"{name}: cannot be read as a spreadsheet ({exc})", "save it again as .ods or .xlsx"
            ) from None
        rows, first_line = _openpyxl_rows(path, name)
        reader = f"openpyxl (python-calamine could not read it: {str(exc).splitlines()[0][:120]})"
    return _sheet_table(name, rows, first_line, reader, stage)


def _calamine_rows(path: Path) -> tuple[list[list], int]:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return sheet.to_python(), sheet.start[0] + 1 if sheet.start else 1


def _openpyxl_rows(path: Path, name: str) -> tuple[list[list], int]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise TrackerError(f"{name}: cannot be read as a spreadsheet ({exc})", "save it again as .xlsx") from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)], 1
    finally:
        book.close()


def _sheet_table(path: Path | str, rows: list[list], first_line: int, reader: str, stage: Stage | None) -> Table:
    if not rows:
        raise TrackerError(f"{path}: the first sheet is empty", "put the header in row 1 and one event per row")
    header = [cell_text(cell) for cell in rows[0]]
    while header and header[-1] == "":
        header.pop()
    _check_header(path, header)
    width = len(header)
    columns: list[list[str]] = [[] for _ in header]
    progress = stage("reading rows", len(rows) - 1) if stage else lambda n: None
    for done, row in enumerate(rows[1:], 1):
        cells = list(row[:width]) + [None] * (width - len(row))
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell_text(cell))
        if done % 5000 == 0:
            progress(5000)
    progress((len(rows) - 1) % 5000)
    frame = pd.DataFrame({name: pd.Series(values, dtype=str) for name, values in zip(header, columns, strict=True)})
    lines = np.arange(first_line + 1, first_line + len(rows), dtype=np.int64)
    return Table(path, frame, lines, reader)


def cell_text(cell: object) -> str:
    """A spreadsheet cell as the text a person sees: whole numbers without ``.0``, dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()
