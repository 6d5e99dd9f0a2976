"""Bounded load test: simulated analysts filtering a real ``tracker serve`` on loopback.

    python -m bench.load [--csv events.csv] [--seconds 60] [--users 50] [--workers 2]

Starts ``tracker serve CSV --workers N`` on a free 127.0.0.1 port, then each simulated analyst
repeats one filter action until time is up: it changes a control (the controls -> URL callback,
exactly as the browser posts it to /_dash-update-component), renders the view for the new URL
(the main callback: summary, timeline, counts and map) and fetches the table's first block of
rows. The callbacks are read from /_dash-dependencies. Prints requests, errors and latency percentiles per callback, stops the
server and exits 1 if any request failed. Never talks to anything but the server it started.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tracker.contract import schema
from tracker.storage import load_events

HOST = "127.0.0.1"  # loopback only, by design
RENDER_MARK = "timeline.figure"
ROWS_OUTPUT = "grid.getRowsResponse"
FIRST_BLOCK = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}


@dataclass
class Tally:
    """Latencies (s) and errors of one kind of request, shared by every analyst thread."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


@dataclass(frozen=True)
class Callbacks:
    """The callbacks a filter action fires, as /_dash-dependencies describes them."""

    sync: dict
    render: dict
    rows: dict | None  # the table's first block of rows (AG Grid's infinite row model)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(csv_path: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "tracker",
        "serve",
        str(csv_path),
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            get_json(port, "/_dash-layout")
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not answer in time")


def get_json(port: int, path: str):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise OSError(f"GET {path}: HTTP {response.status}")
        return json.loads(body)
    finally:
        conn.close()


def find_callbacks(port: int) -> Callbacks:
    """The controls -> URL callback and the URL -> views callback."""
    deps = get_json(port, "/_dash-dependencies")
    render = next(d for d in deps if RENDER_MARK in d["output"])
    sync = next(d for d in deps if d["output"].startswith("..url.search..."))
    rows = next((d for d in deps if d["output"] == ROWS_OUTPUT), None)
    return Callbacks(sync=sync, render=render, rows=rows)


def body_for(dep: dict, values: dict, changed: str) -> bytes:
    """The JSON the Dash renderer posts for ``dep`` with these input values."""
    outputs = [{"id": k.split(".")[0], "property": k.split(".", 1)[1]} for k in dep["output"].strip(".").split("...")]
    if not dep["output"].startswith(".."):
        outputs = outputs[0]
    inputs = [dict(i, value=values.get(f"{i['id']}.{i['property']}")) for i in dep["inputs"]]
    state = [dict(s, value=values.get(f"{s['id']}.{s['property']}")) for s in dep["state"]]
    body = {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": inputs,
        "state": state,
        "changedPropIds": [changed],
    }
    return json.dumps(body).encode()


def random_controls(rng: random.Random, actors: list[str]) -> tuple[dict, str]:
    """Control values an analyst might set (one or two changes from the full view), and the
    control they just changed."""
    values = {
        "url.search": "",
        "filter-categories.value": list(schema.CATEGORIES),
        "filter-since.value": "",
        "filter-until.value": "",
        "filter-statuses.value": list(schema.STATUSES),
        "filter-actors.value": [],
        "filter-resolutions.value": [],
        "filter-precisions.value": list(schema.PRECISIONS),
        "filter-search.value": "",
        "filter-reset.n_clicks": None,
        "shown.data": {"search": "", "reset": 0},  # the full view is on screen
    }
    changes = {
        "filter-categories.value": lambda: rng.sample(schema.CATEGORIES, rng.randint(1, len(schema.CATEGORIES) - 1)),
        "filter-since.value": lambda: rng.choice(["2016", "Nov 2022", "2023-06-01"]),
        "filter-until.value": lambda: rng.choice(["2024", "2 January 2024", "2019"]),
        "filter-statuses.value": lambda: rng.sample(schema.STATUSES, rng.randint(1, len(schema.STATUSES) - 1)),
        "filter-actors.value": lambda: rng.sample(actors, rng.choice([1, 2])),
        "filter-resolutions.value": lambda: [rng.choice(["1718", "2397", "2270"])],
        "filter-precisions.value": lambda: ["day"],
        "filter-search.value": lambda: rng.choice(["missile", "rail", "oil", "Kim", "panel"]),
    }
    chosen = rng.sample(list(changes), rng.choice([1, 1, 2]))
    for key in chosen:
        values[key] = changes[key]()
    return values, chosen[-1]


def post(conn: http.client.HTTPConnection, body: bytes) -> tuple[float, str | None, dict | None]:
    """(latency, error or None, parsed response) of one callback request."""
    started = time.perf_counter()
    try:
        conn.request("POST", "/_dash-update-component", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            return elapsed, f"HTTP {response.status}", None
        return elapsed, None, json.loads(data)["response"]
    except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
        conn.close()  # reconnects on the next request
        return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", None


def analyst(
    port: int,
    callbacks: Callbacks,
    deadline: float,
    seed: int,
    actors: list[str],
    tallies: dict[str, Tally],
    think: float,
) -> None:
    """One simulated analyst: change a filter, render the new view, repeat until ``deadline``."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    while time.monotonic() < deadline:
        values, changed = random_controls(rng, actors)
        elapsed, error, response = post(conn, body_for(callbacks.sync, values, changed))
        tallies["controls -> URL"].record(elapsed, error)
        search = (response or {}).get("url", {}).get("search", "")
        render_values = {"url.search": search, "data-version.data": None}
        elapsed, error, response = post(conn, body_for(callbacks.render, render_values, "url.search"))
        if response is not None and "timeline" not in response:
            error = "render response without the timeline"
        tallies["URL -> views (render)"].record(elapsed, error)
        if callbacks.rows:
            values = {"grid.getRowsRequest": FIRST_BLOCK, "url.search": search}
            elapsed, error, response = post(conn, body_for(callbacks.rows, values, "grid.getRowsRequest"))
            if response is not None and "rowCount" not in response.get("grid", {}).get("getRowsResponse", {}):
                error = "rows response without rowCount"
            tallies["table rows block"].record(elapsed, error)
        if think:
            time.sleep(rng.uniform(0, 2 * think))
    conn.close()


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


def report(tallies: dict[str, Tally], seconds: float, users: int, workers: int) -> str:
    lines = [
        f"{users} analysts, {seconds:g} s, tracker serve --workers {workers} (loopback)",
        "",
        "| callback | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, tally in tallies.items():
        lat = sorted(tally.latencies)
        ms = [1000 * percentile(lat, q) for q in (0.5, 0.95, 0.99, 1.0)]
        lines.append(
            f"| {name} | {len(lat)} | {len(tally.errors)} | {len(lat) / seconds:.1f} | "
            + " | ".join(f"{v:.0f}" for v in ms)
            + " |"
        )
    for tally in tallies.values():
        for error in sorted(set(tally.errors))[:5]:
            lines.append(f"error: {error} (x{tally.errors.count(error)})")
    return "\n".join(lines)


def run(csv_path: Path, seconds: float, users: int, workers: int, think: float) -> int:
    actors = sorted({a for lst in load_events(csv_path)["actor_list"] for a in lst})
    port = free_port()
    log = Path(f"/tmp/tracker-load-{port}.log")
    proc = start_server(csv_path, port, workers, log)
    try:
        wait_ready(port, proc)
        callbacks = find_callbacks(port)
        tallies = {
            "controls -> URL": Tally(),
            "URL -> views (render)": Tally(),
            "table rows block": Tally(),
        }
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(
                target=analyst,
                daemon=True,
                args=(port, callbacks, deadline, i, actors, tallies, think),
            )
            for i in range(users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, deadline - time.monotonic() + 90))
        elapsed = time.monotonic() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(report(tallies, elapsed, users, workers))
    print(f"server log: {log}")
    return 1 if any(t.errors for t in tallies.values()) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=Path("events.csv"))
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between actions (s)")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600 or not 0 < args.users <= 500:
        parser.error("--seconds must be in (0, 3600] and --users in (0, 500]")
    return run(args.csv, args.seconds, args.users, args.workers, args.think)


if __name__ == "__main__":
    raise SystemExit(main())
