"""``check_links``: every link of an events file, visited unless a recent result is kept."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..contract.dates import padded_date
from ..errors import TrackerError
from ..storage import load_events
from .archives import Lookup, find_snapshots
from .cache import kept_lookups, load_results, save_lookups, save_results
from .collect import links_of, unarchived
from .probe import DEAD, DOUBTFUL, OK, LinkResult, ProbeOptions, is_dns_failure, probe_urls

VISITING, ASKING_ARCHIVE = "Visiting links", "Asking the Wayback Machine"
OFFLINE_HOSTS = 3  # no answer from this many hosts or more, some not resolving: the machine is offline


@dataclass(frozen=True)
class LinkEntry:
    """One distinct URL of the file: the events citing it and what visiting it found."""

    url: str
    ids: list[str]
    result: LinkResult
    unarchived: list[str] = field(default_factory=list)  # (dead or doubtful: citing events with no copy)
    archive: Lookup | None = None  # (asked for: what the archive has of it for those events)

    def as_json(self, with_archive: bool = False) -> dict:
        """The entry's JSON; ``with_archive``: with ``archive``, the copy the archive has for the
        events in ``unarchived`` (``{"url", "captured"}``), or null."""
        r = self.result
        entry = {"url": self.url, "ids": self.ids, "state": r.state, "status": r.status, "detail": r.detail}
        if with_archive:
            snapshot = self.archive.snapshot if self.archive else None
            entry["archive"] = {"url": snapshot.url, "captured": snapshot.captured} if snapshot else None
        return entry


@dataclass(frozen=True)
class LinkReport:
    """Every link of the file, in the order the file first cites it; ``visited`` of them were
    visited now, the others' results came from the cache."""

    entries: list[LinkEntry]
    visited: int
    archives_asked: bool = False  # (whether the archive was asked for copies of the bad links)

    def with_state(self, state: str) -> list[LinkEntry]:
        return [e for e in self.entries if e.result.state == state]

    def found_copies(self) -> dict[str, dict[str, str]]:
        """The archive's copies for the events without one: {event id: {source URL: copy}}."""
        copies: dict[str, dict[str, str]] = {}
        for entry in self.entries:
            if entry.archive is not None and entry.archive.snapshot is not None:
                for event_id in entry.unarchived:
                    copies.setdefault(event_id, {})[entry.url] = entry.archive.snapshot.url
        return copies

    @property
    def counts(self) -> dict[str, int]:
        return {state: len(self.with_state(state)) for state in (OK, DEAD, DOUBTFUL)}


def check_links(
    path: str | os.PathLike,
    max_age: float,
    options: ProbeOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    find_archives: bool = False,
) -> LinkReport:
    """Visit every source URL and archived copy of the events file ``path`` whose kept result
    is older than ``max_age`` seconds (or missing), keep the new results, and report them all.
    ``progress(stage, done, total)`` follows the visits and the archive's answers.
    ``find_archives``: ask the Wayback Machine for a copy of each dead or doubtful source that
    citing events have none of (its answers are kept, and used again within ``max_age``)."""
    frame = load_events(path)
    links = links_of(frame)
    now = time.time()
    kept = {url: r for url, r in load_results().items() if url in links and now - r.checked_at <= max_age}
    stale = [url for url in links if url not in kept]
    visits = _counter(VISITING, len(stale), progress)
    visited = probe_urls(stale, options or ProbeOptions(), visits)
    _refuse_if_offline(visited)
    save_results(visited)
    results = kept | {r.url: r for r in visited}
    bad = unarchived(frame, {url: ids for url, ids in links.items() if results[url].state != OK})
    cited = _cited_days(frame, bad) if find_archives else {}
    lookups = kept_lookups(cited, max_age, now)
    unasked = {url: day for url, day in cited.items() if url not in lookups}
    asked = find_snapshots(unasked, options, _counter(ASKING_ARCHIVE, len(unasked), progress))
    save_lookups(asked.values(), unasked, time.time())
    lookups |= asked
    entries = [LinkEntry(url, ids, results[url], bad.get(url, []), lookups.get(url)) for url, ids in links.items()]
    return LinkReport(entries, len(visited), find_archives)


def _counter(stage: str, total: int, progress: Callable[[str, int, int], None] | None) -> Callable[[str], None]:
    """A callback for each URL done that tells ``progress`` how many of ``total`` are."""
    done = 0

    def one_done(url: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(stage, done, total)

    return one_done


def _cited_days(frame, unarchived: dict[str, list[str]]) -> dict[str, str]:
    """For each URL some events cite without a copy, the first day of the earliest of them."""
    wanted = frame["id"].isin({event_id for ids in unarchived.values() for event_id in ids})
    dates = dict(zip(frame["id"][wanted], frame["date"][wanted], strict=True))
    return {url: min(padded_date(dates[i]) for i in ids) for url, ids in unarchived.items() if ids}


def _refuse_if_offline(visited: list[LinkResult]) -> None:
    """Refuse (keeping nothing) when no link of several hosts got an answer and some hosts do
    not resolve: the machine is offline, and its links are not dead."""
    hosts = {urlsplit(r.url).hostname for r in visited}
    unresolved = {urlsplit(r.url).hostname for r in visited if is_dns_failure(r)}
    if len(hosts) >= OFFLINE_HOSTS and unresolved and all(r.status is None for r in visited):
        raise TrackerError(
            f"no link got an answer and {len(unresolved)} of {len(hosts)} hosts do not resolve: "
            "this machine seems to be offline",
            "connect it to the internet and run again; no result was kept",
        )
