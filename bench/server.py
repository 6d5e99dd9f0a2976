"""Servers under test: start one, time it to its first answer, POST callbacks as the page would."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess (ours: ``tracker serve``; the baselines: ``bench.naive_app`` and
    ``bench.bare_app``)."""

    def __init__(self, kind: str, csv: Path, log_dir: Path, timeout: float = 600):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        module = {
            "ours": ["tracker", "serve"],
            "naive": ["bench.naive_app"],
            "naive_svg": ["bench.naive_app", "--render-mode", "svg"],
            "bare": ["bench.bare_app"],
        }[kind]
        cmd = [sys.executable, "-m", *module, str(csv), "--port", str(self.port)]
        self.log = open(log_dir / f"{kind}-{self.port}.log", "w+")  # noqa: SIM115
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.ready_s = self._wait(timeout)

    def _wait(self, timeout: float) -> float:
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + "/", timeout=5).read()
                return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not answer in time")

    def memory_mib(self) -> dict[str, float]:
        """Largest RSS of one process (a gunicorn worker holds the frame), and the PSS of all of
        them together (shared pages counted once: the memory-mapped cache is shared)."""
        rss, pss = [], 0.0
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            rss.append(_kib(f"/proc/{pid}/status", "VmRSS:"))
            pss += _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
        return {"worker_rss": max(rss) / 1024, "pss_total": pss / 1024}

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def _kib(path: str, field: str) -> float:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(field):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in _children(int(c))]


def dependencies(url: str) -> list[dict]:
    """The app's callbacks as Dash describes them to the page."""
    with urllib.request.urlopen(url + "/_dash-dependencies", timeout=30) as response:
        return json.loads(response.read())


def figure_callback(deps: list[dict], graph_id: str) -> dict:
    """The callback whose outputs include ``graph_id.figure``."""
    return next(d for d in deps if f"{graph_id}.figure" in d["output"])


def post_callback(url: str, callback: dict, values: dict[str, object], changed: str) -> tuple[float, int, int, dict]:
    """POST one callback as the browser does: (seconds, wire bytes (gzip), raw bytes, response)."""

    def prop(item, value=None):
        return {"id": item["id"], "property": item["property"], "value": value}

    inputs = [prop(i, values.get(f"{i['id']}.{i['property']}")) for i in callback["inputs"]]
    payload = {
        "output": callback["output"],
        "outputs": _outputs(callback["output"]),
        "inputs": inputs,
        "state": [prop(s, values.get(f"{s['id']}.{s['property']}")) for s in callback.get("state", [])],
        "changedPropIds": [changed],
    }
    request = urllib.request.Request(
        url + "/_dash-update-component",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        wire = response.read()
        encoding = response.headers.get("Content-Encoding", "")
    seconds = time.perf_counter() - start
    raw = gzip.decompress(wire) if encoding == "gzip" else wire
    return seconds, len(wire), len(raw), json.loads(raw)


def _outputs(output: str) -> list[dict] | dict:
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    items = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts if p]
    return items if output.startswith("..") else items[0]
