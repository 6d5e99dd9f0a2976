"""Splicing a change into the events file's bytes: ``Change`` (rows taken out, put in at their
sorted places, rewritten where they stand) and ``spliced``, the new file as pieces: runs of the
old file's bytes, copied by the kernel, and the changed rows' lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract.csvtext import header_of
from ..contract.dates import padded_date
from .filebytes import FileBytes
from .filewrite import FileRange
from .placement import LineStart, insert_order, record_offsets, record_starts
from .rows import csv_block, csv_line, insert_index, rows_frame

MANY_PIECES = 1000  # above this many places to change, a new file is put together in memory


@dataclass(frozen=True)
class Change:
    """What a writer does: take out the rows at ``remove`` (positions in the file's rows) and put
    the ``insert`` rows (complete, checked: dicts, or a frame of the contract's columns for many)
    in at their sorted places, and write each ``replace`` row in place of the row at its position
    (one whose date and id, its sort key, are unchanged)."""

    remove: tuple[int, ...] = ()
    insert: tuple[dict[str, str], ...] | pd.DataFrame = ()
    replace: dict[int, dict[str, str]] = field(default_factory=dict)  # rewritten where they stand
    notes: dict = field(default_factory=dict)  # what the writer wants to report back

    @property
    def writes(self) -> bool:
        """Whether the change takes out, puts in or rewrites any row."""
        return bool(len(self.remove) or len(self.insert) or self.replace)


FEW_CHANGES = 16  # up to this many rows changed, each is placed on its own (no keys for the whole file)


def few(change: Change) -> bool:
    """Whether ``change`` places each changed row on its own (not by sorting the whole file)."""
    return len(change.insert) + len(change.remove) + len(change.replace) <= FEW_CHANGES


def head_line(data) -> bytes:
    """The first line of ``data`` with its newline (all of it when it has none)."""
    head = b""
    while len(head) < len(data):
        head += bytes(data[len(head) : len(head) + 65536])
        end = head.find(b"\n")
        if end >= 0:
            return head[: end + 1]
    return head


def newline_of(head: bytes) -> bytes:
    return b"\r\n" if head.endswith(b"\r\n") else b"\n"


def spliced(
    path: Path, source: FileBytes, data: bytes, existing: pd.DataFrame, change: Change, line_start: LineStart = None
) -> list:
    """The new file as pieces: the kept records' bytes (copied by the kernel, one range per run of
    records that stay together) with the new rows' lines at their sorted places and the replaced
    rows' where they stand. Its work grows with the number of changed rows, not with the size of
    the file (a few changed rows are found through ``line_start``, the cache's index of the
    file's lines, when given)."""
    if few(change):
        return _spliced_few(path, source, data, existing, change, line_start)
    if change.replace:  # (a replaced row keeps its sort key: taken out and put in, it lands in place)
        rows = [*rows_frame(change.insert).to_dict(orient="records"), *change.replace.values()]
        change = Change(remove=(*change.remove, *change.replace), insert=tuple(rows))
    return _spliced_many(path, source, data, existing, change)


@dataclass(frozen=True)
class Place:
    """Where a few changed rows go: before the old row ``at`` (the count of rows: after the
    last), the ``rows`` written there in order (new ones, then a rewritten one), and whether the
    old row ``at`` goes (removed, or rewritten)."""

    at: int
    rows: list[dict[str, str]]
    drops: bool


def places(existing: pd.DataFrame, change: Change) -> list[Place]:
    """The places of a few changed rows (``few(change)``), in the file's order: each new row's by
    ``insert_index`` among the rows that stay."""
    removed = {int(r) for r in change.remove}
    kept = np.ones(len(existing), dtype=bool)
    kept[list(removed)] = False
    new: dict[int, list[dict[str, str]]] = {}
    for row in sorted(
        rows_frame(change.insert).to_dict(orient="records"), key=lambda r: (padded_date(r["date"]), r["id"])
    ):
        new.setdefault(insert_index(existing, row, kept), []).append(row)
    rewritten = change.replace
    return [
        Place(at, [*new.get(at, []), *([rewritten[at]] if at in rewritten else [])], at in removed or at in rewritten)
        for at in sorted(removed | set(new) | set(rewritten))
    ]


def _spliced_few(
    path: Path, source: FileBytes, data: bytes, existing: pd.DataFrame, change: Change, line_start: LineStart
) -> list:
    """A few changed rows: each new row placed by ``insert_index``, the old bytes between the
    changed places copied as single ranges."""
    head = head_line(data)
    header, newline = header_of(head), newline_of(head)
    placed = places(existing, change)
    wanted = {0, *(p.at for p in placed), *(p.at + 1 for p in placed if p.drops)}
    starts = record_offsets(data, existing["_line"].to_numpy(), wanted, line_start)  # (len(data): the end)
    pieces = _Pieces(source.fd)
    pieces.copy(0, len(head) if not len(existing) else starts[0])
    copied = 0  # the next record not yet copied
    for place in placed:
        pieces.copy(starts[copied], starts[place.at])
        for row in place.rows:
            pieces.write(_newline_if_open(data, pieces.end, newline) + csv_line(path, row, header, newline))
        if place.at < len(existing):
            pieces.write(_newline_if_open(data, pieces.end, newline))
        copied = place.at + 1 if place.drops else place.at
    pieces.copy(starts[copied], len(data))
    return pieces.items


def _spliced_many(path: Path, source: FileBytes, data: bytes, existing: pd.DataFrame, change: Change) -> list:
    """Many changed rows (an import): all placed by one search of sort keys, their lines made
    column by column; past ``MANY_PIECES`` places, the new file is put together in memory."""
    head = head_line(data)
    header, newline = header_of(head), newline_of(head)
    starts = record_starts(data, existing["_line"].to_numpy())
    ends = np.append(starts[1:], len(data))
    dropped = np.zeros(len(existing), dtype=bool)  # (a mask: setdiff1d sorts every row number)
    dropped[np.asarray(change.remove, dtype=np.int64)] = True
    kept = np.flatnonzero(~dropped)
    new = rows_frame(change.insert)
    order, positions = insert_order(existing.iloc[kept], new)
    block, line_at = csv_block(path, new, header, newline, order)
    runs = np.flatnonzero(np.diff(kept) != 1) + 1  # where the kept records stop being adjacent
    breaks = np.union1d(np.union1d(positions, runs), [len(kept)]).astype(np.int64)
    if len(breaks) > MANY_PIECES:
        return _merged(data, head, starts, kept, positions, (block, line_at), newline)
    pieces = _Pieces(source.fd)
    pieces.copy(0, len(head) if not len(existing) else int(starts[0]))
    firsts = np.searchsorted(positions, breaks, side="left").tolist()
    lasts = np.searchsorted(positions, breaks, side="right").tolist()
    line_at = line_at.tolist()
    done = 0
    for at, first, last in zip(breaks.tolist(), firsts, lasts, strict=True):
        if at > done:  # the kept records done..at-1 are adjacent in the old file: one range
            pieces.write(_newline_if_open(data, pieces.end, newline))
            pieces.copy(int(starts[kept[done]]), int(ends[kept[at - 1]]))
            done = at
        if last > first:
            pieces.write(_newline_if_open(data, pieces.end, newline) + bytes(block[line_at[first] : line_at[last]]))
    return pieces.items


def _merged(
    data: bytes, head: bytes, starts: np.ndarray, kept: np.ndarray, positions: np.ndarray, lines, newline: bytes
) -> list[memoryview]:
    """The new file as slices of the old bytes and the new lines, for many changes (a kernel copy
    per piece would cost more; ``write_all`` hands them to the kernel in batches): every kept
    record and every new line (``lines``: their bytes back to back, and where each
    starts) at its place in the new order, runs that stay together joined as one slice."""
    block, line_at = lines
    body = data if not len(starts) or data.endswith(b"\n") else data + newline
    ends = np.append(starts[1:], len(body))
    first, last = np.empty((2, len(kept) + len(positions)), dtype=np.int64)
    kept_slots = np.arange(len(kept)) + np.searchsorted(positions, np.arange(len(kept)), side="right")
    new_slots = positions + np.arange(len(positions))
    first[kept_slots], last[kept_slots] = starts[kept], ends[kept]
    base = len(body) + 1  # new lines' coordinates: after the old bytes, with a gap no run spans
    first[new_slots], last[new_slots] = base + line_at[:-1], base + line_at[1:]
    runs = np.flatnonzero(np.r_[True, first[1:] != last[:-1]])  # a slice goes on where the last one stopped
    run_first, run_last = first[runs], np.append(last[runs[1:] - 1], last[-1]) if len(runs) else last[:0]
    old, new = memoryview(body), memoryview(block)
    parts = [
        old[a:b] if a < base else new[a - base : b - base]
        for a, b in zip(run_first.tolist(), run_last.tolist(), strict=True)
    ]
    prefix = head if not len(starts) else data[: int(starts[0])]
    return [prefix, *parts]


class _Pieces:
    """The new file as a list of pieces: runs of the old file's bytes (as one ``FileRange``
    each, however many records they hold) and new bytes."""

    def __init__(self, fd: int):
        self.fd, self.items, self.end = fd, [], 0  # end: where the last copied range stopped (0: wrote)

    def copy(self, start: int, end: int) -> None:
        if end <= start:
            return
        last = self.items[-1] if self.items else None
        if isinstance(last, FileRange) and last.offset + last.length == start:
            last.length += end - start
        else:
            self.items.append(FileRange(self.fd, start, end - start))
        self.end = end

    def write(self, data: bytes) -> None:
        if data:
            self.items.append(data)
            self.end = 0


def _newline_if_open(data: bytes, end: int, newline: bytes) -> bytes:
    """A newline to put after old bytes that end at ``end`` without one (the file's last line)."""
    return newline if end > 0 and data[end - 1 : end] != b"\n" else b""
