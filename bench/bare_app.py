"""The first-page baseline: a bare Dash app whose page is one ``dcc.Graph`` of the events (a
plotly express scatter, drawn from the layout: no callback), served as ours is (gunicorn).

Run: ``python -m bench.bare_app CSV --port 8070``. It imports nothing of ours: importing the
dashboard would register its component libraries (the grid's bundle) with Dash, and the bare page
would load them too.
"""

from __future__ import annotations

import argparse

import pandas as pd
import plotly.express as px
from dash import Dash, dcc
from gunicorn.app.base import BaseApplication

GRAPH_ID = "bare-timeline"


def create_app(csv_path: str) -> Dash:
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    frame["start"] = pd.to_datetime(frame["date"], format="mixed")
    app = Dash(__name__, compress=True, serve_locally=True)
    figure = px.scatter(frame, x="start", y="category", color="category", hover_name="title")
    app.layout = dcc.Graph(id=GRAPH_ID, figure=figure)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--port", type=int, default=8070)
    args = parser.parse_args()
    server = create_app(args.csv).server
    # (gunicorn as ``tracker serve`` runs it: two gthread workers, no control socket)
    GunicornApp(
        server,
        {
            "bind": f"127.0.0.1:{args.port}",
            "workers": 2,
            "worker_class": "gthread",
            "threads": 4,
            "control_socket_disable": True,
            "loglevel": "warning",
        },
    ).run()


class GunicornApp(BaseApplication):
    def __init__(self, wsgi_app, options: dict):
        self.wsgi_app, self.options = wsgi_app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.wsgi_app


if __name__ == "__main__":
    main()
