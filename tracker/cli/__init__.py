"""The ``tracker`` command: each command parses options, calls one library function, reports.

Commands live by what they work on: ``events.py`` (validate, list, add), ``edit.py`` (edit,
remove), ``importing.py`` (import), ``links.py`` (check-links), ``publish.py`` (export, serve), ``history.py``
(diff, history);
``common.py`` holds what they share (errors, ``--csv``, the filter options).
"""

from __future__ import annotations

import click

from .edit import edit, remove
from .events import add, list_events, validate
from .history import diff, history
from .importing import import_events
from .links import check_links_command
from .publish import export, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sanctions-tracker")
def main():
    """Track dated, sourced sanctions events in one CSV file."""


for command in (
    validate,
    list_events,
    add,
    edit,
    remove,
    import_events,
    check_links_command,
    export,
    serve,
    diff,
    history,
):
    main.add_command(command)

__all__ = ["main"]
