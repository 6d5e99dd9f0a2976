"""Two versions of the events file compared by id from the lines only one of them has, against
both versions parsed whole; and the blobs read for many versions at once (dulwich) against
libgit2's reads."""

from __future__ import annotations

import pytest
from cli_helpers import SMALL_ROWS
from history_helpers import HEADER, Repo, first_rows, replaced
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracker.history import diff_versions, file_history
from tracker.history.gitfile import Blobs, GitFile
from tracker.history.rowdiff import Lines, _whole

STATUS = ["alleged", "reported", "confirmed", "denied"]


def _line(n: int, status: str, text: str) -> str:
    row = dict.fromkeys(HEADER.split(","), "")
    row |= {"id": f"event-{n}", "date": f"2024-01-{n + 1:02d}", "title": f"Event {n}", "description": text}
    row |= {"category": "military", "status": status, "source_name": "Reuters", "source_url": f"https://x.org/{n}"}
    return ",".join(row.values())


# A quoted field over three lines whose middle line, on its own, reads as a whole record.
RECORD_INSIDE = ['"quoted\n' + _line(77, status, "") + '\nlines"' for status in ("alleged", "confirmed")]
# Lines as the file holds them: plain rows, descriptions with quoted line breaks, a quoted comma.
ROWS = st.lists(
    st.tuples(
        st.integers(0, 12),
        st.sampled_from(STATUS),
        st.sampled_from(
            ["", "plain words", '"a quoted, comma"', '"two\nlines"', '"she said ""no"""', '"one\ntwo, three\nfour"']
            + RECORD_INSIDE
        ),
    ),
    max_size=10,
    unique_by=lambda row: row[0],
)


def _file(rows, *, newline: str = "\n", bom: bool = False) -> bytes:
    lines = [HEADER] + [_line(*row) for row in rows]
    return (("\ufeff" if bom else "") + newline.join(lines) + newline).encode()


def _shape(diff):
    return diff.added, diff.removed, diff.changed


@settings(max_examples=300, deadline=None, derandomize=True)
@given(old=ROWS, new=ROWS, newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
@example(old=[(1, "alleged", RECORD_INSIDE[0])], new=[(1, "alleged", RECORD_INSIDE[1])], newline="\n", bom=False)
def test_the_line_diff_is_the_diff_of_both_versions_parsed_whole(old, new, newline, bom):
    before, after = _file(old, newline=newline, bom=bom), _file(new, newline=newline, bom=bom)
    expected = _whole(before.decode("utf-8-sig"), after.decode("utf-8-sig"))
    assert _shape(diff_versions(before, after, check=False)) == _shape(expected)
    # Each version's lines with an odd number of quotes, told from the other's and the changed
    # lines (either side known first), are those a scan of its bytes finds.
    for known in ("old", "new"):
        old_lines, new_lines = Lines(before), Lines(after)
        (old_lines if known == "old" else new_lines).odd_lines()
        assert _shape(diff_versions(old_lines, new_lines, check=False)) == _shape(expected)
        assert (old_lines.odd, new_lines.odd) == (Lines(before).odd_lines(), Lines(after).odd_lines())


def test_one_line_records_are_parsed_from_the_changed_lines_only(monkeypatch):
    from tracker.history import rowdiff

    monkeypatch.setattr(rowdiff, "_whole", lambda *a: pytest.fail("both versions were parsed whole"))
    before = _file([(1, "alleged", "plain words"), (2, "reported", ""), (3, "denied", '"a quoted, comma"')])
    after = _file([(1, "confirmed", "plain words"), (3, "denied", '"a quoted, comma"'), (4, "alleged", "")])
    diff = diff_versions(before, after, check=False)
    assert (set(diff.added), set(diff.removed), diff.changed) == (
        {"event-4"},
        {"event-2"},
        {"event-1": {"status": ("alleged", "confirmed")}},
    )


def test_a_changed_header_or_line_ends_still_diff_by_id():
    before = _file([(1, "alleged", ""), (2, "reported", "")])
    after = _file([(1, "confirmed", ""), (3, "reported", "")], newline="\r\n")
    diff = diff_versions(before, after, check=False)
    assert (set(diff.added), set(diff.removed), diff.changed) == (
        {"event-3"},
        {"event-2"},
        {"event-1": {"status": ("alleged", "confirmed")}},
    )


@pytest.mark.usefixtures("private_cache")
def test_blobs_read_for_many_versions_are_libgit2s_bytes(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    for day in range(1, Blobs.MANY + 3):
        rows = replaced(rows, 0, rows[0].split(",")[3], f"Resolution 1718 draft {day}") if day > 1 else rows
        repo.commit([*rows, SMALL_ROWS[3]] if day % 2 else rows, f"Version {day}", f"2024-02-{day:02d}")
    repo.git("gc", "-q")  # (packed, with deltas, as a clone is)
    gf = GitFile.open(repo.csv)
    ids = [gf.blob_id_at(commit) for commit in gf.first_parent_line()]
    with Blobs(gf, len(ids)) as many:
        assert many._store is not None, "dulwich reads them"
        assert [many[i] for i in ids] == [gf.read(i) for i in ids]
    with Blobs(gf, 2) as few:
        assert few._store is None, "a few are read by libgit2"
    history = [(v.message, v.diff.summary()) for v in file_history(repo.csv).versions]

    def unreadable(self, sha):
        raise KeyError(sha)

    monkeypatch.setattr("dulwich.object_store.DiskObjectStore.get_raw", unreadable)
    with Blobs(gf, len(ids)) as many:
        assert [many[i] for i in ids] == [gf.read(i) for i in ids], "what dulwich cannot read, libgit2 does"
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "other-cache"))
    assert [(v.message, v.diff.summary()) for v in file_history(repo.csv).versions] == history


@pytest.fixture
def three_commits(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    rows = first_rows()
    repo.commit(rows, "Three events", "2024-01-10")
    repo.commit([*rows, SMALL_ROWS[3]], "Add the rockets", "2024-02-10")
    return repo


def _reads(monkeypatch) -> list[str]:
    """The blob ids read from git from now on."""
    reads: list[str] = []
    real = GitFile.read
    monkeypatch.setattr(GitFile, "read", lambda self, blob_id: reads.append(str(blob_id)) or real(self, blob_id))
    return reads


def _summaries(path) -> list[tuple[str, str]]:
    return [(v.message, v.diff.summary()) for v in file_history(path).versions]


@pytest.mark.usefixtures("private_cache")
def test_one_new_commit_costs_no_blob_read(three_commits, monkeypatch):
    """The run before kept its last version beside the cache; the new commit's version is the
    working file: neither side of the new diff is read from git."""
    repo = three_commits
    _summaries(repo.csv)
    repo.commit(replaced([*first_rows(), SMALL_ROWS[3]], 2, ",denied,", ",confirmed,"), "Confirmed", "2024-03-10")
    reads = _reads(monkeypatch)
    assert _summaries(repo.csv)[-1] == ("Confirmed", "1 status change")
    assert reads == []


@pytest.mark.parametrize("damage", ["bytes", "other blob", "gone"])
def test_a_kept_version_that_is_not_the_blob_is_not_used(three_commits, private_cache, monkeypatch, damage):
    repo = three_commits
    before = _summaries(repo.csv)
    (kept,) = private_cache.glob("history-*.version")
    blob_id, data = kept.read_bytes().split(b"\n", 1)
    if damage == "bytes":
        kept.write_bytes(blob_id + b"\n" + data.replace(b"rockets", b"rackets"))
    elif damage == "other blob":
        kept.write_bytes(b"0" * 40 + b"\n" + data)
    else:
        kept.unlink()
    repo.commit(replaced([*first_rows(), SMALL_ROWS[3]], 2, ",denied,", ",confirmed,"), "Confirmed", "2024-03-10")
    reads = _reads(monkeypatch)
    assert _summaries(repo.csv) == [*before, ("Confirmed", "1 status change")]
    assert reads == [blob_id.decode()], "the base is read from git"
    assert kept.read_bytes().split(b"\n", 1)[0] != blob_id, "and the new last version kept"
