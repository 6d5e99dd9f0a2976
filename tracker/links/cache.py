"""Link results kept with their time, so that a rerun visits only new or stale links; and the
Wayback Machine's answers, so that a rerun asks it only of new or stale sources.

One JSON file in the tracker's cache folder (``tracker.storage.cache.cache_dir()``), shared by
every events file (a URL's state does not depend on who cites it). Writers merge with what is
on disk (the newer result of a URL wins) and replace the file atomically; a damaged or missing
file is an empty cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ..storage.cache import cache_dir
from ..storage.filewrite import atomic_write
from .result import LinkResult, Lookup, Snapshot

FILE_NAME = "links.json"
ARCHIVES_FILE = "archives.json"  # the archive's answers: {URL: {day, copy, captured, asked_at}}
VERSION = 1


def cache_path() -> Path:
    return cache_dir() / FILE_NAME


def load_results() -> dict[str, LinkResult]:
    """Every kept result by URL ({} when there is no readable cache)."""
    try:
        return {
            url: LinkResult(url, r["state"], r["status"], r["detail"], float(r["checked_at"]))
            for url, r in _read(cache_path(), "links").items()
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _read(path: Path, part: str) -> dict:
    """The ``part`` a kept file of ours holds ({} when it is missing, damaged or of another version)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data[part] if data.get("version") == VERSION and isinstance(data[part], dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write(path: Path, part: str, values: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps({"version": VERSION, part: values}).encode(), durable=False)


_kept: tuple[tuple, dict[str, LinkResult]] = ((), {})


def kept_results() -> dict[str, LinkResult]:
    """``load_results``, read again only when the cache file changed (the dashboard asks for
    each event's details; a rerun of check-links rewrites the file)."""
    global _kept
    try:
        stat = cache_path().stat()
        key = (str(cache_path()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return {}
    if _kept[0] != key:
        _kept = (key, load_results())
    return _kept[1]


def save_results(results: Iterable[LinkResult]) -> None:
    """Keep ``results`` beside the results already kept (the newer of two wins)."""
    results = list(results)
    if not results:
        return
    kept = load_results()
    for result in results:
        if result.url not in kept or kept[result.url].checked_at <= result.checked_at:
            kept[result.url] = result
    links = {
        url: {"state": r.state, "status": r.status, "detail": r.detail, "checked_at": r.checked_at}
        for url, r in kept.items()
    }
    _write(cache_path(), "links", links)


def kept_lookups(cited: dict[str, str], max_age: float, now: float) -> dict[str, Lookup]:
    """The archive's kept answers for ``cited`` (URL: the day asked for) given for that same day
    at most ``max_age`` seconds before ``now``."""
    answers, kept = _read(cache_dir() / ARCHIVES_FILE, "answers"), {}
    try:
        for url, day in cited.items():
            a = answers.get(url)
            if a and a["day"] == day and now - float(a["asked_at"]) <= max_age:
                kept[url] = Lookup(url, Snapshot(a["copy"], a["captured"]) if a["copy"] else None)
    except (ValueError, KeyError, TypeError):
        return {}
    return kept


def save_lookups(lookups: Iterable[Lookup], cited: dict[str, str], now: float) -> None:
    """Keep the archive's answers (not its failures: those are asked again) beside the others."""
    answered = [lookup for lookup in lookups if not lookup.problem]
    if not answered:
        return
    path = cache_dir() / ARCHIVES_FILE
    answers = _read(path, "answers")
    for lookup in answered:
        copy = lookup.snapshot
        answers[lookup.source] = {
            "day": cited[lookup.source],
            "copy": copy.url if copy else None,
            "captured": copy.captured if copy else None,
            "asked_at": now,
        }
    _write(path, "answers", answers)
