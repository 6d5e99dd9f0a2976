""" "Changed since" composed from the file's history (what the dashboard does once it has the
history) answers as git's diff of the base version against the working file does."""

from __future__ import annotations

import pytest
from cli_helpers import SMALL_IDS, SMALL_ROWS
from history_helpers import Repo, first_rows, replaced

from tracker.history import changed_since, file_history
from tracker.history.changes import _composed
from tracker.history.gitfile import GitFile

pytestmark = pytest.mark.usefixtures("private_cache")
RENAMED = "2022-11-dprk-rockets-wagner"
DATES = [f"2024-01-{day:02d}" for day in range(10, 30)]


@pytest.fixture
def repo(tmp_path) -> Repo:
    """Adds, a status change, edits, an id change and a later edit of the renamed event, a
    removal, an event added then removed, an edit undone, and an uncommitted status change."""
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    steps = [
        ("Three events", rows),
        ("Add the rockets", rows := [*rows, SMALL_ROWS[3]]),
        ("Shells confirmed", rows := replaced(rows, 2, ",denied,", ",confirmed,")),
        ("Reword 1718", rows := replaced(rows, 0, "Resolution 1718 adopted", "UNSC adopts 1718")),
        ("Rename the rockets", rows := replaced(rows, 3, SMALL_IDS[3], RENAMED)),
        ("Rockets confirmed", rows := replaced(rows, 3, ",denied,", ",confirmed,")),
        ("Retract the rail link", rows := [rows[0], rows[2], rows[3]]),
        ("Add oil", rows := [*rows, SMALL_ROWS[4]]),
        ("Drop oil again", rows := rows[:3]),
        ("Undo the rewording", rows := replaced(rows, 0, "UNSC adopts 1718", "Resolution 1718 adopted")),
    ]
    for day, (message, version) in enumerate(steps):
        repo.commit(version, message, f"2024-01-{10 + 2 * day:02d}")
    repo.write(replaced(rows, 0, ",confirmed,", ",reported,"))
    return repo


def _shape(diff):
    return set(diff.added), set(diff.removed), diff.changed


@pytest.mark.parametrize("since", [*DATES, "2024-01-01", "2030-01-01", *(f"HEAD~{k}" for k in range(10))])
def test_composed_from_the_history_as_git_diffs_the_two_versions(repo, since):
    history = file_history(repo.csv)
    composed = _composed(GitFile.open(repo.csv), history, since)
    assert composed is not None, "each of these is composed, not left to git's diff"
    assert _shape(composed) == _shape(changed_since(repo.csv, since))
    assert changed_since(repo.csv, since, history).touched() == changed_since(repo.csv, since).touched()
    for event_id in composed.added.keys() | composed.changed.keys():
        assert composed.new_rows[event_id]["id"] == event_id and composed.new_rows[event_id]["title"]


def test_what_composing_cannot_pair_is_left_to_git(repo):
    """An event removed in one commit and added under a new id in a later one is an id change
    to git's diff of the two versions; composing sees a removal and an addition, so it yields."""
    rows = [r for r in repo.csv.read_text(encoding="utf-8").splitlines()[1:]]
    repo.commit([rows[0], rows[2]], "Drop the shells", "2024-02-01")
    repo.commit([rows[0], rows[2], rows[1].replace(SMALL_IDS[2], "2022-09-05-shells-bought")], "Back", "2024-02-02")
    history = file_history(repo.csv)
    assert _composed(GitFile.open(repo.csv), history, "2024-01-25") is None
    diff = changed_since(repo.csv, "2024-01-25", history)
    assert diff.changed["2022-09-05-shells-bought"]["id"] == (SMALL_IDS[2], "2022-09-05-shells-bought")
