"""What a link check found of one URL, and its three states; what the archive had of one
source: apart from the visiting (httpx), so that what reads the kept results (the dashboard)
does not load a web client."""

from __future__ import annotations

from dataclasses import dataclass

OK, DEAD, DOUBTFUL = "ok", "dead", "doubtful"


@dataclass(frozen=True)
class LinkResult:
    """What visiting ``url`` found, and when (seconds since the epoch)."""

    url: str
    state: str
    status: int | None
    detail: str
    checked_at: float
    transient: bool = False  # worth one more try


@dataclass(frozen=True)
class Snapshot:
    """An archived copy: its address and the day it was captured (YYYY-MM-DD)."""

    url: str
    captured: str


@dataclass(frozen=True)
class Lookup:
    """What the archive said of one source: its closest good capture (None when it has none),
    or why it could not say (``problem``)."""

    source: str
    snapshot: Snapshot | None
    problem: str = ""
