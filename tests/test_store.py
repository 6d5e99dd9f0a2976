"""The atomic writer: unchanged parts are copied by the kernel from the open file itself."""

from __future__ import annotations

import pytest

from tracker.errors import TrackerError
from tracker.storage import filebytes
from tracker.storage.filebytes import FileBytes
from tracker.storage.filewrite import FileRange, atomic_write


def _spliced(source: FileBytes, offset: int, line: bytes) -> list:
    """The file's bytes with ``line`` put at ``offset``, the unchanged parts as ranges of the file."""
    return [
        FileRange(source.fd, 0, offset),
        line,
        FileRange(source.fd, offset, len(source) - offset),
    ]


def test_splice_copies_unchanged_parts_from_the_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"header\nrow1\nrow3\n")
    with open(path, "rb") as handle:
        chunks = _spliced(FileBytes(handle.fileno()), 12, b"row2\n")
        assert [type(c) for c in chunks] == [FileRange, bytes, FileRange]
        atomic_write(path, chunks)
    assert path.read_bytes() == b"header\nrow1\nrow2\nrow3\n"


def test_splice_copies_the_bytes_it_opened_even_if_the_file_was_replaced_meanwhile(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"header\nrow1\nrow3\n")
    with open(path, "rb") as handle:
        source = FileBytes(handle.fileno())
        replacement = tmp_path / "other.csv"
        replacement.write_bytes(b"edited by hand meanwhile\n")
        replacement.replace(path)
        atomic_write(path, _spliced(source, 12, b"row2\n"))
    assert path.read_bytes() == b"header\nrow1\nrow2\nrow3\n"


def test_a_file_truncated_while_copied_writes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "events.csv"
    path.write_bytes(b"header\nrow1\nrow3\n")
    monkeypatch.setattr("os.copy_file_range", lambda *args: 0)  # force the read-and-write path
    with open(path, "rb") as handle:
        chunks = _spliced(FileBytes(handle.fileno()), 12, b"row2\n")
        with open(path, "r+b") as other:  # a program that ignores the lock truncates it in place
            other.truncate(8)
        with pytest.raises(TrackerError, match="shrank while it was being copied"):
            atomic_write(path, chunks)
    assert path.read_bytes() == b"header\nr"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


def test_file_bytes_reads_any_slice(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"0123456789" * 300_000)
    with open(path, "rb") as handle:
        data = FileBytes(handle.fileno())
        assert len(data) == 3_000_000
        assert data[0 : len(data)] == path.read_bytes()
        assert data[-1:] == b"9" and data[5:3] == b"" and data[2_999_998:4_000_000] == b"89"


@pytest.mark.parametrize("size_change", [0, -5, 7])
def test_a_large_file_read_into_huge_pages_is_exactly_its_bytes(tmp_path, monkeypatch, size_change):
    """Whatever size was stated (the file may grow or shrink between stat and read)."""
    monkeypatch.setattr(filebytes, "HUGE_PAGES_FROM", 1)
    path = tmp_path / "events.csv"
    path.write_bytes(bytes(range(256)) * 40)
    data = filebytes.read_whole(path, path.stat().st_size + size_change)
    assert bytes(data) == path.read_bytes()
