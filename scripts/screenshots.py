"""The README's pictures, made from the shipped events.csv: ``make screenshot``.

Starts ``tracker serve`` on a free loopback port, drives Debian's Chromium with Playwright and
writes each picture to docs/. Nothing here runs in the tests (they must leave the tree clean).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
CHANGES_SINCE = "2026-11-30"  # after the first version of events.csv (24 Nov 2026)
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(csv: Path, port: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "tracker",
        "serve",
        str(csv),
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    server = subprocess.Popen(cmd, cwd=ROOT)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the dashboard did not start")


def dashboard(page: Page, url: str) -> None:
    """The whole page with one event's details open."""
    page.goto(url)
    page.wait_for_selector("#timeline .main-svg", timeout=30_000)
    page.wait_for_timeout(1_500)
    page.screenshot(path=str(DOCS / "screenshot.png"))


def changes(page: Page, url: str) -> None:
    """The Changes view: what the record gained and corrected since its first version."""
    page.goto(url + "?changed_since=" + CHANGES_SINCE)
    page.wait_for_selector("#changes-panel h2", timeout=30_000)
    page.wait_for_timeout(1_500)
    box = page.locator("#changes-panel").bounding_box()
    height = int(box["y"] + box["height"] + 12)
    page.screenshot(
        path=str(DOCS / "changes.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1400, "height": height}
    )


def reading(page: Page, url: str) -> None:
    """The reading view of one category: the events as a document."""
    page.goto(url + "read?category=transport,energy")
    page.wait_for_selector("article", timeout=30_000)
    page.screenshot(path=str(DOCS / "reading.png"), clip={"x": 0, "y": 0, "width": 1000, "height": 900})


def export(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "tracker", "export", str(ROOT / "events.csv"), *args], check=True, cwd=ROOT)


def labelled_export() -> None:
    """A timeline export with its events named: what a report pastes in."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "export",
            str(ROOT / "events.csv"),
            "--since",
            "2024",
            "--category",
            "military",
            "--category",
            "diplomatic",
            "--width",
            "1400",
            "--scale",
            "1",
            "-o",
            str(DOCS / "labelled-export.png"),
        ],
        check=True,
        cwd=ROOT,
    )


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    port = free_port()
    server = serve(ROOT / "events.csv", port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            dashboard(page, f"http://127.0.0.1:{port}/")
            changes(page, f"http://127.0.0.1:{port}/")
            reading(page, f"http://127.0.0.1:{port}/")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    labelled_export()
    export("--chart", "map", "--since", "2022", "--width", "1200", "-o", str(DOCS / "map-export.png"))
    print(f"wrote screenshot.png, changes.png, reading.png, labelled-export.png and map-export.png in {DOCS}")


if __name__ == "__main__":
    main()
