"""Writing the events file: an atomic rewrite (a temp file, fsync, rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import TrackerError


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
                raise TrackerError("the events file shrank while it was being copied",
                                   "another program wrote it without taking the lock; run the command again")  # fmt: skip
            handle.write(chunk)
            done += len(chunk)
        handle.seek(0, os.SEEK_END)


def atomic_write(path: Path, content: bytes | list) -> None:
    """Write ``content`` (bytes, or a list of byte chunks and ``FileRange``s written in order, so a
    large file need not be copied into one buffer first) to a temp file beside ``path``, fsync it,
    then replace ``path``."""
    install(write_temp(path, content), path)


def write_temp(path: Path, content: bytes | list) -> Path:
    """A temp file beside ``path`` holding ``content``, fsynced, with ``path``'s permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in content if isinstance(content, list) else [content]:
                if isinstance(chunk, FileRange):
                    chunk.copy_to(handle)
                else:
                    handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def install(tmp: Path, path: Path) -> None:
    """Atomically replace ``path`` with ``tmp``, then fsync the folder."""
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
