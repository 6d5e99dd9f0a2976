"""A cache of the parsed, validated events frame, so a restart on an unchanged file is fast.

One Arrow IPC (Feather v2, uncompressed) file per CSV holds the typed frame
``store.load_events`` builds; it is memory-mapped, so reading it costs almost nothing and
several dashboard workers share its pages. (Parquet is 3x smaller but takes ~2 s to decode a
million rows, as long as parsing the CSV.) Its metadata
records the CSV's size, mtime_ns and SHA-256 and a fingerprint of the code that parsed it (the
schema and the loader's sources). An entry is used only when the size and the content hash
match (a ``touch`` alone does not force a re-read; any changed byte does) and the code is the
same, so a hit is exactly a frame that this validator accepted for these bytes. A missing,
stale or unreadable entry is rebuilt; a cache folder that cannot be written is skipped.

Where: ``$TRACKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/sanctions-tracker``, else
``~/.cache/sanctions-tracker`` (never beside the CSV: contributors' folders stay clean). Only
the most recently written ``KEEP_ENTRIES`` entries are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

META_KEY = b"sanctions-tracker"
FORMAT = 1
KEEP_ENTRIES = 16
CODE_FILES = ("events.schema.json", "validate.py", "store.py", "fastcsv.py", "dates.py", "schema.py", "cache.py")


def cache_dir() -> Path:
    """The folder that holds the cache entries."""
    if os.environ.get("TRACKER_CACHE_DIR"):
        return Path(os.environ["TRACKER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sanctions-tracker"


def entry_path(csv_path: Path) -> Path:
    """The Arrow file caching ``csv_path`` (one per CSV, named after its absolute path)."""
    where = hashlib.sha256(str(csv_path.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / f"{csv_path.name}.{where}.arrow"


@cache
def code_fingerprint() -> str:
    """A hash of the schema and the loader's code: a new validator never trusts old entries."""
    digest = hashlib.sha256(f"{FORMAT} {pd.__version__} {pa.__version__}".encode())
    here = Path(__file__).resolve().parent
    for name in CODE_FILES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def cached(csv_path: str | os.PathLike, data: bytes) -> pd.DataFrame | None:
    """The cached frame for exactly ``data`` (the bytes of ``csv_path``), or None."""
    return _read(entry_path(Path(csv_path)), _key(data))


def _key(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "code": code_fingerprint()}


def load(csv_path: str | os.PathLike, data: bytes, build: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """The frame for ``data`` (the bytes of ``csv_path``): from the cache, else ``build(csv_path,
    data)``, then stored. ``build`` raising (e.g. ValidationError) stores nothing."""
    key = _key(data)
    entry = entry_path(Path(csv_path))
    frame = _read(entry, key)
    if frame is None:
        frame = build(csv_path, data)
        _write(entry, frame, dict(key, mtime_ns=_mtime_ns(Path(csv_path))))
    return frame


def _read(entry: Path, key: dict) -> pd.DataFrame | None:
    """The cached frame when ``entry`` exists, is readable and matches ``key``; else None."""
    try:
        with pa.memory_map(str(entry)) as source:
            meta = json.loads(pa.ipc.open_file(source).schema.metadata[META_KEY])
        if any(meta.get(name) != value for name, value in key.items()):
            return None
        table = feather.read_table(str(entry), memory_map=True)
        return table.to_pandas(types_mapper=_arrow_lists)
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None  # missing, corrupted or from another version: rebuild


def _arrow_lists(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    """Keep list columns as Arrow-backed lists (their pandas metadata does not round-trip)."""
    is_list = pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)
    return pd.ArrowDtype(arrow_type) if is_list else None


def _write(entry: Path, frame: pd.DataFrame, meta: dict) -> None:
    """Store ``frame`` atomically; a cache that cannot be written is silently skipped."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame)
        table = table.replace_schema_metadata({**table.schema.metadata, META_KEY: json.dumps(meta)})
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=f".{entry.name}.", suffix=".tmp")
        os.close(fd)
        try:
            feather.write_feather(table, tmp, compression="uncompressed")
            os.replace(tmp, entry)
        finally:
            Path(tmp).unlink(missing_ok=True)
        _prune(entry.parent)
    except (OSError, pa.ArrowException):
        pass


def _prune(folder: Path) -> None:
    """Delete all but the ``KEEP_ENTRIES`` most recently written entries."""
    entries = sorted(folder.glob("*.arrow"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        old.unlink(missing_ok=True)


def _mtime_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None
