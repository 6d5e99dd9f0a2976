"""``check_links``: every link of an events file, visited unless a recent result is kept."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import TrackerError
from ..storage import load_events
from .cache import load_results, save_results
from .collect import links_of, unarchived
from .probe import DEAD, DOUBTFUL, OK, LinkResult, ProbeOptions, is_dns_failure, probe_urls

OFFLINE_HOSTS = 3  # no answer from this many hosts or more, some not resolving: the machine is offline


@dataclass(frozen=True)
class LinkEntry:
    """One distinct URL of the file: the events citing it and what visiting it found."""

    url: str
    ids: list[str]
    result: LinkResult
    unarchived: list[str] = field(default_factory=list)  # (dead or doubtful: citing events with no copy)

    def as_json(self) -> dict:
        r = self.result
        return {"url": self.url, "ids": self.ids, "state": r.state, "status": r.status, "detail": r.detail}


@dataclass(frozen=True)
class LinkReport:
    """Every link of the file, in the order the file first cites it; ``visited`` of them were
    visited now, the others' results came from the cache."""

    entries: list[LinkEntry]
    visited: int

    def with_state(self, state: str) -> list[LinkEntry]:
        return [e for e in self.entries if e.result.state == state]

    @property
    def counts(self) -> dict[str, int]:
        return {state: len(self.with_state(state)) for state in (OK, DEAD, DOUBTFUL)}


def check_links(
    path: str | os.PathLike,
    max_age: float,
    options: ProbeOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LinkReport:
    """Visit every source URL and archived copy of the events file ``path`` whose kept result
    is older than ``max_age`` seconds (or missing), keep the new results, and report them all.
    ``progress(done, total)`` follows the visits."""
    frame = load_events(path)
    links = links_of(frame)
    now = time.time()
    kept = {url: r for url, r in load_results().items() if url in links and now - r.checked_at <= max_age}
    stale = [url for url in links if url not in kept]
    done = 0

    def one_done(url: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(stale))

    visited = probe_urls(stale, options or ProbeOptions(), one_done)
    _refuse_if_offline(visited)
    save_results(visited)
    results = kept | {r.url: r for r in visited}
    bad = unarchived(frame, {url: ids for url, ids in links.items() if results[url].state != OK})
    entries = [LinkEntry(url, ids, results[url], bad.get(url, [])) for url, ids in links.items()]
    return LinkReport(entries, len(visited))


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
