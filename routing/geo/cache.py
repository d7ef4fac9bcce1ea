"""A persistent SQLite cache of geocoding answers, shared safely by concurrent runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs

from routing.files import create_private
from routing.geo.errors import GeocodeCacheError
from routing.geo.point import GeoPoint, Precision
from routing.geo.ratelimit import claim

__all__ = ["CachedAnswer", "GeocodeCache", "default_cache_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocodes (
    address TEXT NOT NULL,     -- normalize_address()
    provider TEXT NOT NULL,    -- the Geocoder.name that was asked
    lat REAL, lon REAL, precision TEXT, source TEXT,   -- all NULL: "not found"
    created_at TEXT NOT NULL,  -- ISO 8601, UTC
    PRIMARY KEY (address, provider)
);
CREATE TABLE IF NOT EXISTS call_slots (
    provider TEXT PRIMARY KEY, -- the Geocoder.name
    next_free REAL NOT NULL    -- Unix time from which the provider may be called again
);
"""


def default_cache_path() -> Path:
    return platformdirs.user_cache_path("routeplan") / "geocode.sqlite3"


@dataclass(frozen=True)
class CachedAnswer:
    """A stored answer: ``point`` is ``None`` for a cached "not found"."""

    point: GeoPoint | None
    created_at: datetime


class GeocodeCache:
    """Answers per (normalised address, provider); "not found" expires after ``negative_ttl``.

    WAL journal and a busy timeout let several processes read and write at once. Each call
    opens its own short connection, so an instance is safe to share between threads and to
    hand to forked workers. The file holds customer addresses: it is created 0600 (SQLite
    gives its WAL and shared-memory files the same mode).

    It also spaces provider calls across every process sharing it (:meth:`reserve`, a
    :class:`~routing.geo.ratelimit.CallSlots`).
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        negative_ttl: timedelta = timedelta(days=7),
        busy_timeout: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = path or default_cache_path()
        self.negative_ttl = negative_ttl
        self.busy_timeout = busy_timeout
        self._clock = clock
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"GeocodeCache({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            create_private(self.path)  # addresses are customer data: 0600, and so its -wal
            with closing(sqlite3.connect(self.path, timeout=self.busy_timeout)) as db, db:
                # WAL stays consistent with NORMAL; a power cut may only lose the last answers.
                db.execute("PRAGMA synchronous=NORMAL")
                yield db
        except (OSError, sqlite3.Error) as error:
            raise GeocodeCacheError(f"geocode cache {self.path}: {error}") from error

    def get(self, address: str, provider: str) -> CachedAnswer | None:
        """The stored answer, or ``None`` on a miss (an expired "not found" is a miss)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT lat, lon, precision, source, created_at FROM geocodes"
                " WHERE address = ? AND provider = ?",
                (address, provider),
            ).fetchone()
        if row is None:
            return None
        lat, lon, precision, source, created = row
        created_at = datetime.fromisoformat(created)
        if lat is None:
            expired = self._clock() - created_at >= self.negative_ttl
            return None if expired else CachedAnswer(None, created_at)
        return CachedAnswer(GeoPoint(lat, lon, Precision(precision), source), created_at)

    def put(self, address: str, provider: str, point: GeoPoint | None) -> None:
        """Store ``provider``'s answer for ``address`` (``None``: not found), replacing any."""
        values = (None, None, None, None) if point is None else (
            point.lat, point.lon, str(point.precision), point.source
        )
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO geocodes"
                " (address, provider, lat, lon, precision, source, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (address, provider, *values, self._clock().isoformat()),
            )

    def reserve(self, provider: str, min_delay: float) -> float:
        """Claim ``provider``'s next call slot for this process; the seconds to wait for it.

        The claim is one ``BEGIN IMMEDIATE`` transaction (processes queue on SQLite's write
        lock, at most ``busy_timeout``), so calls from every process sharing the file are
        ``min_delay`` apart; the caller sleeps outside it.
        """
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(
                "SELECT next_free FROM call_slots WHERE provider = ?", (provider,)
            ).fetchone()
            wait, next_free = claim(self._clock().timestamp(), row and row[0], min_delay)
            db.execute(
                "INSERT OR REPLACE INTO call_slots (provider, next_free) VALUES (?, ?)",
                (provider, next_free),
            )
        return wait
