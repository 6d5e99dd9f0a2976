"""Visiting links: httpx's async client, a bounded number at a time and per host.

Each URL gets a HEAD request, then a GET (only its headers are read) when the HEAD is refused
or unhelpful (any answer but 2xx, or a dropped connection); a transient failure (5xx, 429, a
timeout, a reset) is tried once more. The answer is one of three states: *ok*; *dead* (404 or
410, a name that does not resolve, a TLS failure: the link will not come back by itself); or
*doubtful* (5xx, other 4xx, timeouts, resets, a redirect to the site's home page: look at it).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from .result import DEAD, DOUBTFUL, OK, LinkResult

GONE = (404, 410)
TRANSIENT = (429, *range(500, 600))
DNS_FAILURE = "DNS failure"
T = TypeVar("T")
HOME_PAGES = ("", "/", "/index.html", "/index.htm", "/index.php", "/home", "/en", "/en/")


@dataclass(frozen=True)
class ProbeOptions:
    """How links are visited: at most ``concurrency`` at once and ``per_host`` per host, each
    request given ``timeout`` seconds, a transient failure retried ``retries`` times after
    ``retry_wait`` seconds."""

    concurrency: int = 16
    per_host: int = 2
    timeout: float = 10.0
    retries: int = 1
    retry_wait: float = 1.0
    user_agent: str = "sanctions-tracker check-links (a link checker for a timeline's sources)"


def probe_urls(
    urls: Iterable[str], options: ProbeOptions = ProbeOptions(), progress: Callable[[str], None] | None = None
) -> list[LinkResult]:
    """Visit every URL (in parallel, within the limits); results in the order given.
    ``progress(url)`` is called as each one is done."""
    urls = list(urls)
    if not urls:
        return []
    return run_async(partial(_probe_all, urls, options, progress or (lambda url: None)))


def run_async(work: Callable[[], Coroutine[object, object, T]]) -> T:
    """What the coroutine ``work()`` returns, run to its end on an event loop of its own."""
    if _loop_running():
        # A caller inside an event loop (Playwright's sync API, a notebook) cannot
        # start another in this thread: run ours in a worker thread instead.
        with ThreadPoolExecutor(max_workers=1) as worker:
            return worker.submit(lambda: asyncio.run(work())).result()
    return asyncio.run(work())


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _probe_all(urls: list[str], options: ProbeOptions, progress: Callable[[str], None]) -> list[LinkResult]:
    limits = httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=options.concurrency)
    everyone = asyncio.Semaphore(options.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    headers = {"User-Agent": options.user_agent, "Accept": "*/*"}
    async with httpx.AsyncClient(
        follow_redirects=True, timeout=options.timeout, limits=limits, headers=headers
    ) as client:

        async def one(url: str) -> LinkResult:
            host = hosts.setdefault(urlsplit(url).netloc.lower(), asyncio.Semaphore(options.per_host))
            async with host, everyone:  # (a host's queue never holds a slot others could use)
                result = await _probe_with_retry(client, url, options)
            progress(url)
            return result

        return await asyncio.gather(*(one(url) for url in urls))


async def _probe_with_retry(client: httpx.AsyncClient, url: str, options: ProbeOptions) -> LinkResult:
    result = await _probe(client, url, options)
    for _ in range(options.retries):
        if not result.transient:
            break
        await asyncio.sleep(options.retry_wait)
        result = await _probe(client, url, options)
    return result


async def _probe(client: httpx.AsyncClient, url: str, options: ProbeOptions) -> LinkResult:
    """HEAD, then GET when the HEAD was refused or unhelpful; the result of the last."""
    try:
        try:
            response = await client.head(url)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            response = None  # some servers drop a HEAD they do not serve
        if response is None or not response.is_success:
            async with client.stream("GET", url) as streamed:  # (the body is never read)
                response = streamed
    except httpx.TimeoutException:
        return _result(url, DOUBTFUL, None, f"no answer within {options.timeout:g} s", transient=True)
    except httpx.TooManyRedirects:
        return _result(url, DOUBTFUL, None, "too many redirects")
    except httpx.TransportError as exc:
        return _failed(url, exc)
    except httpx.InvalidURL as exc:
        return _result(url, DEAD, None, f"not a URL httpx can visit: {exc}")
    return _answered(url, response)


def _answered(url: str, response: httpx.Response) -> LinkResult:
    status = response.status_code
    detail = f"{status} {reason(status)}"
    final = str(response.url)
    if response.history and final != url:
        detail += f", after a redirect to {final}"
    if status in GONE:
        return _result(url, DEAD, status, detail)
    if response.is_success:
        if response.history and _is_home_page(final) and not _is_home_page(url):
            return _result(url, DOUBTFUL, status, f"redirects to the site's home page ({final})")
        return _result(url, OK, status, detail)
    return _result(url, DOUBTFUL, status, detail, transient=status in TRANSIENT)


def _failed(url: str, exc: httpx.TransportError) -> LinkResult:
    """A request that got no answer: a name that does not resolve or a TLS failure is dead;
    anything else (refused, reset, dropped) may pass."""
    cause = _root_cause(exc)
    host = urlsplit(url).hostname or url
    if isinstance(cause, socket.gaierror):
        return _result(url, DEAD, None, f"{DNS_FAILURE}: {host} does not resolve ({cause.strerror or cause})")
    if isinstance(cause, ssl.SSLError):
        return _result(url, DEAD, None, f"TLS failure: {getattr(cause, 'reason', None) or cause}")
    if isinstance(cause, ConnectionRefusedError):
        return _result(url, DOUBTFUL, None, f"connection refused by {host}", transient=True)
    if isinstance(cause, ConnectionResetError) or isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError):
        return _result(url, DOUBTFUL, None, f"connection reset by {host}", transient=True)
    return _result(url, DOUBTFUL, None, f"{type(exc).__name__}: {exc}".rstrip(": "), transient=True)


def is_dns_failure(result: LinkResult) -> bool:
    return result.state == DEAD and result.detail.startswith(DNS_FAILURE)


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception behind ``exc`` (httpx wraps httpcore's, which wraps the socket's)."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc


def _is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.lower() in HOME_PAGES and not parts.query


def reason(status: int) -> str:
    """The standard phrase of an HTTP status."""
    return httpx.codes.get_reason_phrase(status) or "(unknown status)"


def _result(url: str, state: str, status: int | None, detail: str, transient: bool = False) -> LinkResult:
    return LinkResult(url, state, status, detail, time.time(), transient)
