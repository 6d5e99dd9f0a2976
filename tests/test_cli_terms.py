"""Categories, statuses and precisions as people type them: any case, spaces or hyphens for
underscores, a category's label as the dashboard shows it. The file always gets the code; a
value that is none of them is refused as before, naming the codes."""

from __future__ import annotations

import pytest
from cli_helpers import SMALL_IDS, listed_ids, run

from tracker.cli.common import CATEGORY, PRECISION, STATUS
from tracker.storage import load_events

SHELLS = "2022-09-05-shells"


@pytest.mark.parametrize(
    ("term", "typed", "code"),
    [
        (CATEGORY, "UN / legal", "legal_un"),
        (CATEGORY, "  arms transfer ", "arms_transfer"),
        (CATEGORY, "Arms-Transfer", "arms_transfer"),
        (CATEGORY, "Labour", "labor"),
        (CATEGORY, "labor", "labor"),
        (STATUS, " Confirmed", "confirmed"),
        (STATUS, "DENIED", "denied"),
        (PRECISION, "Month", "month"),
    ],
)
def test_a_term_is_taken_as_people_type_it(term, typed, code):
    assert term.convert(typed, None, None) == code


def test_edit_takes_a_label_and_any_case_and_writes_the_codes(small_csv):
    result = run("edit", f" {SHELLS} ", "--csv", str(small_csv), "--category", "Energy", "--status", " Reported ")
    assert result.exit_code == 0, result.output
    assert result.output == f"Edit {SHELLS}: category arms_transfer → energy; status denied → reported\n"
    row = load_events(small_csv).set_index("id").loc[SHELLS]
    assert (row["category"], row["status"]) == ("energy", "reported")


def test_add_takes_the_label_the_dashboard_shows(small_csv):
    result = run(
        "add", "--csv", str(small_csv), "--date", "2024-06-19", "--title", "Treaty signed",
        "--category", "UN / legal", "--status", "Confirmed", "--source-url", "https://example.org/t",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = load_events(small_csv).set_index("id").loc[result.output.strip()]
    assert (row["category"], row["status"]) == ("legal_un", "confirmed")


def test_the_filters_take_labels_too(small_csv):
    assert listed_ids(small_csv, "--category", "Arms transfer", "--status", "Denied") == SMALL_IDS[2:4]
    assert listed_ids(small_csv, "--category", "un/legal") == SMALL_IDS[:1]


def test_a_value_that_is_no_term_is_refused_naming_the_codes(small_csv):
    before = small_csv.read_bytes()
    result = run("edit", SHELLS, "--csv", str(small_csv), "--category", "cyber")
    assert result.exit_code == 2
    assert "Error: Invalid value for '--category': 'cyber' is not one of 'military', 'arms_transfer'," in result.output
    assert small_csv.read_bytes() == before


def test_an_import_takes_the_terms_people_type_in_a_spreadsheet(small_csv, tmp_path):
    sheet = tmp_path / "typed.csv"
    sheet.write_text(
        "date,title,category,status,source_url\n"
        "2024-07-01,Typed by a person,UN / legal,Confirmed,https://example.org/i\n"
        "2024-07-02,Typed again,Arms-transfer,REPORTED,https://example.org/j\n"
        "2024-07-03,Not a category,cyber,reported,https://example.org/k\n",
        encoding="utf-8",
    )
    result = run("import", str(sheet), "--csv", str(small_csv), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert f"{sheet}:4: refused: category: 'cyber' is not allowed (use one of: military," in result.output
    rows = load_events(small_csv).set_index("id")
    assert rows.loc["2024-07-01-typed-by-a-person", ["category", "status"]].tolist() == ["legal_un", "confirmed"]
    assert rows.loc["2024-07-02-typed-again", ["category", "status"]].tolist() == ["arms_transfer", "reported"]
    assert "2024-07-03-not-a-category" not in rows.index
