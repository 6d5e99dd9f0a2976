"""Commands that change or take out an event already in the file: ``edit`` and ``remove``."""

from __future__ import annotations

import click

from ..contract import InvalidRowError
from ..storage.edits import Edit, NewSource, edit_event, remove_events
from .common import CATEGORY, STATUS, csv_option, handle_errors, normalized_options, resolve_csv

CLEAR = ' ("" clears it)'


@click.command()
@click.argument("event_id", metavar="ID")
@csv_option
@click.option("--date", help='A new date, free-form: "2 January 2024", "Nov 2022", "2023".')
@click.option("--end-date", help="A new end of the span (same forms)" + CLEAR + ".")
@click.option("--title", help="A new title.")
@click.option("--short-title", help="A new label for charts, at most 60 characters" + CLEAR + ".")
@click.option("--description", help="A new description" + CLEAR + ".")
@click.option("--category", type=CATEGORY)
@click.option("--status", type=STATUS, help="A new claim status.")
@click.option("--actors", help="New actors, e.g. 'RUS;PRK'" + CLEAR + ".")
@click.option("--location", help="A new place name" + CLEAR + ".")
@click.option("--lat", help="A new latitude (give --lon too)" + CLEAR + ".")
@click.option("--lon", help="A new longitude (give --lat too)" + CLEAR + ".")
@click.option("--un-resolutions", help="New UNSC resolution numbers, e.g. '1718;2397'" + CLEAR + ".")
@click.option("--new-id", help="A new id (links to the old one break: rarely wanted).")
@click.option("--add-source", "add_sources", multiple=True, help="Add an http(s) source URL (repeatable).")
@click.option("--source-name", "source_names", multiple=True, help="The added source's name (same order).")
@click.option(
    "--archive-url",
    "archive_urls",
    multiple=True,
    help="An archived copy of the added source (same order; '-' for none).",
)
@click.option("--remove-source", "remove_sources", multiple=True, help="Take out this source URL (repeatable).")
@click.option(
    "--archive-for",
    "archives",
    nargs=2,
    multiple=True,
    metavar="SOURCE_URL ARCHIVE_URL",
    help="Set the archived copy of one of the event's sources ('-' takes it out; repeatable).",
)
@handle_errors
def edit(csv_path, event_id, add_sources, source_names, archive_urls, remove_sources, archives, new_id, **values):
    """Change the event ID in place: its line is rewritten where it is (it moves only when its
    date changes); prints what changed, one line, for the commit message."""
    values = {column: value for column, value in values.items() if value is not None}
    if new_id is not None:
        values["id"] = new_id
    sources = _new_sources(add_sources, source_names, archive_urls)
    if not (values or sources or remove_sources or archives):
        raise click.UsageError("nothing to change: give an option such as --status (see `tracker edit --help`)")
    change = Edit(normalized_options(values), sources, tuple(remove_sources), tuple(archives))
    try:
        edited = edit_event(resolve_csv(csv_path), event_id.strip(), change)
    except InvalidRowError as exc:
        raise click.UsageError("\n".join(exc.lines())) from None
    click.echo(edited.summary())


def _new_sources(urls: tuple, names: tuple, archives: tuple) -> tuple[NewSource, ...]:
    """The sources to add, each with its name and archived copy (given in the same order)."""
    for option, given in (("--source-name", names), ("--archive-url", archives)):
        if given and len(given) != len(urls):
            raise click.UsageError(
                f"{option}: given {len(given)} times for {len(urls)} --add-source (give one per added source, "
                "in the same order)"
            )
    return tuple(
        NewSource(url, names[i] if names else "", archives[i] if archives else "") for i, url in enumerate(urls)
    )


@click.command()
@click.argument("event_ids", metavar="ID...", nargs=-1, required=True)
@csv_option
@click.option("--reason", required=True, help="Why they go (printed, for the commit message).")
@handle_errors
def remove(csv_path, event_ids, reason):
    """Take the events ID... out of the file, all in one write or none; prints `Remove ID:
    REASON` for the commit message."""
    reason = " ".join(reason.split())
    if not reason:
        raise click.UsageError("--reason: is empty (say why the event goes: it becomes the commit message)")
    removed = remove_events(resolve_csv(csv_path), [event_id.strip() for event_id in event_ids])
    click.echo(f"Remove {_and_list([row['id'] for row in removed])}: {reason}")


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
