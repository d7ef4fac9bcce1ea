"""The jobs the emulator serves: loading a dataset and the facts filters and sorts read.

A dataset is a getServiceJobs response (``{"payload": {"jobs": [...]}}``) or a bare list of
ServiceJob objects, exactly as Amazon writes them (camelCase). Jobs are kept as plain JSON so
that the emulator answers byte-for-byte what it was given, plus what assign calls changed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from routing.spapi.emulator.errors import EmulatorError
from routing.spapi.emulator.isotime import parse_aware

__all__ = [
    "JobStore",
    "StoredJob",
    "Window",
    "load_job_files",
    "load_jobs",
]

#: Appointment statuses that do not occupy the calendar.
_INACTIVE_APPOINTMENT = "CANCELLED"


@dataclass(frozen=True)
class Window:
    """A half-open time interval [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime | None, end: datetime | None) -> bool:
        """Whether this window meets [start, end]; a missing bound is open."""
        return (end is None or self.start <= end) and (start is None or self.end >= start)


def load_jobs(path: Path) -> list[dict[str, Any]]:
    """The ServiceJob objects stored in ``path`` (a getServiceJobs response or a bare list)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise EmulatorError(f"cannot read the job dataset {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise EmulatorError(f"the job dataset {path} is not JSON: {exc}") from exc
    if isinstance(document, dict):
        payload = document.get("payload")
        jobs = payload.get("jobs") if isinstance(payload, dict) else None
    else:
        jobs = document
    if not isinstance(jobs, list):
        raise EmulatorError(
            f"the job dataset {path} is neither a list of jobs nor {{'payload': {{'jobs': [...]}}}}"
        )
    return jobs


def load_job_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The jobs of several datasets, in order (a serviceJobId must not repeat)."""
    return [job for path in paths for job in load_jobs(path)]


def _time_of(job_id: str, where: str, value: object) -> datetime | None:
    if value is None:
        return None
    parsed = parse_aware(value)
    if parsed is None:
        raise EmulatorError(f"job {job_id}: {where} {value!r} is not an ISO 8601 timestamp")
    return parsed


def _window(job_id: str, where: str, appointment_time: object) -> Window | None:
    if not isinstance(appointment_time, Mapping):
        return None
    start = _time_of(job_id, f"{where}.startTime", appointment_time.get("startTime"))
    minutes = appointment_time.get("durationInMinutes", 0)
    if start is None:
        return None
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
        raise EmulatorError(f"job {job_id}: {where}.durationInMinutes {minutes!r} is invalid")
    return Window(start, start + timedelta(minutes=minutes))


class StoredJob:
    """One job's JSON plus the parsed facts that filters and sorts need."""

    def __init__(self, position: int, document: Mapping[str, Any]) -> None:
        if not isinstance(document, Mapping):
            raise EmulatorError(f"job #{position} is not a JSON object")
        job_id = document.get("serviceJobId")
        if not isinstance(job_id, str) or not job_id:
            raise EmulatorError(f"job #{position} has no serviceJobId")
        self.position = position
        self.job_id = job_id
        self.document: dict[str, Any] = copy.deepcopy(dict(document))
        self.created = _time_of(job_id, "createTime", document.get("createTime"))
        # The wire shape has no update time: the latest the job itself records is its
        # creation or a proof of appointment's upload (assign calls move it on later).
        self.last_updated = self.created
        self.appointment_windows: list[Window] = []
        for index, appointment in enumerate(self.appointments()):
            poa = appointment.get("poa")
            uploaded = _time_of(job_id, f"appointments[{index}].poa.uploadTime",
                                poa.get("uploadTime") if isinstance(poa, Mapping) else None)
            if uploaded is not None and (self.last_updated is None or uploaded > self.last_updated):
                self.last_updated = uploaded
            if appointment.get("appointmentStatus") == _INACTIVE_APPOINTMENT:
                continue
            window = _window(
                job_id, f"appointments[{index}].appointmentTime", appointment.get("appointmentTime")
            )
            if window is not None:
                self.appointment_windows.append(window)
        preferred = document.get("preferredAppointmentTimes") or []
        self.preferred_windows = [
            window
            for index, item in enumerate(preferred if isinstance(preferred, list) else [])
            if (window := _window(job_id, f"preferredAppointmentTimes[{index}]", item))
        ]

    @property
    def status(self) -> str:
        return str(self.document.get("serviceJobStatus", ""))

    @property
    def schedule(self) -> list[Window]:
        """The windows the schedule filters test: appointments, else the buyer's preferences."""
        return self.appointment_windows or self.preferred_windows

    @property
    def job_date(self) -> datetime | None:
        """What JOB_DATE sorts on: the earliest scheduled window, else the creation time."""
        return min((window.start for window in self.schedule), default=self.created)

    def appointments(self) -> list[dict[str, Any]]:
        appointments = self.document.get("appointments")
        if not isinstance(appointments, list):
            return []
        return [item for item in appointments if isinstance(item, dict)]

    def appointment(self, appointment_id: str) -> dict[str, Any] | None:
        for appointment in self.appointments():
            if appointment.get("appointmentId") == appointment_id:
                return appointment
        return None

    def strings(self, field: str) -> set[str]:
        """The string values of a top-level list field (productOrderIds, trackingIds)."""
        values = self.document.get(field)
        return (
            {item for item in values if isinstance(item, str)}
            if isinstance(values, list)
            else set()
        )

    def asins(self) -> set[str]:
        scope = self.document.get("scopeOfWork")
        found = {scope.get("asin")} if isinstance(scope, dict) else set()
        for item in self.document.get("associatedItems") or []:
            if isinstance(item, dict):
                found.add(item.get("asin"))
        return {asin for asin in found if isinstance(asin, str)}

    def required_skills(self) -> set[str]:
        scope = self.document.get("scopeOfWork")
        skills = scope.get("requiredSkills") if isinstance(scope, dict) else None
        return (
            {skill for skill in skills if isinstance(skill, str)}
            if isinstance(skills, list)
            else set()
        )


class JobStore:
    """The dataset, in its original order, addressable by serviceJobId."""

    def __init__(self, jobs: Iterable[Mapping[str, Any]]) -> None:
        self.jobs: list[StoredJob] = [StoredJob(i, job) for i, job in enumerate(jobs)]
        self._by_id: dict[str, StoredJob] = {}
        for job in self.jobs:
            if job.job_id in self._by_id:
                raise EmulatorError(f"serviceJobId {job.job_id} appears twice in the dataset")
            self._by_id[job.job_id] = job

    def get(self, job_id: str) -> StoredJob | None:
        return self._by_id.get(job_id)

    def snapshot(self, jobs: Sequence[StoredJob]) -> list[dict[str, Any]]:
        """Deep copies of ``jobs``' JSON, safe to serialise outside the store's lock."""
        return [copy.deepcopy(job.document) for job in jobs]
