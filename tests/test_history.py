"""The record's history from real git repositories: the library, `tracker diff` and `tracker history`."""

from __future__ import annotations

import json

import pytest
from cli_helpers import SMALL_IDS, SMALL_ROWS, run
from history_helpers import Repo, first_rows, replaced

from tracker.history import HistoryUnavailable, changed_since, event_history, file_history, resolve_changed
from tracker.query import EventFilter, filter_events
from tracker.storage import load_events

pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture
def repo(tmp_path) -> Repo:
    """Four commits: three events; a fourth added; a status change; one removed."""
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    repo.commit(rows, "Three events", "2024-01-10")
    rows = rows + [SMALL_ROWS[3]]
    repo.commit(rows, "Add the Wagner rockets", "2024-02-10")
    rows = replaced(rows, 2, ",denied,", ",confirmed,")
    repo.commit(rows, "Shells: confirmed", "2024-03-10")
    repo.commit([rows[0], rows[2], rows[3]], "Retract the rail event", "2024-04-10")
    return repo


def test_each_commit_records_what_it_did(repo):
    history = file_history(repo.csv)
    assert [(v.date, v.message, v.diff.summary()) for v in history.versions] == [
        ("2024-01-10", "Three events", "+3 events"),
        ("2024-02-10", "Add the Wagner rockets", "+1 event"),
        ("2024-03-10", "Shells: confirmed", "1 status change"),
        ("2024-04-10", "Retract the rail event", "1 removed"),
    ]
    assert history.versions[2].diff.changed == {SMALL_IDS[2]: {"status": ("denied", "confirmed")}}
    assert history.note == ""


def test_diff_json_is_exact(repo):
    result = run("diff", "HEAD~3", "HEAD", "--csv", str(repo.csv), "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["old"], out["new"]) == ("HEAD~3", "HEAD")
    assert [e["id"] for e in out["added"]] == [SMALL_IDS[3]]
    assert out["added"][0]["title"] == "Rockets for Wagner" and out["added"][0]["date"] == "2022-11"
    assert [e["id"] for e in out["removed"]] == [SMALL_IDS[1]]
    assert out["removed"][0]["title"] == "Rail link opens to freight"
    assert out["changed"] == [{"id": SMALL_IDS[2], "changes": {"status": ["denied", "confirmed"]}}]


def test_diff_text_and_markdown(repo):
    text = run("diff", "HEAD~3", "HEAD", "--csv", str(repo.csv))
    assert text.exit_code == 0
    assert text.output.splitlines() == [
        "+1 event, 1 status change, 1 removed (HEAD~3 → HEAD)",
        f"+ {SMALL_IDS[3]} 2022-11 Rockets for Wagner",
        f"~ {SMALL_IDS[2]} status denied → confirmed",
        f"- {SMALL_IDS[1]} Rail link opens to freight",
    ]
    md = run("diff", "HEAD~3", "HEAD", "--csv", str(repo.csv), "--format", "md")
    assert md.output.splitlines()[0] == "### events.csv: +1 event, 1 status change, 1 removed (HEAD~3 → HEAD)"
    assert f"- - ~~{SMALL_IDS[1]}~~ Rail link opens to freight" in md.output.splitlines()


def test_uncommitted_edits_are_the_last_version(repo):
    rows = [SMALL_ROWS[0], replaced(first_rows(), 2, ",denied,", ",confirmed,")[2], SMALL_ROWS[3]]
    repo.write(replaced(rows, 0, "Resolution 1718 adopted", "Resolution 1718 adopted unanimously"))
    last = file_history(repo.csv).versions[-1]
    assert (last.commit, last.message) == ("working file", "uncommitted changes")
    assert last.diff.changed == {
        SMALL_IDS[0]: {"title": ("Resolution 1718 adopted", "Resolution 1718 adopted unanimously")}
    }
    result = run("diff", "--csv", str(repo.csv), "--format", "json")  # HEAD → the working file
    assert json.loads(result.output)["new"] == "working file"
    assert json.loads(result.output)["changed"][0]["id"] == SMALL_IDS[0]
    text = run("history", SMALL_IDS[0], "--csv", str(repo.csv))
    assert text.output.splitlines()[-1] == "working file (not committed yet) changed: title"


def test_history_of_one_event(repo):
    result = run("history", SMALL_IDS[2], "--csv", str(repo.csv), "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(v["date"], v["change"], v["changes"]) for v in json.loads(result.output)] == [
        ("2024-01-10", "added", {}),
        ("2024-03-10", "changed", {"status": ["denied", "confirmed"]}),
    ]
    text = run("history", SMALL_IDS[1], "--csv", str(repo.csv))
    assert text.output.splitlines()[-1].endswith("2024-04-10 removed (Retract the rail event)")


def test_an_id_change_is_not_a_removal_and_an_addition(repo):
    rows = [SMALL_ROWS[0], replaced(first_rows(), 2, ",denied,", ",confirmed,")[2], SMALL_ROWS[3]]
    renamed = replaced(rows, 2, SMALL_IDS[3], "2022-11-dprk-rockets-wagner")
    repo.commit(renamed, "Rename the rockets event", "2024-05-10")
    diff = file_history(repo.csv).versions[-1].diff
    assert (diff.added, diff.removed) == ({}, {})
    assert diff.changed == {"2022-11-dprk-rockets-wagner": {"id": (SMALL_IDS[3], "2022-11-dprk-rockets-wagner")}}
    # the event's history follows it back through its old id
    assert [v.change for v in event_history(repo.csv, "2022-11-dprk-rockets-wagner")] == ["added", "changed"]


def test_an_invalid_version_is_skipped_with_a_note(repo):
    rows = [SMALL_ROWS[0], replaced(first_rows(), 2, ",denied,", ",confirmed,")[2], SMALL_ROWS[3]]
    repo.commit(replaced(rows, 0, ",confirmed,", ",certain,"), "A bad status", "2024-05-10")
    repo.commit(replaced(rows, 0, ",confirmed,", ",reported,"), "Fixed", "2024-05-11")
    bad, fixed = file_history(repo.csv).versions[-2:]
    assert bad.invalid.startswith("skipped, breaks the contract: event '2006-10-14-res-1718': status")
    # the next valid version is compared with the last valid one
    assert fixed.diff.changed == {SMALL_IDS[0]: {"status": ("confirmed", "reported")}}


def test_a_merge_counts_once_on_the_first_parent_line(repo):
    repo.git("checkout", "-q", "-b", "side")
    rows = [SMALL_ROWS[0], replaced(first_rows(), 2, ",denied,", ",confirmed,")[2], SMALL_ROWS[3]]
    repo.commit(rows + [SMALL_ROWS[4]], "Side: add oil", "2024-05-10")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side", date="2024-05-12")
    versions = file_history(repo.csv).versions
    assert [v.message for v in versions][-1] == "Merge side"
    assert "Side: add oil" not in [v.message for v in versions]
    assert list(versions[-1].diff.added) == [SMALL_IDS[4]]


def test_changed_since_a_date_or_a_revision(repo):
    assert changed_since(repo.csv, "2024-02-15").touched() == {SMALL_IDS[2]}
    assert changed_since(repo.csv, "HEAD~3").touched() == {SMALL_IDS[2], SMALL_IDS[3]}
    f = resolve_changed(EventFilter(changed_since="2024-01-20"), repo.csv)
    assert list(filter_events(load_events(repo.csv), f)["id"]) == [SMALL_IDS[2], SMALL_IDS[3]]
    listed = run("list", "--changed-since", "2024-02-15", "--csv", str(repo.csv), "--format", "json")
    assert [e["id"] for e in json.loads(listed.output)] == [SMALL_IDS[2]]


def test_the_cache_makes_a_rerun_cost_only_new_commits(repo, monkeypatch):
    from tracker.history import log

    file_history(repo.csv)
    computed = []
    real = log._version
    monkeypatch.setattr(log, "_version", lambda *a: computed.append(a[0].message.strip()) or real(*a))
    file_history(repo.csv)
    assert computed == []
    repo.commit(first_rows(), "Put the rail event back", "2024-06-01")
    file_history(repo.csv)
    assert computed == ["Put the rail event back"]


def test_outside_git_and_bad_revisions_are_one_line_errors(tmp_path, small_csv, repo):
    with pytest.raises(HistoryUnavailable):
        file_history(small_csv)
    result = run("diff", "--csv", str(small_csv))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {small_csv.resolve()}: not in a git repository, so it has no history")
    bad = run("diff", "v9", "--csv", str(repo.csv))
    assert bad.exit_code == 1 and "git cannot resolve the revision 'v9'" in bad.output
    unknown = run("history", "no-such-event", "--csv", str(repo.csv))
    assert unknown.exit_code == 1 and "no version of the file holds an event 'no-such-event'" in unknown.output
    usage = run("diff", "--format", "yaml", "--csv", str(repo.csv))
    assert usage.exit_code == 2


def test_export_caption_names_changed_since(repo, tmp_path):
    out = tmp_path / "changed.csv"
    result = run("export", "--changed-since", "2024-02-15", "--csv", str(repo.csv), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("1 of 3 events (changed since 2024-02-15)")


def test_a_brief_of_changes_says_what_changed_of_each_event(repo, tmp_path):
    import docx

    out = tmp_path / "changed.md"
    result = run("export", "--changed-since", "2024-01-20", "--csv", str(repo.csv), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    shells = next(i for i, line in enumerate(lines) if "**US says Russia buys shells** · confirmed" in line)
    assert lines[shells + 1 : shells + 3] == ["  Arms transfer  ", "  _Since 2024-01-20: status denied → confirmed_  "]
    rockets = next(i for i, line in enumerate(lines) if "**Rockets for Wagner**" in line)
    assert lines[rockets + 2] == "  _Since 2024-01-20: new_  "
    word = tmp_path / "changed.docx"
    assert run("export", "--changed-since", "2024-01-20", "--csv", str(repo.csv), "-o", str(word)).exit_code == 0
    texts = [p.text for p in docx.Document(str(word)).paragraphs]
    assert any("Since 2024-01-20: status denied → confirmed" in t for t in texts)
    plain = tmp_path / "all.md"
    assert run("export", "--csv", str(repo.csv), "-o", str(plain)).exit_code == 0
    assert "Since" not in plain.read_text(encoding="utf-8")


def test_a_json_export_of_changes_says_what_changed_as_tracker_diff_does(repo, tmp_path):
    out = tmp_path / "changed.json"
    result = run("export", "--changed-since", "2024-01-20", "--csv", str(repo.csv), "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [e["id"] for e in doc["events"]] == [SMALL_IDS[2], SMALL_IDS[3]]
    assert doc["changes"] == {
        "added": [SMALL_IDS[3]],
        "changed": [{"id": SMALL_IDS[2], "changes": {"status": ["denied", "confirmed"]}}],
    }
    narrowed = tmp_path / "narrowed.json"
    args = [
        "export",
        "--changed-since",
        "2024-01-20",
        "--status",
        "denied",
        "--csv",
        str(repo.csv),
        "-o",
        str(narrowed),
    ]
    assert run(*args).exit_code == 0
    assert json.loads(narrowed.read_text(encoding="utf-8"))["changes"] == {"added": [SMALL_IDS[3]], "changed": []}
    plain = tmp_path / "all.json"
    assert run("export", "--csv", str(repo.csv), "-o", str(plain)).exit_code == 0
    assert "changes" not in json.loads(plain.read_text(encoding="utf-8"))


def _summaries(path) -> list[tuple]:
    return [(v.short, v.message, v.diff.summary(), v.invalid) for v in file_history(path).versions]


def test_a_rewritten_line_is_walked_again_not_taken_from_the_cache(repo, tmp_path, monkeypatch):
    """The cache keeps the walked line; once its last commit is no longer on it (a reset, a
    rebase), the line is walked whole again and matches a history made with no cache."""
    _summaries(repo.csv)
    repo.git("reset", "-q", "--hard", "HEAD~2")
    repo.commit(first_rows(), "Take the rockets out again", "2024-05-01")
    warm = _summaries(repo.csv)
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert warm == _summaries(repo.csv)
    assert [m for _, m, _, _ in warm] == ["Three events", "Add the Wagner rockets", "Take the rockets out again"]
    assert warm[-1][2] == "1 removed"


def test_an_edit_inside_a_description_over_several_lines_is_that_descriptions_change(tmp_path):
    """The middle line of a quoted description over three lines reads, on its own, like a whole
    record (another event's line); an edit of it changes the description, not that event."""
    repo = Repo(tmp_path / "repo")
    inner = SMALL_ROWS[3]  # (no quotes, as many commas as the header)

    def described(middle: str) -> list[str]:
        note = f'"Sources disagree:\n{middle}\nas quoted"'
        return replaced(first_rows(), 1, ",Rail link opens to freight,,", f",Rail link opens to freight,{note},")

    repo.commit(described(inner), "Rail link, with notes", "2024-01-10")
    repo.commit(described(inner.replace(",denied,", ",confirmed,")), "Notes: the quote corrected", "2024-02-10")
    later = file_history(repo.csv).versions[1]
    assert (later.invalid, later.diff.added, later.diff.removed) == ("", {}, {})
    assert list(later.diff.changed) == [SMALL_IDS[1]]
    old, new = later.diff.changed[SMALL_IDS[1]]["description"]
    assert (old.splitlines()[1], new.splitlines()[1]) == (inner, inner.replace(",denied,", ",confirmed,"))
