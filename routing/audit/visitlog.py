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
from collections.abc import Iterator
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
    first = text.lstrip()[:1]
    if first == "[" or (first == "{" and _one_document(text)):
        # Read as JSON lines, every line of it would be reported as a bad row
        raise VisitLogError("a JSON document, not JSON lines: write one JSON object per "
                            f"line, or CSV (columns: {', '.join(COLUMNS)})")
    records = _json_lines(text) if first == "{" else _csv_rows(text)
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


_Fields = list[str | None]
"""A row's :data:`COLUMNS`, each stripped, None when missing or empty."""
_Record = tuple[int, "_Fields | RowProblem"]


def _csv_rows(text: str) -> Iterator[_Record]:
    # csv.reader, not DictReader: a dict per row is most of the time of a large log
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    position = {name: index for index, name in enumerate(header)}  # a repeated name: last
    missing = [c for c in _REQUIRED if c not in position]
    if missing:
        raise VisitLogError(
            f"the CSV header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})"
        )
    wanted = [position.get(column, len(header) + 1) for column in COLUMNS]
    for row in reader:
        if not row:  # a blank line, skipped as csv.DictReader does
            continue
        size = len(row)
        yield reader.line_num, [
            (row[index].strip() or None) if index < size else None for index in wanted
        ]


def _one_document(text: str) -> bool:
    """True when the text is one JSON value spread over several lines (its first line is
    not JSON on its own)."""
    head = text.lstrip().split("\n", 1)[0]
    try:
        json.loads(head)
        return False
    except json.JSONDecodeError:
        pass
    try:
        json.loads(text)
        return True
    except json.JSONDecodeError:
        return False


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
            yield line, [_text(record.get(column)) for column in COLUMNS]
        else:
            yield line, RowProblem(line, "not a JSON object")


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _time(column: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not an ISO 8601 time") from None
    if value.utcoffset() is None:
        raise ValueError(f"{column} {text!r} has no UTC offset (write e.g. {text}-07:00)")
    return value


_OUTCOMES = {outcome.value: outcome for outcome in VisitOutcome}


def _row(line: int, fields: _Fields) -> VisitRow:
    appointment_id, service_job_id, technician_id, arrived, started, finished, outcome_text, \
        note = fields
    for column, value in (("appointment_id", appointment_id), ("service_job_id", service_job_id)):
        if value is None:
            raise ValueError(f"{column} is empty")
    outcome = _OUTCOMES.get(outcome_text) if outcome_text else None
    if outcome_text and outcome is None:
        known = ", ".join(o.value for o in VisitOutcome)
        raise ValueError(f"outcome {outcome_text!r} is not one of {known} (or empty)")
    times = (("arrived_at", _time("arrived_at", arrived)),
             ("started_at", _time("started_at", started)),
             ("finished_at", _time("finished_at", finished)))
    _check_order(*times)
    return VisitRow(
        line=line,
        appointment_id=appointment_id or "",
        service_job_id=service_job_id or "",
        technician_id=technician_id,
        arrived_at=times[0][1],
        started_at=times[1][1],
        finished_at=times[2][1],
        outcome=outcome,
        note=note,
    )


def _check_order(*times: tuple[str, datetime | None]) -> None:
    """Arrival, start and finish, where given, in that order."""
    known = [(name, value) for name, value in times if value is not None]
    for (first, earlier), (second, later) in pairwise(known):
        if later < earlier:
            raise ValueError(
                f"{second} {later.isoformat()} is before {first} {earlier.isoformat()}"
            )
