"""Where the day's jobs come from: the SP-API (or its local emulator), or a saved file.

Every source is a :class:`JobSource`: ``fetch(day, tz)`` returns the day's
``ServiceJob`` s, without duplicates, and leaves the jobs it could not read in
``rejected`` (as :class:`~routing.visits.Unassigned` with the code ``invalid_job``), so the
planner reports them instead of losing them. A broken *file* (unreadable, not JSON, wrong
shape) is a :class:`SourceError`; a broken *job* inside a good file is only rejected, so
one bad record does not sink the day — unless the source is ``strict``.

Duplicates (one serviceJobId seen twice: two pages, two queries, two lines) keep the
occurrence seen last (:func:`routing.visits.dedupe_jobs`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from routing.datafile import describe_validation_error, dotted_path
from routing.errors import RoutingError
from routing.reasons import ReasonCode
from routing.spapi.client import ServicesClient
from routing.spapi.enums import ServiceJobStatus
from routing.spapi.models import ServiceJob
from routing.spapi.params import JobQuery
from routing.visits import Unassigned, Window, day_bounds, dedupe_jobs

__all__ = ["FileShard", "FileSource", "JobSource", "SourceError", "SpApiSource", "touches_day"]

log = logging.getLogger(__name__)


class SourceError(RoutingError):
    """Jobs could not be read at all (a file that is missing, not JSON, or the wrong shape)."""


class JobSource(Protocol):
    """Anything that provides the day's jobs."""

    label: str
    """Shown to the user, e.g. ``file jobs.json``."""
    rejected: list[Unassigned]
    """Jobs the last ``fetch`` could not read, each with a sentence naming it."""

    def fetch(self, day: date, tz: ZoneInfo) -> list[ServiceJob]: ...


class FileSource:
    """Jobs saved in a file, in any of these shapes:

    - a getServiceJobs response ``{"payload": {"jobs": [...]}}`` (or just the payload);
    - a getServiceJobByServiceJobId response ``{"payload": {<one job>}}``, or one job;
    - a JSON array of jobs;
    - JSON Lines: one job per line (a line that is not JSON is a rejected job).

    Every job in the file is returned, whatever its date: the job rules report the ones
    with nothing on the day (``no_window_on_date``).
    """

    def __init__(self, path: Path, *, strict: bool = False) -> None:
        self.path = Path(path)
        self.strict = strict
        self.label = f"file {self.path}"
        self.rejected: list[Unassigned] = []

    def fetch(self, day: date, tz: ZoneInfo) -> list[ServiceJob]:
        """All the jobs in the file (``day`` and ``tz`` are not needed to read it)."""
        return list(self.stream())

    def stream(self) -> Iterator[ServiceJob]:
        """The jobs of :meth:`fetch`, in the same order, made one at a time.

        Memory holds the file's text, not every job's model: JSON Lines are validated
        from their text, never held as Python objects, and each line is let go
        once read. Duplicates are resolved first from the ids alone: a job seen twice is
        made from its last readable copy, in the place of its first readable one
        (:func:`~routing.visits.dedupe_jobs`); :attr:`rejected` is complete, in file
        order, once the iterator is exhausted.
        """
        self.rejected = []
        shards = self.shards(1)
        for shard in shards:
            yield from shard.stream()
        self.collect(shards)

    def shards(self, count: int, *, smallest: int = 5_000) -> list[FileShard]:
        """The file's jobs in at most ``count`` parts of at least ``smallest`` records each
        (one part for a smaller file), for :meth:`stream` or to audit on several cores.

        The file and every job's id are read now; each part streams a contiguous run of
        records as :meth:`stream` does, the parts in order giving the same jobs. No job id
        has copies in two parts, so each part resolves its duplicates alone (a file whose
        duplicates leave no such place to cut is one part).
        """
        records: list[object] = list(self._records())
        ids = [_job_id(record) for record in records]
        cuts = _cuts(ids, max(1, min(count, len(records) // max(smallest, 1))))
        return [FileShard(self, records, ids, start, stop) for start, stop in pairwise(cuts)]

    def collect(self, shards: list[FileShard]) -> None:
        """Take the streamed shards' rejected jobs into :attr:`rejected`, and log them."""
        self.rejected = [item for shard in shards for item in shard.rejected]
        for item in self.rejected:
            log.warning("%s: skipped %s: %s", self.path, item.service_job_id, item.sentence)

    def _records(self) -> list[object]:
        """The raw JSON value (or :class:`_Line`) of each job, in file order."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise SourceError(f"{self.path}: cannot read file: {reason}") from exc
        if not text.strip():
            raise SourceError(f"{self.path}: the file is empty; expected service jobs as JSON")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
            if len(lines) < 2 or not isinstance(_loads_or_error(lines[0][1]), dict):
                raise SourceError(
                    f"{self.path}: invalid JSON: line {exc.lineno}: {exc.msg}"
                ) from None
            return [_Line(n, line) for n, line in lines]
        return self._unwrap(data)

    def _unwrap(self, data: object) -> list[object]:
        if isinstance(data, list):
            return data
        if not isinstance(data, Mapping):
            raise SourceError(
                f"{self.path}: expected service jobs (a getServiceJobs response, a list of "
                f"jobs or one job per line), got a JSON {type(data).__name__}"
            )
        if "payload" in data:
            payload = data["payload"]
            if payload is None:
                raise SourceError(f"{self.path}: the response has no payload{_errors(data)}")
            data = payload
        if isinstance(data, Mapping) and "jobs" in data:
            jobs = data["jobs"]
            if jobs is None:
                return []
            if not isinstance(jobs, list):
                raise SourceError(f"{self.path}: 'jobs' must be a list")
            return jobs
        if isinstance(data, Mapping) and "serviceJobId" in data:
            return [data]
        raise SourceError(
            f"{self.path}: no jobs found: expected 'payload.jobs', a list of jobs or one job"
        )

    def _job(self, name: str, raw: object) -> ServiceJob | Unassigned:
        if isinstance(raw, _Line):
            try:
                return ServiceJob.model_validate_json(raw.text)
            except ValidationError:  # say why as for any other record: parse it
                raw = _loads_or_error(raw.text)
        job_id = raw.get("serviceJobId") if isinstance(raw, Mapping) else None
        label = f"{name} ({job_id})" if isinstance(job_id, str) and job_id else name
        if isinstance(raw, _BadLine):
            problem = f"invalid JSON: {raw.message}"
        elif not isinstance(raw, Mapping):
            problem = f"expected a JSON object, got {type(raw).__name__}"
        else:
            try:
                return ServiceJob.model_validate(raw)
            except ValidationError as exc:
                problem = describe_validation_error(exc, dotted_path)
        if self.strict:
            raise SourceError(f"{self.path}: {label}: {problem}")
        key = job_id if isinstance(job_id, str) and job_id else name
        sentence = f"Unreadable in {self.path} ({label}): {problem}."
        return Unassigned(key, ReasonCode.INVALID_JOB, sentence)


@dataclass
class FileShard:
    """A contiguous run of a file's records (:meth:`FileSource.shards`)."""

    source: FileSource
    records: list[object] = field(repr=False)
    """Every record of the file (shared by its shards)."""
    ids: list[str | None] = field(repr=False)
    start: int
    stop: int
    rejected: list[Unassigned] = field(default_factory=list)
    """The records it could not read, in file order, once :meth:`stream` is done."""

    def stream(self) -> Iterator[ServiceJob]:
        """Its jobs, made one at a time (see :meth:`FileSource.stream`)."""
        self.rejected = []
        positions = range(self.start, self.stop)
        copies: dict[str, list[int]] = {}
        for position in positions:
            job_id = self.ids[position]
            if job_id is not None:
                copies.setdefault(job_id, []).append(position)
        placed: set[str] = set()
        rejected: dict[int, Unassigned] = {}
        for position in positions:
            job_id = self.ids[position]
            job = self._take(position, rejected)
            if job is None or job_id in placed:
                continue
            if job_id is not None:
                placed.add(job_id)
                for later in reversed(copies[job_id]):  # its last readable copy wins
                    if later <= position:
                        break
                    newer = self._take(later, rejected)
                    if newer is not None:
                        job = newer
                        break
            yield job
        self.rejected = [rejected[position] for position in sorted(rejected)]

    def _take(self, position: int, rejected: dict[int, Unassigned]) -> ServiceJob | None:
        """Validate the record at ``position`` (once: it is let go), or note why not."""
        records = self.records
        record, records[position] = records[position], _TAKEN
        if record is _TAKEN:
            return None
        name = f"line {record.number}" if isinstance(record, _Line) else f"job[{position}]"
        job = self.source._job(name, record)
        if isinstance(job, Unassigned):
            rejected[position] = job
            return None
        return job


def _cuts(ids: list[str | None], parts: int) -> list[int]:
    """Where to cut ``ids`` into about ``parts`` equal runs, never between two copies of an
    id: the positions, from 0 to ``len(ids)``."""
    first: dict[str, int] = {}
    inside = [0] * (len(ids) + 1)  # +1 where a copy's span opens, -1 past where it closes
    for position, job_id in enumerate(ids):
        if job_id is not None:
            opened = first.setdefault(job_id, position)
            if opened != position:
                inside[opened + 1] += 1
                inside[position + 1] -= 1
    spans = 0
    cuts = [0]
    for position in range(1, len(ids)):
        spans += inside[position]
        if position >= len(ids) * len(cuts) / parts and spans == 0:
            cuts.append(position)
    return [*cuts, len(ids)]


class _JobId(BaseModel):
    """Just a job's id, read as ``ServiceJob`` reads it (to find duplicates first)."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True,
                              validate_by_alias=True, extra="ignore")
    service_job_id: str | None = None


def _job_id(raw: object) -> str | None:
    """The id of a raw record, None when it has none or cannot be read."""
    try:
        if isinstance(raw, _Line):
            return _JobId.model_validate_json(raw.text).service_job_id
        return _JobId.model_validate(raw).service_job_id if isinstance(raw, Mapping) else None
    except ValidationError:
        return None


class _Line:
    """One line of a JSON Lines file, validated from its text."""

    __slots__ = ("number", "text")

    def __init__(self, number: int, text: str) -> None:
        self.number = number
        self.text = text


_TAKEN = object()
"""In place of a record once validated."""


class _BadLine:
    """A JSON Lines record that is not JSON (kept so the job can be reported)."""

    def __init__(self, message: str) -> None:
        self.message = message


def _loads_or_error(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return _BadLine(exc.msg)


def _errors(data: Mapping[str, Any]) -> str:
    errors = data.get("errors")
    if not isinstance(errors, list) or not errors:
        return ""
    messages = [
        f"{e.get('code')}: {e.get('message')}" for e in errors[:3] if isinstance(e, Mapping)
    ]
    return " (errors: " + "; ".join(messages) + ")"


class SpApiSource:
    """The day's jobs from the Services API (Amazon, its sandbox, or the local emulator).

    Two queries, merged without duplicates:

    1. jobs in any status whose schedule overlaps the local day (``scheduleStartDate`` /
       ``scheduleEndDate``): the bulk of the day, filtered by the server;
    2. jobs in every status but ``NOT_SERVICED`` (pending, cancelled, completed, held …)
       without a schedule filter, kept when one of their appointments — whatever its
       status — or preferred times touches the day. Servers leave cancelled appointments
       out of the schedule filter, and pending jobs have no schedule at all; this query
       is what makes the plan *report* them. A pending job with neither appointments nor
       preferred times is kept too: someone has to schedule it, and the plan says so.

    Both look back ``lookback`` from the day's start for the job's creation date (the API
    wants ``createdAfter`` or ``lastUpdatedAfter``).
    """

    def __init__(
        self,
        client: ServicesClient,
        marketplace_id: str,
        *,
        lookback: timedelta = timedelta(days=90),
        page_size: int = 20,
    ) -> None:
        self.client = client
        self.marketplace_id = marketplace_id
        self.lookback = lookback
        self.page_size = page_size
        self.label = f"Services API, marketplace {marketplace_id}"
        self.rejected: list[Unassigned] = []

    def fetch(self, day: date, tz: ZoneInfo) -> list[ServiceJob]:
        bounds = day_bounds(day, tz)
        created_after = min(bounds.start - self.lookback, datetime.now(UTC) - timedelta(hours=1))
        query = JobQuery(self.marketplace_id, created_after=created_after,
                         page_size=self.page_size)
        scheduled = self.client.iter_service_jobs(
            query, schedule_start=bounds.start, schedule_end=bounds.end)
        others = self.client.iter_service_jobs(
            query,
            statuses=[s.value for s in ServiceJobStatus if s != ServiceJobStatus.NOT_SERVICED],
        )
        jobs = [*scheduled, *(job for job in others if touches_day(job, bounds))]
        rejected: dict[str, Unassigned] = {}
        for number, bad in enumerate([*scheduled.rejected, *others.rejected]):
            key = bad.service_job_id or f"rejected[{number}]"
            rejected[key] = Unassigned(
                key, ReasonCode.INVALID_JOB,
                f"The Services API sent a job that does not match its model: {bad.problem}.",
            )
        self.rejected = list(rejected.values())
        return dedupe_jobs(jobs)


def touches_day(job: ServiceJob, day: Window) -> bool:
    """True when an appointment (any status) or preferred time overlaps ``day``, or when a
    pending job has neither."""
    times = [a.appointment_time for a in job.appointments or () if a.appointment_time]
    times += job.preferred_appointment_times or []
    if not times:
        return job.service_job_status == ServiceJobStatus.PENDING_SCHEDULE
    return any(
        t.start_time < day.end
        and t.start_time + timedelta(minutes=t.duration_in_minutes) > day.start
        for t in times
    )
