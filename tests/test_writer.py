"""The one writer story (tracker/storage/writer.py): a change takes rows out and puts rows in at
their sorted places; every other record keeps its bytes."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker.contract import schema
from tracker.storage import Change, change_events, splice
from tracker.storage import writer as events_writer

HEADER = list(schema.HEADER_COLUMNS)
DATES = ["2001", "2001-05", "2001-05-03", "2001-05-20", "2002", "2003-01-31"]


def row(date: str, name: str) -> dict[str, str]:
    return {
        **dict.fromkeys(HEADER, ""),
        "id": f"{date}-{name}",
        "date": date,
        "title": f"Event {name}",
        "category": "military",
        "status": "reported",
        "source_url": "https://example.org/" + name,
    }


def csv_text(rows: list[dict[str, str]], newline: str = "\n", final_newline: bool = True) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    text = buf.getvalue()
    return text if final_newline else text[: -len(newline)]


def in_file_order(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    padding = {4: "-01-01", 7: "-01", 10: ""}
    return sorted(rows, key=lambda r: (r["date"] + padding[len(r["date"])], r["id"]))


def write(path: Path, remove=(), insert=()) -> None:
    def decide(existing, _record):
        positions = [int(i) for i in existing.index[existing["id"].isin(remove)]]
        return Change(remove=tuple(positions), insert=tuple(insert))

    change_events(path, decide)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    old=st.lists(st.sampled_from(DATES), max_size=8),
    removed=st.sets(st.integers(0, 7)),
    new=st.lists(st.sampled_from(DATES), max_size=20),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
)
def test_a_change_keeps_every_other_line_and_sorts_the_new_ones_in(tmp_path, old, removed, new, newline, final_newline):
    """Few and many new rows (placed one by one, or by one search), any removals, any line ends."""
    assume(old or final_newline)  # (a lone header without a line end says nothing of the file's line ends)
    before = in_file_order([row(d, f"old{i}") for i, d in enumerate(old)])
    path = tmp_path / f"events-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(csv_text(before, newline, final_newline), encoding="utf-8", newline="")
    gone = {before[i]["id"] for i in removed if i < len(before)}
    added = [row(d, f"new{i}") for i, d in enumerate(new)]
    write(path, remove=gone, insert=added)
    after = [r for r in before if r["id"] not in gone] + added
    expected = csv_text(in_file_order(after), newline, final_newline or bool(added) or bool(gone))
    got = path.read_bytes().decode("utf-8")
    if not final_newline and not added and not gone:
        assert got == csv_text(before, newline, final_newline)
    else:
        assert got.rstrip(newline) == expected.rstrip(newline)


@pytest.mark.parametrize("count", [3, splice.FEW_CHANGES + 5], ids=["one-by-one", "searched"])
def test_unchanged_records_keep_their_bytes_quoting_included(tmp_path, count):
    path = tmp_path / "events.csv"
    kept = '2001-05-03-a,2001-05-03,,"Quoted, title",,military,reported,,,,,,,"https://example.org/a"\n'
    path.write_text(",".join(HEADER) + "\n" + kept, encoding="utf-8")
    write(path, insert=[row("2003", f"n{i}") for i in range(count)])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1] == kept and len(lines) == 2 + count


def test_an_unsorted_file_gets_each_row_before_the_first_record_that_sorts_after_it(tmp_path):
    path = tmp_path / "events.csv"
    rows = [row("2003", "c"), row("2001", "a"), row("2004", "d")]
    path.write_text(csv_text(rows), encoding="utf-8")
    write(path, insert=[row("2002", f"b{i}") for i in range(splice.FEW_CHANGES + 1)])
    ids = [r["id"] for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))]
    new = [f"2002-b{i}" for i in range(splice.FEW_CHANGES + 1)]
    assert ids == sorted(new) + ["2003-c", "2001-a", "2004-d"]  # (before 2003-c, the first that sorts after)


def test_a_change_costs_pieces_for_what_it_touches_not_for_every_record(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(csv_text([row("2001", f"r{i:04d}") for i in range(2_000)]), encoding="utf-8")
    with events_writer.opened(path) as source:
        data = events_writer.whole(path, source)
        existing = events_writer.valid_raw(path, data)
        change = Change(remove=(10, 1_500), insert=(row("2001", "r0500x"),))
        pieces = splice.spliced(path, source, data, existing, change)
    assert [type(p).__name__ for p in pieces] == ["FileRange", "FileRange", "bytes", "FileRange", "FileRange"]


def test_many_chunks_are_written_whole_and_in_order_even_when_writev_stops_short(tmp_path: Path, monkeypatch):
    """A merged file is handed to the kernel as many slices; a writev that takes only part of a
    batch (allowed, though a regular file takes it all) must not lose or reorder bytes."""
    from tracker.storage import filewrite

    chunks = [memoryview(f"{i:05d},".encode()) for i in range(3000)]
    real = os.writev
    monkeypatch.setattr(filewrite.os, "writev", lambda fd, batch: real(fd, batch[:7]))
    path = tmp_path / "out.csv"
    filewrite.atomic_write(path, [b"head\n", *chunks, b"\n"])
    assert path.read_bytes() == b"head\n" + b"".join(chunks) + b"\n"


@pytest.mark.parametrize("durable, syncs", [(True, 2), (False, 0)])
def test_a_cache_file_is_replaced_whole_without_waiting_for_the_disk(tmp_path, monkeypatch, durable, syncs):
    from tracker.storage.filewrite import atomic_write

    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    target = tmp_path / "cache.bin"
    target.write_bytes(b"old")
    atomic_write(target, [b"new ", b"bytes"], durable=durable)
    assert target.read_bytes() == b"new bytes"
    assert len(synced) == syncs
    assert [p.name for p in tmp_path.iterdir()] == ["cache.bin"], "no temp file left"
