"""The record's history: ``tracker diff`` (two versions of the file) and ``tracker history ID``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click

from ..history import GitFile, RowDiff, diff_versions, event_history
from ..history.gitfile import WORKING
from .common import csv_option, handle_errors, resolve_csv

FORMATS = click.Choice(["text", "json", "md"])


@click.command()
@click.argument("old", default="HEAD", required=False)
@click.argument("new", required=False)
@csv_option
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@handle_errors
def diff(old, new, csv_path, fmt):
    """What changed in the events file from OLD (default HEAD) to NEW (default: the working
    file); either may be any revision git understands (a hash, a tag, HEAD~3)."""
    gf = GitFile.open(resolve_csv(csv_path))
    new_version = gf.working_bytes() if new is None else gf.blob(new)
    changes = diff_versions(gf.blob(old), new_version, check=False)
    new_name = new or WORKING
    if fmt == "json":
        click.echo(json.dumps(changes.to_json(old, new_name), indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(diff_lines(changes, old, new_name, markdown=fmt == "md")))


def diff_lines(changes: RowDiff, old: str, new: str, *, markdown: bool = False) -> list[str]:
    """The summary line, then one line per event: added (+), removed (-), changed (~)."""
    head = f"{changes.summary()} ({old} → {new})"
    item = "- " if markdown else ""
    lines = [f"### events.csv: {head}" if markdown else head]
    if markdown and changes:
        lines.append("")
    for event_id in sorted(changes.added):
        row = changes.added[event_id]
        lines.append(f"{item}+ {_code(event_id, markdown)} {row.get('date', '')} {row.get('title', '')}")
    for event_id in changes.status_changes() + changes.edits():
        lines.append(f"{item}~ {_code(event_id, markdown)} {describe_changes(changes.changed[event_id])}")
    for event_id in sorted(changes.removed):
        title = changes.removed[event_id].get("title", "")
        lines.append(f"{item}- ~~{event_id}~~ {title}" if markdown else f"- {event_id} {title}")
    return lines


def _code(text: str, markdown: bool) -> str:
    return f"`{text}`" if markdown else text


def describe_changes(changes: dict[str, tuple[str, str]]) -> str:
    """E.g. "status alleged → confirmed; title" (long fields are named, not quoted)."""
    parts = []
    for name, (old, new) in changes.items():
        short = len(old) <= 30 and len(new) <= 30
        parts.append(f"{name} {old or '∅'} → {new or '∅'}" if short else name)
    return "; ".join(parts)


@click.command()
@click.argument("event_id", metavar="ID")
@csv_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@handle_errors
def history(event_id, csv_path, fmt):
    """Every version of the event ID, oldest first: the commit, its date, and what changed."""
    path = resolve_csv(csv_path)
    versions = event_history(path, event_id, notice=first_history_notice(path))
    if not versions:
        raise click.ClickException(
            f"{path}: no version of the file holds an event {event_id!r} (tracker list shows the ids)"
        )
    if fmt == "json":
        click.echo(json.dumps([v.to_json() for v in versions], indent=2, ensure_ascii=False))
        return
    for v in versions:
        what = f": {describe_changes(v.changes)}" if v.changes else ""
        when = f"{v.date} {v.change}{what} ({v.message})" if v.date else f"(not committed yet) {v.change}{what}"
        click.echo(f"{v.commit} {when}")


def first_history_notice(path) -> Callable[[int], None] | None:
    """On a terminal, a line saying why a first history takes a while (later runs are quick)."""
    if not sys.stderr.isatty():
        return None
    name = getattr(path, "name", str(path))
    return lambda count: click.echo(
        f"{name}: working out the history of {count:,} versions, once (later runs read only new commits)…",
        err=True,
    )
