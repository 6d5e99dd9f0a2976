"""Shared by the CLI tests: a small events file, the invoker and a complete `tracker add`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tracker.cli import main
from tracker.contract import schema

ROOT = Path(__file__).resolve().parent.parent
HEADER = ",".join(schema.HEADER_COLUMNS)
SMALL_ROWS = [
    "2006-10-14-res-1718,2006-10-14,,Resolution 1718 adopted,Arms embargo,legal_un,confirmed,"
    "UNSC;PRK,New York,40.749,-73.968,1718,UN,https://press.un.org/a",
    "2013-rail-freight,2013,,Rail link opens to freight,,transport,confirmed,RUS;PRK,Khasan,"
    "42.424,130.64,,Interfax,https://interfax.com/x",
    '2022-09-05-shells,2022-09-05,2022-09-06,US says Russia buys shells,"Pyongyang denies, flatly",'
    "arms_transfer,denied,USA;RUS;PRK,,,,1718;2270,,https://a.org/b",
    "2022-11-rockets,2022-11,,Rockets for Wagner,,arms_transfer,denied,USA;PRK;RUS;Wagner,,,,1718,,https://a.org/c",
    "2024-03-oil,2024-03,,Oil above the cap,,energy,alleged,USA;RUS;PRK,Port Vostochny,42.74,"
    "133.08,2397,MarineLink,https://a.org/d",
]
SMALL_IDS = [r.split(",", 1)[0] for r in SMALL_ROWS]
ADD = [
    "--title",
    "Test strike on Kharkiv",
    "--category",
    "military",
    "--status",
    "reported",
    "--source-url",
    "https://example.org/kharkiv",
]


def run(*args: str, input: str | None = None, env: dict | None = None):
    """Invoke ``tracker ARGS``; unexpected exceptions fail the test with their traceback."""
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def listed_ids(path: Path, *args: str) -> list[str]:
    result = run("list", str(path), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [r["id"] for r in json.loads(result.stdout)]
