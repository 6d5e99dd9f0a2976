"""`tracker add` of an event that sorts last: appended in place inside one page, else rewritten."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from cli_helpers import ADD, run

from tracker.storage import append, filewrite
from tracker.storage.filewrite import PAGE_BYTES

LAST = "2030"  # later than every event of the test files
LAST_LINE = (
    b"2030-test-strike-on-kharkiv,2030,,Test strike on Kharkiv,,military,reported,,,,,,,https://example.org/kharkiv\n"
)


def add(path: Path, date: str = LAST):
    result = run("add", "--csv", str(path), "--date", date, *ADD)
    assert result.exit_code == 0, result.output
    return result


def temp_files(path: Path) -> list[str]:
    return [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_an_event_that_sorts_last_is_appended_in_place(events_csv: Path):
    before, inode = events_csv.read_bytes(), events_csv.stat().st_ino
    assert len(before) // PAGE_BYTES == (len(before) + len(LAST_LINE) - 1) // PAGE_BYTES  # (one page)
    assert add(events_csv).output == "2030-test-strike-on-kharkiv\n"
    assert events_csv.stat().st_ino == inode
    assert events_csv.read_bytes() == before + LAST_LINE


def test_a_back_dated_event_is_spliced_in_by_a_rewrite(small_csv: Path):
    before, inode = small_csv.read_bytes(), small_csv.stat().st_ino
    add(small_csv, "2010")
    assert small_csv.stat().st_ino != inode
    at = before.index(b"2013-rail-freight,")
    assert small_csv.read_bytes() == before[:at] + LAST_LINE.replace(b"2030", b"2010") + before[at:]
    assert temp_files(small_csv) == []


def _pad_to_room(path: Path, room: int) -> bytes:
    """Lengthen an empty description so that the file ends ``room`` bytes before a page boundary."""
    data = path.read_bytes()
    pad = (PAGE_BYTES - room - len(data)) % PAGE_BYTES
    data = data.replace(b",Rail link opens to freight,,", b",Rail link opens to freight," + b"a" * pad + b",", 1)
    path.write_bytes(data)
    assert PAGE_BYTES - len(data) % PAGE_BYTES == room
    return data


@pytest.mark.parametrize(
    ("room", "in_place"),
    [
        (len(LAST_LINE), True),
        (PAGE_BYTES, True),
        (len(LAST_LINE) - 1, False),
        (len(LAST_LINE) // 2, False),
    ],
    ids=["ends-at-the-page-end", "starts-a-page", "one-byte-over", "half-over"],
)
def test_a_row_crossing_a_page_boundary_is_rewritten(small_csv: Path, room: int, in_place: bool):
    before = _pad_to_room(small_csv, room)
    inode = small_csv.stat().st_ino
    add(small_csv)
    assert (small_csv.stat().st_ino == inode) == in_place
    assert small_csv.read_bytes() == before + LAST_LINE


@pytest.mark.parametrize(
    ("newline", "final", "prefix"),
    [(b"\n", False, b"\n"), (b"\r\n", True, b""), (b"\r\n", False, b"\r\n")],
    ids=["lf-no-final-newline", "crlf", "crlf-no-final-newline"],
)
def test_the_in_place_append_keeps_the_line_ends(small_csv: Path, newline: bytes, final: bool, prefix: bytes):
    data = small_csv.read_bytes().replace(b"\n", newline)
    small_csv.write_bytes(data if final else data.removesuffix(newline))
    before, inode = small_csv.read_bytes(), small_csv.stat().st_ino
    add(small_csv)
    assert small_csv.stat().st_ino == inode
    assert small_csv.read_bytes() == before + prefix + LAST_LINE.replace(b"\n", newline)


def short_write(monkeypatch):
    real_pwrite = os.pwrite
    return lambda fd, data, offset: real_pwrite(fd, data[: len(data) // 2], offset)


def disk_full(monkeypatch):
    def pwrite(fd, data, offset):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return pwrite


def fsync_fails(monkeypatch):
    """The write goes through, its fsync fails (EIO); the fsync after the cut works."""
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(filewrite.os, "fsync", fsync)
    return os.pwrite


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            short_write,
            "could write only 55 of the 110 bytes of the new row (the file is as it was; "
            "free some disk space and run the command again)",
        ),
        (
            disk_full,
            "could not append the new row: No space left on device (the file is as it was; "
            "run the command again once that is fixed)",
        ),
        (
            fsync_fails,
            "could not append the new row: Input/output error (the file is as it was; "
            "run the command again once that is fixed)",
        ),
    ],
)
def test_a_failed_append_is_cut_off_and_reported_in_one_line(events_csv: Path, monkeypatch, fault, message):
    before, offsets = events_csv.read_bytes(), []
    pwrite = fault(monkeypatch)
    monkeypatch.setattr(
        filewrite.os,
        "pwrite",
        lambda fd, data, offset: offsets.append(offset) or pwrite(fd, data, offset),
    )
    result = run("add", "--csv", str(events_csv), "--date", LAST, *ADD)
    assert offsets == [len(before)]  # one write, in place
    assert result.exit_code == 1
    assert result.output == f"Error: {events_csv}: {message}\n"
    assert events_csv.read_bytes() == before
    assert temp_files(events_csv) == []


def _append_behind_the_lock(path: Path) -> None:
    with open(path, "ab") as other:
        other.write(b"written without the lock\n")


def _replace_behind_the_lock(path: Path) -> None:
    copy = path.with_name("copy.csv")
    copy.write_bytes(path.read_bytes())
    copy.replace(path)


@pytest.mark.parametrize("date", [LAST, "2010"])  # appended in place / rewritten
@pytest.mark.parametrize("meddle", [_append_behind_the_lock, _replace_behind_the_lock])
def test_a_file_changed_behind_the_lock_is_not_appended_to(events_csv: Path, monkeypatch, meddle, date):
    real_check, meddled = append._checked, []

    def check_then_meddle(path, *args):
        checked = real_check(path, *args)
        meddle(path)
        meddled.append(path.read_bytes())
        return checked

    monkeypatch.setattr(append, "_checked", check_then_meddle)
    result = run("add", "--csv", str(events_csv), "--date", date, *ADD)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {events_csv}: changed while it was being read (another program wrote it "
        "without taking the lock; run the command again)\n"
    )
    assert events_csv.read_bytes() == meddled[0]  # (what the other program wrote is kept)
    assert temp_files(events_csv) == []


def test_a_file_that_may_not_be_opened_for_writing_is_rewritten(small_csv: Path, monkeypatch):
    """(As before: a read-only file in a writable folder is replaced.)"""
    real_open = os.open

    def refuse_writing(path, flags, *args):
        if flags & os.O_WRONLY:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(filewrite.os, "open", refuse_writing)
    before, inode = small_csv.read_bytes(), small_csv.stat().st_ino
    add(small_csv)
    assert small_csv.stat().st_ino != inode
    assert small_csv.read_bytes() == before + LAST_LINE
