"""What every ``tracker`` command shares: errors as one-line messages, the events file option
and the filter options."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import click

from ..contract import ValidationError, parse_date, schema
from ..errors import TrackerError
from ..query import EventFilter
from ..storage import default_csv


class Term(click.Choice):
    """One of ``choices`` as a person may type it (``schema.plain_term``: any case, spaces or
    hyphens for underscores; a category by its label, "UN / legal"); the file gets the code."""

    def __init__(self, choices: tuple[str, ...], known: dict[str, str] | None = None):
        super().__init__(choices)
        self.known = known or {schema.plain_term(c): c for c in choices}

    def convert(self, value, param, ctx):
        if isinstance(value, str) and (code := self.known.get(schema.plain_term(value))):
            return code
        return super().convert(value, param, ctx)


CATEGORY = Term(schema.CATEGORIES, schema.term_codes("category"))
STATUS = Term(schema.STATUSES, schema.term_codes("status"))
PRECISION = Term(schema.PRECISIONS)


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
            it = "it" if exc.total == 1 else "them"
            raise click.ClickException(
                f"{count} in {exc.path}; nothing was written (fix {it} and run `tracker validate` again)"
            ) from None
        except TrackerError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(
                f"{exc.filename or ''}: {exc.strerror} (check the path and permissions)"
            ) from None

    return wrapper


CSV_HELP = "The events file (default: $TRACKER_EVENTS or ./events.csv)."


def csv_option(command):
    """``--csv FILE``, the events file every command works on; the result is ``csv_path``."""
    option = click.option("--csv", "csv_path", type=click.Path(dir_okay=True, path_type=Path), help=CSV_HELP)
    return option(command)


def csv_argument_or_option(command):
    """``[CSV]`` as a positional argument or ``--csv FILE`` (the same file; give one)."""

    @functools.wraps(command)
    def wrapper(*args, csv_arg=None, csv_path=None, **kwargs):
        if csv_arg and csv_path and csv_arg != csv_path:
            raise click.UsageError(f"two events files given ({csv_arg} and --csv {csv_path}): give one")
        return command(*args, csv_path=csv_arg or csv_path, **kwargs)

    argument = click.argument(
        "csv_arg", metavar="[CSV]", required=False, type=click.Path(dir_okay=True, path_type=Path)
    )
    return argument(csv_option(wrapper))


def resolve_csv(csv_path: Path | None) -> Path:
    """The CSV to use: the one given, else $TRACKER_EVENTS, else ./events.csv."""
    return csv_path or default_csv()


def filter_options(command):
    """The filter options shared by ``list``, ``export`` and friends."""
    options = [
        click.option(
            "--category",
            "categories",
            multiple=True,
            type=CATEGORY,
            help="Keep this category (repeatable).",
        ),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            type=STATUS,
            help="Keep this claim status (repeatable).",
        ),
        click.option(
            "--actor",
            "actors",
            multiple=True,
            help="Keep events naming this actor, e.g. RUS (repeatable).",
        ),
        click.option(
            "--resolution",
            "resolutions",
            multiple=True,
            help="Keep events bearing on this UNSC resolution (repeatable).",
        ),
        click.option(
            "--precision",
            "precisions",
            multiple=True,
            type=PRECISION,
            help="Keep events dated to this precision (repeatable).",
        ),
        click.option("--since", help='Keep events ending on or after this date ("Nov 2022", "2022-11-02").'),
        click.option("--until", help="Keep events starting on or before this date."),
        click.option("--search", help="Keep events whose title, description or location contains this text."),
        click.option(
            "--changed-since",
            help="Keep events added or changed since this date (YYYY-MM-DD) or git revision (from git history).",
        ),
    ]
    return functools.reduce(lambda cmd, opt: opt(cmd), reversed(options), command)


def build_filter(
    categories=(),
    statuses=(),
    actors=(),
    resolutions=(),
    precisions=(),
    since=None,
    until=None,
    search=None,
    changed_since=None,
) -> EventFilter:
    """An EventFilter from CLI option values (an option not given restricts nothing)."""
    try:
        since_iso = parse_date(since) if since else None
        until_iso = parse_date(until) if until else None
    except TrackerError as exc:
        raise click.UsageError(f"--since/--until: {exc}") from None
    return EventFilter(
        categories=tuple(categories) or None,
        statuses=tuple(statuses) or None,
        actors=split_items(actors) or None,
        resolutions=split_items(resolutions) or None,
        precisions=tuple(precisions) or None,
        since=since_iso,
        until=until_iso,
        search=search,
        changed_since=changed_since,
    )


def resolved_filter(csv_path: Path, **filters) -> EventFilter:
    """``build_filter``, with ``--changed-since`` worked out from the file's git history."""
    from ..history import resolve_changed  # (git is only opened when the option is given)

    return resolve_changed(build_filter(**filters), csv_path)


def split_items(values) -> tuple[str, ...]:
    return tuple(item for v in values for item in re.split(r"\s*[;,]\s*", v.strip()) if item)


def normalized_options(values: dict) -> dict:
    """Option values as the file holds them: free-form dates as ISO at their precision (a
    usage error when ambiguous), lists of actors and resolutions ``;``-separated. An empty
    value stays empty (it clears the column in ``tracker edit``)."""
    values = dict(values)
    for key in ("date", "end_date"):
        if values.get(key):
            values[key] = date_option(key, values[key])
    for key in ("actors", "un_resolutions"):
        if values.get(key):
            values[key] = ";".join(split_items([values[key]]))
    return values


def date_option(key: str, text: str) -> str:
    """``text`` given to ``--KEY`` as an ISO date; a usage error naming the option otherwise."""
    try:
        return parse_date(text)
    except TrackerError as exc:
        raise click.UsageError(f"--{key.replace('_', '-')}: {exc}") from None
