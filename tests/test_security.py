"""The dashboard server: security headers everywhere, read-only, no debug (issue 6)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from dash import Dash, Input, Output, html

from dashboard import ids, views
from dashboard.app import create_app
from dashboard.security import apply_security, content_security_policy
from tracker.cli import main

FIXED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@pytest.fixture
def app(events_csv: Path) -> Dash:
    return create_app(events_csv)


def render_body(app: Dash) -> dict:
    """A real request for the main render callback, as the browser sends it on page load."""
    key = next(k for k in app.callback_map if f"{ids.TIMELINE}.figure" in k)
    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1]} for k in key.strip(".").split("...")]
    inputs = [
        {"id": ids.URL, "property": "search", "value": "?category=transport"},
        {"id": ids.DATA_VERSION, "property": "data", "value": "x"},
        {"id": ids.RESET, "property": "n_clicks", "value": 0},
        *({"id": c, "property": "value", "value": None} for c in views.CONTROLS),
    ]
    return {
        "output": key,
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": [f"{ids.URL}.search"],
        "state": [{"id": ids.SHOWN, "property": "data", "value": None}],
    }


def assert_secured(response, app: Dash) -> None:
    for name, value in FIXED.items():
        assert response.headers[name] == value
    assert response.headers["Content-Security-Policy"] == content_security_policy(app.csp_hashes())


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/_dash-layout",
        "/_dash-dependencies",
        "/assets/style.css",
        "/?category=military",
        "/_dash-component-suites/dash/dcc/dash_core_components.js",
        "/no/such/page",
        "/_favicon.ico",
    ],
)
def test_every_get_response_carries_the_security_headers(app: Dash, path: str):
    with app.server.test_client().get(path) as response:
        assert response.status_code == 200
        assert_secured(response, app)


def test_callback_and_refused_responses_carry_the_security_headers(app: Dash):
    client = app.server.test_client()
    response = client.post("/_dash-update-component", json=render_body(app))
    assert response.status_code == 200
    assert json.loads(response.data)["response"][ids.HEADER_SUMMARY]["children"].startswith("3 of 46")
    assert_secured(response, app)
    assert_secured(client.put("/"), app)
    assert_secured(client.post("/_dash-update-component", data=b"x"), app)


def test_csp_allows_only_own_scripts_and_dash_inline_ones_by_hash(app: Dash):
    client = app.server.test_client()
    csp = client.get("/").headers["Content-Security-Policy"]
    policy = dict(part.split(" ", 1) for part in csp.split("; "))
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["img-src"] == "'self' data: blob:"
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    sources = policy["script-src"].split(" ")
    assert sources[0] == "'self'" and len(sources) > 1
    assert all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", s) for s in sources[1:]), sources
    # every inline script the page really runs is allowed by its hash
    html = client.get("/").data.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
    inline = [s for s in inline if "Internet Explorer" not in s]  # inside <!--[if IE]> only
    assert inline, "Dash's renderer starts from an inline script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in sources


def test_apply_security_hashes_clientside_callbacks():
    app = Dash(__name__)
    app.layout = html.Div([html.Div(id="a"), html.Div(id="b")])
    app.clientside_callback("function(x) { return x; }", Output("b", "children"), Input("a", "children"))
    apply_security(app)
    csp = app.server.test_client().get("/_dash-layout").headers["Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(app._inline_scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "unsafe-eval" not in csp


# ---------------------------------------------------------------- read-only


def test_only_dash_callbacks_accept_writes(app: Dash):
    writable = {rule.rule for rule in app.server.url_map.iter_rules() if rule.methods - {"GET", "HEAD", "OPTIONS"}}
    assert writable == {"/_dash-update-component"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_requests_leave_the_csv_untouched(app: Dash, events_csv: Path, method: str):
    before, stamp = events_csv.read_bytes(), events_csv.stat().st_mtime_ns
    client = app.server.test_client()
    body = b"id,date\nevil,2024\n"
    for path in [
        "/",
        "/events.csv",
        f"/{events_csv.name}",
        "/_dash-layout",
        "/assets/style.css",
        "/assets/../events.csv",
        "/_dash-update-component",
        "/_reload-hash",
        "/upload",
    ]:
        response = getattr(client, method)(path, data=body, content_type="text/csv")
        assert response.status_code in (405, 415), (path, response.status_code)
    crafted = client.post("/_dash-update-component", json={"output": "x.y", "inputs": [], "changedPropIds": []})
    assert crafted.status_code >= 400 and b"Traceback" not in crafted.data
    assert events_csv.read_bytes() == before and events_csv.stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../events.csv",
        "/assets/%2e%2e/%2e%2e/events.csv",
        "/assets/..%2f..%2fevents.csv",
        "/_dash-component-suites/dash/../../../../etc/passwd",
        "/assets//etc/passwd",
    ],
)
def test_no_path_reaches_files_outside_the_assets(app: Dash, path: str):
    with app.server.test_client().get(path) as response:
        assert b"source_url" not in response.data and b"root:" not in response.data


# ---------------------------------------------------------------- tracker serve


def test_serve_runs_gunicorn_without_debug_unless_asked(monkeypatch, events_csv: Path):
    served, debug_runs = [], []
    monkeypatch.setattr("dashboard.serve.DashboardServer.run", lambda self: served.append(self))
    monkeypatch.setattr(Dash, "run", lambda self, **kw: debug_runs.append(kw))
    result = CliRunner().invoke(main, ["serve", str(events_csv), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert debug_runs == [] and len(served) == 1
    flask_app = served[0].wsgi_app
    assert flask_app.debug is False
    assert served[0].cfg.bind == ["127.0.0.1:8123"]
    page = flask_app.test_client().get("/").data.decode()
    config = json.loads(re.search(r'id="_dash-config" type="application/json">(.*?)</script>', page).group(1))
    assert config["ui"] is False and config["props_check"] is False  # no dev tools
    result = CliRunner().invoke(main, ["serve", str(events_csv), "--debug"])
    assert result.exit_code == 0 and len(served) == 1
    assert debug_runs == [{"host": "127.0.0.1", "port": 8050, "debug": True, "use_reloader": False}]


def listening_addresses(port: int) -> set[str]:
    """The IPv4 addresses with a socket listening on ``port`` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_sends_headers_binds_loopback_and_hides_errors(events_csv: Path):
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "tracker",
        "serve",
        str(events_csv),
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    log = events_csv.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        headers = wait_for(f"http://127.0.0.1:{port}/", proc, log)
        for name, value in FIXED.items():
            assert headers[name] == value
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert listening_addresses(port) == {"127.0.0.1"}
        bad = urllib.request.Request(
            f"http://127.0.0.1:{port}/_dash-update-component",
            data=b"{}",
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=10)
        with refused.value as error:
            body = error.read()
        assert refused.value.code == 500 and b"Traceback" not in body and b'File "' not in body
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60):
    """The headers of ``url`` once the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.headers
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s")
