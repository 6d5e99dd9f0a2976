"""The baseline: a naive Dash timeline (``px.scatter`` of every filtered row, on every callback).

Run: ``python -m bench.naive_app CSV --port 8060 [--render-mode svg]``. It reads the CSV with pandas, keeps no
aggregation and sends the whole figure (every point) on every category toggle.
"""

from __future__ import annotations

import argparse

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

from tracker.contract import schema

CATEGORIES_ID = "naive-categories"
TIMELINE_ID = "naive-timeline"


def create_app(csv_path: str, render_mode: str = "auto") -> Dash:
    """The naive app over ``csv_path`` (``render_mode``: plotly express's "auto" picks WebGL
    above 1,000 points; "svg" draws every point as an SVG element)."""
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame["start"] = pd.to_datetime(frame["date"], format="mixed")
    app = Dash(__name__, compress=True, serve_locally=True)
    app.layout = html.Div(
        [
            dcc.Checklist(
                id=CATEGORIES_ID,
                options=list(schema.CATEGORIES),
                value=list(schema.CATEGORIES),
                inline=True,
            ),
            dcc.Graph(id=TIMELINE_ID),
        ]
    )

    @app.callback(Output(TIMELINE_ID, "figure"), Input(CATEGORIES_ID, "value"))
    def timeline(categories):
        shown = frame[frame["category"].isin(categories or [])]
        return px.scatter(
            shown,
            x="start",
            y="category",
            color="category",
            hover_name="title",
            render_mode=render_mode,
        )

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--port", type=int, default=8060)
    parser.add_argument("--render-mode", choices=("auto", "svg", "webgl"), default="auto")
    args = parser.parse_args()
    create_app(args.csv, args.render_mode).run(host="127.0.0.1", port=args.port, debug=False)


if __name__ == "__main__":
    main()
