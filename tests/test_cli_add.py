"""`tracker add`: free-form dates, refusals that write nothing, sorted one-line inserts, prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import ADD, HEADER, SMALL_ROWS, run

from tracker.storage import load_events

# ---------------------------------------------------------------- add: dates


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2 January 2024", "2024-01-02"),
        ("2 Januari 2024", "2024-01-02"),
        ("Nov 2022", "2022-11"),
        ("November 2022", "2022-11"),
        ("2022-11", "2022-11"),
        ("2023", "2023"),
        ("17 Agustus 2023", "2023-08-17"),
    ],
)
def test_add_normalises_free_form_dates(events_csv, text, iso):
    result = run("add", "--csv", str(events_csv), "--date", text, *ADD)
    assert result.exit_code == 0, result.output
    assert result.output == f"{iso}-test-strike-on-kharkiv\n"
    frame = load_events(events_csv)
    new = frame[frame["id"] == f"{iso}-test-strike-on-kharkiv"]
    assert new["date"].tolist() == [iso]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1/2/2024",
            "Error: --date: '1/2/2024' is ambiguous: it could be 2024-01-02 or 2024-02-01 "
            '(write the month as a word or use YYYY-MM-DD: "2 January 2024", ',
        ),
        (
            "junk",
            'Error: --date: cannot read \'junk\' as a date (try "2 January 2024", "2 Januari 2024", ',
        ),
        (
            "2023-02-30",
            "Error: --date: '2023-02-30' is not a real date (day is out of range for month)",
        ),
        ("99", "Error: --date: '99' has no four-digit year (try \"2 January 2024\""),
    ],
)
def test_add_refuses_ambiguous_or_junk_dates_with_examples(events_csv, text, message):
    before = events_csv.read_bytes()
    result = run("add", "--csv", str(events_csv), "--date", text, *ADD)
    assert result.exit_code == 2
    assert message in result.output
    assert '"Nov 2022", "2022-11", "2023"' in result.output
    assert events_csv.read_bytes() == before


def test_add_refuses_a_bad_end_date(events_csv):
    before = events_csv.read_bytes()
    result = run("add", "--csv", str(events_csv), "--date", "2024", "--end-date", "2023", *ADD)
    assert result.exit_code == 2
    assert "Error: --end-date: '2023' is before the date (an end_date must not come before date)" in result.output
    assert events_csv.read_bytes() == before


# ---------------------------------------------------------------- add: refusals write nothing


def _with(option: str, value: str) -> list[str]:
    args = list(ADD)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    return args


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--category",
            "cyber",
            "Error: Invalid value for '--category': 'cyber' is not one of 'military'",
        ),
        ("--status", "rumoured", "Error: Invalid value for '--status': 'rumoured' is not one of"),
        (
            "--source-url",
            "javascript:alert(1)",
            "Error: --source-url: 'javascript:alert(1)' uses a scheme "
            "that is never linked (only http:// and https:// URLs are accepted)",
        ),
        (
            "--source-url",
            "data:text/html,x",
            "Error: --source-url: 'data:text/html,x' uses a scheme",
        ),
        (
            "--source-url",
            "ftp://example.org/x",
            "Error: --source-url: 'ftp://example.org/x' is not valid",
        ),
        ("--source-url", "example.org", "Error: --source-url: 'example.org' is not valid"),
        (
            "--lat",
            "100",
            "Error: --lat: '100' is out of range (Optional decimal degrees in [-90, 90]",
        ),
        ("--lat", "north", "Error: --lat: 'north' is not a number"),
        (
            "--lat",
            "10",
            "Error: --lon: lat and lon must be given together (give both coordinates or neither)",
        ),
        ("--title", "   ", "Error: --title: is required but empty"),
        (
            "--title",
            "x" * 301,
            "Error: --title: is 301 characters long, over the limit of 300 (shorten it)",
        ),
        ("--id", "Not A Slug", "Error: --id: 'Not A Slug' is not valid"),
        ("--actors", "RUS;<script>", "Error: --actors: 'RUS;<script>' is not valid"),
        ("--un-resolutions", "res 1718", "Error: --un-resolutions: 'res 1718' is not valid"),
        (
            "--source-name",
            "A | B",
            "Error: --source-name: gives a different number of names than source_url",
        ),
        ("--description", "bell\x07", "Error: --description: 'bell\\x07' is not valid"),
    ],
)
def test_add_refuses_invalid_values_and_writes_nothing(events_csv, option, value, message):
    before = events_csv.read_bytes()
    result = run("add", "--csv", str(events_csv), "--date", "2 January 2024", *_with(option, value))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert events_csv.read_bytes() == before
    assert [p.name for p in events_csv.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_add_reports_every_problem_of_the_row(events_csv):
    result = run("add", "--csv", str(events_csv), "--date", "2024", *_with("--lat", "100"), "--lon", "x")
    assert result.exit_code == 2
    assert result.output.splitlines()[-2:] == [
        "Error: --lat: '100' is out of range (Optional decimal degrees in [-90, 90]; give lon too.)",
        "--lon: 'x' is not a number (Optional decimal degrees in [-180, 180]; give lat too.)",
    ]


def test_add_refuses_a_duplicate_id(events_csv):
    before = events_csv.read_bytes()
    line = _line_of(events_csv, "2022-02-24-russia-invades-ukraine")
    result = run(
        "add",
        "--csv",
        str(events_csv),
        "--date",
        "2024",
        "--id",
        "2022-02-24-russia-invades-ukraine",
        *ADD,
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {events_csv}:{line}: id: an event with the same id is already there "
        "(2022-02-24-russia-invades-ukraine) (nothing was written; use --id to give a different id, "
        "or skip the duplicate)\n"
    )
    assert events_csv.read_bytes() == before


def test_add_refuses_the_same_date_and_title(events_csv):
    before = events_csv.read_bytes()
    frame = load_events(events_csv)
    old = frame[frame["id"] == "2022-11-02-rail-restart-orlov-horses"].iloc[0]
    result = run(
        "add",
        "--csv",
        str(events_csv),
        "--date",
        "2 November 2022",
        *_with("--title", old["title"].upper()),
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: {events_csv}:{old['_line']}: title: an event with the same date and title is already "
        "there (2022-11-02-rail-restart-orlov-horses)"
    )
    assert events_csv.read_bytes() == before


def test_add_to_an_invalid_file_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + SMALL_ROWS[0].replace("2006-10-14,", "2006-13-14,", 1) + "\n")
    before = bad.read_bytes()
    result = run("add", "--csv", str(bad), "--date", "2024", *ADD)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{bad}:2: date: '2006-13-14' is not valid")
    assert bad.read_bytes() == before


def test_add_to_a_missing_file_exits_1(tmp_path):
    result = run("add", "--csv", str(tmp_path / "nope.csv"), "--date", "2024", *ADD)
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.csv'}: no such file (check the path, or set TRACKER_EVENTS)\n"
    assert not (tmp_path / "nope.csv").exists()


def _line_of(path: Path, event_id: str) -> int:
    frame = load_events(path)
    return int(frame.loc[frame["id"] == event_id, "_line"].iloc[0])


# ---------------------------------------------------------------- add: where and what it writes


def _one_added_line(before: list[str], after: list[str]) -> tuple[int, str]:
    """(index, text) of the one line ``after`` has that ``before`` has not; fails otherwise."""
    assert len(after) == len(before) + 1
    index = next((i for i, (a, b) in enumerate(zip(before, after[:-1], strict=True)) if a != b), len(before))
    assert after[:index] + after[index + 1 :] == before
    return index, after[index]


def test_add_inserts_one_line_at_its_sorted_place(events_csv):
    before = events_csv.read_text(encoding="utf-8").splitlines()
    result = run(
        "add",
        "--csv",
        str(events_csv),
        "--date",
        "2 Januari 2024",
        *ADD,
        "--source-name",
        "Example",
        "--actors",
        "RUS, UKR",
        "--location",
        "Kharkiv, Ukraine",
        "--lat",
        "49.993",
        "--lon",
        "36.231",
        "--un-resolutions",
        "1718; 2270",
    )
    assert result.exit_code == 0
    index, line = _one_added_line(before, events_csv.read_text(encoding="utf-8").splitlines())
    assert line == (
        "2024-01-02-test-strike-on-kharkiv,2024-01-02,,Test strike on Kharkiv,,military,reported,"
        'RUS;UKR,"Kharkiv, Ukraine",49.993,36.231,1718;2270,Example,https://example.org/kharkiv'
    )
    assert before[index - 1].startswith("2023-12-30-dprk-missiles-fired-at-ukraine,")
    assert before[index].startswith("2024-02-18-putin-aurus-gift-kim,")


def test_rows_stay_sorted_by_date_then_id(events_csv):
    for date, title in [
        ("2022-11-02", "A rail note"),
        ("Nov 2022", "Zeta"),
        ("2006", "First"),
        ("2030", "Last"),
        ("2022-11-02", "Zz last of the day"),
    ]:
        assert run("add", "--csv", str(events_csv), "--date", date, *_with("--title", title)).exit_code == 0
    frame = load_events(events_csv)
    keys = list(zip(frame["start"], frame["id"], strict=True))
    assert keys == sorted(keys)
    assert frame["id"].iloc[0] == "2006-first" and frame["id"].iloc[-1] == "2030-last"


def test_generated_ids_are_unique_slugs(events_csv):
    first = run(
        "add",
        "--csv",
        str(events_csv),
        "--date",
        "2 January 2024",
        *_with("--title", "Ça va: Kharkiv!"),
    )
    second = run("add", "--csv", str(events_csv), "--date", "2024-01-02", *_with("--title", "Ca va Kharkiv"))
    assert (first.output, second.output) == (
        "2024-01-02-ca-va-kharkiv\n",
        "2024-01-02-ca-va-kharkiv-2\n",
    )


def test_given_id_is_used(events_csv):
    result = run("add", "--csv", str(events_csv), "--date", "2024", "--id", "my-own-id", *ADD)
    assert result.output == "my-own-id\n"


def test_several_sources_are_joined_in_order(events_csv):
    result = run(
        "add",
        "--csv",
        str(events_csv),
        "--date",
        "2024",
        *ADD,
        "--source-url",
        "https://b.org/2",
        "--source-name",
        "A",
        "--source-name",
        "B",
    )
    frame = load_events(events_csv)
    new = frame[frame["id"] == result.output.strip()].iloc[0]
    assert new["source_urls"] == ["https://example.org/kharkiv", "https://b.org/2"]
    assert new["source_names"] == ["A", "B"]


def test_add_keeps_crlf_line_ends(events_csv):
    crlf = events_csv.read_bytes().replace(b"\n", b"\r\n")
    events_csv.write_bytes(crlf)
    before = crlf.split(b"\r\n")
    assert run("add", "--csv", str(events_csv), "--date", "2 January 2024", *ADD).exit_code == 0
    data = events_csv.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") == crlf.count(b"\r\n") + 1
    _one_added_line(before, data.split(b"\r\n"))
    assert len(load_events(events_csv)) == len(before) - 1


def test_add_keeps_a_bom_and_a_missing_final_newline(small_csv):
    small_csv.write_bytes(b"\xef\xbb\xbf" + small_csv.read_bytes().rstrip(b"\n"))
    assert run("add", "--csv", str(small_csv), "--date", "2030", *ADD).exit_code == 0
    data = small_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\n")
    assert data.endswith(
        SMALL_ROWS[-1].encode() + b"\n2030-test-strike-on-kharkiv,2030,,Test strike on Kharkiv"
        b",,military,reported,,,,,,,https://example.org/kharkiv\n"
    )


def test_add_to_a_header_only_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER)
    assert run("add", "--csv", str(path), "--date", "2023", *ADD).exit_code == 0
    assert path.read_text().splitlines()[1].startswith("2023-test-strike-on-kharkiv,2023,,")


def test_add_after_a_multiline_description(small_csv):
    text = small_csv.read_text().replace("Arms embargo", '"Arms\nembargo, ""quoted"""')
    small_csv.write_text(text)
    assert run("add", "--csv", str(small_csv), "--date", "2010", *ADD).exit_code == 0
    frame = load_events(small_csv)
    assert frame["id"].tolist()[:3] == [
        "2006-10-14-res-1718",
        "2010-test-strike-on-kharkiv",
        "2013-rail-freight",
    ]
    assert frame["description"].iloc[0] == 'Arms\nembargo, "quoted"'
    assert frame["_line"].tolist()[:3] == [2, 4, 5]


def test_add_keeps_extra_columns(small_csv):
    lines = small_csv.read_text().splitlines()
    small_csv.write_text("\n".join([lines[0] + ",notes"] + [line + ",n" for line in lines[1:]]) + "\n")
    assert run("add", "--csv", str(small_csv), "--date", "2030", *ADD).exit_code == 0
    assert small_csv.read_text().splitlines()[-1].endswith(",https://example.org/kharkiv,")
