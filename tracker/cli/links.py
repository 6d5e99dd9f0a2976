"""``tracker check-links``: are the events' sources and archived copies still there?"""

from __future__ import annotations

import json
import re
import sys

import click

from ..links import DEAD, DOUBTFUL, LinkReport, ProbeOptions, check_links
from ..storage.edits import set_archived_copies
from .common import csv_option, handle_errors, resolve_csv

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Duration(click.ParamType):
    """A duration such as ``7d``, ``12h``, ``30m``, ``90s`` or ``0``, in seconds."""

    name = "DURATION"

    def convert(self, value, param, ctx):
        if isinstance(value, int | float):
            return float(value)
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(value).lower())
        if not match or (not match[2] and float(match[1]) != 0):
            self.fail(f"{value!r} is not a duration (write it as 7d, 12h, 30m, 90s or 0)", param, ctx)
        return float(match[1]) * UNITS[match[2] or "s"]


@click.command(name="check-links")
@csv_option
@click.option(
    "--max-age",
    type=Duration(),
    default="7d",
    show_default=True,
    help="Visit again only links whose last result is older than this (0: visit every link).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--concurrency", type=click.IntRange(1, 256), default=16, show_default=True, help="Links at once.")
@click.option("--per-host", type=click.IntRange(1, 64), default=2, show_default=True, help="Links at once per host.")
@click.option(
    "--timeout", type=click.FloatRange(0.1, 300), default=10.0, show_default=True, help="Seconds per request."
)
@click.option(
    "--find-archives",
    is_flag=True,
    help="Ask the Wayback Machine for a copy of each dead or doubtful source that events cite without one.",
)
@click.option(
    "--add-archives",
    is_flag=True,
    help="--find-archives, and write the copies found into the events' archive_urls (one atomic write).",
)
@handle_errors
def check_links_command(csv_path, max_age, fmt, concurrency, per_host, timeout, find_archives, add_archives):
    """Visit every source URL and archived copy; report dead and doubtful links with the ids of
    the events citing them. Exits 1 when a link is dead."""
    options = ProbeOptions(concurrency=concurrency, per_host=per_host, timeout=timeout)
    path = resolve_csv(csv_path)
    with _Progress() as progress:
        report = check_links(path, max_age, options, progress, find_archives or add_archives)
    added = set_archived_copies(path, report.found_copies()) if add_archives and report.found_copies() else []
    if fmt == "json":
        entries = [entry.as_json(report.archives_asked) for entry in report.entries]
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report, bool(added)), nl=False)
        if added:
            click.echo(f"Archived copies added to {len(added)} event{'s' if len(added) != 1 else ''} of {path}")
    if report.with_state(DEAD):
        sys.exit(1)


def render_text(report: LinkReport, added: bool = False) -> str:
    """Dead links, then doubtful ones, each with its status and events (and, when asked, the
    archive's copy for the events without one: ``added`` when it was written); then the counts."""
    out = []
    for state, heading in ((DEAD, "Dead links"), (DOUBTFUL, "Doubtful links")):
        entries = report.with_state(state)
        if entries:
            out.append(f"{heading} ({len(entries)}):")
            out += [
                f"  {e.url}\n    {e.result.detail}; cited by {', '.join(e.ids)}{_no_copy(e, added)}" for e in entries
            ]
    counts, total = report.counts, len(report.entries)
    out.append(
        f"{total} link{'s' if total != 1 else ''}: {counts['ok']} ok, {counts[DEAD]} dead, {counts[DOUBTFUL]} doubtful "
        f"({report.visited} visited, {total - report.visited} from the cache)"
    )
    return "\n".join(out) + "\n"


class _Progress:
    """A progress bar on standard error for each stage (visiting links, asking the archive),
    only when it is a terminal."""

    def __enter__(self):
        self.bar, self.stage = None, None
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if stage != self.stage:
            self.__exit__(None, None, None)
            self.bar, self.stage = click.progressbar(length=total, label=stage, file=sys.stderr), stage
            self.bar.__enter__()
        self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
            self.bar = None


def _no_copy(entry, added: bool) -> str:
    """Lines naming the citing events that have no archived copy of a dead or doubtful source,
    with what the archive has (when asked) and the command that gives one."""
    if not entry.unarchived:
        return ""
    events, lookup = ", ".join(entry.unarchived), entry.archive
    give = f"(give one: tracker edit ID --archive-for {entry.url} ARCHIVE_URL)"
    if lookup is None:
        return f"\n    no archived copy in {events} {give}"
    if lookup.snapshot is None:
        why = lookup.problem or "nor has the Wayback Machine one"
        return f"\n    no archived copy in {events}; {why} {give}"
    copy = lookup.snapshot
    if added:
        return f"\n    added the Wayback Machine's copy captured {copy.captured} to {events}: {copy.url}"
    commands = "".join(f"\n      tracker edit {i} --archive-for {entry.url} {copy.url}" for i in entry.unarchived)
    return f"\n    no archived copy in {events}; the Wayback Machine has one captured {copy.captured}:{commands}"
