"""The cache's *delta*: what the writers changed in a file since its cache entry was built, kept
small beside the entry so that the cache vouches for the new file without rewriting the entry.

A delta lists the entry's rows taken out (``dropped``: their row numbers in the entry) and the
rows put in (typed as the loader types them, at their final row numbers ``at``, with their final
``_line``s), with the newlines each took out or put in, and the key of the file's bytes now.
An edit is the old row taken out and the new one put in; a removal, a row taken out.
``composed`` makes the table the file now holds from the entry's table and its delta.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa


@dataclass
class Delta:
    """The entry's rows ``dropped`` (ascending, with the ``dropped_newlines`` each took), the
    ``rows`` put in (typed, with final ``_line``s) at their final row numbers ``at`` (ascending),
    with the ``newlines`` each put in; and ``key``, the key of the bytes now."""

    rows: pa.Table
    at: list[int]
    newlines: list[int]
    key: dict
    dropped: list[int] = field(default_factory=list)
    dropped_newlines: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many rows it takes out and puts in."""
        return len(self.at) + len(self.dropped)


def empty(key: dict, like: pa.Table) -> Delta:
    """No change yet to an entry whose rows look like ``like`` (``key``: the bytes now)."""
    return Delta(like.slice(0, 0).replace_schema_metadata(None), [], [], key)


def dropping(delta: Delta, base_rows: int, position: int, newlines: int) -> Delta:
    """``delta`` with the row now at ``position`` taken out: ``newlines``, the lines its record
    took, come off every later row's ``_line``."""
    at = np.asarray(delta.at, dtype=np.int64)
    if position in delta.at:
        j = delta.at.index(position)
        keep = np.r_[:j, j + 1 : len(at)].astype(np.int64)
        rows, at, put_in = delta.rows.take(pa.array(keep)), at[keep], [delta.newlines[i] for i in keep]
        dropped, dropped_newlines = delta.dropped, delta.dropped_newlines
    else:
        row = _entry_row(delta.dropped, position - int((at < position).sum()))
        if not 0 <= row < base_rows:
            raise IndexError(f"row {position} is not in the file")
        i = bisect_left(delta.dropped, row)
        dropped = [*delta.dropped[:i], row, *delta.dropped[i:]]
        dropped_newlines = [*delta.dropped_newlines[:i], newlines, *delta.dropped_newlines[i:]]
        rows, put_in = delta.rows, delta.newlines
    later = at > position
    rows = _with_lines(rows, rows["_line"].to_numpy() - np.where(later, newlines, 0))
    return Delta(rows, (at - later).tolist(), list(put_in), delta.key, dropped, dropped_newlines)


def inserting(delta: Delta, position: int, row: pa.Table, newlines: int) -> Delta:
    """``delta`` with ``row`` (one typed row, its final ``_line`` set) put in as row number
    ``position``: the rows from there on move a place on, and ``newlines`` lines down."""
    row = row.select(delta.rows.column_names).cast(delta.rows.schema) if delta.rows.num_columns else row
    at = np.asarray(delta.at, dtype=np.int64)
    later = at >= position
    rows = _with_lines(delta.rows, delta.rows["_line"].to_numpy() + np.where(later, newlines, 0))
    j = int((~later).sum())
    rows = pa.concat_tables([rows.slice(0, j), row.replace_schema_metadata(None), rows.slice(j)]).combine_chunks()
    moved = (at + later).tolist()
    return Delta(
        rows,
        [*moved[:j], position, *moved[j:]],
        [*delta.newlines[:j], newlines, *delta.newlines[j:]],
        delta.key,
        delta.dropped,
        delta.dropped_newlines,
    )


def _entry_row(dropped: list[int], kept_rank: int) -> int:
    """The entry's row number of the ``kept_rank``-th row it still holds (``dropped``: ascending)."""
    row = kept_rank
    for gone in dropped:  # (each one at or before the row found so far pushes it one on)
        if gone > row:
            break
        row += 1
    return row


def composed(base: pa.Table, delta: Delta) -> pa.Table:
    """``base`` (all its columns or a selection) with the delta's rows taken out and put in, and
    every ``_line`` moved to where the record now starts; the unchanged rows are not copied."""
    rows = delta.rows.select(base.column_names)
    runs = _kept_runs(base.num_rows, delta.dropped)
    pieces, taken = [], 0
    for j, final in enumerate(delta.at):  # (final - j: how many of the entry's rows come before)
        pieces += _kept_slices(base, runs, taken, final - j)
        pieces.append(rows.slice(j, 1))
        taken = final - j
    pieces += _kept_slices(base, runs, taken, base.num_rows - len(delta.dropped))
    pieces = [p.replace_schema_metadata(None) for p in pieces] or [base.slice(0, 0).replace_schema_metadata(None)]
    table = pa.concat_tables(pieces).replace_schema_metadata(base.schema.metadata)
    if "_line" in table.column_names and delta.size:
        table = _with_lines(table, _lines(base["_line"].to_numpy(), delta))
    return table


def _kept_runs(count: int, dropped: list[int]) -> list[tuple[int, int]]:
    """The runs of row numbers ``0..count-1`` that ``dropped`` leaves, as (start, stop)."""
    edges = [-1, *dropped, count]
    return [(a + 1, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a + 1]


def _kept_slices(base: pa.Table, runs: list[tuple[int, int]], first: int, stop: int) -> list[pa.Table]:
    """Slices of ``base`` holding its kept rows ranked ``first`` to ``stop - 1``."""
    slices, rank = [], 0
    for start, end in runs:
        lo, hi = max(first, rank), min(stop, rank + end - start)
        if hi > lo:
            slices.append(base.slice(start + lo - rank, hi - lo))
        rank += end - start
    return slices


def _lines(base_lines: np.ndarray, delta: Delta) -> np.ndarray:
    """Every row's ``_line`` now: a kept row of the entry moves by the lines put in before it
    less those taken out before it; a row put in has its own."""
    kept = np.ones(len(base_lines), dtype=bool)
    kept[delta.dropped] = False
    taken_out = np.zeros(len(base_lines) + 1, dtype=np.int64)
    np.add.at(taken_out, np.asarray(delta.dropped, dtype=np.int64) + 1, delta.dropped_newlines)
    kept_lines = (base_lines - np.cumsum(taken_out)[:-1])[kept]
    put_in = np.zeros(len(kept_lines) + 1, dtype=np.int64)
    np.add.at(put_in, np.asarray(delta.at, dtype=np.int64) - np.arange(len(delta.at)), delta.newlines)
    kept_lines += np.cumsum(put_in)[:-1]
    lines = np.empty(len(kept_lines) + len(delta.at), dtype=np.int64)
    own = np.zeros(len(lines), dtype=bool)
    own[delta.at] = True
    lines[own], lines[~own] = delta.rows["_line"].to_numpy(), kept_lines
    return lines


def _with_lines(table: pa.Table, lines: np.ndarray) -> pa.Table:
    i = table.schema.get_field_index("_line")
    return table.set_column(i, table.schema.field(i), pa.array(lines, type=table.schema.field(i).type))


def to_meta(delta: Delta) -> dict:
    """What a delta file stores beside its rows."""
    return {
        "key": delta.key,
        "at": delta.at,
        "newlines": delta.newlines,
        "dropped": delta.dropped,
        "dropped_newlines": delta.dropped_newlines,
    }


def from_meta(rows: pa.Table, meta: dict) -> Delta:
    """The delta a file stored (``to_meta``'s dict beside its rows)."""
    return Delta(rows, meta["at"], meta["newlines"], meta["key"], meta["dropped"], meta["dropped_newlines"])


__all__ = ["Delta", "composed", "dropping", "empty", "from_meta", "inserting", "to_meta"]
