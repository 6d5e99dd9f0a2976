"""`tracker edit`: the diff is the changed line, refusals write nothing (`tracker remove`: test_cli_remove.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import HEADER, SMALL_ROWS, run

from tracker.contract import schema
from tracker.storage import load_events

SHELLS = "2022-09-05-shells"  # SMALL_ROWS[2]: no source names, one source


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def only_changed_line(before: list[bytes], after: list[bytes]) -> tuple[int, bytes]:
    """(index, new line) of the one line that differs; every other line, byte for byte, is kept."""
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1, changed
    return changed[0], after[changed[0]]


def test_edit_status_rewrites_only_its_line(events_csv):
    before = lines_of(events_csv)
    result = run("edit", "2022-11-02-rail-restart-orlov-horses", "--csv", str(events_csv), "--status", "alleged")
    assert result.exit_code == 0, result.output
    assert result.output == "Edit 2022-11-02-rail-restart-orlov-horses: status confirmed → alleged\n"
    index, line = only_changed_line(before, lines_of(events_csv))
    assert line == before[index].replace(b",confirmed,", b",alleged,", 1)
    assert before[index].startswith(b"2022-11-02-rail-restart-orlov-horses,")


def test_edit_every_column_of_the_small_file(small_csv):
    before = lines_of(small_csv)
    result = run(
        "edit", SHELLS, "--csv", str(small_csv), "--title", "US says Russia bought shells", "--description", "",
        "--actors", "USA, RUS", "--location", "Rason", "--lat", "42.25", "--lon", "130.3", "--un-resolutions", "2270",
        "--end-date", "", "--category", "military", "--status", "reported", "--add-source", "https://b.org/c",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Edit {SHELLS}: end_date 2022-09-06 → (empty); title; description; category arms_transfer → military; "
        "status denied → reported; actors USA;RUS;PRK → USA;RUS; location (empty) → Rason; lat (empty) → 42.25; "
        "lon (empty) → 130.3; un_resolutions 1718;2270 → 2270; add source https://b.org/c\n"
    )
    index, line = only_changed_line(before, lines_of(small_csv))
    assert index == 3
    assert line == (
        b"2022-09-05-shells,2022-09-05,,US says Russia bought shells,,military,reported,USA;RUS,Rason,42.25,130.3,"
        b"2270,,https://a.org/b | https://b.org/c\n"
    )


def test_edit_with_the_values_already_there_writes_nothing(small_csv):
    before = small_csv.read_bytes()
    result = run("edit", SHELLS, "--csv", str(small_csv), "--date", "5 September 2022", "--status", "denied")
    assert result.exit_code == 0
    assert result.output == f"{SHELLS}: nothing to change (it already has these values)\n"
    assert small_csv.read_bytes() == before


def test_a_new_date_moves_the_row_to_its_sorted_place(small_csv):
    before = lines_of(small_csv)
    result = run("edit", SHELLS, "--csv", str(small_csv), "--date", "Nov 2024", "--end-date", "")
    assert result.exit_code == 0, result.output
    assert result.output == f"Edit {SHELLS}: date 2022-09-05 → 2024-11; end_date 2022-09-06 → (empty)\n"
    after = lines_of(small_csv)
    moved = before[3].replace(b",2022-09-05,2022-09-06,", b",2024-11,,")
    assert after == before[:3] + before[4:] + [moved]
    assert load_events(small_csv)["id"].tolist() == [*SMALL_IDS_WITHOUT_SHELLS, SHELLS]


SMALL_IDS_WITHOUT_SHELLS = [r.split(",", 1)[0] for r in SMALL_ROWS if not r.startswith(SHELLS)]


def test_a_new_id_moves_the_row_when_it_sorts_elsewhere(events_csv):
    before = lines_of(events_csv)
    old = "2022-11-02-rail-restart-orlov-horses"
    result = run("edit", old, "--csv", str(events_csv), "--new-id", "2022-11-02-a-rail-restart")
    assert result.exit_code == 0
    assert result.output == f"Edit {old}: id {old} → 2022-11-02-a-rail-restart\n"
    frame = load_events(events_csv)
    assert old not in set(frame["id"])
    keys = list(zip(frame["start"], frame["id"], strict=True))
    assert keys == sorted(keys)
    assert sorted(lines_of(events_csv)) == sorted(
        [line.replace(old.encode(), b"2022-11-02-a-rail-restart", 1) for line in before]
    )


def test_an_unsorted_file_keeps_the_row_where_it_is(small_csv):
    lines = small_csv.read_text().splitlines()
    small_csv.write_text("\n".join([lines[0], lines[3], lines[1], lines[2], *lines[4:]]) + "\n")
    before = lines_of(small_csv)
    assert run("edit", SHELLS, "--csv", str(small_csv), "--status", "alleged").exit_code == 0
    index, line = only_changed_line(before, lines_of(small_csv))
    assert index == 1 and line.startswith(SHELLS.encode())


def test_edit_keeps_crlf_a_bom_extra_columns_and_other_quoting(small_csv):
    lines = small_csv.read_text().splitlines()
    text = "\r\n".join([lines[0] + ",notes"] + [f'{line},"n, {i}"' for i, line in enumerate(lines[1:])]) + "\r\n"
    small_csv.write_bytes(b"\xef\xbb\xbf" + text.encode())
    before = lines_of(small_csv)
    assert run("edit", SHELLS, "--csv", str(small_csv), "--status", "confirmed").exit_code == 0
    index, line = only_changed_line(before, lines_of(small_csv))
    assert line == before[index].replace(b",denied,", b",confirmed,")
    assert line.endswith(b',"n, 2"\r\n')


def test_edit_a_row_with_a_multiline_description(small_csv):
    small_csv.write_text(small_csv.read_text().replace("Arms embargo", '"Arms\nembargo"'))
    before = lines_of(small_csv)
    assert run("edit", "2006-10-14-res-1718", "--csv", str(small_csv), "--status", "reported").exit_code == 0
    after = lines_of(small_csv)
    assert after[:1] + after[3:] == before[:1] + before[3:]
    assert b"".join(after[1:3]) == b"".join(before[1:3]).replace(b",confirmed,", b",reported,")


# ---------------------------------------------------------------- sources and archived copies


def test_add_a_named_source(events_csv):
    event = "2022-11-02-rail-restart-orlov-horses"
    before = lines_of(events_csv)
    result = run(
        "edit", event, "--csv", str(events_csv), "--add-source", "https://example.org/new", "--source-name", "Example",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Edit {event}: add source https://example.org/new\n"
    index, line = only_changed_line(before, lines_of(events_csv))
    row = load_events(events_csv).iloc[index - 1]
    assert row["source_urls"][-1] == "https://example.org/new" and row["source_names"][-1] == "Example"
    assert len(row["source_urls"]) == len(row["source_names"]) >= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--add-source", "https://b.org/x", "--source-name", "B"],
            "Error: --source-name: the event's other sources have no names (leave --source-name out: source_name "
            "names every source or none)",
        ),
        (
            ["--add-source", "https://a.org/b"],
            "Error: --add-source: 'https://a.org/b' is already a source of this event (give a new URL)",
        ),
        (
            ["--add-source", "javascript:alert(1)"],
            "Error: --add-source: 'javascript:alert(1)' uses a scheme that is never linked (only http:// and "
            "https:// URLs are accepted)",
        ),
        (
            ["--remove-source", "https://a.org/x"],
            "Error: --remove-source: 'https://a.org/x' is not a source of this event (its sources: https://a.org/b)",
        ),
        (
            ["--remove-source", "https://a.org/b"],
            "Error: --add-source: is required but empty (At least one http(s) URL; several ' | '-separated.)",
        ),
        (
            ["--add-source", "https://b.org/x", "--add-source", "https://b.org/y", "--archive-url", "-"],
            "Error: --archive-url: given 1 times for 2 --add-source (give one per added source, in the same order)",
        ),
        (["--lat", "100", "--lon", "1"], "Error: --lat: '100' is out of range (Optional decimal degrees in [-90, 90]"),
        (["--lat", "10"], "Error: --lon: lat and lon must be given together (give both coordinates or neither)"),
        (["--title", ""], "Error: --title: is required but empty"),
        (["--date", "1/2/2024"], "Error: --date: '1/2/2024' is ambiguous: it could be 2024-01-02 or 2024-02-01"),
        (["--date", "2023"], "Error: --end-date: '2022-09-06' is before the date"),
        (["--new-id", "Not A Slug"], "Error: --new-id: 'Not A Slug' is not valid"),
        (["--category", "cyber"], "Error: Invalid value for '--category': 'cyber' is not one of 'military'"),
        ([], "Error: nothing to change: give an option such as --status (see `tracker edit --help`)"),
    ],
)
def test_bad_option_values_exit_2_and_write_nothing(small_csv, args, message):
    before = small_csv.read_bytes()
    result = run("edit", SHELLS, "--csv", str(small_csv), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert small_csv.read_bytes() == before
    assert [p.name for p in small_csv.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_named_sources_need_a_name_for_the_new_one(events_csv):
    before = events_csv.read_bytes()
    result = run(
        "edit", "2022-11-02-rail-restart-orlov-horses", "--csv", str(events_csv), "--add-source", "https://x.org/a"
    )
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --source-name: the event's sources are named: name the new one too (give --source-name NAME for "
        "each --add-source, in the same order)\n"
    )
    assert events_csv.read_bytes() == before


@pytest.fixture
def archived_csv(tmp_path) -> Path:
    """Two events in the contract's full columns; the first has two named sources, no archives."""
    path = tmp_path / "events.csv"
    row = dict.fromkeys(schema.COLUMNS, "")
    first = dict(row, id="2024-01-02-a", date="2024-01-02", title="A", category="energy", status="reported")
    first.update(source_name="One | Two", source_url="https://a.org/1 | https://a.org/2")
    second = dict(first, id="2024-01-03-b", date="2024-01-03", title="B", archive_urls="https://web.archive.org/1 | -")
    lines = [",".join(schema.COLUMNS)] + [",".join(r.values()) for r in (first, second)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_archived_copies_are_added_set_and_taken_out_with_their_sources(archived_csv):
    def archives(event_id):
        frame = load_events(archived_csv)
        row = frame[frame["id"] == event_id].iloc[0]
        return row["source_url"], row["source_name"], row["archive_urls"]

    result = run(
        "edit", "2024-01-02-a", "--csv", str(archived_csv), "--add-source", "https://a.org/3", "--source-name", "Three",
        "--archive-url", "https://web.archive.org/3",
    )  # fmt: skip
    assert result.output == "Edit 2024-01-02-a: add source https://a.org/3\n"
    assert archives("2024-01-02-a") == (
        "https://a.org/1 | https://a.org/2 | https://a.org/3",
        "One | Two | Three",
        "- | - | https://web.archive.org/3",
    )
    result = run(
        "edit", "2024-01-02-a", "--csv", str(archived_csv), "--archive-for", "https://a.org/1", "https://archive.ph/1"
    )
    assert result.output == "Edit 2024-01-02-a: archive of https://a.org/1 → https://archive.ph/1\n"
    result = run(
        "edit", "2024-01-02-a", "--csv", str(archived_csv), "--remove-source", "https://a.org/2",
        "--archive-for", "https://a.org/3", "-",
    )  # fmt: skip
    assert result.output == ("Edit 2024-01-02-a: remove source https://a.org/2; archive of https://a.org/3 → -\n")
    assert archives("2024-01-02-a") == ("https://a.org/1 | https://a.org/3", "One | Three", "https://archive.ph/1 | -")
    assert (
        run("edit", "2024-01-02-a", "--csv", str(archived_csv), "--archive-for", "https://a.org/1", "").exit_code == 0
    )
    assert archives("2024-01-02-a") == ("https://a.org/1 | https://a.org/3", "One | Three", "")
    result = run(
        "edit", "2024-01-03-b", "--csv", str(archived_csv), "--add-source", "https://b.org/3", "--source-name", "C"
    )
    assert archives("2024-01-03-b")[2] == "https://web.archive.org/1 | - | -"


def test_an_archived_copy_for_a_file_without_the_column_is_refused(small_csv):
    before = small_csv.read_bytes()
    result = run(
        "edit", SHELLS, "--csv", str(small_csv), "--archive-for", "https://a.org/b", "https://web.archive.org/b"
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {small_csv}:1: archive_urls: the file has no archive_urls column, so the value cannot be written "
        "(add archive_urls to the header line (and one more empty field to every row), or leave it out)\n"
    )
    assert small_csv.read_bytes() == before


# ---------------------------------------------------------------- refusals: unknown ids, clashes, bad files


def test_an_unknown_id_is_refused_with_close_matches(small_csv):
    before = small_csv.read_bytes()
    result = run("edit", "2022-09-05-shell", "--csv", str(small_csv), "--status", "confirmed")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {small_csv}: no event has the id '2022-09-05-shell' (did you mean 2022-09-05-shells?)\n"
    )
    result = run("remove", "2022-11-rocket", "--csv", str(small_csv), "--reason", "gone")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {small_csv}: no event has the id '2022-11-rocket' (did you mean 2022-11-rockets?)\n"
    )
    result = run("remove", "zzz", "--csv", str(small_csv), "--reason", "gone")
    assert result.output == (
        f"Error: {small_csv}: no event has the id 'zzz' (check the id: `tracker list --search WORDS` shows the "
        "ids of matching events)\n"
    )
    assert small_csv.read_bytes() == before


def test_several_close_matches_are_offered(events_csv):
    result = run("edit", "2022-02-24-russia-invades-ukrain", "--csv", str(events_csv), "--status", "denied")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {events_csv}: no event has the id '2022-02-24-russia-invades-ukrain' (did you mean "
        "2022-02-24-russia-invades-ukraine or 2022-02-28-dprk-backs-russia-on-ukraine?)\n"
    )


def test_close_matches_in_a_large_file_come_from_the_same_date():
    import pandas as pd

    from tracker.storage.edits import close_ids

    ids = pd.Series([f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}-event-{i}" for i in range(60_000)])
    assert close_ids("2012-03-03-event-5883", ids) == [
        "2012-03-03-event-5882",
        "2012-03-03-event-58802",
        "2012-03-03-event-58382",
    ]
    assert close_ids("2012-03-03-event-58802", ids)[0] == "2012-03-03-event-58802"


@pytest.mark.parametrize(
    ("args", "line", "message"),
    [
        (["--new-id", "2013-rail-freight"], 3, "id: an event with the same id is already there (2013-rail-freight)"),
        (
            ["--date", "2013", "--end-date", "", "--title", "RAIL LINK OPENS TO FREIGHT"],
            3,
            "title: an event with the same date and title is already there (2013-rail-freight)",
        ),
    ],
)
def test_a_clash_with_another_event_is_refused(small_csv, args, line, message):
    before = small_csv.read_bytes()
    result = run("edit", SHELLS, "--csv", str(small_csv), *args)
    assert result.exit_code == 1
    hint = "give another --new-id" if "--new-id" in args else "change the date or the title, or remove one of the two"
    assert result.output == f"Error: {small_csv}:{line}: {message} (nothing was written; {hint})\n"
    assert small_csv.read_bytes() == before


def test_edit_or_remove_in_an_invalid_file_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + SMALL_ROWS[0] + "\n" + SMALL_ROWS[1].replace(",2013,", ",2013-13,", 1) + "\n")
    before = bad.read_bytes()
    for args in (
        ["edit", "2006-10-14-res-1718", "--status", "denied"],
        ["remove", "2006-10-14-res-1718", "--reason", "x"],
    ):
        result = run(*args, "--csv", str(bad))
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0] == (
            f"{bad}:3: date: '2013-13' is not valid (ISO 8601 at its true precision: YYYY-MM-DD, YYYY-MM or YYYY. "
            "The form is the precision.)"
        )
        assert bad.read_bytes() == before
