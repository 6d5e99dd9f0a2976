"""`tracker remove`: an event's lines out, or several events' in one write; the reason printed
for the commit message; refusals write nothing."""

from __future__ import annotations

import pytest
from cli_helpers import run
from test_cli_edit import SHELLS, lines_of

from tracker.storage import load_events


def test_remove_takes_out_its_lines_and_prints_the_reason(small_csv):
    small_csv.write_text(small_csv.read_text().replace("Pyongyang denies, flatly", "Pyongyang\ndenies"))
    before = lines_of(small_csv)
    result = run("remove", SHELLS, "--csv", str(small_csv), "--reason", "  Duplicate of\n2022-09-04-shells ")
    assert result.exit_code == 0
    assert result.output == f"Remove {SHELLS}: Duplicate of 2022-09-04-shells\n"
    assert lines_of(small_csv) == before[:3] + before[5:]
    assert SHELLS not in set(load_events(small_csv)["id"])


def test_remove_several_in_one_write_names_them_all(small_csv):
    before = lines_of(small_csv)
    result = run(
        "remove", "2024-03-oil", SHELLS, "2006-10-14-res-1718", SHELLS, "--csv", str(small_csv), "--reason", "dupes"
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Remove 2024-03-oil, {SHELLS} and 2006-10-14-res-1718: dupes\n"
    assert lines_of(small_csv) == [before[0], before[2], before[4]]


def test_remove_several_with_one_unknown_writes_nothing(small_csv):
    before = small_csv.read_bytes()
    result = run("remove", SHELLS, "2022-11-rocket", "--csv", str(small_csv), "--reason", "gone")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {small_csv}: no event has the id '2022-11-rocket' (did you mean 2022-11-rockets?)\n"
    )
    assert small_csv.read_bytes() == before


def test_remove_needs_an_id(small_csv):
    result = run("remove", "--csv", str(small_csv), "--reason", "gone")
    assert result.exit_code == 2
    assert "Error: Missing argument 'ID...'." in result.output


def test_remove_the_last_event_without_a_final_newline(small_csv):
    small_csv.write_bytes(small_csv.read_bytes().rstrip(b"\n"))
    before = lines_of(small_csv)
    assert run("remove", "2024-03-oil", "--csv", str(small_csv), "--reason", "wrong").exit_code == 0
    assert lines_of(small_csv) == before[:-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Error: Missing option '--reason'."),
        (["--reason", "  "], "Error: --reason: is empty (say why the event goes: it becomes the commit message)"),
    ],
)
def test_remove_needs_a_reason(small_csv, args, message):
    before = small_csv.read_bytes()
    result = run("remove", SHELLS, "--csv", str(small_csv), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert small_csv.read_bytes() == before


def test_remove_then_add_it_back_gives_the_same_file(small_csv):
    before = small_csv.read_bytes()
    assert run("remove", "2013-rail-freight", "--csv", str(small_csv), "--reason", "test").exit_code == 0
    result = run(
        "add", "--csv", str(small_csv), "--id", "2013-rail-freight", "--date", "2013", "--title",
        "Rail link opens to freight", "--category", "transport", "--status", "confirmed", "--actors", "RUS;PRK",
        "--location", "Khasan", "--lat", "42.424", "--lon", "130.64", "--source-name", "Interfax",
        "--source-url", "https://interfax.com/x",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert small_csv.read_bytes() == before
