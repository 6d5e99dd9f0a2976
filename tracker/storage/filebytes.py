"""Reading an events file: whole (``read_events_bytes``) or in pieces (``FileBytes``), and the
per-segment SHA-256 and newline counts the cache keys it by (segments hash on several cores:
hashlib releases the GIL)."""

from __future__ import annotations

import hashlib
import mmap
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..contract import Problem, ValidationError
from ..errors import TrackerError

READ_BYTES = 1 << 20
HUGE_PAGES_FROM = 32 << 20  # a file this large is read into 2 MiB pages where the system has them
HASH_THREADS = min(4, os.cpu_count() or 1)
MAX_FILE_BYTES = int(os.environ.get("TRACKER_MAX_BYTES", 2 * 1024**3))


def read_events_bytes(path: Path) -> memoryview:
    """The whole events file (see ``read_whole``), refusing what is missing or far too large."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            too_large = f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
            raise ValidationError(path, [Problem(1, "", too_large, "split it, or raise TRACKER_MAX_BYTES")])
        return read_whole(path, size)
    except FileNotFoundError:
        raise TrackerError(f"{path}: no such file", "check the path, or set TRACKER_EVENTS") from None
    except IsADirectoryError:
        raise TrackerError(f"{path}: is a folder, not a CSV file", "name the events CSV file") from None
    except PermissionError:
        raise TrackerError(f"{path}: permission denied", "check the file's permissions") from None


class FileBytes:
    """The bytes of an open file, read on demand (``pread``): no whole-file copy and no memory
    map, so a file truncated meanwhile by another program reads short instead of crashing us."""

    def __init__(self, fd: int):
        self.fd, self.size = fd, os.fstat(fd).st_size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, part: slice) -> bytes:
        start, stop, _ = part.indices(self.size)
        pieces = []
        while start < stop:
            pieces.append(os.pread(self.fd, stop - start, start))
            start += len(pieces[-1]) or _shrank()
        return b"".join(pieces)

    def chunks(self, start: int, stop: int) -> Iterator[memoryview]:
        """``[start, stop)`` in pieces, each valid until the next is asked for."""
        if not hasattr(_local, "buffer"):  # one per thread: a fresh one costs page faults each time
            _local.buffer = memoryview(bytearray(READ_BYTES))
        while start < stop:
            n = os.preadv(self.fd, [_local.buffer[: min(READ_BYTES, stop - start)]], start) or _shrank()
            yield _local.buffer[:n]
            start += n


_local = threading.local()


def _shrank() -> int:
    raise TrackerError(
        "the events file shrank while it was being read",
        "another program wrote it without taking the lock; run the command again",
    )


def read_whole(path: Path, size: int) -> memoryview:
    """The whole file in memory, as a memoryview: over bytes, or for a large file over an
    anonymous map in huge pages (Linux backs a fresh ``bytes`` with 4 KiB pages, and faulting in
    hundreds of MB of them costs more than reading them). Reads to end of file, whatever
    ``size`` said."""
    if size < HUGE_PAGES_FROM or not hasattr(mmap, "MADV_HUGEPAGE"):
        return memoryview(path.read_bytes())
    buffer = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    buffer.madvise(mmap.MADV_HUGEPAGE)
    view, done = memoryview(buffer), 0
    with open(path, "rb", buffering=0) as file:
        while done < size and (n := file.readinto(view[done:])):
            done += n
        more = file.read()
    view.release()
    if done < size or more:  # it changed size meanwhile: what is there now
        return memoryview(bytes(buffer[:done]) + more)
    return memoryview(buffer)


def chunks(data, start: int, stop: int) -> Iterator[memoryview]:
    return data.chunks(start, stop) if isinstance(data, FileBytes) else iter([memoryview(data)[start:stop]])


def newlines_in(chunk) -> int:
    return int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n")))


def nth_newline(data, start: int, stop: int, n: int) -> int:
    """Byte offset of the ``n``-th (1-based) newline in ``data[start:stop]``."""
    for chunk in chunks(data, start, stop):
        hits = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == ord("\n"))
        if n <= len(hits):
            return start + int(hits[n - 1])
        n, start = n - len(hits), start + len(chunk)
    raise ValueError("fewer newlines than the cache counted")


def scan(data, bounds: tuple[int, int], count: bool = True) -> list:
    digest, newlines = hashlib.sha256(), 0
    for chunk in chunks(data, *bounds):
        digest.update(chunk)  # releases the GIL: segments hash in parallel
        newlines += newlines_in(chunk) if count else 0
    return [bounds[1] - bounds[0], digest.hexdigest(), newlines]


def in_threads(work: Callable, items: list) -> Callable[[], list]:
    """Start ``work`` on each item in background threads; the call returned waits for the results."""
    pool = ThreadPoolExecutor(HASH_THREADS)
    futures = [pool.submit(work, item) for item in items]
    pool.shutdown(wait=False)
    return lambda: [f.result() for f in futures]
