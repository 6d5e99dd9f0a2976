"""Ids and duplicates for many new rows at once, as ``tracker add`` makes and finds them for one
(``storage.rows.make_id`` and ``duplicate_of``), column by column instead of row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..storage.rows import make_id

FIRST_WORDS = r"^\s*(\S+(?:\s+\S+){0,5})"  # the title's first six words, as make_id takes them


def base_ids(rows: pd.DataFrame) -> pd.Series:
    """``make_id``'s first candidate for each row: its date and the first words of its title as
    a slug of at most 80 characters ("event" when that is empty)."""
    words = rows["title"].str.extract(FIRST_WORDS, expand=False).fillna("")
    text = (rows["date"] + " " + words).str.normalize("NFKD")
    slug = text.str.replace(r"[^\x00-\x7f]+", "", regex=True).str.lower()
    slug = slug.str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
    slug = slug.str.slice(0, 80).str.strip("-")
    return slug.where(slug != "", "event")


def assign_ids(rows: pd.DataFrame, given: np.ndarray, existing: pd.Series) -> pd.Series:
    """Each row's id: its own where ``given``, else a new one that no row of ``existing``, no
    given id and no other new row has (``base`` where free, else ``base-2``, ``base-3``, ...)."""
    ids = rows["id"].copy()
    new = ~given
    if not new.any():
        return ids
    bases = base_ids(rows[new])
    clash = bases.duplicated(keep=False) | bases.isin(ids[given]) | bases.isin(existing)
    ids[new] = bases.where(~clash, "")
    if clash.any():
        taken = _related(existing, bases[clash]) | set(ids[given]) | set(ids[new][~clash])
        for i in bases.index[clash]:  # (few: one by one, as tracker add makes them)
            ids[i] = make_id({"date": rows.at[i, "date"], "title": rows.at[i, "title"]}, taken)
            taken.add(ids[i])
    return ids


def _related(existing: pd.Series, bases: pd.Series) -> set[str]:
    """The existing ids a candidate for one of ``bases`` could meet: a base itself, or a base
    and ``-N``."""
    stem = existing.str.replace(r"-\d+$", "", regex=True)
    return set(existing[existing.isin(bases) | stem.isin(bases)])


def folded(titles: pd.Series) -> pd.Series:
    """Titles with case folded as ``str.casefold`` does (ASCII ones are just lowercased)."""
    out = titles.str.lower()
    other = ~titles.str.isascii()
    if other.any():
        out[other] = [t.casefold() for t in titles[other]]
    return out


def same_day_title_keys(rows: pd.DataFrame) -> pd.Series:
    return rows["date"] + "\x00" + folded(rows["title"])


def duplicates_in(existing: pd.DataFrame, rows: pd.DataFrame, given: np.ndarray) -> pd.DataFrame:
    """For each row of ``rows`` that ``existing`` already holds (its given id, or its date and
    title, case aside, as ``tracker add`` refuses): ``column``, ``what``, the existing ``line``
    and ``other`` id; indexed like ``rows``."""
    hits = pd.DataFrame(columns=["column", "what", "line", "other"], dtype=object)
    if not len(rows) or not len(existing):
        return hits
    lines = pd.Series(existing["_line"].to_numpy(), index=existing["id"].to_numpy())
    same_id = given & rows["id"].isin(existing["id"]).to_numpy()
    near = existing[existing["date"].isin(rows["date"].unique())]
    keys = same_day_title_keys(near)
    first = pd.DataFrame({"line": near["_line"].to_numpy(), "other": near["id"].to_numpy()}, index=keys.to_numpy())
    first = first[~first.index.duplicated(keep="first")]
    new_keys = same_day_title_keys(rows)
    same_title = new_keys.isin(first.index).to_numpy() & ~same_id
    found = []
    if same_id.any():
        ids = rows["id"][same_id]
        found.append(pd.DataFrame({"column": "id", "what": "the same id", "line": lines[ids].to_numpy(), "other": ids}))
    if same_title.any():
        match = first.loc[new_keys[same_title]]
        found.append(
            pd.DataFrame(
                {
                    "column": "title",
                    "what": "the same date and title",
                    "line": match["line"].to_numpy(),
                    "other": match["other"].to_numpy(),
                },
                index=rows.index[same_title],
            )
        )
    return pd.concat(found).sort_index() if found else hits
