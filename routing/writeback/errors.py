"""Errors of the write-back to Amazon."""

from __future__ import annotations

from routing.errors import RoutingError

__all__ = ["JournalError", "WritebackError"]


class WritebackError(RoutingError):
    """Base class of every write-back error (a plan that cannot be read, a bad margin)."""


class JournalError(WritebackError):
    """The journal cannot be opened or written (a full disk, a file that is not SQLite)."""
