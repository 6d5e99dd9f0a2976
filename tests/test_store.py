"""The atomic writer: unchanged parts are copied by the kernel from the file itself."""

from __future__ import annotations

from tracker.append import FileRange, _spliced, atomic_write


def test_splice_copies_unchanged_parts_from_the_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"header\nrow1\nrow3\n")
    data = path.read_bytes()
    chunks = _spliced(path, data, 12, b"row2\n")
    assert [type(c) for c in chunks] == [FileRange, bytes, FileRange]
    atomic_write(path, chunks)
    assert path.read_bytes() == b"header\nrow1\nrow2\nrow3\n"
    assert chunks[0].src.closed and chunks[2].src.closed


def test_splice_falls_back_to_memory_when_the_file_no_longer_holds_the_bytes(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(b"header\nrow1\nrow3\n")
    data = path.read_bytes()
    path.write_bytes(b"edited by hand meanwhile\n")
    chunks = _spliced(path, data, 12, b"row2\n")
    assert not any(isinstance(c, FileRange) for c in chunks)
    atomic_write(path, chunks)
    assert path.read_bytes() == b"header\nrow1\nrow2\nrow3\n"
