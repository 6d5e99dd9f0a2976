"""A cache of the parsed, validated events frame, so a restart on an unchanged file is fast.

One Arrow IPC (Feather v2, uncompressed) file per CSV holds the typed frame ``store.load_events``
builds; memory-mapped, it costs almost nothing to read and dashboard workers share its pages
(Parquet is smaller but far slower to decode). Its metadata is the *key* of the
CSV's bytes: their size, per 8 MiB segment a SHA-256 (hashed on several cores) and a newline count
(so ``tracker add`` finds a line without counting), and a fingerprint of the code that parsed
them: every file of the packages that produce what it stores (``CODE_PACKAGES``), so a change
to any of them, a module added included, retires every entry. An entry is used only when every
hash and the code match (a ``touch`` alone does not force a
re-read; any changed byte does): a hit is exactly a frame this validator accepted for these bytes.

The writers keep the cache vouching for the file they write without rewriting the entry: a
small *delta* file beside it (``cachedelta``) holds the rows taken out and put in since (each
new one as the validator parses its line, typed by the loader), their places, and the key of the
new bytes (only the segments that changed are hashed again). A delta counts only on top of the
entry it was made for, by the same code, when the file's bytes match its key; past
``MAX_DELTA_ROWS`` rows it is folded into a new entry. A missing, stale or unreadable entry is rebuilt; a cache folder that
cannot be written is skipped. Where: ``$TRACKER_CACHE_DIR``, else ``$XDG_CACHE_HOME/sanctions-tracker``,
else ``~/.cache/sanctions-tracker`` (never beside the CSV); the ``KEEP_ENTRIES`` most recently used
entries are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from ..errors import TrackerError
from . import cachedelta
from .cachedelta import Delta, composed
from .filebytes import in_threads, nth_newline, scan

Edit = tuple[int, int, bytes]  # a change to a file's bytes: at offset, how many taken out, what put in
Inserted = tuple[int, pd.DataFrame, int]  # a row put in: its position, the typed row, its newlines

META_KEY = b"sanctions-tracker"
FORMAT = 2
KEEP_ENTRIES = 16
MAX_DELTA_ROWS = 64
SEGMENT_BYTES = 8 << 20
BATCH_ROWS = 1 << 16  # few record batches: opening each one costs time
# The packages whose code makes what an entry holds: the contract checks the bytes, storage
# reads, types and (for deltas) writes them.
CODE_PACKAGES = ("contract", "storage")
CODE_SUFFIXES = (".py", ".json")
_UNREADABLE = (OSError, LookupError, TypeError, ValueError, pa.ArrowException)


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


def _delta_path(entry: Path) -> Path:
    return entry.with_name(entry.name + ".delta")


@cache
def code_fingerprint() -> str:
    """A hash of the code of ``CODE_PACKAGES`` (every file, by path and content) and of the
    libraries that parse and store: a new validator never trusts old entries."""
    digest = hashlib.sha256(f"{FORMAT} {pd.__version__} {pa.__version__}".encode())
    for path in code_files():
        digest.update(path.relative_to(TRACKER_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


TRACKER_ROOT = Path(__file__).resolve().parent.parent


def code_files() -> list[Path]:
    """Every file of the code the cache depends on, in a stable order."""
    found = (p for name in CODE_PACKAGES for p in (TRACKER_ROOT / name).rglob("*") if p.suffix in CODE_SUFFIXES)
    return sorted(found)


def cached(csv_path: str | os.PathLike, data) -> pd.DataFrame | None:
    """The cached frame for exactly ``data`` (the bytes of ``csv_path``, or its FileBytes), or None."""
    vouched = vouch(csv_path, data)
    return None if vouched is None else vouched.frame


def load(csv_path: str | os.PathLike, data, build: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """The frame for ``data`` (the bytes of ``csv_path``): from the cache, else ``build(csv_path,
    data)``, then stored. ``build`` raising (e.g. ValidationError) stores nothing."""
    vouched = vouch(csv_path, data)
    if vouched is not None:
        return vouched.frame
    frame = build(csv_path, data)
    _write(entry_path(Path(csv_path)), pa.Table.from_pandas(frame), _fresh_key(data))
    return frame


def claim(csv_path: str | os.PathLike, data, columns: list[str] | None = None) -> Claim | None:
    """The cache's claim for ``data`` (the bytes of ``csv_path``, or its FileBytes) with its frame
    (only ``columns`` when given), its hashes still being checked; None when it has none."""
    for candidate in _claims(csv_path, data):
        if _fill(candidate, columns):
            return candidate
        candidate.holds()  # let its threads finish reading
    return None


def vouch(csv_path: str | os.PathLike, data, columns: list[str] | None = None) -> Claim | None:
    """Like ``claim``, but only a claim that holds: the cache's frame for exactly ``data``."""
    return next((c for c in _claims(csv_path, data) if c.holds() and _fill(c, columns)), None)


class Claim:
    """What the cache says it holds for some bytes: their ``key``, and ``frame``, the rows (all
    columns, or those asked for) the validator accepted for them. Their hashes are checked in
    background threads meanwhile: use nothing of it for real before ``holds()`` says True."""

    def __init__(self, entry: Path, base: pa.Table, base_key: dict, delta: Delta | None, data):
        self.entry, self.base, self.base_key, self.delta = entry, base, base_key, delta
        self.key = delta.key if delta else base_key
        self.frame: pd.DataFrame | None = None
        self._hashes, self._holds = (
            in_threads(lambda b: scan(data, b, count=False)[1], _bounds(self.key)),
            None,
        )

    def holds(self) -> bool:
        """Whether the bytes are exactly those of the key (waits for the hashing)."""
        if self._holds is None:
            try:
                self._holds = self._hashes() == [s[1] for s in self.key["segments"]]
            except (TrackerError, OSError):  # e.g. the file shrank while it was read
                self._holds = False
        return self._holds

    def end_line(self) -> int:
        """The line after the last newline of the claimed bytes (where a record put last starts)."""
        return sum(s[2] for s in self.key["segments"]) + 1

    def line_start(self, data, line: int) -> int:
        """Byte offset where physical ``line`` (1-based) of ``data`` starts."""
        need = line - 1  # the newlines before it
        for (start, stop), (_, _, count) in zip(_bounds(self.key), self.key["segments"], strict=True):
            if 0 < need <= count:
                return nth_newline(data, start, stop, need) + 1
            need -= count
        if line <= 1:
            return 0
        raise ValueError(f"line {line} is past the end of the file")

    def after_change(self, data, edits: list[Edit], dropped: list[tuple[int, int]], inserted: list[Inserted]):
        """The call that stores the cache's word for ``data`` with ``edits`` made to its bytes
        (each: offset, bytes taken out, bytes put in; in order): the frame with the rows at
        ``dropped`` (position, newlines; highest first) taken out, then each ``inserted`` row
        (position in the new file, one typed row with its final ``_line``, newlines; lowest
        first) put in. Make it once the new file is in place (it stores nothing unless the claim
        holds). None when that word cannot be prepared: the next reader parses the file afresh."""
        try:
            key = _key_after_edits(self.key, data, edits)
            delta = self.delta or cachedelta.empty(key, self.base)
            for position, newlines in dropped:
                delta = cachedelta.dropping(delta, self.base.num_rows, position, newlines)
            for position, row, newlines in inserted:
                if list(row.columns) != self.base.column_names:
                    return None
                table = pa.Table.from_pandas(row, preserve_index=False)
                delta = cachedelta.inserting(delta, position, table, newlines)
            delta = dataclasses.replace(delta, key=key)
        except (*_UNREADABLE, IndexError):
            return None
        if delta.size > MAX_DELTA_ROWS:  # fold it into a new entry: one slow write now and then
            return lambda: self.holds() and _write(self.entry, composed(self.base, delta), key)
        return lambda: self.holds() and _write_delta(self.entry, delta, self.base_key)


def _fresh_key(data) -> dict:
    """The key of ``data``: its size, and per segment its length, SHA-256 and newline count."""
    bounds = [(a, min(len(data), a + SEGMENT_BYTES)) for a in range(0, len(data), SEGMENT_BYTES)]
    return {
        "size": len(data),
        "segments": in_threads(lambda b: scan(data, b), bounds)(),
        "code": code_fingerprint(),
    }


def _bounds(key: dict) -> list[tuple[int, int]]:
    ends = np.cumsum([s[0] for s in key["segments"]], dtype=np.int64).tolist()
    return list(zip([0, *ends[:-1]], ends, strict=True))


def _may_hold(key: dict, data) -> bool:
    """Whether ``key`` is of this code and of ``data``'s size (the hashes decide the rest)."""
    try:
        same = key["code"] == code_fingerprint() and key["size"] == len(data)
        return same and sum(s[0] for s in key["segments"]) == len(data)
    except (LookupError, TypeError):
        return False


def _key_after_edits(key: dict, data, edits: list[Edit]) -> dict:
    """The key of ``data`` with ``edits`` made (in order, none overlapping): only the segments an
    edit touches are read and hashed again (cut in segments when they grow past twice the size);
    those between two edits keep their hashes, whatever the distance."""
    segments, bounds = [list(s) for s in key["segments"]], _bounds(key) or [(0, 0)]
    starts = [b[0] for b in bounds]
    groups: list[list] = []  # [first segment, last segment, its edits]
    for edit in edits:
        offset, taken, _ = edit
        first = max(0, bisect_right(starts, offset) - 1)
        last = max(first, bisect_right(starts, max(offset, offset + taken - 1)) - 1)
        if groups and first <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], last)
            groups[-1][2].append(edit)
        else:
            groups.append([first, last, [edit]])
    for first, last, group in reversed(groups):  # (the last first: earlier segments keep their numbers)
        segments[first : last + 1] = _hashed_again(data, bounds[first][0], bounds[last][1], group)
    grown = sum(len(put) - taken for _, taken, put in edits)
    return {"size": key["size"] + grown, "segments": segments, "code": key["code"]}


def _hashed_again(data, start: int, end: int, edits: list[Edit]) -> list:
    """The segments of ``data[start:end]`` with ``edits`` made in it."""
    parts, done = [], start
    for offset, taken, put in edits:
        parts += [bytes(data[done:offset]), put]
        done = offset + taken
    region = b"".join([*parts, bytes(data[done:end])])
    size = SEGMENT_BYTES if len(region) > 2 * SEGMENT_BYTES else max(1, len(region))
    return [scan(region, (a, min(len(region), a + size))) for a in range(0, len(region), size)]


def _digest(key: dict) -> str:
    return hashlib.sha256(json.dumps([key["size"], key["segments"], key["code"]]).encode()).hexdigest()


def last_accepted(csv_path: str | os.PathLike, stored_after_ns: int) -> pd.DataFrame | None:
    """The frame this code last accepted for ``csv_path``, whatever the file holds now, when it
    was stored after ``stored_after_ns`` (``time.time_ns()``); else None. Every process serving
    the file can so fall back to the same last good version when the file turns invalid."""
    entry = entry_path(Path(csv_path))
    try:
        base, base_key, delta = _read_entry(entry)
        stored = max(p.stat().st_mtime_ns for p in (entry, _delta_path(entry)) if p.exists())
        if base_key["code"] != code_fingerprint() or stored <= stored_after_ns:
            return None
        return _to_pandas(base if delta is None else composed(base, delta))
    except _UNREADABLE:
        return None


def _read_entry(entry: Path) -> tuple[pa.Table, dict, Delta | None]:
    """The entry's table (memory-mapped), its key, and the delta made on top of it (if any)."""
    base = feather.read_table(str(entry), memory_map=True)
    base_key = json.loads(base.schema.metadata[META_KEY])
    return base, base_key, _read_delta(entry, base_key)


def _claims(csv_path: str | os.PathLike, data) -> Iterator[Claim]:
    """A claim (hashing started) per version the cache knows of ``data``'s size: after an add,
    the entry plus its delta, else the entry alone."""
    entry = entry_path(Path(csv_path))
    try:
        base, base_key, delta = _read_entry(entry)
    except _UNREADABLE:
        return  # missing, corrupted or from another version: rebuild
    for version in ([delta] if delta else []) + [None]:
        if _may_hold(version.key if version else base_key, data):
            yield Claim(entry, base, base_key, version, data)


def _fill(claim: Claim, columns: list[str] | None) -> bool:
    """Give ``claim`` its frame (only ``columns`` when given); False when the entry is unreadable."""
    base = claim.base
    try:
        if columns is not None:  # the pandas metadata describes all columns: drop it for a selection
            base = base.select(columns).replace_schema_metadata(None)
        claim.frame = _to_pandas(base if claim.delta is None else composed(base, claim.delta))
    except _UNREADABLE:
        return False
    return True


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_arrow_lists)


def _arrow_lists(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
    """Keep list columns as Arrow-backed lists (their pandas metadata does not round-trip)."""
    is_list = pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type)
    return pd.ArrowDtype(arrow_type) if is_list else None


def _read_delta(entry: Path, base_key: dict) -> Delta | None:
    """The delta on top of ``entry`` when there is one made for it by this code."""
    try:
        table = feather.read_table(str(_delta_path(entry)), memory_map=False)
    except FileNotFoundError:
        return None
    meta = json.loads(table.schema.metadata[META_KEY])
    if meta["base"] != _digest(base_key) or meta["writer"] != code_fingerprint():
        return None
    return cachedelta.from_meta(table.replace_schema_metadata(None), meta)


def _write_delta(entry: Path, delta: Delta, base_key: dict) -> None:
    meta = {"base": _digest(base_key), "writer": code_fingerprint(), **cachedelta.to_meta(delta)}
    try:
        _store(_delta_path(entry), delta.rows, meta)
        os.utime(entry)  # in use: keep it from being pruned
    except (OSError, pa.ArrowException):
        pass


def _write(entry: Path, table: pa.Table, meta: dict) -> None:
    """Store ``table`` as the entry (its delta gone); a cache that cannot be written is skipped."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        _store(entry, table, meta)
        _delta_path(entry).unlink(missing_ok=True)
        _prune(entry.parent)
    except (OSError, pa.ArrowException):
        pass


def _store(target: Path, table: pa.Table, meta: dict) -> None:
    """Write ``table`` with ``meta`` to ``target`` atomically (a temp file, then a rename), in
    record batches of ``BATCH_ROWS`` (each made contiguous: one slice at a time in memory)."""
    schema = table.schema.with_metadata({**(table.schema.metadata or {}), META_KEY: json.dumps(meta)})
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
            for start in range(0, table.num_rows, BATCH_ROWS):
                writer.write_table(table.slice(start, BATCH_ROWS).combine_chunks())
            if not table.num_rows:  # an empty batch still holds the dictionaries: the categories
                writer.write_batch(_empty_batch(table))  # of an empty file's frame come back
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _empty_batch(table: pa.Table) -> pa.RecordBatch:
    columns = [c.chunk(0) if c.num_chunks else pa.array([], c.type) for c in table.columns]
    return pa.RecordBatch.from_arrays(columns, schema=table.schema)


def _prune(folder: Path) -> None:
    """Delete all but the ``KEEP_ENTRIES`` most recently used entries (and their deltas)."""
    entries = sorted(folder.glob("*.arrow"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEEP_ENTRIES:]:
        old.unlink(missing_ok=True)
        _delta_path(old).unlink(missing_ok=True)
