"""The day's events for a mid-day re-plan, read from a YAML (or JSON/TOML) file.

The file holds one list, ``events``, each item a mapping with exactly one of these keys::

    events:
      - job added: extra-job.json            # a saved job file (any FileSource shape),
      - job added: {serviceJobId: J9, ...}   # or one ServiceJob inline (SP-API JSON shape)
      - job cancelled: J7
      - job running long: {job: J3, until: "11:30"}   # the new service end, local time
      - job running long: {job: J4, extra: 45m}       # or how much longer it takes
      - technician unavailable from: {technician: T2, from: "13:00"}

Clock times are the plan date's local time (the roster's timezone) and must be quoted
(YAML reads an unquoted ``11:30`` as a number). A relative file path is taken from the
events file's folder. What each event does to the plan is :mod:`routing.replan`'s job;
this module only reads and checks the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from routing.datafile import describe_validation_error, dotted_path, read_data_file
from routing.durations import parse_duration
from routing.errors import RoutingError
from routing.roster import parse_clock
from routing.sources import FileSource, SourceError
from routing.spapi.models import ServiceJob

__all__ = ["DayEvents", "EventsError", "RunningLong", "load_events"]

JOB_ADDED = "job added"
JOB_CANCELLED = "job cancelled"
RUNNING_LONG = "job running long"
UNAVAILABLE = "technician unavailable from"
_KINDS = (JOB_ADDED, JOB_CANCELLED, RUNNING_LONG, UNAVAILABLE)


class EventsError(RoutingError):
    """An events file that cannot be read, or an event that makes no sense."""


@dataclass(frozen=True)
class RunningLong:
    """A job that takes longer: a new service end (``until``) or ``extra`` time."""

    until: time | None = None
    extra: timedelta | None = None


@dataclass
class DayEvents:
    """What happened since the plan was made; every field may be empty."""

    added: list[ServiceJob] = field(default_factory=list)
    cancelled: set[str] = field(default_factory=set)
    running_long: dict[str, RunningLong] = field(default_factory=dict)
    unavailable: dict[str, time] = field(default_factory=dict)
    """Technician id -> local clock time from which they are gone for the day."""


def load_events(path: Path | str, day: date, tz: ZoneInfo) -> DayEvents:
    """Read an events file (see the module docstring); ``EventsError`` names the item."""
    path = Path(path)
    data = read_data_file(path, EventsError)
    items = data.get("events")
    if not isinstance(items, list) or set(data) != {"events"}:
        raise EventsError(f"{path}: expected one key, 'events', holding a list of events")
    events = DayEvents()
    for number, item in enumerate(items, start=1):
        where = f"{path}: event #{number}"
        if not isinstance(item, Mapping) or len(item) != 1 or next(iter(item)) not in _KINDS:
            raise EventsError(f"{where}: expected one of {', '.join(map(repr, _KINDS))} "
                              f"as the only key, got {item!r}")
        ((kind, value),) = item.items()
        try:
            _add(events, kind, value, path.parent, day, tz)
        except (ValueError, TypeError) as exc:
            raise EventsError(f"{where} ({kind}): {exc}") from None
        except (EventsError, SourceError) as exc:
            raise EventsError(f"{where} ({kind}): {exc}") from exc
    return events


def _add(events: DayEvents, kind: str, value: object, folder: Path, day: date,
         tz: ZoneInfo) -> None:
    if kind == JOB_ADDED:
        events.added.extend(_added_jobs(value, folder, day, tz))
    elif kind == JOB_CANCELLED:
        events.cancelled.add(_text(value, "a service job id"))
    elif kind == RUNNING_LONG:
        fields = _fields(value, required={"job"}, optional={"until", "extra"})
        if ("until" in fields) == ("extra" in fields):
            raise ValueError("give either until (the new end, \"HH:MM\") or extra (e.g. 30m)")
        job_id = _text(fields["job"], "job: a service job id")
        events.running_long[job_id] = RunningLong(
            until=parse_clock(fields["until"]) if "until" in fields else None,
            extra=parse_duration(fields["extra"]) if "extra" in fields else None,
        )
    else:
        fields = _fields(value, required={"technician", "from"}, optional=set())
        tech_id = _text(fields["technician"], "technician: a technician id")
        events.unavailable[tech_id] = parse_clock(fields["from"])


def _added_jobs(value: object, folder: Path, day: date, tz: ZoneInfo) -> list[ServiceJob]:
    if isinstance(value, str):
        path = Path(value) if Path(value).is_absolute() else folder / value
        if not path.exists():
            raise ValueError(f"no such job file: {path}")
        source = FileSource(path, strict=True)
        return source.fetch(day, tz)
    if not isinstance(value, Mapping):
        raise ValueError("expected a job file path or a ServiceJob mapping")
    try:
        job = ServiceJob.model_validate(value)
    except ValidationError as exc:
        raise ValueError(describe_validation_error(exc, dotted_path)) from None
    if not job.service_job_id:
        raise ValueError("the job has no serviceJobId")
    return [job]


def _fields(value: object, *, required: set[str], optional: set[str]) -> dict[str, object]:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected a mapping with {', '.join(sorted(required | optional))}")
    keys = {str(k) for k in value}
    if missing := required - keys:
        raise ValueError(f"missing {', '.join(sorted(missing))}")
    if unknown := keys - required - optional:
        raise ValueError(f"unknown {', '.join(sorted(unknown))}")
    return {str(k): v for k, v in value.items()}


def _text(value: object, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected {what}, got {value!r}")
    return value.strip()
