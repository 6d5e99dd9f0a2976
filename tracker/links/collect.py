"""The links of an events file: each distinct URL, source or archived copy, with its events."""

from __future__ import annotations

import pandas as pd

from ..contract import schema

NO_ARCHIVE = "-"


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
    pairs = pairs[pairs["url"].notna() & ~pairs["url"].isin(["", NO_ARCHIVE])]
    links: dict[str, list[str]] = {}
    for event_id, url in zip(pairs["id"], pairs["url"], strict=True):
        ids = links.setdefault(url, [])
        if not ids or ids[-1] != event_id:
            ids.append(event_id)
    return links
