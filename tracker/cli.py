"""The ``tracker`` command: each command parses options, calls one library function, reports."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click

from . import schema
from .dates import parse_date
from .errors import TrackerError
from .query import EventFilter, filter_events
from .render import render_rows
from .store import add_event, default_csv, load_events
from .validate import ValidationError

CSV_ARG = click.argument("csv_path", metavar="[CSV]", required=False, type=click.Path(dir_okay=True, path_type=Path))


def handle_errors(command):
    """Turn library errors into one-line messages and exit status 1 (never a traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ValidationError as exc:
            for line in exc.lines()[:-1] if len(exc.lines()) > 1 else []:
                click.echo(line, err=True)
            last = exc.lines()[-1]
            raise click.ClickException(f"{last}\n{exc.total} problem(s); nothing was written. Fix them and run `tracker validate` again.") from None
        except TrackerError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror} (check the path and permissions)") from None

    return wrapper


def resolve_csv(csv_path: Path | None) -> Path:
    """The CSV to use: the argument, else $TRACKER_EVENTS, else ./events.csv."""
    return csv_path or default_csv()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sanctions-tracker")
def main():
    """Track dated, sourced sanctions events in one CSV file."""


@main.command()
@CSV_ARG
@handle_errors
def validate(csv_path):
    """Check CSV against the events contract; list every problem."""
    path = resolve_csv(csv_path)
    frame = load_events(path)
    latest = frame["date"].max() if len(frame) else "-"
    click.echo(f"{path}: {len(frame)} events, valid (latest {latest})")


def filter_options(command):
    """The filter options shared by ``list``, ``export`` and friends."""
    options = [
        click.option("--category", "categories", multiple=True, type=click.Choice(schema.CATEGORIES), help="Keep this category (repeatable)."),
        click.option("--status", "statuses", multiple=True, type=click.Choice(schema.STATUSES), help="Keep this claim status (repeatable)."),
        click.option("--actor", "actors", multiple=True, help="Keep events naming this actor, e.g. RUS (repeatable)."),
        click.option("--resolution", "resolutions", multiple=True, help="Keep events bearing on this UNSC resolution (repeatable)."),
        click.option("--precision", "precisions", multiple=True, type=click.Choice(schema.PRECISIONS), help="Keep events dated to this precision (repeatable)."),
        click.option("--since", help='Keep events ending on or after this date ("Nov 2022", "2022-11-02").'),
        click.option("--until", help="Keep events starting on or before this date."),
        click.option("--search", help="Keep events whose title, description or location contains this text."),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def build_filter(categories=(), statuses=(), actors=(), resolutions=(), precisions=(), since=None, until=None, search=None) -> EventFilter:
    """An EventFilter from CLI option values (an option not given restricts nothing)."""
    try:
        since_iso = parse_date(since) if since else None
        until_iso = parse_date(until) if until else None
    except TrackerError as exc:
        raise click.UsageError(f"--since/--until: {exc}") from None
    return EventFilter(
        categories=tuple(categories) or None, statuses=tuple(statuses) or None,
        actors=_split_items(actors) or None, resolutions=_split_items(resolutions) or None,
        precisions=tuple(precisions) or None, since=since_iso, until=until_iso, search=search,
    )  # fmt: skip


def _split_items(values) -> tuple[str, ...]:
    return tuple(item for v in values for item in re.split(r"\s*[;,]\s*", v.strip()) if item)


@main.command(name="list")
@CSV_ARG
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def list_events(csv_path, fmt, **filters):
    """Print the events that match the filters."""
    frame = filter_events(load_events(resolve_csv(csv_path)), build_filter(**filters))
    click.echo(render_rows(frame, fmt), nl=False)


@main.command()
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="The events file (default: $TRACKER_EVENTS or ./events.csv).")
@click.option("--date", help='When it happened, free-form: "2 January 2024", "2 Januari 2024", "Nov 2022", "2023".')
@click.option("--end-date", help="When a span ended (same forms).")
@click.option("--title", help="One line in your own words.")
@click.option("--description", help="A few sentences.")
@click.option("--category", type=click.Choice(schema.CATEGORIES))
@click.option("--status", type=click.Choice(schema.STATUSES), help="Claim status.")
@click.option("--actors", help="ISO alpha-3 codes or short names, e.g. 'RUS;PRK'.")
@click.option("--location", help="Place name.")
@click.option("--lat", help="Latitude in [-90, 90].")
@click.option("--lon", help="Longitude in [-180, 180].")
@click.option("--un-resolutions", help="UNSC resolution numbers, e.g. '1718;2397'.")
@click.option("--source-url", "source_urls", multiple=True, help="An http(s) source URL (repeatable).")
@click.option("--source-name", "source_names", multiple=True, help="The source's name (repeatable, same order).")
@click.option("--id", "event_id", help="A slug id (generated from date and title when left out).")
@handle_errors
def add(csv_path, event_id, source_urls, source_names, **values):
    """Add one event at its sorted place, safely; print its id."""
    values = _prompt_missing(values, source_urls)
    source_urls = source_urls or (values.pop("source_url"),)
    values.pop("source_url", None)
    row = dict(values, id=event_id or "", source_url=" | ".join(u.strip() for u in source_urls),
               source_name=" | ".join(n.strip() for n in source_names))  # fmt: skip
    for key in ("date", "end_date"):
        if row.get(key):
            row[key] = _date_option(key, row[key])
    for key in ("actors", "un_resolutions"):
        if row.get(key):
            row[key] = ";".join(_split_items([row[key]]))
    event_id = add_event(resolve_csv(csv_path), row)
    click.echo(event_id)


def _date_option(key: str, text: str) -> str:
    try:
        return parse_date(text)
    except TrackerError as exc:
        raise click.UsageError(f"--{key.replace('_', '-')}: {exc}") from None


REQUIRED_ADD = ("date", "title", "category", "status")


def _prompt_missing(values: dict, source_urls: tuple) -> dict:
    """Ask for missing required options on a terminal; otherwise fail as a usage error."""
    missing = [k for k in REQUIRED_ADD if not values.get(k)] + ([] if source_urls else ["source_url"])
    if not missing:
        return values
    if not sys.stdin.isatty():
        names = ", ".join("--" + k.replace("_", "-") for k in missing)
        raise click.UsageError(f"missing {names} (give them as options, or run in a terminal to be asked)")
    for key in missing:
        choices = {"category": click.Choice(schema.CATEGORIES), "status": click.Choice(schema.STATUSES)}
        values[key] = click.prompt(key.replace("_", " ").capitalize(), type=choices.get(key, str))
    return values


if __name__ == "__main__":  # pragma: no cover
    main()
