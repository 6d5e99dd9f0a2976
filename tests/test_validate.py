"""Validation: every kind of bad file exits 1 with ``PATH:LINE: column: problem (hint)``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import main
from tracker.contract import Problem, ValidationError, schema
from tracker.contract.problems import MAX_PROBLEMS
from tracker.storage import load_events

INVALID = Path(__file__).parent / "data" / "invalid"
EXPECTED: dict[str, str] = json.loads((INVALID / "expected.json").read_text(encoding="utf-8"))
HEADER = ",".join(schema.HEADER_COLUMNS)
GOOD_ROW = (
    "2022-02-24-invasion,2022-02-24,,Russia invades Ukraine,,military,confirmed,RUS;UKR,Kyiv,"
    "50.45,30.52,,Reuters,https://example.org/a"
)


def validate(path: str | Path) -> tuple[int, list[str], str]:
    """Run ``tracker validate PATH``: (exit code, stderr lines, whole output)."""
    result = CliRunner().invoke(main, ["validate", str(path)], catch_exceptions=False)
    return result.exit_code, result.stderr.splitlines(), result.output


def row(**values: str) -> str:
    """A valid CSV row of the contract with some columns replaced (no quoting needed)."""
    base = dict(zip(schema.HEADER_COLUMNS, GOOD_ROW.split(","), strict=True))
    base.update(values)
    return ",".join(base[c] for c in schema.HEADER_COLUMNS)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_the_folder_holds_one_expected_message_per_file():
    assert sorted(p.name for p in INVALID.glob("*.csv")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 23


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_invalid_file_exits_1_with_its_message(name, monkeypatch):
    monkeypatch.chdir(INVALID)
    code, lines, output = validate(name)
    assert code == 1
    assert lines[0] == EXPECTED[name]
    assert lines[-1].startswith("Error: 1 problem in " + name + "; nothing was written")
    assert "Traceback" not in output


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_load_events_refuses_each_invalid_file(name, monkeypatch):
    monkeypatch.chdir(INVALID)
    with pytest.raises(ValidationError) as info:
        load_events(name)
    assert info.value.lines()[0] == EXPECTED[name]


def test_every_problem_is_reported_with_its_physical_line(tmp_path):
    text = (
        "\n".join(
            [
                HEADER,
                row(),  # line 2
                row(id="2023-multi", date="2023", description='"one\nline two\n\nfour"'),  # lines 3-6
                row(id="2023-bad", date="2023-02-30", status="rumoured"),  # line 7
                row(id="2023-multi", date="2024", source_url="javascript:alert(1)"),  # line 8
                row(id="2023-coords", date="2024", lat="95", lon="x"),  # line 9
            ]
        )
        + "\n"
    )
    code, lines, _ = validate(write(tmp_path, "several.csv", text))
    p = str(tmp_path / "several.csv")
    assert code == 1
    assert lines == [
        f"{p}:7: date: '2023-02-30' is not a real calendar date (check the day and month)",
        f"{p}:7: status: 'rumoured' is not allowed (use one of: confirmed, reported, alleged, denied)",
        f"{p}:8: id: '2023-multi' is used twice (first on line 3) (give each event its own id)",
        f"{p}:8: source_url: 'javascript:alert(1)' uses a scheme that is never linked"
        " (only http:// and https:// URLs are accepted)",
        f"{p}:9: lat: '95' is out of range (Optional decimal degrees in [-90, 90]; give lon too.)",
        f"{p}:9: lon: 'x' is not a number (Optional decimal degrees in [-180, 180]; give lat too.)",
        f"Error: 6 problems in {p}; nothing was written (fix them and run `tracker validate` again)",
    ]


def test_crlf_multiline_file_counts_physical_lines(tmp_path):
    text = "\r\n".join([HEADER, row(), row(id="b", description='"x\r\ny"'), row(id="c", date="2023-13")])
    code, lines, _ = validate(write(tmp_path, "crlf.csv", text + "\r\n"))
    assert code == 1
    assert lines[0].startswith(f"{tmp_path / 'crlf.csv'}:5: date: '2023-13' is not valid")


def test_ragged_rows_after_a_multiline_field_name_their_start_line(tmp_path):
    short = row(id="y").rsplit(",", 2)[0]
    text = "\n".join([HEADER, row(description='"a\nb"'), row(id="x") + ",extra", short])
    code, lines, _ = validate(write(tmp_path, "ragged.csv", text + "\n"))
    p = tmp_path / "ragged.csv"
    hint = "(quote any field that holds a comma; give every column, even if empty)"
    assert code == 1
    assert lines[:2] == [
        f"{p}:4: row has 15 fields, the header has 14 {hint}",
        f"{p}:5: row has 12 fields, the header has 14 {hint}",
    ]


def test_short_row_is_refused_even_when_the_parser_pads_it(tmp_path):
    text = "\n".join([HEADER, row(), row(id="b").rsplit(",", 1)[0]])
    code, lines, _ = validate(write(tmp_path, "short.csv", text + "\n"))
    assert code == 1
    assert lines[0] == (
        f"{tmp_path / 'short.csv'}:3: row has 13 fields, the header has 14 "
        "(quote any field that holds a comma; give every column, even if empty)"
    )


@pytest.mark.parametrize("field", ['"a"b', 'a"b'])
def test_stray_quote_is_refused_not_silently_dropped(tmp_path, field):
    text = "\n".join([HEADER, row(), row(id="b", title=field)])
    code, lines, _ = validate(write(tmp_path, "stray.csv", text + "\n"))
    assert code == 1
    assert lines[0] == (
        f"{tmp_path / 'stray.csv'}:3: a double quote in the middle of a field "
        "(put the whole field in double quotes and write each literal quote as two quotes)"
    )


def test_escaped_quotes_and_commas_in_quoted_fields_are_fine(tmp_path):
    text = "\n".join([HEADER, row(title='"Say ""no"", twice"', description='""')])
    path = write(tmp_path, "quotes.csv", text + "\n")
    assert load_events(path)["title"].tolist() == ['Say "no", twice']


def test_a_folder_is_refused_cleanly(tmp_path):
    (tmp_path / "events.csv").mkdir()
    code, lines, output = validate(tmp_path / "events.csv")
    assert code == 1
    assert lines == [f"Error: {tmp_path / 'events.csv'}: is a folder, not a CSV file (name the events CSV file)"]
    assert "Traceback" not in output


def test_a_missing_file_is_refused_cleanly(tmp_path):
    code, lines, _ = validate(tmp_path / "nope.csv")
    assert code == 1
    assert lines == [f"Error: {tmp_path / 'nope.csv'}: no such file (check the path, or set TRACKER_EVENTS)"]


@pytest.mark.parametrize("content", [HEADER, HEADER + "\n", HEADER + "\r\n", "\ufeff" + HEADER + "\n"])
def test_header_only_is_a_valid_empty_dataset(tmp_path, content):
    path = write(tmp_path, "events.csv", content)
    code, _, output = validate(path)
    assert (code, output) == (0, f"{path}: 0 events, valid (latest -)\n")
    assert len(load_events(path)) == 0


def test_bom_crlf_and_blank_lines_are_read(tmp_path):
    content = "\ufeff" + HEADER + "\r\n\r\n" + row() + "\r\n\r\n" + row(id="b", date="2023") + "\r\n"
    frame = load_events(write(tmp_path, "events.csv", content))
    assert frame["id"].tolist() == ["2022-02-24-invasion", "b"]
    assert frame["_line"].tolist() == [3, 5]
    assert frame.columns[0] == "id"


def test_bom_file_reports_lines_from_1(tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeff" + HEADER + "\n" + row(category="cyber") + "\n")
    code, lines, _ = validate(path)
    assert code == 1
    assert lines[0].startswith(f"{path}:2: category: 'cyber' is not allowed")


def test_whitespace_only_file_is_empty(tmp_path):
    code, lines, _ = validate(write(tmp_path, "blank.csv", " \n\n"))
    assert code == 1
    assert lines[0].startswith(f"{tmp_path / 'blank.csv'}:1: file is empty (start it with the header line: id,")


def test_rows_without_a_header_name_only_the_missing_columns(tmp_path):
    code, lines, _ = validate(write(tmp_path, "noheader.csv", row() + "\n" + row(id="b") + "\n"))
    assert code == 1
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path / 'noheader.csv'}:1: missing columns: id, date, end_date,")


def test_repeated_column_is_refused(tmp_path):
    code, lines, _ = validate(write(tmp_path, "rep.csv", HEADER + ",title\n" + row() + ",x\n"))
    assert code == 1
    assert lines[0] == f"{tmp_path / 'rep.csv'}:1: repeated columns: title (name each column once)"


def test_extra_columns_are_welcome(tmp_path):
    path = write(tmp_path, "extra.csv", HEADER + ",notes\n" + row() + ",hello\n")
    assert load_events(path)["notes"].tolist() == ["hello"]


def test_problems_are_capped_and_counted(tmp_path):
    rows = [row(id=f"e{i}", category="cyber") for i in range(MAX_PROBLEMS + 50)]
    path = write(tmp_path, "many.csv", "\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(ValidationError) as info:
        load_events(path)
    assert info.value.total == MAX_PROBLEMS + 50
    assert len(info.value.problems) == MAX_PROBLEMS
    assert info.value.lines()[-1] == f"{path}: … and 50 more problems"
    code, lines, _ = validate(path)
    assert code == 1
    assert lines[-1].startswith(f"Error: {MAX_PROBLEMS + 50} problems in {path}")


def test_problem_format():
    assert Problem(3, "date", "bad", "fix it").format("e.csv") == "e.csv:3: date: bad (fix it)"
    assert Problem(1, "", "file is empty").format("e.csv") == "e.csv:1: file is empty"
    assert Problem(0, "--lat", "out of range", "hint").format("") == "--lat: out of range (hint)"


def test_validation_error_message_names_the_count():
    error = ValidationError("e.csv", [Problem(2, "id", "x"), Problem(3, "id", "y")])
    assert str(error) == "e.csv:2: id: x (+1 more problems)"
    assert error.lines() == ["e.csv:2: id: x", "e.csv:3: id: y"]


def test_numbers_and_dates_at_the_edges(tmp_path):
    rows = [
        row(id="a", lat="-90", lon="180"),
        row(id="b", lat="90.0", lon="-180.0"),
        row(id="c", date="2024-02-29", end_date="2024-03"),
        row(id="d", date="2024-03", end_date="2024-03-01"),
        row(id="e", date="2024", end_date="2024-01"),
    ]
    frame = load_events(write(tmp_path, "edges.csv", "\n".join([HEADER, *rows]) + "\n"))
    assert frame["lat"].tolist() == [-90.0, 90.0, 50.45, 50.45, 50.45]
    assert frame["precision"].astype(str).tolist() == ["day", "day", "day", "month", "year"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"lat": "nan"}, "lat: 'nan' is not a number"),
        ({"lat": "inf"}, "lat: 'inf' is out of range"),
        ({"lon": "180.5"}, "lon: '180.5' is out of range"),
        ({"date": "2024-00"}, "date: '2024-00' is not valid"),
        ({"date": "2023-02-29"}, "date: '2023-02-29' is not a real calendar date"),
        ({"end_date": "2022-02"}, "end_date: '2022-02' is before the date"),
        ({"id": "Bad Id"}, "id: 'Bad Id' is not valid"),
        ({"actors": "RUS;;PRK"}, "actors: 'RUS;;PRK' is not valid"),
        ({"un_resolutions": "1718 2397"}, "un_resolutions: '1718 2397' is not valid"),
        (
            {"source_url": "https://a.org|https://b.org"},
            "source_url: 'https://a.org|https://b.org' is not valid",
        ),
        (
            {"source_url": "JAVASCRIPT:alert(1)"},
            "source_url: 'JAVASCRIPT:alert(1)' uses a scheme that is never linked",
        ),
        ({"source_url": ""}, "source_url: is required but empty"),
        ({"category": ""}, "category: is required but empty"),
        ({"description": "bell\x07"}, "description: 'bell\\x07' is not valid"),
    ],
)
def test_field_messages(tmp_path, values, expected):
    path = write(tmp_path, "one.csv", HEADER + "\n" + row(**values) + "\n")
    code, lines, _ = validate(path)
    assert code == 1
    assert lines[0].startswith(f"{path}:2: {expected}")


def test_the_shipped_file_validates(tmp_path):
    shutil.copyfile(Path(__file__).parent / "data" / "events.csv", tmp_path / "events.csv")
    code, _, output = validate(tmp_path / "events.csv")
    assert code == 0
    assert output.startswith(f"{tmp_path / 'events.csv'}: ")


def test_old_mac_line_ends_are_named(tmp_path):
    code, lines, _ = validate(write(tmp_path, "cr.csv", HEADER + "\r" + row() + "\r"))
    assert code == 1
    assert (
        lines[0]
        == f"{tmp_path / 'cr.csv'}:1: a bare carriage return (\\r) ends a line (save the file with \\n or \\r\\n line ends)"
    )


def test_utf16_is_named(tmp_path):
    code, lines, _ = validate(write(tmp_path, "u16.csv", (HEADER + "\n" + row() + "\n").encode("utf-16")))
    assert code == 1
    assert lines[0] == f"{tmp_path / 'u16.csv'}:1: file is UTF-16 text, not UTF-8 (save it as UTF-8 CSV)"


def test_a_symlink_loop_is_refused_cleanly(tmp_path):
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    code, lines, output = validate(tmp_path / "a.csv")
    assert code == 1
    assert lines == [f"Error: {tmp_path / 'a.csv'}: Too many levels of symbolic links (check the path and permissions)"]
    assert "Traceback" not in output
