"""`tracker add` and the optional columns (short_title, archive_urls): written where the file has them."""

from __future__ import annotations

import pytest
from cli_helpers import ADD, run

from tracker.contract import schema
from tracker.storage import load_events

# ---------------------------------------------------------------- add: the optional columns


def test_add_a_short_title_and_archived_copies_to_a_file_with_those_columns(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(",".join(schema.COLUMNS) + "\n", encoding="utf-8")
    result = run(
        "add", "--csv", str(path), "--date", "2024-01-02", *ADD, "--short-title", "Kharkiv strike",
        "--source-url", "https://example.org/second", "--archive-url", "https://web.archive.org/x", "--archive-url", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = load_events(path).iloc[0]
    assert (row["short_title"], row["archive_urls"]) == ("Kharkiv strike", "https://web.archive.org/x | -")


def test_a_value_for_a_column_the_file_lacks_is_refused_not_dropped(small_csv):
    before = small_csv.read_bytes()
    result = run("add", "--csv", str(small_csv), "--date", "2024-01-02", *ADD, "--short-title", "Kharkiv strike")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {small_csv}:1: short_title: the file has no short_title column, so the value cannot be written "
        "(add short_title to the header line (and one more empty field to every row), or leave it out)\n"
    )
    assert small_csv.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--short-title", "x" * 61], "--short-title: is 61 characters long, over the limit of 60"),
        (
            ["--archive-url", "https://web.archive.org/x", "--archive-url", "-"],
            "--archive-urls: gives a different number",
        ),
    ],
)
def test_bad_short_titles_and_archive_counts_are_refused(tmp_path, args, message):
    path = tmp_path / "events.csv"
    path.write_text(",".join(schema.COLUMNS) + "\n", encoding="utf-8")
    result = run("add", "--csv", str(path), "--date", "2024-01-02", *ADD, *args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert path.read_text(encoding="utf-8") == ",".join(schema.COLUMNS) + "\n"
