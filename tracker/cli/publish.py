"""Commands that show the events elsewhere: ``export`` (files) and ``serve`` (the dashboard)."""

from __future__ import annotations

from pathlib import Path

import click

from ..storage import load_events
from .common import csv_argument_or_option, filter_options, handle_errors, resolve_csv, resolved_filter

EXPORT_FORMATS = ("png", "svg", "pdf", "html", "csv", "json", "timelinejs", "md", "docx")


@click.command()
@csv_argument_or_option
@filter_options
@click.option(
    "--chart",
    type=click.Choice(["timeline", "counts", "map"]),
    default="timeline",
    show_default=True,
    help="Which chart (png/svg/pdf/html).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="Output format (default: from the -o suffix; timelinejs: TimelineJS's JSON; md, docx: a brief in Markdown or Word).",
)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The file to write.")
@click.option(
    "--width",
    type=click.IntRange(100, 10000),
    help="Width in CSS pixels (images: 1200; HTML: the window's).",
)
@click.option(
    "--height",
    type=click.IntRange(100, 10000),
    help="Image height in CSS pixels (default: fits the chart).",
)
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.1, 10),
    help="Pixel density: a PNG is width*scale pixels wide.",
)
@click.option("--title", help="Chart title (default: the chart's own).")
@click.option(
    "--labels",
    type=click.Choice(["auto", "all", "none"]),
    default="auto",
    show_default=True,
    help="Name the events beside their marks on a timeline (auto: up to 40 events).",
)
@handle_errors
def export(csv_path, chart, fmt, output, width, height, scale, title, labels, **filters):
    """Write the filtered events as a chart (png, svg, pdf, html), data (csv, json), a TimelineJS
    story or a brief (md, docx)."""
    from ..export import ImageSize, check_output, export_view, write_export

    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in EXPORT_FORMATS:
        raise click.UsageError(
            f"cannot tell the format from {output.name!r}: give --format ({'|'.join(EXPORT_FORMATS)})"
        )
    check_output(output)
    path = resolve_csv(csv_path)
    result = export_view(
        load_events(path),
        resolved_filter(path, **filters),
        fmt,
        csv_path=path,
        chart=chart,
        title=title,
        size=ImageSize(width, height, scale),
        labels=labels,
    )
    write_export(output, result.content)
    what = {"timelinejs": "TimelineJS story", "md": "Markdown brief", "docx": "Word brief"}.get(
        fmt, f"{fmt} {'events' if fmt in ('csv', 'json') else chart + ' chart'}"
    )
    click.echo(f"{output}: {what}, {result.meta.events} of {result.meta.total_events} events ({result.meta.filters})")


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@click.command()
@csv_argument_or_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every network).",
)
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Flask's development server with Dash's dev tools (never in production).",
)
@handle_errors
def serve(csv_path, host, port, workers, debug):
    """Serve the dashboard for CSV (validated first) until Ctrl+C."""
    path = resolve_csv(csv_path)
    frame = load_events(path)
    if host not in LOCAL_HOSTS:
        click.echo(
            f"warning: listening on {host}: the dashboard is reachable from other machines",
            err=True,
        )
    click.echo(f"Serving {path} ({len(frame)} events) at http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    from dashboard.serve import run  # dash is imported only when serving

    run(path, host, port, workers, debug)
