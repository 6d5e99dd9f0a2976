"""The cache trusts an entry only for the code that made it: every file of the packages that
produce what it stores (tracker/contract and tracker/storage), new modules included."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.storage import cache

pytestmark = pytest.mark.slow  # (fresh processes on a copy of the package)

ROOT = Path(__file__).resolve().parent.parent
# In a fresh process on a copy of the package: does the cache vouch for the file, then load it.
PROBE = """
import sys
from pathlib import Path
from tracker.storage import cache, load, filebytes
path = Path(sys.argv[1])
hit = cache.vouch(path, filebytes.read_events_bytes(path)) is not None
load.load_events(path)
print("hit" if hit else "miss")
"""


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the tracker package, importable from its own folder."""
    copy = tmp_path / "code"
    shutil.copytree(ROOT / "tracker", copy / "tracker", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def probe(code: Path, csv: Path, cache_dir: Path) -> str:
    env = {"PYTHONPATH": str(code), "TRACKER_CACHE_DIR": str(cache_dir), "PATH": "/usr/bin:/bin"}
    command = [
        sys.executable,
        "-c",
        PROBE,
        str(csv),
    ]  # (run from the copy: -c imports from the cwd first)
    done = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_fingerprint_covers_every_file_of_the_contract_and_storage_packages():
    files = {p.relative_to(cache.TRACKER_ROOT).as_posix() for p in cache.code_files()}
    for package in cache.CODE_PACKAGES:
        on_disk = {p.relative_to(cache.TRACKER_ROOT).as_posix() for p in (cache.TRACKER_ROOT / package).glob("*.py")}
        assert on_disk and on_disk <= files
    assert "contract/events.schema.json" in files


@pytest.mark.parametrize(
    "change",
    [
        ("storage/filebytes.py", "\n# a comment is a change too\n"),
        ("contract/rules.py", "\nRULES = RULES  # the same rules, other code\n"),
        ("contract/new_module.py", '"""A module the loader may start to use."""\n'),
        ("contract/events.schema.json", "\n"),
    ],
    ids=["storage-file", "rule", "new-module", "schema"],
)
def test_changing_any_file_of_the_code_retires_the_cache(package_copy, events_csv, tmp_path, change):
    cache_dir = tmp_path / "cache"
    assert probe(package_copy, events_csv, cache_dir) == "miss"
    assert probe(package_copy, events_csv, cache_dir) == "hit"
    name, text = change
    target = package_copy / "tracker" / name
    target.write_text((target.read_text(encoding="utf-8") if target.exists() else "") + text, encoding="utf-8")
    assert probe(package_copy, events_csv, cache_dir) == "miss"
    assert probe(package_copy, events_csv, cache_dir) == "hit"


def test_code_outside_those_packages_leaves_the_cache_alone(package_copy, events_csv, tmp_path):
    cache_dir = tmp_path / "cache"
    probe(package_copy, events_csv, cache_dir)
    query = package_copy / "tracker" / "query.py"
    query.write_text(query.read_text(encoding="utf-8") + "\n# not read by the loader\n", encoding="utf-8")
    assert probe(package_copy, events_csv, cache_dir) == "hit"
