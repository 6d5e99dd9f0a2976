"""`tracker import FILE` on CSV files: what goes in and where, dry runs, refusals that name the
input's line and column and write nothing, duplicates, --skip-invalid, --map and defaults."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from cli_helpers import HEADER, SMALL_ROWS, run

from tracker.storage import add_event, load_events

OWN = """date,title,category,status,source_url,source_name,actors
2 January 2024,Port visit announced,diplomatic,reported,https://example.org/a,Example,"RUS, PRK"
2013,Rail link opens to freight,transport,confirmed,https://example.org/x,X,
Nov 2022,Fuel shipment seen,energy,alleged,https://example.org/c,,
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_own_columns_go_in_at_their_sorted_places(small_csv: Path, tmp_path: Path):
    source = write(tmp_path / "new.csv", OWN)
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{source}: the events file's columns, read with pyarrow\n"
        f"{source}:3: duplicate of {small_csv}:3 (2013-rail-freight): the same date and title\n"
        f"{small_csv}: added 2 events from {source} (1 duplicate)\n"
    )
    lines = small_csv.read_text(encoding="utf-8").splitlines()
    assert lines == [
        HEADER,
        SMALL_ROWS[0],
        SMALL_ROWS[1],
        SMALL_ROWS[2],
        "2022-11-fuel-shipment-seen,2022-11,,Fuel shipment seen,,energy,alleged,,,,,,,https://example.org/c",
        SMALL_ROWS[3],
        "2024-01-02-port-visit-announced,2024-01-02,,Port visit announced,,diplomatic,reported,RUS;PRK,,,,,"
        "Example,https://example.org/a",
        SMALL_ROWS[4],
    ]
    assert run("validate", str(small_csv)).exit_code == 0


BAD = """date,title,category,status,source_url
2024-02-30,Impossible day,military,reported,https://example.org/a
2023,Fine row,military,reported,https://example.org/b
1/2/2024,Ambiguous day,weather,reported,ftp://example.org/c
"""


def test_a_refused_row_names_its_input_line_and_column_and_nothing_is_written(small_csv: Path, tmp_path: Path):
    before = small_csv.read_bytes()
    source = write(tmp_path / "bad.csv", BAD)
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{source}:2: date: '2024-02-30' is not a real calendar date (check the day and month)\n"
        f"{source}:4: date: '1/2/2024' is ambiguous: it could be 2024-01-02 or 2024-02-01 (write the month as a "
        'word or use YYYY-MM-DD: "2 January 2024", "2 Januari 2024", "2024-01-02", "Nov 2022", "2022-11", "2023")\n'
        f"{source}:4: category: 'weather' is not allowed (use one of: military, arms_transfer, diplomatic, "
        "economic, energy, transport, labor, sanctions, legal_un)\n"
        f"{source}:4: source_url: 'ftp://example.org/c' is not valid (At least one http(s) URL; several "
        "' | '-separated.)\n"
        f"Error: 2 rows of {source} refused; nothing was written (fix them, or add the other rows with "
        "--skip-invalid; --dry-run lists every row)\n"
    )
    assert small_csv.read_bytes() == before


def test_a_quoted_record_over_several_lines_is_named_by_the_line_it_starts_on(small_csv: Path, tmp_path: Path):
    source = write(
        tmp_path / "multi.csv",
        'date,title,description,category,status,source_url\n2021,First,"one\ntwo\nthree",energy,reported,'
        "https://example.org/1\n2021,Second,,energy,reported,nowhere\n",
    )
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{source}:5: source_url: 'nowhere' is not valid (At least one http(s) URL; several ' | '-separated.)"
    )


def test_dry_run_lists_every_row_and_writes_nothing(small_csv: Path, tmp_path: Path):
    before = small_csv.read_bytes()
    bad_rows = [row.replace("/c", "/c,,").replace("/b", "/b,,").replace("/a", "/a,,") for row in BAD.splitlines()[1:]]
    source = write(tmp_path / "both.csv", OWN + "\n".join(bad_rows) + "\n")
    result = run("import", str(source), "--csv", str(small_csv), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{source}: the events file's columns, read with pyarrow\n"
        f"{source}:2: add 2024-01-02-port-visit-announced (2024-01-02): Port visit announced\n"
        f"{source}:3: duplicate of {small_csv}:3 (2013-rail-freight): the same date and title\n"
        f"{source}:4: add 2022-11-fuel-shipment-seen (2022-11): Fuel shipment seen\n"
        f"{source}:5: refused: date: '2024-02-30' is not a real calendar date (check the day and month)\n"
        f"{source}:6: add 2023-fine-row (2023): Fine row\n"
        f"{source}:7: refused: date: '1/2/2024' is ambiguous: it could be 2024-01-02 or 2024-02-01 (write the "
        'month as a word or use YYYY-MM-DD: "2 January 2024", "2 Januari 2024", "2024-01-02", "Nov 2022", '
        '"2022-11", "2023")\n'
        f"{source}:7: refused: category: 'weather' is not allowed (use one of: military, arms_transfer, "
        "diplomatic, economic, energy, transport, labor, sanctions, legal_un)\n"
        f"{source}:7: refused: source_url: 'ftp://example.org/c' is not valid (At least one http(s) URL; "
        "several ' | '-separated.)\n"
        f"dry run: would add 3 events to {small_csv}; 1 duplicate, 2 refused; nothing was written\n"
    )
    assert small_csv.read_bytes() == before


def test_skip_invalid_adds_the_good_rows_and_reports_the_rest(small_csv: Path, tmp_path: Path):
    source = write(tmp_path / "bad.csv", BAD)
    result = run("import", str(source), "--csv", str(small_csv), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"{small_csv}: added 1 event from {source} (2 refused)"
    assert result.stdout.count(": refused: ") == 4
    assert load_events(small_csv, cache=False)["id"].tolist() == [
        "2006-10-14-res-1718",
        "2013-rail-freight",
        "2022-09-05-shells",
        "2022-11-rockets",
        "2023-fine-row",
        "2024-03-oil",
    ]


@pytest.mark.parametrize("cache", ["none", "vouches", "stale"])
def test_duplicates_by_id_by_date_and_title_and_within_the_file(
    cache: str, small_csv: Path, tmp_path: Path, private_cache: Path, validations: list
):
    """The same with no cache, with the cache's word on the file (the import decides on the
    cached rows and validates nothing) and with a stale one (bytes changed, same size: not
    believed, the file is re-read)."""
    if cache != "none":
        load_events(small_csv)
    if cache == "stale":
        small_csv.write_bytes(small_csv.read_bytes().replace(b"Oil above the cap", b"Oil above the CAP"))
    source = write(
        tmp_path / "dupes.csv",
        "id,date,title,category,status,source_url\n"
        "2024-03-oil,2020,Another title,energy,alleged,https://example.org/1\n"  # same id as the file's
        ",2022-11,ROCKETS FOR WAGNER,arms_transfer,denied,https://example.org/2\n"  # same date and title
        ",2021,Twice,energy,alleged,https://example.org/3\n"
        ",2021,twice,energy,alleged,https://example.org/4\n",  # same as the row above
    )
    before = small_csv.read_bytes()
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{source}: the events file's columns, read with pyarrow\n"
        f"{source}:2: duplicate of {small_csv}:6 (2024-03-oil): the same id\n"
        f"{source}:3: duplicate of {small_csv}:5 (2022-11-rockets): the same date and title\n"
        f"{source}:5: duplicate of {source}:4 (2021-twice): the same date and title\n"
        f"{small_csv}: added 1 event from {source} (3 duplicates)\n"
    )
    assert validations == ([] if cache == "vouches" else [small_csv.name])
    new_line = b"2021-twice,2021,,Twice,,energy,alleged,,,,,,,https://example.org/3\n"
    assert small_csv.read_bytes() == before.replace(SMALL_ROWS[2].encode(), new_line + SMALL_ROWS[2].encode())


def test_an_import_on_a_cache_that_vouches_through_an_adds_delta_matches_one_with_no_cache(
    small_csv: Path, tmp_path: Path, private_cache: Path, validations: list
):
    """After a back-dated `tracker add` the cache vouches for the file through a delta (rows
    inserted since its entry): an import planned on those rows writes what a full re-read does."""
    load_events(small_csv)
    add_event(
        small_csv,
        dict(
            date="2010-05-01",
            title="Ferry service resumes",
            category="transport",
            status="reported",
            source_url="https://example.org/ferry",
        ),
    )
    cold = tmp_path / "cold" / "small.csv"
    cold.parent.mkdir()
    shutil.copyfile(small_csv, cold)  # (another path: no cache entry)
    source = write(tmp_path / "new.csv", OWN)
    for events in (small_csv, cold):
        result = run("import", str(source), "--csv", str(events))
        assert result.exit_code == 0, result.output
    assert validations == [cold.name]  # (the cache's word, with the add's delta, stood in for the other)
    assert small_csv.read_bytes() == cold.read_bytes()
    assert b"2010-05-01-ferry-service-resumes" in cold.read_bytes()
    assert run("validate", str(small_csv)).exit_code == 0


def test_nothing_new_writes_nothing(small_csv: Path, tmp_path: Path):
    source = write(
        tmp_path / "same.csv",
        "date,title,category,status,source_url\n2013,Rail link opens to freight,transport,confirmed,https://x.org\n",
    )
    before = small_csv.stat()
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"{small_csv}: added no events: nothing new in {source} (1 duplicate)"
    assert small_csv.stat().st_ino == before.st_ino and small_csv.stat().st_mtime_ns == before.st_mtime_ns


MAPPED = """When,What,Kind,Link,Outlet,Who,Notes
"3 March 2021",Ship inspected at Nakhodka,transport,https://example.org/n,Outlet A,RUS;PRK,Customs
"""


def test_map_reads_our_columns_from_theirs_and_defaults_fill_the_rest(small_csv: Path, tmp_path: Path):
    source = write(tmp_path / "theirs.csv", MAPPED)
    args = ["import", str(source), "--csv", str(small_csv), "--from", "csv", "--map", "date=When"]
    args += ["--map", "title=What", "--map", "category=Kind", "--map", "source_url=Link", "--map", "source_name=Outlet"]
    args += ["--map", "actors=Who", "--status", "reported"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == f"{source}: columns mapped with --map, read with pyarrow; columns not read: Notes"
    )
    row = load_events(small_csv, cache=False).set_index("id").loc["2021-03-03-ship-inspected-at-nakhodka"]
    assert (row["date"], row["title"], str(row["category"]), str(row["status"])) == (
        "2021-03-03",
        "Ship inspected at Nakhodka",
        "transport",
        "reported",
    )
    assert (row["actors"], row["source_name"], row["source_url"]) == ("RUS;PRK", "Outlet A", "https://example.org/n")


def test_a_problem_in_a_default_names_the_option(small_csv: Path, tmp_path: Path):
    source = write(tmp_path / "t.csv", "date,title,category,status\n2021,A,energy,reported\n")
    result = run("import", str(source), "--csv", str(small_csv), "--source-url", "javascript:alert(1)")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{source}:2: --source-url: 'javascript:alert(1)' uses a scheme that is never linked "
        "(only http:// and https:// URLs are accepted)"
    )


def test_misuse_is_a_usage_error(small_csv: Path, tmp_path: Path):
    source = write(tmp_path / "theirs.csv", MAPPED)
    result = run("import", str(source), "--csv", str(small_csv), "--map", "when=When")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"Error: {source}: --map when=When: when is not a column")
    result = run("import", str(source), "--csv", str(small_csv), "--map", "date=Date")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: {source}: --map date=Date: {source} has no column 'Date' (it has: When, What, Kind, Link, "
        "Outlet, Who, Notes)"
    )
    result = run("import", str(source), "--csv", str(small_csv), "--map", "date")
    assert result.stderr.splitlines()[-1] == "Error: --map date: give COLUMN=THEIRS, e.g. --map title=Headline"
    result = run("import", str(source), "--csv", str(small_csv), "--map", "date=When")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: {source}: the file gives no title, category, status, source_url: give --map title=COLUMN, "
        "--category, --status, --source-url"
    )


def test_an_unreadable_input_is_named(small_csv: Path, tmp_path: Path):
    missing = tmp_path / "nope.csv"
    result = run("import", str(missing), "--csv", str(small_csv))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {missing}: no such file (check the path of the file to import)\n",
    )
    ragged = write(tmp_path / "ragged.csv", "date,title\n2021,A\n2022,B,extra\n")
    result = run("import", str(ragged), "--csv", str(small_csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{ragged}:3: row has 3 fields, the header has 2 (quote any field that holds a comma; give every column, "
        "even if empty)"
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes("date,title\n2021,Caf\xe9\n".encode("latin-1"))
    result = run("import", str(latin), "--csv", str(small_csv))
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0] == f"{latin}:2: byte 0xe9 at offset 19 is not UTF-8 text (save the file as UTF-8)"
    )


def test_a_missing_spreadsheet_and_a_broken_one_are_named(small_csv: Path, tmp_path: Path):
    missing = tmp_path / "nope.xlsx"
    result = run("import", str(missing), "--csv", str(small_csv))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {missing}: no such file (check the path of the file to import)\n",
    )
    broken = tmp_path / "broken.ods"
    broken.write_bytes(b"not a zip")
    result = run("import", str(broken), "--csv", str(small_csv))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {broken}: cannot be read as a spreadsheet (")
    assert result.stderr.endswith("(save it again as .ods or .xlsx)\n")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_stages_show_a_progress_bar_on_a_terminal_only(monkeypatch):
    from tracker.cli import importing as cli_importing

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli_importing.terminal_stages() as stage:
        update = stage("reading rows", 5000)
        update(2500)
        update(2500)
        stage("adding to events.csv", 1)(1)  # too short for a bar
    shown = terminal.getvalue()
    assert "reading rows" in shown and "100%" in shown and "adding to" not in shown
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with cli_importing.terminal_stages() as stage:
        stage("reading rows", 5000)(5000)
    assert sys.stderr.getvalue() == ""


def test_the_default_source_name_goes_only_with_the_default_url(small_csv: Path, tmp_path: Path):
    source = write(
        tmp_path / "mixed.csv",
        "date,title,category,status,source_url,source_name\n"
        "2021,Own link without a name,energy,reported,https://example.org/own,\n"
        "2021,No link at all,energy,reported,,\n",
    )
    args = ["--source-url", "https://example.org/default", "--source-name", "Default outlet"]
    result = run("import", str(source), "--csv", str(small_csv), *args)
    assert result.exit_code == 0, result.output
    frame = load_events(small_csv, cache=False).set_index("title")
    assert frame.loc["Own link without a name", ["source_url", "source_name"]].tolist() == [
        "https://example.org/own",
        "",
    ]
    assert frame.loc["No link at all", ["source_url", "source_name"]].tolist() == [
        "https://example.org/default",
        "Default outlet",
    ]
