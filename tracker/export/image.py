"""Static images (PNG, SVG, PDF) through kaleido with one warm Chromium per process.

The first image starts kaleido's sync server (a headless Chromium held open in a
background thread); later images reuse it, so only the first export pays the browser
start. Calls are serialised by a lock: kaleido's server answers one request at a time.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import threading
import time
from functools import cache
from pathlib import Path

import plotly.graph_objects as go

from ..charts import world_topojson
from ..errors import TrackerError

IMAGE_FORMATS = ("png", "svg", "pdf")
CHROMIUM_ENV = "TRACKER_CHROMIUM"
INSTALL_HINT = (
    "install it with `apt-get install chromium` (Debian/Ubuntu) or run `make setup`, "
    f"or point ${CHROMIUM_ENV} at a Chromium/Chrome executable"
)
RENDER_TIMEOUT_S = 120
MAX_PIXELS = 16_384  # per side: Chromium's largest canvas texture

_lock = threading.RLock()
_state: dict = {"pid": None, "path": None}


def find_chromium() -> str:
    """The Chromium executable kaleido will drive; TrackerError saying what to install if none."""
    wanted = os.environ.get(CHROMIUM_ENV)
    if wanted:
        if _is_executable(wanted):
            return wanted
        raise TrackerError(
            f"image export needs Chromium, but ${CHROMIUM_ENV}={wanted} is not an executable file",
            INSTALL_HINT,
        )
    from choreographer.browsers.chromium import Chromium

    found = Chromium.find_browser(skip_local=False) or shutil.which("chromium")
    if found and _is_executable(found):
        return found
    raise TrackerError("image export needs Chromium, and none was found", INSTALL_HINT)


def _is_executable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def render_image(
    fig: go.Figure | dict,
    fmt: str,
    *,
    width: int = 1200,
    height: int = 600,
    scale: float = 1.0,
    warm: bool = True,
) -> bytes:
    """``fig`` as PNG/SVG/PDF bytes; ``warm=False`` starts a fresh browser (for benchmarks)."""
    if fmt not in IMAGE_FORMATS:
        raise TrackerError(f"unknown image format {fmt!r}", f"use one of {', '.join(IMAGE_FORMATS)}")
    if max(width, height) * scale > MAX_PIXELS:
        raise TrackerError(
            f"image of {width * scale:.0f}x{height * scale:.0f} pixels is too large",
            f"keep width*scale and height*scale at most {MAX_PIXELS}",
        )
    spec = fig.to_dict() if isinstance(fig, go.Figure) else fig
    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    chromium = find_chromium()
    if not warm:
        return _render_cold(spec, opts, chromium)
    with _lock:
        _ensure_server(chromium)
        return _call_server(spec, opts)


def geo_assets_script() -> str:
    """JavaScript defining ``window.PlotlyGeoAssets`` so plotly.js never fetches map outlines."""
    assets = {"topojson": {"world_110m": json.loads(world_topojson())}}
    return "window.PlotlyGeoAssets = " + json.dumps(assets, separators=(",", ":")).replace("</", "<\\/") + ";"


@cache
def _page_generator_args() -> dict:
    """Kaleido page options: no MathJax (it would come from a CDN) and the offline map assets."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-kaleido-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    script = folder / "geo-assets.js"
    script.write_text(geo_assets_script(), encoding="utf-8")
    return {"mathjax": False, "others": [script]}


def _kaleido_options(chromium: str) -> dict:
    from kaleido import PageGenerator

    return {
        "path": chromium,
        "n": 1,
        "timeout": RENDER_TIMEOUT_S,
        "page_generator": PageGenerator(**_page_generator_args()),
    }


def _render_cold(spec: dict, opts: dict, chromium: str) -> bytes:
    """One render in a browser started and closed just for it."""
    import asyncio

    import kaleido

    async def once() -> bytes:
        async with kaleido.Kaleido(**_kaleido_options(chromium)) as k:
            return await k.calc_fig(spec, opts=opts)

    result: dict = {}
    worker = threading.Thread(target=lambda: result.update(v=_capture(lambda: asyncio.run(once()))))
    worker.start()
    worker.join()
    return _unwrap(result["v"])


def _capture(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - re-raised by _unwrap in the caller's thread
        return exc


def _unwrap(value):
    if isinstance(value, Exception):
        raise TrackerError(
            f"image export failed in Chromium: {value}",
            "check that Chromium starts: `chromium --headless --version`",
        ) from value
    return value


def _server():
    import kaleido

    return kaleido._global_server  # the singleton behind start_sync_server()


def server_running() -> bool:
    """True when this process holds a live warm browser."""
    server = _server()
    thread = getattr(server, "_thread", None)
    return bool(server.is_running() and thread is not None and thread.is_alive() and _state["pid"] == os.getpid())


def _ensure_server(chromium: str) -> None:
    """Start kaleido's sync server once per process (again after a fork or a crash)."""
    import kaleido

    if server_running() and _state["path"] == chromium:
        return
    stop_browser()
    kaleido.start_sync_server(**_kaleido_options(chromium), silence_warnings=True)
    _state.update(pid=os.getpid(), path=chromium)


def _call_server(spec: dict, opts: dict) -> bytes:
    """Ask the warm browser for one image, watching that its thread stays alive."""
    import kaleido

    result: dict = {}
    caller = threading.Thread(
        target=lambda: result.update(v=_capture(lambda: kaleido.calc_fig_sync(spec, opts=opts))),
        daemon=True,
    )
    caller.start()
    server_thread = _server()._thread
    deadline = time.monotonic() + RENDER_TIMEOUT_S + 30
    while caller.is_alive():
        caller.join(0.1)
        if caller.is_alive() and (not server_thread.is_alive() or time.monotonic() > deadline):
            _state["pid"] = None  # abandon it: the next export starts a fresh browser
            raise TrackerError("image export failed: Chromium stopped or did not answer", INSTALL_HINT)
    return _unwrap(result["v"])


def stop_browser() -> None:
    """Close the warm browser, if this process holds one."""
    import kaleido

    with _lock:
        server = _server()
        if server.is_running():
            thread = getattr(server, "_thread", None)
            if thread is not None and thread.is_alive() and _state["pid"] == os.getpid():
                kaleido.stop_sync_server(silence_warnings=True)
            else:  # dead thread or inherited through fork: just forget it
                server._initialized = False
        _state.update(pid=None, path=None)
