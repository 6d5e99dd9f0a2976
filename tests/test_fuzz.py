"""Hostile and broken input: any bytes, any field values, any `tracker add` options (issue 6).

Every outcome is either a valid file or a clean refusal: a ValidationError/TrackerError in the
library, exit 1 or 2 with a message (never a traceback) in the CLI, and nothing written.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tracker.cli import main
from tracker.contract import ValidationError, schema
from tracker.errors import TrackerError
from tracker.storage import load_events

pytestmark = pytest.mark.slow

SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "events.csv"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = ",".join(schema.HEADER_COLUMNS)
VALID_ROW = {
    "id": "2024-01-02-fuzz-base",
    "date": "2024-01-02",
    "end_date": "",
    "title": "Base event",
    "description": "",
    "category": "military",
    "status": "reported",
    "actors": "RUS;PRK",
    "location": "Kharkiv",
    "lat": "49.99",
    "lon": "36.23",
    "un_resolutions": "1718",
    "source_name": "Example",
    "source_url": "https://example.org/a",
}
NASTY = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    '"',
    '""',
    ",",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\u2028",
    "\ufeff",
    "\udcff",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:x",
    "data:text/html,<b>",
    "vbscript:msgbox",
    "file:///etc/passwd",
    "https://",
    "http://x y",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "+1",
    "-1",
    "@SUM(A1)",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "1e-400",
    "-0",
    "0x10",
    "90.0000001",
    "-180",
    "２０２４",
    "2024-02-30",
    "2024-13",
    "0000",
    "0001",
    "9999-12-31",
    "1677-01-01",
    "2262",
    "12/11/2024",
    "Nov",
    "Januari",
    "2 Januari 2024",
    "1718;",
    ";",
    "a" * 301,
    "x" * 5000,
    "RUS;;PRK",
    "é",
    "😀",
    "\u202e",
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=60), st.text(st.characters(codec="utf-8"), max_size=20))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=schema.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8", "surrogateescape"))


def load_or_refusal(path: Path) -> pd.DataFrame | TrackerError:
    """The loaded frame, or the clean refusal; any other exception fails the test."""
    try:
        return load_events(path, cache=False)
    except TrackerError as exc:
        assert str(exc).startswith(f"{path}"), str(exc)
        return exc


def assert_clean_cli(result, path: Path, codes: tuple[int, ...]) -> None:
    assert "Traceback" not in result.output
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


# ---------------------------------------------------------------- the validator

mutated_file = st.tuples(st.integers(0, 3000), st.binary(max_size=30), st.integers(0, 30))
any_bytes = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=500).map(lambda b: HEADER.encode() + b"\n" + b),
    st.text(st.sampled_from(list(',"\r\n\t x;|-:0129aé\x00\ufeff')), max_size=500).map(
        lambda t: (HEADER + "\n" + t).encode("utf-8")
    ),
    mutated_file.map(
        lambda m: SHIPPED_CSV.read_bytes()[:4000][: m[0]] + m[1] + SHIPPED_CSV.read_bytes()[:4000][m[0] + m[2] :]
    ),
)


@FUZZ
@given(data=any_bytes)
@example(data=b"\r\x01")  # a lone CR in the header once crashed the header parser
def test_any_bytes_load_or_are_refused_with_file_and_line(workdir: Path, data: bytes):
    path = workdir / "events.csv"
    path.write_bytes(data)
    outcome = load_or_refusal(path)
    event(type(outcome).__name__)
    if isinstance(outcome, ValidationError):
        assert outcome.problems and all(p.line >= 1 for p in outcome.problems)
        assert all(line.startswith(f"{path}:") for line in outcome.lines())
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert_clean_cli(result, path, (0,) if isinstance(outcome, pd.DataFrame) else (1,))


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(schema.COLUMNS), values, min_size=1, max_size=4))
def test_any_field_values_load_exactly_or_are_refused_on_their_line(workdir: Path, changes):
    path = workdir / "events.csv"
    other = dict(VALID_ROW, id="2023-01-01-other", date="2023-01-01", title="Other")
    write_rows(path, [other, dict(VALID_ROW, **changes)])
    outcome = load_or_refusal(path)
    event(type(outcome).__name__)
    if isinstance(outcome, pd.DataFrame):
        assert len(outcome) == 2
        loaded = outcome.iloc[1]
        for column, value in changes.items():
            if column in ("lat", "lon") and value == "":
                assert pd.isna(loaded[column])
            elif column in ("lat", "lon"):
                assert loaded[column] == pd.to_numeric(value)
            else:
                assert loaded[column] == value
    elif isinstance(outcome, ValidationError):
        assert all(p.line >= 3 for p in outcome.problems), outcome.lines()
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert_clean_cli(result, path, (0,) if isinstance(outcome, pd.DataFrame) else (1,))


# ---------------------------------------------------------------- tracker add

ADD_OPTIONS = (
    "date",
    "end-date",
    "title",
    "description",
    "category",
    "status",
    "actors",
    "location",
    "lat",
    "lon",
    "un-resolutions",
    "source-url",
    "source-name",
    "id",
)
VALID_ADD = {
    "date": "2 Januari 2024",
    "title": "Fuzzed event",
    "category": "energy",
    "status": "alleged",
    "source-url": "https://example.org/fuzz",
}
add_changes = st.dictionaries(st.sampled_from(ADD_OPTIONS), st.none() | values, max_size=5)


@FUZZ
@given(changes=add_changes)
@example(changes={"title": "bad \udcff bytes"})  # once a UnicodeEncodeError traceback
@example(changes={"date": "9999-12-31"})  # once written, then every load failed
def test_add_with_any_options_writes_one_valid_row_or_nothing(workdir: Path, changes):
    path = workdir / "events.csv"
    shutil.copyfile(SHIPPED_CSV, path)
    before = path.read_bytes()
    options = {k: v for k, v in dict(VALID_ADD, **changes).items() if v is not None}
    args = ["add", "--csv", str(path)] + [a for k, v in options.items() for a in (f"--{k}", v)]
    result = CliRunner().invoke(main, args)
    assert_clean_cli(result, path, (0, 1, 2))
    event(f"exit {result.exit_code}")
    if result.exit_code:
        assert path.read_bytes() == before
        assert result.output.startswith(("Usage:", "Error:")), result.output
        return
    new_id = result.stdout.strip()
    old, new = load_events(SHIPPED_CSV), load_events(path)
    assert len(new) == len(old) + 1
    assert set(new["id"]) == set(old["id"]) | {new_id}
    kept = new[new["id"] != new_id][list(schema.COLUMNS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, old[list(schema.COLUMNS)])
    added = new[new["id"] == new_id].iloc[0]
    assert added["title"] == options["title"].strip()


# ---------------------------------------------------------------- limits, with their exact messages

ADD_BASE = ["--date", "2024", "--category", "energy", "--status", "alleged"]
USAGE = "Usage: main add [OPTIONS]\nTry 'main add --help' for help.\n\nError: "
NOT_LINKED = "uses a scheme that is never linked (only http:// and https:// URLs are accepted)"


def add_refused(path: Path, *extra: str) -> str:
    """Run `tracker add` that must be refused as misuse; the file is unchanged; the message."""
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["add", "--csv", str(path), *ADD_BASE, *extra])
    assert result.exit_code == 2, result.output
    assert path.read_bytes() == before
    assert result.output.startswith(USAGE)
    return result.output[len(USAGE) :]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--title", "x" * 1_000_000],
            "--title: is 1000000 characters long, over the limit of 300 (shorten it)",
        ),
        (
            ["--title", "ok", "--description", "d" * 20_001],
            "--description: is 20001 characters long, over the limit of 20000 (shorten it)",
        ),
        (
            ["--title", "a\x1b[31mred"],
            "--title: 'a\\x1b[31mred' is not valid (One line, not blank, no control characters.)",
        ),
        (
            ["--title", "two\nlines"],
            "--title: 'two\\nlines' is not valid (One line, not blank, no control characters.)",
        ),
        (
            ["--title", "ok", "--location", "Kyiv\rOdesa"],
            "--location: 'Kyiv\\rOdesa' is not valid (Optional place name, one line.)",
        ),
        (
            ["--title", "ok", "--source-name", "a\tb"],
            "--source-name: 'a\\tb' is not valid (Optional names of the sources, ' | '-separated, in the same order as source_url.)",
        ),
        (
            ["--title", "bad \udcff bytes"],
            "--title: is not valid UTF-8 text (the text came as bytes that are not UTF-8; pass UTF-8 text)",
        ),
    ],
)
def test_add_refuses_oversized_and_control_characters(events_csv: Path, extra, message):
    args = extra if "--source-url" in extra else [*extra, "--source-url", "https://example.org/x"]
    assert add_refused(events_csv, *args) == message + "\n"


@pytest.mark.parametrize(
    ("urls", "shown"),
    [
        (["javascript:alert(1)"], "'javascript:alert(1)'"),
        (["JavaScript:alert(document.domain)"], "'JavaScript:alert(document.domain)'"),
        (
            ["data:text/html,<script>alert(1)</script>"],
            "'data:text/html,<script>alert(1)</script>'",
        ),
        (["vbscript:msgbox(1)"], "'vbscript:msgbox(1)'"),
        (
            ["https://example.org/a", "data:image/svg+xml,x"],
            "'https://example.org/a | data:image/sv...'",
        ),
    ],
)
def test_add_refuses_script_and_data_urls(events_csv: Path, urls, shown):
    args = ["--title", "Linked"] + [a for u in urls for a in ("--source-url", u)]
    assert add_refused(events_csv, *args) == f"--source-url: {shown} {NOT_LINKED}\n"


def validate_output(path: Path, code: int = 1) -> str:
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert_clean_cli(result, path, (code,))
    return result.output


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "title",
            "t" * 1_000_000,
            "title: is 1000000 characters long, over the limit of 300 (shorten it)",
        ),
        (
            "title",
            "bell\x07",
            "title: 'bell\\x07' is not valid (One line, not blank, no control characters.)",
        ),
        (
            "location",
            "Kyiv\nOdesa",
            "location: 'Kyiv\\nOdesa' is not valid (Optional place name, one line.)",
        ),
        ("source_url", "javascript:alert(1)", f"source_url: 'javascript:alert(1)' {NOT_LINKED}"),
        ("source_url", "data:text/html,hi", f"source_url: 'data:text/html,hi' {NOT_LINKED}"),
        ("source_url", "VBScript:x", f"source_url: 'VBScript:x' {NOT_LINKED}"),
        (
            "date",
            "0001-01-01",
            "date: '0001-01-01' is outside the years 1678-2261 the tracker handles (check the year)",
        ),
        (
            "end_date",
            "9999",
            "end_date: '9999' is outside the years 1678-2261 the tracker handles (check the year)",
        ),
    ],
)
def test_validate_refuses_hostile_fields_in_the_file(tmp_path: Path, column, value, message):
    path = tmp_path / "events.csv"
    write_rows(path, [dict(VALID_ROW, **{column: value})])
    assert validate_output(path) == (
        f"{path}:2: {message}\n"
        f"Error: 1 problem in {path}; nothing was written (fix it and run `tracker validate` again)\n"
    )


def test_file_over_max_bytes_is_refused_before_reading(events_csv: Path, monkeypatch):
    from tracker.storage import filebytes

    monkeypatch.setattr(filebytes, "MAX_FILE_BYTES", 10_000)
    size = events_csv.stat().st_size
    assert validate_output(events_csv) == (
        f"{events_csv}:1: file is {size:,} bytes, over the 10,000-byte limit "
        "(split it, or raise TRACKER_MAX_BYTES)\n"
        f"Error: 1 problem in {events_csv}; nothing was written (fix it and run `tracker validate` again)\n"
    )
    before = events_csv.read_bytes()
    result = CliRunner().invoke(
        main,
        [
            "add",
            "--csv",
            str(events_csv),
            *ADD_BASE,
            "--title",
            "t",
            "--source-url",
            "https://example.org/t",
        ],
    )
    assert result.exit_code == 1
    assert "over the 10,000-byte limit" in result.output
    assert events_csv.read_bytes() == before
