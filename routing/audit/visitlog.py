"""The seller's visit log: one row per visit, from the technician app, as CSV or JSON lines.

Columns (CSV header or JSON keys): ``appointment_id, service_job_id, technician_id,
arrived_at, started_at, finished_at, outcome, note``. Times are ISO 8601 with an offset,
empty (or null) when unknown; ``outcome`` is ``completed``, ``incomplete``,
``customer_no_show`` or empty.

A bad row (naive time, finish before start, unknown outcome, missing id) is a
:class:`RowProblem` with its line number and is left out; the rest of the file is read.
Only a file that cannot be read at all (missing columns, not a table) raises
:class:`VisitLogError`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from pathlib import Path

from routing.audit.heap import without_cycle_collection
from routing.errors import RoutingError

__all__ = [
    "COLUMNS",
    "RowProblem",
    "VisitLog",
    "VisitLogError",
    "VisitOutcome",
    "VisitRow",
    "parse_visit_log",
    "read_visit_log",
]

COLUMNS = (
    "appointment_id",
    "service_job_id",
    "technician_id",
    "arrived_at",
    "started_at",
    "finished_at",
    "outcome",
    "note",
)
_REQUIRED = ("appointment_id", "service_job_id")


class VisitLogError(RoutingError):
    """A visit log that cannot be read at all."""


class VisitOutcome(StrEnum):
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"
    CUSTOMER_NO_SHOW = "customer_no_show"


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One visit; every time is aware."""

    line: int
    appointment_id: str
    service_job_id: str
    technician_id: str | None
    arrived_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    outcome: VisitOutcome | None
    note: str | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class VisitLog:
    rows: list[VisitRow]
    problems: list[RowProblem]


def read_visit_log(path: Path | str) -> VisitLog:
    """Read a CSV or JSON-lines visit log; the format is told by the first character."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise VisitLogError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        return parse_visit_log(text)
    except VisitLogError as exc:
        raise VisitLogError(f"{path}: {exc}") from None


def parse_visit_log(text: str) -> VisitLog:
    records = _json_lines(text) if text.lstrip().startswith("{") else _csv_rows(text)
    rows: list[VisitRow] = []
    problems: list[RowProblem] = []
    with without_cycle_collection():
        for line, record in records:
            if isinstance(record, RowProblem):
                problems.append(record)
                continue
            try:
                rows.append(_row(line, record))
            except ValueError as exc:
                problems.append(RowProblem(line, str(exc)))
    return VisitLog(rows, problems)


_Record = tuple[int, "Mapping[str, object] | RowProblem"]


def _csv_rows(text: str) -> Iterator[_Record]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise VisitLogError(
            f"the CSV header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})"
        )
    for record in reader:
        yield reader.line_num, record


def _json_lines(text: str) -> Iterator[_Record]:
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield line, RowProblem(line, f"not JSON: {exc.msg}")
            continue
        if isinstance(record, dict):
            yield line, record
        else:
            yield line, RowProblem(line, "not a JSON object")


def _text(record: Mapping[str, object], column: str) -> str | None:
    value = record.get(column)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _time(record: Mapping[str, object], column: str) -> datetime | None:
    text = _text(record, column)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not an ISO 8601 time") from None
    if value.utcoffset() is None:
        raise ValueError(f"{column} {text!r} has no UTC offset (write e.g. {text}-07:00)")
    return value


def _row(line: int, record: Mapping[str, object]) -> VisitRow:
    ids = {column: _text(record, column) for column in _REQUIRED}
    for column, value in ids.items():
        if value is None:
            raise ValueError(f"{column} is empty")
    outcome_text = _text(record, "outcome")
    try:
        outcome = VisitOutcome(outcome_text) if outcome_text else None
    except ValueError:
        known = ", ".join(o.value for o in VisitOutcome)
        raise ValueError(f"outcome {outcome_text!r} is not one of {known} (or empty)") from None
    arrived, started, finished = (_time(record, c) for c in COLUMNS[3:6])
    _check_order(("arrived_at", arrived), ("started_at", started), ("finished_at", finished))
    return VisitRow(
        line=line,
        appointment_id=ids["appointment_id"] or "",
        service_job_id=ids["service_job_id"] or "",
        technician_id=_text(record, "technician_id"),
        arrived_at=arrived,
        started_at=started,
        finished_at=finished,
        outcome=outcome,
        note=_text(record, "note"),
    )


def _check_order(*times: tuple[str, datetime | None]) -> None:
    """Arrival, start and finish, where given, in that order."""
    known = [(name, value) for name, value in times if value is not None]
    for (first, earlier), (second, later) in pairwise(known):
        if later < earlier:
            raise ValueError(
                f"{second} {later.isoformat()} is before {first} {earlier.isoformat()}"
            )
