"""The events file inside its git repository (pygit2: libgit2 in-process, no git command)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pygit2

from ..errors import TrackerError

WORKING = "working file"  # the name the uncommitted version goes by


class HistoryUnavailable(TrackerError):
    """The file has no git history to read (not in a repository, or never committed)."""


class RevisionError(TrackerError):
    """A revision git cannot resolve, or one that does not hold the file."""


@dataclass
class GitFile:
    """``path`` (the working file) and ``rel``, its path inside ``repo``."""

    repo: pygit2.Repository
    path: Path
    rel: str

    @classmethod
    def open(cls, path: str | Path) -> GitFile:
        path = Path(path).resolve()
        found = pygit2.discover_repository(str(path.parent))
        if found is None:
            raise HistoryUnavailable(
                f"{path}: not in a git repository, so it has no history",
                "history needs the file committed in git (git init; git add; git commit)",
            )
        repo = pygit2.Repository(found)
        if repo.workdir is None:
            raise HistoryUnavailable(f"{path}: its repository has no working tree", "use a normal clone")
        rel = path.relative_to(Path(repo.workdir).resolve()).as_posix()
        return cls(repo, path, rel)

    @property
    def shallow(self) -> bool:
        return self.repo.is_shallow

    @property
    def head_id(self) -> str:
        """HEAD's commit id ("" before the first commit)."""
        try:
            return str(self.repo.head.target)
        except pygit2.GitError:
            return ""

    def commit(self, rev: str) -> pygit2.Commit:
        """The commit ``rev`` names (a hash, a tag, a branch, ``HEAD~2``…)."""
        try:
            return self.repo.revparse_single(rev).peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            raise RevisionError(
                f"{self.path}: git cannot resolve the revision {rev!r}",
                "give a commit hash, a tag, a branch or a form such as HEAD~1 (git log lists them)",
            ) from None

    def read(self, blob_id) -> bytes:
        """The bytes of the blob ``blob_id``."""
        return self.repo[blob_id].data

    def blob_id_at(self, commit: pygit2.Commit) -> pygit2.Oid | None:
        """The id of the file's blob in ``commit`` (its tree entry: the blob is not read)."""
        try:
            return commit.tree[self.rel].id
        except KeyError:
            return None

    def blob(self, rev: str) -> bytes:
        """The file as the revision ``rev`` holds it."""
        blob_id = self.blob_id_at(self.commit(rev))
        if blob_id is None:
            raise RevisionError(f"{self.path}: revision {rev!r} holds no {self.rel}", "give a later revision")
        return self.read(blob_id)

    def tags(self, limit: int = 5) -> list[tuple[str, str]]:
        """(name, commit date) of the ``limit`` tags on the newest commits, newest first (a tag
        that names no commit, such as one of a tree, is left out)."""
        found = []
        for ref in self.repo.references.iterator(pygit2.enums.ReferenceFilter.TAGS):
            try:
                commit = ref.peel(pygit2.Commit)
            except (pygit2.GitError, pygit2.InvalidSpecError, ValueError):
                continue
            found.append((commit.author.time, ref.shorthand, commit_date(commit)))
        return [(name, date) for _, name, date in sorted(found, reverse=True)[:limit]]

    def first_parent_line(self) -> list[pygit2.Commit]:
        """HEAD's first-parent ancestry, oldest first (a merge counts as one step on main)."""
        return list(self.walk_back())[::-1]

    def walk_back(self) -> pygit2.Walker:
        """HEAD's first-parent ancestry, newest first, read as it is walked."""
        try:
            head = self.repo.head.peel(pygit2.Commit)
        except pygit2.GitError:
            raise HistoryUnavailable(f"{self.path}: its repository has no commits yet", "commit the file") from None
        # (following first parents only, the walk holds one commit at a time: no sort is needed,
        # and unsorted it yields each commit as it is read rather than after reading them all)
        walker = self.repo.walk(head.id, pygit2.enums.SortMode.NONE)
        walker.simplify_first_parent()
        return walker

    def working_bytes(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise TrackerError(f"{self.path}: cannot read it ({exc.strerror})", "check the path") from None


def commit_date(commit: pygit2.Commit) -> str:
    """The commit's author date, ISO (YYYY-MM-DD), in the author's own time zone."""
    zone = dt.timezone(dt.timedelta(minutes=commit.author.offset))
    return dt.datetime.fromtimestamp(commit.author.time, zone).date().isoformat()


def summary(commit: pygit2.Commit) -> str:
    """The first line of the commit message."""
    return commit.message.strip().splitlines()[0] if commit.message.strip() else ""


class Blobs:
    """Many blobs' bytes, read in turn (the file's versions, one after another).

    libgit2 rebuilds a packed blob from its delta chain on every read and caches no base over
    1 MB, so each version of a large file costs the whole chain again; dulwich's pack reader
    keeps the bases it resolved, and reads a line of versions many times faster. Its import
    costs more than reading a few blobs, so it is used only for ``many`` of them; any blob it
    cannot read (an unusual repository) is read through libgit2. A context manager: leaving it
    closes dulwich's files.
    """

    MANY = 16

    def __init__(self, gf: GitFile, count: int):
        self._gf = gf
        self._store = None
        if count >= self.MANY:
            try:
                from dulwich.object_store import DiskObjectStore

                self._store = DiskObjectStore(str(Path(gf.repo.path) / "objects"))
            except Exception:  # noqa: BLE001 - any store dulwich cannot open is read by libgit2
                self._store = None

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc) -> None:
        if self._store is not None:
            self._store.close()  # (its packs stay open until closed)
            self._store = None

    def __getitem__(self, blob_id) -> bytes:
        if self._store is not None:
            try:
                return self._store.get_raw(str(blob_id).encode())[1]
            except Exception:  # noqa: BLE001 - e.g. an object only an alternate or a worktree holds
                pass
        return self._gf.read(blob_id)
