"""The ``tracker`` command: each command parses options, calls one library function, reports."""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click

from . import schema
from .append import add_event
from .dates import parse_date
from .errors import TrackerError
from .query import EventFilter, filter_events
from .render import render_rows
from .store import check_events, default_csv, load_events
from .validate import InvalidRowError, ValidationError

CSV_ARG = click.argument("csv_path", metavar="[CSV]", required=False, type=click.Path(dir_okay=True, path_type=Path))


def handle_errors(command):
    """Turn library errors into one-line messages and exit status 1 (never a traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ValidationError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            count = f"{exc.total} problem{'s' if exc.total != 1 else ''}"
            raise click.ClickException(f"{count} in {exc.path}; nothing was written (fix {'it' if exc.total == 1 else 'them'} and run `tracker validate` again)") from None
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
    events, latest = check_events(path)
    click.echo(f"{path}: {events} events, valid (latest {latest})")


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


EXPORT_FORMATS = ("png", "svg", "pdf", "html", "csv", "json")


@main.command()
@CSV_ARG
@filter_options
@click.option("--chart", type=click.Choice(["timeline", "counts", "map"]), default="timeline", show_default=True, help="Which chart (png/svg/pdf/html).")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), help="Output format (default: from the -o suffix).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The file to write.")
@click.option("--width", type=click.IntRange(100, 10000), help="Width in CSS pixels (images: 1200; HTML: the window's).")
@click.option("--height", type=click.IntRange(100, 10000), help="Image height in CSS pixels (default: fits the chart).")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.1, 10), help="Pixel density: a PNG is width*scale pixels wide.")
@click.option("--title", help="Chart title (default: the chart's own).")
@handle_errors
def export(csv_path, chart, fmt, output, width, height, scale, title, **filters):
    """Write the filtered events as a chart (png, svg, pdf, html) or data (csv, json)."""
    from .export import ImageSize, check_output, export_view, write_export

    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in EXPORT_FORMATS:
        raise click.UsageError(f"cannot tell the format from {output.name!r}: give --format ({'|'.join(EXPORT_FORMATS)})")
    check_output(output)
    path = resolve_csv(csv_path)
    result = export_view(load_events(path), build_filter(**filters), fmt, csv_path=path, chart=chart,
                         title=title, size=ImageSize(width, height, scale))  # fmt: skip
    write_export(output, result.content)
    what = "events" if fmt in ("csv", "json") else f"{chart} chart"
    click.echo(f"{output}: {fmt} {what}, {result.meta.events} of {result.meta.total_events} events ({result.meta.filters})")


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
    try:
        event_id = add_event(resolve_csv(csv_path), row)
    except InvalidRowError as exc:
        raise click.UsageError("\n".join(exc.lines())) from None
    click.echo(event_id)


def _date_option(key: str, text: str) -> str:
    try:
        return parse_date(text)
    except TrackerError as exc:
        raise click.UsageError(f"--{key.replace('_', '-')}: {exc}") from None


REQUIRED_ADD = ("date", "title", "category", "status")
PROMPTS = {"date": 'Date (e.g. "2 January 2024", "Nov 2022", "2023")', "source_url": "Source URL (http or https)"}


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
        choices = {"category": click.Choice(schema.CATEGORIES), "status": click.Choice(schema.STATUSES)}
        values[key] = click.prompt(PROMPTS.get(key, key.capitalize()), type=choices.get(key, str))
    return values


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@main.command()
@CSV_ARG
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--debug", is_flag=True, help="Flask's development server with Dash's dev tools (never in production).")
@handle_errors
def serve(csv_path, host, port, workers, debug):
    """Serve the dashboard for CSV (validated first) until Ctrl+C."""
    path = resolve_csv(csv_path)
    frame = load_events(path)
    if host not in LOCAL_HOSTS:
        click.echo(f"warning: listening on {host}: the dashboard is reachable from other machines", err=True)
    click.echo(f"Serving {path} ({len(frame)} events) at http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    from dashboard.serve import run  # dash is imported only when serving

    run(path, host, port, workers, debug)


if __name__ == "__main__":  # pragma: no cover
    main()
