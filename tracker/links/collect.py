"""The links of an events file: each distinct URL, source or archived copy, with its events."""

from __future__ import annotations

import pandas as pd

from ..contract import schema


def links_of(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Each distinct URL of ``frame`` (its sources, then their archived copies), in the order
    the file first cites it, with the ids of the events citing it, in file order."""
    columns = [frame[column] for column in ("source_url", "archive_urls") if column in frame]
    pairs = pd.concat(
        [
            pd.DataFrame({"id": frame["id"], "url": col.str.split(schema.SOURCE_SEPARATOR, regex=False)})
            for col in columns
        ],
        ignore_index=False,
    ).sort_index(kind="stable")
    pairs = pairs.explode("url")
    pairs = pairs[pairs["url"].notna() & ~pairs["url"].isin(["", schema.NO_ARCHIVE])]
    links: dict[str, list[str]] = {}
    for event_id, url in zip(pairs["id"], pairs["url"], strict=True):
        ids = links.setdefault(url, [])
        if not ids or ids[-1] != event_id:
            ids.append(event_id)
    return links


def unarchived(frame: pd.DataFrame, links: dict[str, list[str]]) -> dict[str, list[str]]:
    """For each of ``links`` (URL: the events citing it), those events that cite it as a source
    without an archived copy of it, in the same order (``archive_urls`` holds the copies in the
    order of ``source_url``; ``-`` for none). One pass over the events concerned."""
    wanted = {event_id for ids in links.values() for event_id in ids}
    rows = frame[frame["id"].isin(wanted)]
    archives = rows["archive_urls"] if "archive_urls" in rows else pd.Series("", index=rows.index)
    bare = {  # (event id, URL) cited with no copy
        (event_id, url)
        for event_id, sources, copies in zip(rows["id"], rows["source_url"], archives, strict=True)
        for url, copy in schema.archived_copies(sources, copies)
        if url in links and not copy
    }
    return {url: [i for i in ids if (i, url) in bare] for url, ids in links.items()}
