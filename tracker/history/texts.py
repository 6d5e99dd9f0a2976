"""Versions' bytes by blob id, read from git only when nothing nearer holds them: the working
file (when it holds that blob), and the version kept beside the history cache (the last valid
one when the history was last worked out: the first base of the next run, so that one new
commit costs no blob read at all)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..storage.filewrite import atomic_write
from .gitfile import GitFile


def blob_id_of(data: bytes) -> str:
    """The id git gives a blob of ``data`` (hashlib's SHA-1: pygit2.hash, which detects
    collisions, is several times slower)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


class Texts:
    """The versions a history run reads, without git where it can (``near``)."""

    def __init__(self, gf: GitFile, kept: Path):
        self._gf, self._kept = gf, kept
        self._working: bytes | None = None
        self._working_id = ""
        self._kept_id: str | None = None  # the blob id the kept file says it holds, once read

    @property
    def working(self) -> bytes:
        if self._working is None:
            self._working = self._gf.working_bytes()
            self._working_id = blob_id_of(self._working)
        return self._working

    def is_working(self, blob_id) -> bool:
        """Whether the working file holds the blob ``blob_id``."""
        _ = self.working  # (read and hashed on first use)
        return str(blob_id) == self._working_id

    def near(self, blob_id) -> bytes | None:
        """The blob's bytes from the working file or the kept version, else None."""
        if self.is_working(blob_id):
            return self.working
        if self.kept_id() != str(blob_id):  # (a first history asks for every version in turn)
            return None
        try:
            with open(self._kept, "rb") as handle:
                handle.readline()
                data = handle.read()
        except OSError:
            return None
        return data if blob_id_of(data) == str(blob_id) else None  # (a damaged file is not used)

    def kept_id(self) -> str:
        """The blob id the kept file says it holds ("" without one), read once."""
        if self._kept_id is None:
            try:
                with open(self._kept, "rb") as handle:
                    self._kept_id = handle.readline().strip().decode("ascii", errors="replace")
            except OSError:
                self._kept_id = ""
        return self._kept_id

    def read(self, blob_id) -> bytes:
        near = self.near(blob_id)
        return self._gf.read(blob_id) if near is None else near

    def keep(self, blob_id) -> None:
        """Keep the blob's bytes beside the cache, for the next run (a kept file that cannot be
        written only costs that run a blob read)."""
        if self.kept_id() == str(blob_id):
            return
        data = self.working if self.is_working(blob_id) else self._gf.read(blob_id)
        try:
            self._kept.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self._kept, [str(blob_id).encode() + b"\n", data], durable=False)
            self._kept_id = str(blob_id)
        except OSError:
            pass
