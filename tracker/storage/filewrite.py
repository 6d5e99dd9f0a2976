"""Writing the events file: an atomic rewrite (a temp file, fsync, rename), or, for a row that
goes at the end inside one page, an in-place append that is just as safe."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..errors import TrackerError

PAGE_BYTES = 4096  # the smallest page-cache page (folio) Linux uses: larger ones are multiples


def fits_one_page(offset: int, n: int) -> bool:
    """Whether ``n`` bytes written at ``offset`` lie inside one page of the file."""
    return n > 0 and offset // PAGE_BYTES == (offset + n - 1) // PAGE_BYTES


def append_in_place(path: Path, read_fd: int, size: int, data: bytes) -> bool:
    """Write ``data``, which lies inside one page, at the end (byte ``size``) of ``path``, the
    file open as ``read_fd``, and fsync it; a failed write is cut off again. False, writing
    nothing, off Linux or when ``path`` may not be opened for writing: the caller rewrites it.

    Why this is as safe as the atomic rewrite: Linux copies a buffered write into the page cache
    page by page, checks for a fatal signal (SIGKILL) only between pages and updates the file's
    size after each page, so a one-page write is never torn by a killed writer and a concurrent
    reader sees the old size or the whole row; ext4 (data=ordered) never exposes unwritten data
    after a crash; after the fsync the row is durable. Rows that cross a page boundary (about 1
    in 14 of ~300 bytes) or sort inside the file keep the atomic rewrite.
    """
    if not fits_one_page(size, len(data)):
        raise ValueError(f"{len(data)} bytes at {size} cross a page boundary")
    if sys.platform != "linux":
        return False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except PermissionError:  # e.g. a read-only file in a writable folder: the rewrite replaces it
        return False
    except FileNotFoundError:
        raise _changed(path) from None
    try:
        _check_same_file(path, fd, read_fd, size)
        _write_or_undo(path, fd, data, size)
    except OSError as exc:
        raise TrackerError(
            f"{path}: could not append the new row: {exc.strerror or exc}",
            "the file is as it was; run the command again once that is fixed",
        ) from None
    finally:
        os.close(fd)
    return True


def _check_same_file(path: Path, fd: int, read_fd: int, size: int) -> None:
    """Raise unless ``fd`` is the file open as ``read_fd`` and still ``size`` bytes long."""
    _check_same(path, os.fstat(fd), os.fstat(read_fd), size)


def check_unchanged(path: Path, read_fd: int, size: int) -> None:
    """Raise unless ``path`` is still the file open as ``read_fd`` and ``size`` bytes long: a
    rewrite would otherwise drop what another program wrote behind the lock."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        raise _changed(path) from None
    _check_same(path, now, os.fstat(read_fd), size)


def _check_same(path: Path, now: os.stat_result, read: os.stat_result, size: int) -> None:
    if (now.st_ino, now.st_dev) != (read.st_ino, read.st_dev) or now.st_size != size:
        raise _changed(path)


def _changed(path: Path) -> TrackerError:
    return TrackerError(
        f"{path}: changed while it was being read",
        "another program wrote it without taking the lock; run the command again",
    )


def _write_or_undo(path: Path, fd: int, data: bytes, offset: int) -> None:
    """One ``pwrite`` of ``data`` at ``offset``, then fsync; on any failure the file is cut back
    to ``offset`` (and fsynced) before the error goes on."""
    try:
        written = os.pwrite(fd, data, offset)
        if written != len(data):
            raise TrackerError(
                f"{path}: could write only {written} of the {len(data)} bytes of the new row",
                "the file is as it was; free some disk space and run the command again",
            )
        os.fsync(fd)
    except BaseException:
        _cut_back(path, fd, offset)
        raise


def _cut_back(path: Path, fd: int, offset: int) -> None:
    """Truncate the file back to ``offset`` and fsync it."""
    try:
        os.ftruncate(fd, offset)
        os.fsync(fd)
    except OSError as exc:
        raise TrackerError(
            f"{path}: the new row could not be written, nor cut off again: {exc.strerror or exc}",
            f"the file may end with part of a row after byte {offset}; run `tracker validate`",
        ) from exc


class FileRange:
    """A byte range of an open file (a descriptor its caller owns), copied by the kernel."""

    def __init__(self, fd: int, offset: int, length: int):
        self.fd, self.offset, self.length = fd, offset, length

    def copy_to(self, handle) -> None:
        """Append this range to ``handle`` (copy_file_range, else a plain read and write)."""
        handle.flush()
        done = 0
        try:
            while done < self.length:
                n = os.copy_file_range(self.fd, handle.fileno(), self.length - done, self.offset + done)
                if n == 0:
                    break
                done += n
        except OSError:  # e.g. another file system: fall back to copying through memory
            pass
        while done < self.length:
            chunk = os.pread(self.fd, min(self.length - done, 1 << 24), self.offset + done)
            if not chunk:
                raise TrackerError(
                    "the events file shrank while it was being copied",
                    "another program wrote it without taking the lock; run the command again",
                )
            handle.write(chunk)
            done += len(chunk)
        handle.seek(0, os.SEEK_END)


def atomic_write(path: Path, content: bytes | list, *, durable: bool = True) -> None:
    """Write ``content`` (bytes, or a list of byte chunks and ``FileRange``s written in order, so a
    large file need not be copied into one buffer first) to a temp file beside ``path``, fsync it,
    then replace ``path``. Not ``durable`` (a cache file, which a crash only costs a rerun):
    the same, without waiting for the disk."""
    install(write_temp(path, content, durable=durable), path, durable=durable)


def write_temp(path: Path, content: bytes | list, *, durable: bool = True) -> Path:
    """A temp file beside ``path`` holding ``content``, fsynced (if ``durable``), with ``path``'s
    permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            chunks = content if isinstance(content, list) else [content]
            done = 0
            for i, chunk in enumerate(chunks):
                if isinstance(chunk, FileRange):
                    write_all(handle, chunks[done:i])
                    chunk.copy_to(handle)
                    done = i + 1
            write_all(handle, chunks[done:])
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


IOV_MAX = 1024  # byte chunks per writev call (Linux's limit)


def write_all(handle, chunks: list) -> None:
    """Append byte chunks to ``handle``: many small ones (a merged file's slices) by writev, a
    thousand at a time, rather than joined into one more copy of the file first."""
    if len(chunks) < 16:
        for chunk in chunks:
            handle.write(chunk)
        return
    handle.flush()
    for i in range(0, len(chunks), IOV_MAX):
        batch = chunks[i : i + IOV_MAX]
        written, total = os.writev(handle.fileno(), batch), sum(map(len, batch))
        if written < total:  # (a regular file takes it all at once; else, the rest in order)
            rest = memoryview(b"".join(batch))[written:]
            while len(rest):
                rest = rest[os.write(handle.fileno(), rest) :]
    handle.seek(0, os.SEEK_END)


def install(tmp: Path, path: Path, *, durable: bool = True) -> None:
    """Atomically replace ``path`` with ``tmp``, then fsync the folder (if ``durable``)."""
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if not durable:
        return
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
