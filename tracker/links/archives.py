"""Finding archived copies of sources that rot: the Wayback Machine's availability API
(https://archive.org/help/wayback_api.php), asked for the capture closest to the day the
citing event happened, so that the copy shows the page as it stood when it was cited.

Only a capture the archive recorded with a 200 answer counts: a capture of the 404 page would
be no copy at all. The archive is one host: it is asked no more at once than any host is.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from .probe import TRANSIENT, ProbeOptions, reason, run_async
from .result import Lookup, Snapshot

WAYBACK_API = "https://archive.org/wayback/available"
API_VARIABLE = "TRACKER_WAYBACK_API"  # another address for the same API (a mirror, a test server)
ARCHIVE_HOSTS = ("web.archive.org",)  # (served over TLS too: their copies are given as https)


def api_url() -> str:
    return os.environ.get(API_VARIABLE) or WAYBACK_API


def find_snapshots(
    cited: dict[str, str], options: ProbeOptions | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, Lookup]:
    """For each source URL of ``cited`` (URL: the day an event cited it, YYYY-MM-DD), the
    archive's capture closest to that day, by URL. ``progress(url)`` as each one is done."""
    if not cited:
        return {}
    return run_async(lambda: _find_all(cited, options or ProbeOptions(), progress or (lambda url: None)))


async def _find_all(cited: dict[str, str], options: ProbeOptions, progress: Callable[[str], None]):
    at_once = asyncio.Semaphore(options.per_host)  # (every request goes to the one archive)
    headers = {"User-Agent": options.user_agent, "Accept": "application/json"}
    async with httpx.AsyncClient(timeout=options.timeout, headers=headers, follow_redirects=True) as client:

        async def one(url: str, day: str) -> Lookup:
            async with at_once:
                lookup = await _lookup_with_retry(client, url, day, options)
            progress(url)
            return lookup

        found = await asyncio.gather(*(one(url, day) for url, day in cited.items()))
    return {lookup.source: lookup for lookup in found}


async def _lookup_with_retry(client: httpx.AsyncClient, url: str, day: str, options: ProbeOptions) -> Lookup:
    lookup, transient = await _lookup(client, url, day)
    for _ in range(options.retries):
        if not transient:
            break
        await asyncio.sleep(options.retry_wait)
        lookup, transient = await _lookup(client, url, day)
    return lookup


async def _lookup(client: httpx.AsyncClient, url: str, day: str) -> tuple[Lookup, bool]:
    """The lookup, and whether its failure is worth one more try."""
    try:
        response = await client.get(api_url(), params={"url": url, "timestamp": day.replace("-", "")})
    except httpx.TimeoutException:
        return Lookup(url, None, "the Wayback Machine did not answer in time"), True
    except httpx.TransportError as exc:
        return Lookup(url, None, f"the Wayback Machine could not be reached ({type(exc).__name__})"), True
    if not response.is_success:
        status = response.status_code
        return Lookup(url, None, f"the Wayback Machine answered {status} {reason(status)}"), status in TRANSIENT
    try:
        return Lookup(url, closest(response.json())), False
    except ValueError:
        return Lookup(url, None, "the Wayback Machine's answer was not JSON"), False


def closest(answer: object) -> Snapshot | None:
    """The capture an availability answer names, when it is there and was captured with a 200."""
    try:
        capture = answer["archived_snapshots"]["closest"]
        good = capture["available"] is True and str(capture["status"]) == "200"
        url, stamp = str(capture["url"]), str(capture["timestamp"])
    except (KeyError, TypeError):
        return None
    if not good or not url.startswith(("http://", "https://")) or len(stamp) < 8 or not stamp[:8].isdigit():
        return None
    return Snapshot(_over_tls(url), f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}")


def _over_tls(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname in ARCHIVE_HOSTS:
        return urlunsplit(("https", *parts[1:]))
    return url
