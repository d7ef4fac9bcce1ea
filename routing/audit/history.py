"""A local SQLite store of the service jobs fetched for audits.

An audit needs every job of the period in every status, and the latest state of each:
``getServiceJobs`` by ``lastUpdatedAfter``/``lastUpdatedBefore``. Fetched jobs are kept,
with the span of update times already fetched per seller and marketplace, so the next
audit (weekly, say) asks Amazon only for the updates since the last one, not for the
quarter again. A job fetched again replaces its older copy.

The span kept is one interval: a refresh fetches what lies before it and after it, never
inside it, and the interval grows to cover both. Its bounds move only once a window has
been fetched in full, so an interrupted fetch is simply asked again.

The file holds customer addresses: created 0600 (:func:`routing.files.create_private`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import platformdirs

from routing.errors import RoutingError
from routing.files import create_private
from routing.spapi.client import ServicesClient
from routing.spapi.models import ServiceJob
from routing.visits import Unassigned, Window

__all__ = ["HistoryError", "HistoryShard", "JobHistory", "Refresh", "default_history_path"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seller TEXT NOT NULL,
    marketplace TEXT NOT NULL,
    service_job_id TEXT NOT NULL,
    document TEXT NOT NULL,      -- the job's wire JSON
    PRIMARY KEY (seller, marketplace, service_job_id)
);
CREATE TABLE IF NOT EXISTS fetched (
    seller TEXT NOT NULL,
    marketplace TEXT NOT NULL,
    updated_from TEXT NOT NULL,  -- ISO 8601 UTC: jobs last updated in [from, to] are stored
    updated_to TEXT NOT NULL,
    PRIMARY KEY (seller, marketplace)
);
"""


class HistoryError(RoutingError):
    """The history file cannot be opened or is not a history store."""


def default_history_path() -> Path:
    return platformdirs.user_data_path("routeplan") / "job-history.sqlite3"


@dataclass(frozen=True)
class Refresh:
    """What one refresh asked Amazon for."""

    windows: list[Window]
    """The ``lastUpdated`` windows fetched (none when the store already had them)."""
    jobs: int
    rejected: list[str] = field(default_factory=list)
    """Jobs that did not match the model, one sentence each (they are not stored)."""


class JobHistory:
    """The jobs fetched so far for one seller (any label the user chooses) and marketplace."""

    def __init__(self, path: Path, *, seller: str, marketplace_id: str) -> None:
        self.path = path
        self.seller = seller
        self.marketplace_id = marketplace_id
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            create_private(path)
            with closing(self._connect()) as db, db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"job history {path}: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def fetched(self) -> Window | None:
        """The span of update times already fetched, if any."""
        with closing(self._connect()) as db:
            return self._span(db)

    def _span(self, db: sqlite3.Connection) -> Window | None:
        row = db.execute(
            "SELECT updated_from, updated_to FROM fetched WHERE seller = ? AND marketplace = ?",
            (self.seller, self.marketplace_id),
        ).fetchone()
        if row is None:
            return None
        return Window(datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1]))

    def missing(self, since: datetime, until: datetime) -> list[Window]:
        """The windows of ``[since, until]`` not fetched yet: before and after the span."""
        if until <= since:
            return []
        have = self.fetched()
        if have is None:
            return [Window(since, until)]
        windows = []
        if since < have.start:
            windows.append(Window(since, have.start))
        if until > have.end:
            windows.append(Window(max(since, have.end), until))
        return windows

    def refresh(
        self, client: ServicesClient, since: datetime, until: datetime, *, page_size: int = 20
    ) -> Refresh:
        """Fetch the jobs last updated in ``[since, until]`` that the store does not have."""
        windows = self.missing(since, until)
        jobs, rejected = 0, []
        for window in windows:
            stream = client.iter_service_jobs(
                self.marketplace_id, last_updated_after=window.start,
                last_updated_before=window.end, page_size=page_size,
            )
            with closing(self._connect()) as db, db:
                for job in stream:
                    db.execute(
                        "INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?)",
                        (self.seller, self.marketplace_id, job.service_job_id or "",
                         job.model_dump_json(by_alias=True, exclude_none=True)),
                    )
                    jobs += 1
                self._widen(db, window)
            rejected += [f"job {bad.service_job_id or '?'}: {bad.problem}"
                         for bad in stream.rejected]
        return Refresh(windows, jobs, rejected)

    def _widen(self, db: sqlite3.Connection, window: Window) -> None:
        have = self._span(db)
        start = window.start if have is None else min(have.start, window.start)
        end = window.end if have is None else max(have.end, window.end)
        db.execute(
            "INSERT OR REPLACE INTO fetched VALUES (?, ?, ?, ?)",
            (self.seller, self.marketplace_id, start.isoformat(), end.isoformat()),
        )

    def jobs(self, low: str | None = None, high: str | None = None) -> Iterator[ServiceJob]:
        """Every stored job of this seller and marketplace, one at a time, by id; only the
        ids from ``low`` and before ``high`` when given."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT document FROM jobs WHERE seller = ? AND marketplace = ? "
                "AND (?3 IS NULL OR service_job_id >= ?3) "
                "AND (?4 IS NULL OR service_job_id < ?4) ORDER BY service_job_id",
                (self.seller, self.marketplace_id, low, high),
            )
            for (document,) in rows:
                yield ServiceJob.model_validate_json(document)

    def shards(self, count: int, *, smallest: int = 5_000) -> list[HistoryShard]:
        """:meth:`jobs` in at most ``count`` runs of ids, each of at least ``smallest``
        jobs (one for fewer), to audit on several cores
        (:func:`~routing.audit.audit_shards`): each opens its own connection where it is
        streamed, as a forked process must."""
        mine = (self.seller, self.marketplace_id)
        with closing(self._connect()) as db:
            (total,) = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE seller = ? AND marketplace = ?", mine
            ).fetchone()
            parts = max(1, min(count, total // max(smallest, 1)))
            bounds = [
                db.execute(
                    "SELECT service_job_id FROM jobs WHERE seller = ? AND marketplace = ? "
                    "ORDER BY service_job_id LIMIT 1 OFFSET ?", (*mine, total * part // parts)
                ).fetchone()[0]
                for part in range(1, parts)
            ]
        return [HistoryShard(self, low, high) for low, high in pairwise([None, *bounds, None])]


@dataclass
class HistoryShard:
    """A run of a store's jobs by id (:meth:`JobHistory.shards`)."""

    history: JobHistory
    low: str | None
    high: str | None
    rejected: list[Unassigned] = field(default_factory=list)
    """Always empty: the store keeps only jobs that matched the model."""

    def stream(self) -> Iterator[ServiceJob]:
        return self.history.jobs(self.low, self.high)
