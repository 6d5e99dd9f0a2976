"""What a link check found of one URL, and its three states: apart from the visiting (httpx),
so that what reads the kept results (the dashboard) does not load a web client."""

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
