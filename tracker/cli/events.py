"""Commands on the events file itself: ``validate``, ``list`` and ``add``."""

from __future__ import annotations

import shutil
import sys

import click

from ..contract import InvalidRowError
from ..export.rows import render_rows
from ..query import filter_events
from ..storage import add_event, check_events, load_events
from .common import (
    CATEGORY,
    STATUS,
    csv_argument_or_option,
    csv_option,
    filter_options,
    handle_errors,
    normalized_options,
    resolve_csv,
    resolved_filter,
)


@click.command()
@csv_argument_or_option
@handle_errors
def validate(csv_path):
    """Check CSV against the events contract; list every problem."""
    path = resolve_csv(csv_path)
    events, latest = check_events(path)
    click.echo(f"{path}: {events} events, valid (latest {latest})")


@click.command(name="list")
@csv_argument_or_option
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@handle_errors
def list_events(csv_path, fmt, **filters):
    """Print the events that match the filters."""
    path = resolve_csv(csv_path)
    frame = filter_events(load_events(path), resolved_filter(path, **filters))
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    click.echo(render_rows(frame, fmt, width), nl=False)


@click.command()
@csv_option
@click.option(
    "--date",
    help='When it happened, free-form: "2 January 2024", "2 Januari 2024", "Nov 2022", "2023".',
)
@click.option("--end-date", help="When a span ended (same forms).")
@click.option("--title", help="One line in your own words.")
@click.option("--short-title", help="A label for charts, at most 60 characters (the title when left out).")
@click.option("--description", help="A few sentences.")
@click.option("--category", type=CATEGORY)
@click.option("--status", type=STATUS, help="Claim status.")
@click.option("--actors", help="ISO alpha-3 codes or short names, e.g. 'RUS;PRK'.")
@click.option("--location", help="Place name.")
@click.option("--lat", help="Latitude in [-90, 90].")
@click.option("--lon", help="Longitude in [-180, 180].")
@click.option("--un-resolutions", help="UNSC resolution numbers, e.g. '1718;2397'.")
@click.option("--source-url", "source_urls", multiple=True, help="An http(s) source URL (repeatable).")
@click.option(
    "--source-name",
    "source_names",
    multiple=True,
    help="The source's name (repeatable, same order).",
)
@click.option(
    "--archive-url",
    "archive_urls",
    multiple=True,
    help="An archived copy of the source (repeatable, same order; '-' for a source without one).",
)
@click.option("--id", "event_id", help="A slug id (generated from date and title when left out).")
@handle_errors
def add(csv_path, event_id, source_urls, source_names, archive_urls, **values):
    """Add one event at its sorted place, safely; print its id."""
    values = _prompt_missing(values, source_urls)
    source_urls = source_urls or (values.pop("source_url"),)
    values.pop("source_url", None)
    row = dict(
        values,
        id=event_id or "",
        source_url=" | ".join(u.strip() for u in source_urls),
        source_name=" | ".join(n.strip() for n in source_names),
        archive_urls=" | ".join(a.strip() for a in archive_urls),
    )
    row = normalized_options(row)
    try:
        event_id = add_event(resolve_csv(csv_path), row)
    except InvalidRowError as exc:
        raise click.UsageError("\n".join(exc.lines())) from None
    click.echo(event_id)


REQUIRED_ADD = ("date", "title", "category", "status")
PROMPTS = {
    "date": 'Date (e.g. "2 January 2024", "Nov 2022", "2023")',
    "source_url": "Source URL (http or https)",
}


def stdin_is_terminal() -> bool:
    """Whether a person can answer prompts (tests replace this)."""
    return sys.stdin.isatty()


def _prompt_missing(values: dict, source_urls: tuple) -> dict:
    """Ask for missing required options on a terminal; otherwise fail as a usage error."""
    missing = [k for k in REQUIRED_ADD if not values.get(k)] + ([] if source_urls else ["source_url"])
    if not missing:
        return values
    if not stdin_is_terminal():
        names = ", ".join("--" + k.replace("_", "-") for k in missing)
        raise click.UsageError(f"missing {names} (give them as options, or run in a terminal to be asked)")
    for key in missing:
        choices = {
            "category": CATEGORY,
            "status": STATUS,
        }
        values[key] = click.prompt(PROMPTS.get(key, key.capitalize()), type=choices.get(key, str))
    return values
