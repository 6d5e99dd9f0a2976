"""Run the dashboard: gunicorn in production, Flask's development server only for --debug."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from gunicorn.app.base import BaseApplication

from .app import create_app
from .changes import warm_history


class DashboardServer(BaseApplication):
    """gunicorn serving ``create_app(csv_path)``, configured in code (no config file, no control socket)."""

    def __init__(self, wsgi_app, options: dict):
        self.wsgi_app = wsgi_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self):
        return self.wsgi_app


def freeze_loaded_objects(server=None, worker=None) -> None:
    """Move everything the app has loaded before a worker forks (the libraries' ~120,000 objects,
    the frame) out of the garbage collector's sight: they live as long as the server, and a
    worker's full collection walking them paused whichever callback was running for ~100 ms.
    Frozen, their pages also stay shared with the workers (Python's gc.freeze advice)."""
    gc.freeze()


def gunicorn_options(host: str, port: int, workers: int, csv_path: Path | None = None) -> dict:
    """gunicorn settings for the dashboard (threads so one page's parallel callbacks overlap);
    each worker, once forked, works out ``csv_path``'s history in the background when that is
    cheap (``changes.warm_history``: a thread started before the fork would not survive it);
    what the app loaded before the fork is frozen (``freeze_loaded_objects``)."""
    return {
        "pre_fork": freeze_loaded_objects,
        "post_fork": (lambda server, worker: warm_history(csv_path)) if csv_path else None,
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "graceful_timeout": 10,
        "preload_app": True,
        "control_socket_disable": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "tracker-serve",
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
    }


def run(csv_path: Path, host: str, port: int, workers: int, debug: bool) -> None:
    """Serve until interrupted."""
    app = create_app(csv_path)
    if debug:
        warm_history(csv_path)
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    DashboardServer(app.server, gunicorn_options(host, port, workers, csv_path)).run()
