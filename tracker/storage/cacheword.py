"""The cache's word on the file a writer wrote from the cache's claim: for a few changed rows
(an edit, a removal), the claim's rows with those taken out and put in, kept as a delta beside
the entry (``cache.Claim.after_change``). The next writer, or the dashboard's reload, then takes
the cache's word on the new file instead of validating it whole again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..contract import ValidationError, read_raw, schema
from ..contract.csvtext import header_of
from . import cache as frame_cache
from .filebytes import FileBytes
from .filewrite import FileRange
from .load import typed
from .rows import csv_line
from .splice import Change, Place, few, head_line, newline_of, places

# What preparing the word may raise on rows it cannot vouch for: then it says nothing.
UNSURE = (ValidationError, LookupError, ValueError, TypeError)
# The validator's one rule across rows is unique values; the writers check ids, so the cache
# vouches only while ids are the only unique column.
ONLY_IDS_UNIQUE = not any(f.unique and f.name != "id" for f in schema.fields())


def after_change(
    path: Path, source: FileBytes, claim: frame_cache.Claim, change: Change, pieces: list
) -> Callable[[], None] | None:
    """The call that makes the cache vouch for the file ``pieces`` make of ``source`` by
    ``change`` (call it once that file is in place), or None when the cache cannot say (many
    rows changed, a file that does not end with a newline, a row that does not read back)."""
    size = len(source)
    if not few(change) or not size or source[size - 1 : size] != b"\n":
        return None
    if not ONLY_IDS_UNIQUE:
        return None
    try:
        head = head_line(source)
        header, newline = header_of(head), newline_of(head)
        dropped, records = _moves(claim, places(claim.frame, change), lambda row: csv_line(path, row, header, newline))
        rows = typed_rows(path, head, records)
    except UNSURE:
        return None
    if rows is None:
        return None
    return claim.after_change(source, byte_edits(pieces, size), dropped[::-1], rows)


def _moves(claim: frame_cache.Claim, placed: list[Place], line_of: Callable[[dict], bytes]):
    """The rows taken out (position, the lines their records took) and the rows put in (position
    in the new file, the row, its record, the line it starts on), as the splice writes them."""
    lines = claim.frame["_line"].to_numpy()
    end = claim.end_line()

    def line(at: int) -> int:
        return int(lines[at]) if at < len(lines) else end

    dropped, records, moved, grown = [], [], 0, 0  # rows and lines put in less those taken out so far
    for place in placed:
        for row in place.rows:
            record = line_of(row)
            records.append((place.at + moved, row, record, line(place.at) + grown))
            moved, grown = moved + 1, grown + record.count(b"\n")
        if place.drops:
            span = line(place.at + 1) - line(place.at)
            dropped.append((place.at, span))
            moved, grown = moved - 1, grown - span
    return dropped, records


def typed_rows(path: Path, head: bytes, records: list) -> list[tuple[int, pd.DataFrame, int]] | None:
    """Each new record (position, row, record, line) as the cache holds its row: exactly as the
    validator parses it (under the file's own header) and the loader types it, at its line, with
    its position and newlines; None when one does not read back as the row meant."""
    if not records:
        return []
    if not head.endswith(b"\n"):  # (a file of its header alone, without a newline)
        record = records[0][2]
        head += record[len(record.rstrip(b"\r\n")) :]
    raw = read_raw(path, head + b"".join(record for _, _, record, _ in records))
    if len(raw) != len(records):
        return None
    for i, (_, row, _, _) in enumerate(records):
        if any(raw.at[i, c] != row.get(c, "") for c in raw.columns if c != "_line"):
            return None
    raw["_line"] = [line for *_, line in records]
    frame = typed(raw)
    return [
        (position, frame.iloc[[i]].reset_index(drop=True), record.count(b"\n"))
        for i, (position, _, record, _) in enumerate(records)
    ]


def byte_edits(pieces: list, size: int) -> list[tuple[int, int, bytes]]:
    """What ``pieces`` (runs of a file of ``size`` bytes, in order, and new bytes) change in it:
    (offset, bytes taken out, bytes put in), in order."""
    edits, done, put = [], 0, []
    for piece in pieces:
        if isinstance(piece, FileRange):
            if piece.offset != done or put:
                edits.append((done, piece.offset - done, b"".join(put)))
            done, put = piece.offset + piece.length, []
        else:
            put.append(bytes(piece))
    if done != size or put:
        edits.append((done, size - done, b"".join(put)))
    return edits
