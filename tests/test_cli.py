"""The ``tracker`` CLI through click's CliRunner: exit codes, exact output, files written or not."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest
from cli_helpers import ADD, HEADER, ROOT, SMALL_IDS, SMALL_ROWS, listed_ids, run

from tracker.cli import main
from tracker.contract import schema
from tracker.storage import load_events

# ---------------------------------------------------------------- validate


def test_validate_ok_prints_one_summary_line(events_csv, monkeypatch, no_env):
    monkeypatch.chdir(events_csv.parent)
    result = run("validate", "events.csv")
    assert result.exit_code == 0
    n = len(load_events(events_csv))
    assert result.output == f"events.csv: {n} events, valid (latest 2024-12-16)\n"


def test_validate_defaults_to_dot_events_csv(events_csv, monkeypatch, no_env):
    monkeypatch.chdir(events_csv.parent)
    result = run("validate")
    assert result.exit_code == 0
    assert result.output.startswith("events.csv: ")


def test_tracker_events_env_is_the_default(small_csv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", env={"TRACKER_EVENTS": str(small_csv)})
    assert (result.exit_code, result.output) == (
        0,
        f"{small_csv}: 5 events, valid (latest 2024-03)\n",
    )
    result = run("list", "--format", "json", env={"TRACKER_EVENTS": str(small_csv)})
    assert [r["id"] for r in json.loads(result.output)] == SMALL_IDS
    add = run("add", "--date", "2023", *ADD, env={"TRACKER_EVENTS": str(small_csv)})
    assert add.exit_code == 0
    assert load_events(small_csv)["id"].tolist()[4] == "2023-test-strike-on-kharkiv"


def test_an_argument_beats_the_env(small_csv, events_csv):
    result = run("validate", str(small_csv), env={"TRACKER_EVENTS": str(events_csv)})
    assert result.output.startswith(f"{small_csv}: 5 events")


# ---------------------------------------------------------------- list


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        ([], SMALL_IDS),
        (["--category", "arms_transfer"], ["2022-09-05-shells", "2022-11-rockets"]),
        (["--category", "energy", "--category", "transport"], ["2013-rail-freight", "2024-03-oil"]),
        (["--status", "denied"], ["2022-09-05-shells", "2022-11-rockets"]),
        (
            ["--status", "alleged", "--status", "confirmed"],
            [SMALL_IDS[0], SMALL_IDS[1], SMALL_IDS[4]],
        ),
        (["--actor", "Wagner"], ["2022-11-rockets"]),
        (["--actor", "UNSC"], ["2006-10-14-res-1718"]),
        (["--actor", "USA;Wagner"], ["2022-09-05-shells", "2022-11-rockets", "2024-03-oil"]),
        (["--actor", "PR"], []),
        (["--resolution", "2270"], ["2022-09-05-shells"]),
        (["--resolution", "1718"], ["2006-10-14-res-1718", "2022-09-05-shells", "2022-11-rockets"]),
        (["--precision", "year"], ["2013-rail-freight"]),
        (["--precision", "month"], ["2022-11-rockets", "2024-03-oil"]),
        (["--since", "2022"], ["2022-09-05-shells", "2022-11-rockets", "2024-03-oil"]),
        (["--since", "Nov 2022"], ["2022-11-rockets", "2024-03-oil"]),
        (["--since", "2022-09-06"], ["2022-09-05-shells", "2022-11-rockets", "2024-03-oil"]),
        (["--since", "2022-09-07"], ["2022-11-rockets", "2024-03-oil"]),
        (["--since", "2013-12-31"], ["2013-rail-freight", *SMALL_IDS[2:]]),
        (["--until", "2013"], ["2006-10-14-res-1718", "2013-rail-freight"]),
        (["--until", "2012-12-31"], ["2006-10-14-res-1718"]),
        (["--until", "2022-10"], SMALL_IDS[:3]),
        (["--until", "1 November 2022"], SMALL_IDS[:4]),
        (["--since", "2022-09", "--until", "2022-09"], ["2022-09-05-shells"]),
        (["--search", "denies"], ["2022-09-05-shells"]),
        (["--search", "KHASAN"], ["2013-rail-freight"]),
        (["--search", "rail"], ["2013-rail-freight"]),
        (["--search", "nothing like this"], []),
        (["--category", "arms_transfer", "--since", "2022-10"], ["2022-11-rockets"]),
    ],
)
def test_list_filters(small_csv, args, ids):
    assert listed_ids(small_csv, *args) == ids


def test_list_table_format(small_csv):
    result = run("list", str(small_csv), "--status", "denied")
    assert result.exit_code == 0
    assert result.output == (
        "2022-09-05  arms_transfer  denied     2022-09-05-shells  US says Russia buys shells\n"
        "2022-11     arms_transfer  denied     2022-11-rockets    Rockets for Wagner\n"
        "2 events\n"
    )


def test_list_table_cuts_titles_to_fit_a_terminal_but_never_an_id(small_csv):
    from tracker.export.rows import render_rows
    from tracker.storage import load_events

    frame = load_events(small_csv)
    frame = frame[frame["status"] == "denied"]
    wide = render_rows(frame, "table", width=100).splitlines()
    assert wide[0] == "2022-09-05  arms_transfer  denied     2022-09-05-shells  US says Russia buys shells"
    fitted = render_rows(frame, "table", width=80).splitlines()
    assert fitted[0] == "2022-09-05  arms_transfer  denied     2022-09-05-shells  US says Russia buys sh…"
    assert len(fitted[0]) == 80
    narrow = render_rows(frame, "table", width=40).splitlines()  # (a title keeps 20 characters)
    assert narrow[:2] == [
        "2022-09-05  arms_transfer  denied     2022-09-05-shells  US says Russia buys…",
        "2022-11     arms_transfer  denied     2022-11-rockets    Rockets for Wagner",
    ]


def test_list_table_is_the_default_and_counts_one_event(small_csv):
    result = run("list", str(small_csv), "--precision", "year")
    assert (
        result.output
        == "2013        transport      confirmed  2013-rail-freight  Rail link opens to freight\n1 event\n"
    )


def test_list_csv_format_repeats_the_file_rows_in_every_contract_column(small_csv):
    result = run("list", str(small_csv), "--format", "csv", "--resolution", "1718")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == ",".join(schema.COLUMNS)
    listed = list(csv.DictReader(io.StringIO(result.output)))
    in_file = [dict(zip(HEADER.split(","), row, strict=True)) for row in csv.reader([SMALL_ROWS[i] for i in (0, 2, 3)])]
    assert listed == [
        {**dict.fromkeys(schema.COLUMNS, ""), **row} for row in in_file
    ]  # (the file lacks the optional ones)


def test_list_json_format_has_the_contract_columns(small_csv):
    result = run("list", str(small_csv), "--format", "json", "--actor", "Wagner")
    assert json.loads(result.output) == [
        {
            "id": "2022-11-rockets",
            "date": "2022-11",
            "end_date": "",
            "title": "Rockets for Wagner",
            "short_title": "",
            "description": "",
            "category": "arms_transfer",
            "status": "denied",
            "actors": "USA;PRK;RUS;Wagner",
            "location": "",
            "lat": "",
            "lon": "",
            "un_resolutions": "1718",
            "source_name": "",
            "source_url": "https://a.org/c",
            "archive_urls": "",
        }
    ]


def test_list_empty_result_in_each_format(small_csv):
    assert run("list", str(small_csv), "--search", "zzz").output == "0 events\n"
    assert run("list", str(small_csv), "--search", "zzz", "--format", "csv").output == ",".join(schema.COLUMNS) + "\n"
    assert run("list", str(small_csv), "--search", "zzz", "--format", "json").output == "[]\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "junk"], "Error: --since/--until: cannot read 'junk' as a date"),
        (["--until", "1/2/2024"], "Error: --since/--until: '1/2/2024' is ambiguous"),
        (["--category", "cyber"], "Error: Invalid value for '--category': 'cyber' is not one of"),
        (["--format", "xml"], "Error: Invalid value for '--format': 'xml' is not one of"),
    ],
)
def test_list_misuse_exits_2(small_csv, args, message):
    result = run("list", str(small_csv), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_list_an_invalid_file_exits_1(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\n" + SMALL_ROWS[0].replace("legal_un", "cyber") + "\n")
    result = run("list", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{bad}:2: category: 'cyber' is not allowed")


# ---------------------------------------------------------------- the program itself


def test_python_dash_m_tracker_help():
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: tracker [OPTIONS] COMMAND [ARGS]...")
    for command in ("validate", "add", "list"):
        assert re.search(rf"^  {command}\s", result.stdout, re.MULTILINE)


def test_python_dash_m_tracker_validate_exit_code(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}:1: file is empty")
    assert "Traceback" not in result.stderr


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in sorted(main.commands) if f"tracker {name}" not in readme]
    assert missing == []


def test_help_of_each_command():
    for name in main.commands:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert result.output.startswith(f"Usage: main {name} [OPTIONS]")


@pytest.mark.parametrize(
    "args",
    [["validate"], ["list", "--format", "json"], ["export", "--format", "csv", "-o", "{out}"]],
    ids=["validate", "list", "export"],
)
def test_every_command_on_the_file_takes_csv_as_an_option_or_an_argument(small_csv, tmp_path, args):
    args = [a.replace("{out}", str(tmp_path / "out.csv")) for a in args]
    by_option = run(*args[:1], "--csv", str(small_csv), *args[1:])
    by_argument = run(*args[:1], str(small_csv), *args[1:])
    assert by_option.exit_code == by_argument.exit_code == 0, by_option.output
    assert by_option.output == by_argument.output


def test_two_different_files_are_refused_as_misuse(small_csv, events_csv):
    result = run("validate", str(small_csv), "--csv", str(events_csv))
    assert result.exit_code == 2
    assert f"two events files given ({small_csv} and --csv {events_csv}): give one" in result.output


def test_serve_takes_csv_as_an_option(monkeypatch, small_csv):
    calls = []
    monkeypatch.setattr("dashboard.serve.run", lambda *args: calls.append(args))
    result = run("serve", "--csv", str(small_csv))
    assert result.exit_code == 0, result.output
    assert calls == [(small_csv, "127.0.0.1", 8050, 2, False)]
