"""``tracker import FILE``: add the rows of a CSV, XLSX or ODS file, or of one at an http(s)
address (TimelineJS's sheet, ACLED's export, or any CSV with ``--map``) to the events file,
checked as ``tracker add`` checks one."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..contract import ValidationError
from ..importing import FORMATS, ImportRefused, ImportReport, MappingError, Options, import_file
from ..importing.remote import is_url
from .common import CATEGORY, STATUS, csv_option, handle_errors, resolve_csv

BAR_FROM = 2000  # steps: a stage shorter than this shows no progress bar


class FileOrAddress(click.ParamType):
    """A file on this machine (as ``click.Path``), or an http(s) address kept as it is."""

    name = "FILE"

    def convert(self, value, param, ctx):
        if is_url(value):
            return value
        return click.Path(dir_okay=False, path_type=Path).convert(value, param, ctx)


@click.command(name="import")
@click.argument("source", metavar="FILE", type=FileOrAddress())
@csv_option
@click.option(
    "--from",
    "fmt",
    type=click.Choice(FORMATS),
    help="The file's format (default: told from its header: TimelineJS's template, ACLED's export, else CSV).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=THEIRS",
    help="Read the events file's COLUMN from the input's column THEIRS (repeatable).",
)
@click.option("--category", type=CATEGORY, help="Category of rows that give none.")
@click.option("--status", type=STATUS, help="Claim status of rows that give none.")
@click.option("--source-url", help="Source URL of rows that give none (ACLED rows never do).")
@click.option("--source-name", help="The name of the --source-url source (for the rows that take it).")
@click.option("--dry-run", is_flag=True, help="Print what would be added, what is a duplicate and what is refused.")
@click.option("--skip-invalid", is_flag=True, help="Add the good rows even when others are refused.")
@handle_errors
def import_events(source, csv_path, fmt, maps, dry_run, skip_invalid, **defaults):
    """Add the events of FILE (CSV, XLSX or ODS; or its http(s) address, such as a shared Google
    Sheet's) in one atomic, sorted rewrite."""
    options = Options(tuple(_pair(m) for m in maps), {k: v or "" for k, v in defaults.items()})
    events = resolve_csv(csv_path)
    try:
        with terminal_stages() as stage:
            report = import_file(events, source, fmt, options, dry_run=dry_run, skip_invalid=skip_invalid, stage=stage)
    except MappingError as exc:
        raise click.UsageError(f"{source}: {exc}") from None
    except ImportRefused as exc:
        for line in refused_lines(exc.report, prefix=""):
            click.echo(line, err=True)
        raise click.ClickException(str(exc)) from None
    except ValidationError as exc:
        if exc.path != str(source):
            raise  # the events file: handle_errors words it
        for line in exc.lines():
            click.echo(line, err=True)
        count = f"{exc.total} problem{'s' if exc.total != 1 else ''}"
        raise click.ClickException(
            f"{count} in {source}; nothing was written (fix {'it' if exc.total == 1 else 'them'} and import again)"
        ) from None
    for line in report_lines(report, dry_run):
        click.echo(line)


def _pair(text: str) -> tuple[str, str]:
    ours, sep, theirs = text.partition("=")
    if not sep or not ours.strip() or not theirs.strip():
        raise click.UsageError(f"--map {text}: give COLUMN=THEIRS, e.g. --map title=Headline")
    return ours.strip(), theirs.strip()


def report_lines(report: ImportReport, dry_run: bool) -> list[str]:
    """The report: what the file is, then each row not simply added (every row in a dry run) by
    its line in the input, then a summary."""
    src = report.source
    head = f"{src}: {report.format}, read with {report.reader}"
    if report.ignored:
        head += "; columns not read: " + ", ".join(report.ignored)
    rows: list[tuple[int, str]] = []
    if dry_run:
        for line, event_id, date, title in zip(
            report.added["_line"], report.added["id"], report.added["date"], report.added["title"], strict=True
        ):
            rows.append((int(line), f"{src}:{line}: add {event_id} ({date}): {title}"))
    rows += [(d.line, d.format(src)) for d in report.duplicates]
    rows += [(p.line, line) for p, line in zip(report.problems, refused_lines(report, "refused: "), strict=False)]
    rows += [(line, f"{src}:{line}: skipped: {why}") for line, why in report.skipped]
    out = [head, *(text for _, text in sorted(rows, key=lambda pair: pair[0]))]
    if report.total_problems > len(report.problems):
        out.append(f"{src}: … and {report.total_problems - len(report.problems)} more problems")
    return [*out, _summary(report, dry_run)]


def refused_lines(report: ImportReport, prefix: str) -> list[str]:
    lines = []
    for p in report.problems:
        hint = f" ({p.hint})" if p.hint else ""
        lines.append(f"{report.source}:{p.line}: {prefix}{p.column}: {p.message}{hint}")
    if not prefix and report.total_problems > len(report.problems):
        lines.append(f"{report.source}: … and {report.total_problems - len(report.problems)} more problems")
    return lines


def _summary(report: ImportReport, dry_run: bool) -> str:
    counts = [
        _count(len(report.duplicates), "duplicate"),
        f"{report.refused_rows} refused" if report.refused_rows else "",
        f"{len(report.skipped)} skipped" if report.skipped else "",
    ]
    others = ", ".join(c for c in counts if c)
    added = _count(len(report.added), "event")
    if dry_run:
        return (
            f"dry run: would add {added} to {report.events}"
            + (f"; {others}" if others else "")
            + "; nothing was written"
        )
    verb = "added" if report.written else "added no events: nothing new in"
    what = (
        f"{report.events}: added {added} from {report.source}"
        if report.written
        else f"{report.events}: {verb} {report.source}"
    )
    return what + (f" ({others})" if others else "")


def _count(n: int, noun: str) -> str:
    return "" if not n and noun != "event" else f"{n:,} {noun}{'s' if n != 1 else ''}"


@contextlib.contextmanager
def terminal_stages():
    """A ``stage(label, total)`` for the import: a progress bar on a terminal for long stages."""
    with contextlib.ExitStack() as bars:

        def stage(label: str, total: int):
            if total < BAR_FROM or not sys.stderr.isatty():
                return lambda n: None
            bar = bars.enter_context(click.progressbar(length=total, label=label, file=sys.stderr))
            return bar.update

        yield stage
