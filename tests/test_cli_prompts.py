"""`tracker add` asks for missing options on a terminal, and only there."""

from __future__ import annotations

from cli_helpers import ADD, run

from tracker.cli import events as cli
from tracker.storage import load_events

# ---------------------------------------------------------------- add: missing options


def test_missing_options_without_a_terminal_exit_2_naming_them(events_csv):
    before = events_csv.read_bytes()
    result = run("add", "--csv", str(events_csv), "--title", "Only a title")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: missing --date, --category, --status, --source-url "
        "(give them as options, or run in a terminal to be asked)"
    )
    assert events_csv.read_bytes() == before


def test_missing_options_are_prompted_on_a_terminal(events_csv, monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    answers = "2 Januari 2024\ncyber\nmilitary\nreported\nhttps://example.org/x\n"
    result = run("add", "--csv", str(events_csv), "--title", "Prompted event", input=answers)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "2024-01-02-prompted-event"
    assert "Error: 'cyber' is not one of" in result.output  # a wrong choice is asked again
    new = load_events(events_csv).set_index("id").loc["2024-01-02-prompted-event"]
    assert (new["date"], new["category"], new["status"], new["source_url"]) == (
        "2024-01-02",
        "military",
        "reported",
        "https://example.org/x",
    )


def test_prompted_bad_date_is_refused(events_csv, monkeypatch):
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    before = events_csv.read_bytes()
    result = run("add", "--csv", str(events_csv), *ADD, input="1/2/2024\n")
    assert result.exit_code == 2
    assert "Error: --date: '1/2/2024' is ambiguous" in result.output
    assert events_csv.read_bytes() == before
