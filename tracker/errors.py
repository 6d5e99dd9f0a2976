"""Exceptions the library raises; the CLI and the dashboard turn them into messages."""

from __future__ import annotations


class TrackerError(Exception):
    """A user-facing error: a one-line message plus a fix-it hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
