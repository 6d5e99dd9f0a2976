"""Where an export comes from: the filters, the count, the data version and the date, as the
caption of every chart and the ``meta`` of JSON exports."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..query import EventFilter, to_query


@dataclass(frozen=True)
class ExportMeta:
    """What an export holds: the caption of every chart and the ``meta`` of JSON exports."""

    filters: str
    events: int
    total_events: int
    data_file: str
    data_version: str
    generated: str
    query: str = ""

    def caption(self) -> str:
        """One line of plain text naming filters, count, data version and date."""
        noun = "event" if self.total_events == 1 else "events"  # ("1 of 65 events")
        filters = self.filters if len(self.filters) <= 140 else self.filters[:139] + "…"
        return (
            f"Filters: {filters} · {self.events} of {self.total_events} {noun} · "
            f"data: {self.data_file} @ {self.data_version} · generated {self.generated[:10]}"
        )

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- provenance


def data_version(path: str | Path) -> str:
    """Short git commit of ``path`` when it is tracked and unchanged, else ``sha256:`` + 12 hex."""
    path = Path(path).resolve()
    commit = _git_commit(path)
    if commit:
        return commit
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"sha256:{digest[:12]}"


def _git_commit(path: Path) -> str | None:
    """The last commit touching ``path``, if git knows it and the file has no local changes."""

    def git(*args: str) -> str | None:
        try:
            # no optional locks: never write the index; no fsmonitor: run no configured command
            cmd = [
                "git",
                "--no-optional-locks",
                "-c",
                "core.fsmonitor=false",
                "-C",
                str(path.parent),
                *args,
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("log", "-1", "--format=%h", "--", path.name)
    if not commit or git("status", "--porcelain", "--", path.name) != "":
        return None
    return commit


def export_meta(
    frame: pd.DataFrame,
    f: EventFilter,
    csv_path: str | Path,
    *,
    total: int | None = None,
    now: datetime | None = None,
) -> ExportMeta:
    """The provenance of an export of ``frame`` (already filtered by ``f``)."""
    now = now or datetime.now(UTC)
    return ExportMeta(
        filters=f.describe(),
        events=len(frame),
        total_events=len(frame) if total is None else total,
        data_file=Path(csv_path).name,
        data_version=data_version(csv_path),
        generated=now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        query=to_query(f),
    )
