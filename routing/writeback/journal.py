"""The write-back journal: SQLite, write-ahead, one row per action of a plan.

A row is keyed by (plan identity, service job id, appointment id, action kind). Its state is
``started`` before the call goes out and ``ok`` / ``warning`` / ``failed`` once Amazon has
answered, each change its own transaction, in WAL mode with ``synchronous=FULL`` so that a
committed state survives a ``kill -9`` or a power cut. A row still ``started`` on the next
run means the process died mid-call: :mod:`routing.writeback.apply` resolves it.

The journal holds customer data (job ids, appointment ids, Amazon's messages), so a new
journal is created with mode 0600, and SQLite gives its ``-wal`` and ``-shm`` files the same.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from routing.files import create_private
from routing.writeback.errors import JournalError

__all__ = [
    "Entry",
    "Journal",
    "Outcome",
    "State",
    "default_journal_path",
]

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one run at a time is up to the user
    fcntl = None  # type: ignore[assignment]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    plan_id        TEXT NOT NULL,
    service_job_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    kind           TEXT NOT NULL,
    request        TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('started', 'ok', 'warning', 'failed')),
    attempts       INTEGER NOT NULL,
    http_status    INTEGER,
    codes          TEXT NOT NULL DEFAULT '[]',
    message        TEXT,
    request_id     TEXT,
    note           TEXT,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (plan_id, service_job_id, appointment_id, kind)
)
"""


class State(StrEnum):
    STARTED = "started"
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"

    @property
    def succeeded(self) -> bool:
        """Amazon took the call (a warning is a success with something to read)."""
        return self in (State.OK, State.WARNING)


@dataclass(frozen=True)
class Outcome:
    """What Amazon answered: its codes and message, the request id, the HTTP status."""

    state: State
    codes: tuple[str, ...] = ()
    message: str | None = None
    request_id: str | None = None
    http_status: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Entry:
    """One journal row."""

    plan_id: str
    service_job_id: str
    appointment_id: str
    kind: str
    request: str
    attempts: int
    outcome: Outcome
    updated_at: str

    @property
    def state(self) -> State:
        return self.outcome.state


class Journal:
    """An open journal file; use as a context manager.

    One process at a time: two runs on the same journal could both send a call that neither
    has journalled yet, so the second is refused. The lock is an ``flock`` on a file beside
    the journal, which the kernel releases when the holder dies, even by ``kill -9``.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = _exclusive(self.path.with_name(self.path.name + ".lock"))
        try:
            create_private(self.path)  # customer data: 0600, and so its -wal and -shm
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self._lock.close()
            reason = getattr(exc, "strerror", None) or exc
            raise JournalError(f"{self.path}: cannot open the journal: {reason}") from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._lock.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def entries(self, plan_id: str | None = None) -> list[Entry]:
        """Every row (of one plan when ``plan_id`` is given), oldest change first."""
        sql = "SELECT * FROM actions"
        args: tuple[str, ...] = ()
        if plan_id is not None:
            sql, args = sql + " WHERE plan_id = ?", (plan_id,)
        rows = self._query(sql + " ORDER BY updated_at, rowid", args)
        return [_entry(row) for row in rows]

    def entry(self, plan_id: str, key: tuple[str, str, str]) -> Entry | None:
        rows = self._query(
            "SELECT * FROM actions WHERE plan_id = ? AND service_job_id = ? "
            "AND appointment_id = ? AND kind = ?", (plan_id, *key))
        return _entry(rows[0]) if rows else None

    def start(self, plan_id: str, key: tuple[str, str, str], request: str) -> None:
        """Record that the call is about to go out (committed before it does)."""
        self._write((
            "INSERT INTO actions (plan_id, service_job_id, appointment_id, kind, request, "
            "state, attempts, updated_at) VALUES (?, ?, ?, ?, ?, 'started', 1, ?) "
            "ON CONFLICT (plan_id, service_job_id, appointment_id, kind) DO UPDATE SET "
            "request = excluded.request, state = 'started', attempts = attempts + 1, "
            "http_status = NULL, codes = '[]', message = NULL, request_id = NULL, note = NULL, "
            "updated_at = excluded.updated_at",
            (plan_id, *key, request, _now())))

    def finish(self, plan_id: str, key: tuple[str, str, str], outcome: Outcome, *,
               request: str | None = None) -> None:
        """Record Amazon's answer; ``request`` creates the row when no call was made."""
        statements: list[tuple[str, tuple[object, ...]]] = []
        if request is not None:
            statements.append((
                "INSERT OR IGNORE INTO actions (plan_id, service_job_id, appointment_id, kind, "
                "request, state, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                (plan_id, *key, request, outcome.state.value, _now())))
        statements.append((
            "UPDATE actions SET state = ?, http_status = ?, codes = ?, message = ?, "
            "request_id = ?, note = ?, updated_at = ? WHERE plan_id = ? AND service_job_id = ? "
            "AND appointment_id = ? AND kind = ?",
            (outcome.state.value, outcome.http_status, json.dumps(list(outcome.codes)),
             outcome.message, outcome.request_id, outcome.note, _now(), plan_id, *key)))
        self._write(*statements)

    def _write(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        """One state change, one transaction, on disk when this returns."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            for sql, args in statements:
                self._db.execute(sql, args)
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise JournalError(f"{self.path}: cannot write the journal: {exc}") from exc

    def _query(self, sql: str, args: tuple[str, ...]) -> list[sqlite3.Row]:
        self._db.row_factory = sqlite3.Row
        try:
            return list(self._db.execute(sql, args))
        except sqlite3.Error as exc:
            raise JournalError(f"{self.path}: cannot read the journal: {exc}") from exc


def _exclusive(lock_path: Path) -> IO[bytes]:
    """An open lock file held exclusively by this process (closing it releases the lock)."""
    try:
        handle = lock_path.open("ab")
    except OSError as exc:
        raise JournalError(f"{lock_path}: cannot create the lock file: {exc.strerror}") from exc
    if fcntl is not None:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise JournalError(
                f"{lock_path.with_suffix('')}: another run is using this journal; wait for it "
                "to finish (or pass another --journal)") from None
    return handle


def default_journal_path(plan_path: Path) -> Path:
    """Beside the plan: ``plan.json`` → ``plan.json.journal.sqlite``."""
    return plan_path.with_name(plan_path.name + ".journal.sqlite")


def _entry(row: sqlite3.Row) -> Entry:
    outcome = Outcome(State(row["state"]), tuple(json.loads(row["codes"])), row["message"],
                      row["request_id"], row["http_status"], row["note"])
    return Entry(row["plan_id"], row["service_job_id"], row["appointment_id"], row["kind"],
                 row["request"], row["attempts"], outcome, row["updated_at"])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
