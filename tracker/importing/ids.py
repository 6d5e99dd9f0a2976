"""Ids and duplicates for many new rows at once, as ``tracker add`` makes and finds them for one
(``storage.rows.make_id`` and ``duplicate_of``), column by column instead of row by row."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..storage.rows import make_id


def base_ids(rows: pd.DataFrame) -> pd.Series:
    """``make_id``'s first candidate for each row: its date and the first six words of its title
    as a slug of at most 80 characters ("event" when that is empty), in Arrow's string kernels."""
    return pd.Series(_bases(rows), index=rows.index, dtype=str)


def _bases(rows: pd.DataFrame) -> pa.Array:
    title = pa.array(rows["title"], type=pa.string())
    words = pc.binary_join(pc.list_slice(pc.utf8_split_whitespace(title, max_splits=6), 0, 6), " ")
    text = pc.binary_join_element_wise(pa.array(rows["date"], type=pa.string()), words, " ")
    other = ~np.asarray(pc.string_is_ascii(text), dtype=bool)
    if other.any():  # accents come off as in make_id: NFKD, then only the ASCII left
        folded_text = [unicodedata.normalize("NFKD", t) for t in pc.filter(text, pa.array(other)).to_pylist()]
        text = text.to_numpy(zero_copy_only=False).astype(object)
        text[other] = [t.encode("ascii", "ignore").decode() for t in folded_text]
        text = pa.array(text, type=pa.string())
    slug = pc.utf8_trim(pc.utf8_slice_codeunits(pc.utf8_trim(_dashed(pc.ascii_lower(text)), "-"), 0, 80), "-")
    slug = pc.if_else(pc.equal(slug, ""), "event", slug)
    return slug.combine_chunks() if isinstance(slug, pa.ChunkedArray) else slug


def _dashed(text: pa.Array) -> pa.Array:
    """ASCII ``text`` with each run of characters other than a-z and 0-9 made one "-" (what the
    regex ``[^a-z0-9]+`` -> "-" does, on the bytes with numpy: a regex kernel is ten times slower)."""
    text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    if not len(text) or offsets[-1] == offsets[0]:
        return text
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    starts = offsets[:-1] - offsets[0]
    word = ((data >= ord("a")) & (data <= ord("z"))) | ((data >= ord("0")) & (data <= ord("9")))
    after_word = np.r_[True, word[:-1]]  # (a run starts after a word byte, or at a value's start)
    after_word[starts[starts < len(data)]] = True
    keep = word | after_word
    out = np.where(word, data, np.uint8(ord("-")))[keep]
    kept = np.r_[0, np.cumsum(keep)]
    new_offsets = kept[offsets - offsets[0]].astype(np.int32)
    return pa.StringArray.from_buffers(len(text), pa.py_buffer(new_offsets), pa.py_buffer(out.tobytes()))


def assign_ids(rows: pd.DataFrame, given: np.ndarray, existing: pd.Series) -> pd.Series:
    """Each row's id: its own where ``given``, else a new one that no row of ``existing``, no
    given id and no other new row has: ``base`` for the first row with that base, ``base-2`` for
    the second, and so on; one that is still taken is made one by one, as ``tracker add`` does."""
    new = np.flatnonzero(~given)
    if not len(new):
        return rows["id"]
    ids = _text(rows["id"])
    bases = _bases(rows if len(new) == len(rows) else rows.iloc[new])
    rank = _rank_within(pc.dictionary_encode(bases).indices.to_numpy())
    candidates, taken = bases, np.zeros(len(new), dtype=bool)
    if rank.any():  # (else the bases are distinct: none is another's)
        numbered = pc.binary_join_element_wise(bases, pa.array((rank + 1).astype(str)), "-")
        candidates = pc.if_else(pa.array(rank > 0), numbered, bases)
        codes = pc.dictionary_encode(candidates).indices.to_numpy()
        taken = np.bincount(codes)[codes] > 1
    given_ids = ids.filter(pa.array(given))
    taken |= within(candidates, existing) | within(candidates, given_ids)
    made = pc.replace_with_mask(ids, pa.array(~given), candidates) if len(new) < len(rows) else candidates
    if taken.any():
        bad = np.flatnonzero(taken)
        base_text = bases.to_numpy(zero_copy_only=False)
        kept = candidates.filter(pa.array(~taken)).to_pylist()
        used = _related(existing, base_text[bad]) | set(given_ids.to_pylist()) | set(kept)
        titles, dates = rows["title"].to_numpy(dtype=object), rows["date"].to_numpy(dtype=object)
        remade = []
        for i in new[bad]:  # (few: one by one, as tracker add makes them)
            remade.append(make_id({"date": dates[i], "title": titles[i]}, used))
            used.add(remade[-1])
        mask = np.zeros(len(rows), dtype=bool)
        mask[new[bad]] = True
        made = pc.replace_with_mask(made, pa.array(mask), pa.array(remade, type=pa.string()))
    return pd.Series(made, index=rows.index, dtype=str)


def _rank_within(codes: np.ndarray) -> np.ndarray:
    """For each value, how many equal values come before it (0 for the first of each)."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    position = np.arange(len(codes))
    first = np.maximum.accumulate(np.where(np.r_[True, ordered[1:] != ordered[:-1]], position, 0))
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = position - first
    return rank


def avoiding(rows: pd.DataFrame, generated: np.ndarray, existing: pd.Series) -> pd.Series:
    """``rows``' ids, each generated one that ``existing`` holds (the file gained it since the
    ids were made) made anew as ``tracker add`` makes one."""
    clash = np.flatnonzero(generated & within(rows["id"], existing))
    if not len(clash):
        return rows["id"]
    ids = rows["id"].to_numpy(dtype=object).copy()
    used = _related(existing, base_ids(rows.iloc[clash]).to_numpy(dtype=object)) | set(ids)
    for i in clash:
        ids[i] = make_id({"date": rows["date"].iloc[i], "title": rows["title"].iloc[i]}, used)
        used.add(ids[i])
    return pd.Series(ids, index=rows.index, dtype=str)


def _related(existing: pd.Series, bases: np.ndarray) -> set[str]:
    """The existing ids a candidate for one of ``bases`` could meet: a base itself, or a base
    and ``-N``."""
    stem = existing.str.replace(r"-\d+$", "", regex=True)
    return set(existing[within(existing, bases) | within(stem, bases)])


# Past this many others per value, a lookup hashes the values and runs the others through them:
# hashing the file's million ids to look up a few new ones costs more than the other way round.
FEW_VALUES = 4


def within(values, others) -> np.ndarray:
    """Whether each of ``values`` is one of ``others`` (strings; Arrow's hash kernel: pandas'
    ``isin`` walks its argument in Python)."""
    values, others = _text(values), _text(others)
    if len(others) > FEW_VALUES * len(values):
        others = others.filter(pc.is_in(others, value_set=values))
    return np.asarray(pc.is_in(values, value_set=others), dtype=bool)


def _text(values) -> pa.Array:
    """``values`` (a Series, an Index or an array of strings) as an Arrow string array."""
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, pd.Series | pd.Index) and values.dtype == "str":
        values = pa.array(values)  # (the Arrow array a Series of text holds: no copy)
        values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        return values.cast(pa.string()) if values.type != pa.string() else values
    return pa.array(np.asarray(values, dtype=object), type=pa.string())


def folded(titles: pd.Series) -> pd.Series:
    """Titles with case folded as ``str.casefold`` does."""
    return pd.Series(_folded(_text(titles)).to_numpy(zero_copy_only=False), index=titles.index, dtype=str)


def _folded(titles: pa.Array) -> pa.Array:
    """ASCII titles lowercased in Arrow (the same as casefold for them), the others casefolded."""
    lower = pc.utf8_lower(titles)
    other = ~np.asarray(pc.string_is_ascii(titles), dtype=bool)
    if not other.any():
        return lower
    others = pc.filter(titles, pa.array(other)).to_pylist()
    return pc.replace_with_mask(lower, pa.array(other), pa.array([t.casefold() for t in others], type=pa.string()))


def same_day_title_keys(rows: pd.DataFrame) -> pa.Array:
    """``date NUL title`` with the title's case folded: what makes two events the same."""
    return _keys(_text(rows["date"]), _text(rows["title"]))


def _keys(dates: pa.Array, titles: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(dates, _folded(titles), "\x00")


def duplicates_in(
    existing: pd.DataFrame, rows: pd.DataFrame, given: np.ndarray, keys: pa.Array | None = None
) -> pd.DataFrame:
    """For each row of ``rows`` that ``existing`` already holds (its given id, or its date and
    title, case aside, as ``tracker add`` refuses): ``what``, the existing event's ``line`` and
    ``other`` id; indexed like ``rows``. ``keys``: the rows' ``same_day_title_keys``, if known."""
    hits = pd.DataFrame({"what": [], "line": [], "other": []})
    if not len(rows) or not len(existing):
        return hits
    by_id = np.full(len(rows), -1, dtype=np.int64)
    if given.any():  # (made ids were made apart from the file's; only given ones can meet it)
        by_id[given] = _first_index(rows["id"][given], existing["id"])
    near = np.flatnonzero(within(existing["date"], rows["date"].unique()))
    dates, titles = _text(existing["date"]), _text(existing["title"])
    if len(near) < len(existing):  # (else every event is on a day of the new rows: no copy)
        dates, titles = dates.take(near), titles.take(near)
    near_keys = _keys(dates, titles)
    by_title = _first_index(same_day_title_keys(rows) if keys is None else keys, near_keys)
    by_title = _through(near, by_title)
    by_title[by_id >= 0] = -1
    found = []
    for at, what in ((by_id, "the same id"), (by_title, "the same date and title")):
        hit = np.flatnonzero(at >= 0)
        if len(hit):  # (the file's columns taken at the hits only: a million ids as objects cost)
            lines, ids = existing["_line"].to_numpy()[at[hit]], existing["id"].iloc[at[hit]].to_numpy(dtype=object)
            found.append(pd.DataFrame({"what": what, "line": lines, "other": ids}, index=rows.index[hit]))
    return pd.concat(found).sort_index() if found else hits


def _first_index(values, others) -> np.ndarray:
    """Where each of ``values`` first occurs among ``others`` (-1 where it does not)."""
    values, others = _text(values), _text(others)
    if len(others) <= FEW_VALUES * len(values):
        return np.asarray(pc.fill_null(pc.index_in(values, value_set=others), -1), dtype=np.int64)
    hits = np.flatnonzero(np.asarray(pc.is_in(others, value_set=values), dtype=bool))
    found = np.asarray(pc.fill_null(pc.index_in(values, value_set=others.take(hits)), -1), dtype=np.int64)
    return _through(hits, found)


def _through(positions: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``positions[found]``, -1 where ``found`` is -1 (found among the values at ``positions``)."""
    return np.where(found >= 0, positions[np.maximum(found, 0)], -1) if len(positions) else np.full_like(found, -1)
