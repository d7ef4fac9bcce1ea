"""What writing a plan back to Amazon takes: the plan against what Amazon has now.

Each planned appointment is a :class:`Target`. :func:`compare_plan` reads its job from Amazon
(once per job) and tells whether the planned technician is new, changed or unchanged there;
:func:`plan_assignments` turns that into :class:`Action` s: an assignment for each new or
changed appointment, and an arrival estimate for *every* planned appointment, unchanged ones
included, because the planned time may have moved even when the technician did not.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from routing.plan import Plan
from routing.spapi import (
    Appointment,
    AuthError,
    RequestValidationError,
    ServiceJob,
    ServicesClient,
    SpApiRequestError,
)
from routing.writeback.errors import WritebackError

__all__ = [
    "DEFAULT_MARGIN",
    "Action",
    "ActionKind",
    "Change",
    "Comparison",
    "Skipped",
    "Target",
    "actions_for",
    "appointment_problem",
    "compare_plan",
    "compare_target",
    "eta_window",
    "identity_of",
    "job_reader",
    "load_plan",
    "parse_margin",
    "plan_assignments",
    "plan_identity",
    "targets_of",
    "technicians_text",
    "wire_time",
]

DEFAULT_MARGIN = timedelta(minutes=30)
_MARGIN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$")
_UNITS = {"s": 1, "m": 60, "": 60, "h": 3600}


class ActionKind(StrEnum):
    """What a journal row did; the audit reads each kind back (:mod:`routing.audit.inputs`)."""

    ASSIGN = "assign"
    ETA = "eta"
    FULFILL = "fulfill"
    """The actual start and end of a visit, and its technician (``routeplan fulfill``)."""
    ADD = "add"
    """An appointment booked for a pending job (``routeplan book``); no appointment id yet."""
    RESCHEDULE = "reschedule"
    """A reschedule; its request carries Amazon's ``rescheduleReasonCode``."""


class Change(StrEnum):
    """The planned technician against Amazon's ``assignedTechnicians`` now."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Target:
    """One planned appointment: who goes there and when the service starts.

    The service start, not the arrival, is what the customer waits for: a technician who
    arrives before the window waits for it, and an estimate built from the arrival would
    tell the customer an hour and more too early.
    """

    service_job_id: str
    appointment_id: str
    technician_id: str
    service_start: datetime


@dataclass(frozen=True)
class Skipped:
    """A stop of the plan that is not written back, and why."""

    service_job_id: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    """A target against Amazon. ``problem`` is set (and ``change`` None) when it cannot be read."""

    target: Target
    change: Change | None
    amazon_technicians: tuple[str, ...] = ()
    problem: str | None = None


@dataclass(frozen=True)
class Action:
    """One call to make. ``request`` is what it sends, as JSON-ready data (journalled)."""

    kind: ActionKind
    target: Target
    request: dict[str, Any] = field(hash=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.target.service_job_id, self.target.appointment_id, self.kind.value)

    @property
    def request_text(self) -> str:
        return json.dumps(self.request, sort_keys=True)


def parse_margin(text: str) -> timedelta:
    """``30m``, ``45m``, ``1h``, ``90s`` or a bare number of minutes; zero or more."""
    match = _MARGIN.match(text)
    if match is None:
        raise WritebackError(f"not a margin: {text!r} (use e.g. 30m, 1h or 90s)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def load_plan(path: Path) -> Plan:
    """A plan written by ``routeplan plan --out plan.json``."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise WritebackError(f"{path}: cannot read the plan: {exc.strerror or exc}") from exc
    try:
        return Plan.from_json(text)
    except ValidationError as exc:
        if not _looks_like_a_plan(text):
            raise WritebackError(f"{path}: not a routeplan plan file (write one with "
                                 "`routeplan plan --out plan.json`)") from None
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise WritebackError(
            f"{path}: a damaged routeplan plan: {first['msg']} at {where}") from None


def _looks_like_a_plan(text: bytes) -> bool:
    """A JSON object with the ``schema_version`` every written plan carries."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and "schema_version" in data


def targets_of(plan: Plan) -> tuple[list[Target], list[Skipped]]:
    """The plan's appointments in route order, and the stops without one (pending jobs).

    An appointment planned twice has no single answer to send: the plan is refused.
    """
    targets: list[Target] = []
    skipped: list[Skipped] = []
    seen: set[tuple[str, str]] = set()
    for route in plan.routes:
        for stop in route.stops:
            if stop.appointment_id is None:
                skipped.append(Skipped(
                    stop.service_job_id,
                    "pending job: no appointment yet (only preferred times), nothing to assign"))
                continue
            key = (stop.service_job_id, stop.appointment_id)
            if key in seen:
                raise WritebackError(
                    f"the plan has appointment {key[1]} of job {key[0]} on two stops")
            seen.add(key)
            targets.append(Target(stop.service_job_id, stop.appointment_id,
                                  route.technician_id, stop.service_start))
    return targets, skipped


def plan_identity(plan: Plan) -> str:
    """A short hash of what the write-back depends on: date, appointments, technicians, times.

    Two plans with the same identity ask Amazon for the same things, so their journal
    entries are shared; re-planning that moves anything gives a new identity (and new calls).
    """
    targets, _ = targets_of(plan)
    content = {
        "date": plan.date.isoformat(),
        "appointments": sorted(
            [t.service_job_id, t.appointment_id, t.technician_id,
             t.service_start.astimezone(UTC).isoformat()]
            for t in targets
        ),
    }
    return identity_of(content)


def identity_of(content: object) -> str:
    """A short, stable hash of JSON-ready ``content``: the key its journal rows share."""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


def compare_plan(
    plan: Plan, client: ServicesClient, *, on_read: Callable[[], None] | None = None,
) -> tuple[list[Comparison], list[Skipped]]:
    """Each planned appointment against Amazon now; each job is read once (``on_read`` after).

    A job that cannot be read (not found, retries exhausted) or whose appointment is gone or
    not ACTIVE gives a comparison with a ``problem``; the others go on. Login failures end
    the comparison (every later read would fail the same way).
    """
    targets, skipped = targets_of(plan)
    read = job_reader(client, on_read)
    return [compare_target(target, read(target.service_job_id)) for target in targets], skipped


def job_reader(client: ServicesClient,
               on_read: Callable[[], None] | None = None) -> Callable[[str], ServiceJob | str]:
    """A function giving each job as Amazon has it now, or why it cannot be read.

    Each job is read once (``on_read`` after each read); login failures raise.
    """
    jobs: dict[str, ServiceJob | str] = {}

    def read(service_job_id: str) -> ServiceJob | str:
        if service_job_id not in jobs:
            jobs[service_job_id] = _read_job(client, service_job_id)
            if on_read is not None:
                on_read()
        return jobs[service_job_id]

    return read


def _read_job(client: ServicesClient, service_job_id: str) -> ServiceJob | str:
    try:
        return client.get_service_job(service_job_id)
    except AuthError:
        raise
    except SpApiRequestError as exc:
        return f"cannot read the job from Amazon: {exc}"
    except RequestValidationError as exc:  # an id no job can have (a hand-edited file)
        return f"not a job id Amazon can have: {exc}"


def appointment_problem(job: ServiceJob | str, appointment_id: str) -> str | None:
    """Why Amazon would refuse a write to this appointment of ``job`` (None: it would not).

    ``job`` is what :func:`job_reader` gave: a job, or the reason it could not be read.
    """
    if isinstance(job, str):
        return job
    appointment = _appointment(job, appointment_id)
    if appointment is None:
        return f"Amazon's job has no appointment {appointment_id} (rescheduled?)"
    status = appointment.appointment_status
    if status is not None and status != "ACTIVE":
        return f"the appointment is {status} at Amazon"
    return None


def _appointment(job: ServiceJob, appointment_id: str) -> Appointment | None:
    return next((a for a in job.appointments or [] if a.appointment_id == appointment_id), None)


def compare_target(target: Target, job: ServiceJob | str) -> Comparison:
    """The planned appointment against the job Amazon sent (or why the job could not be read)."""
    problem = appointment_problem(job, target.appointment_id)
    appointment = None if isinstance(job, str) else _appointment(job, target.appointment_id)
    if problem is not None or appointment is None:
        return Comparison(target, None, problem=problem)
    now = tuple(t.technician_id for t in appointment.assigned_technicians or []
                if t.technician_id)
    if not now:
        change = Change.NEW
    elif now == (target.technician_id,):
        change = Change.UNCHANGED
    else:
        change = Change.CHANGED
    return Comparison(target, change, now)


def eta_window(service_start: datetime, margin: timedelta) -> tuple[datetime, datetime]:
    """The estimate sent to Amazon: the planned service start ± ``margin``, in UTC."""
    moment = service_start.astimezone(UTC)
    return moment - margin, moment + margin


def actions_for(comparison: Comparison, margin: timedelta) -> list[Action]:
    """The calls one comparison needs: none when Amazon's job could not be read."""
    if comparison.change is None:
        return []
    target = comparison.target
    actions = []
    if comparison.change is not Change.UNCHANGED:
        actions.append(Action(ActionKind.ASSIGN, target,
                              {"resources": [target.technician_id]}))
    start, end = eta_window(target.service_start, margin)
    actions.append(Action(ActionKind.ETA, target,
                          {"start": wire_time(start), "end": wire_time(end)}))
    return actions


def plan_assignments(
    plan: Plan, client: ServicesClient, *, margin: timedelta = DEFAULT_MARGIN,
) -> list[Action]:
    """Every call writing ``plan`` back would make now (reads Amazon, writes nothing)."""
    comparisons, _ = compare_plan(plan, client)
    return [action for comparison in comparisons for action in actions_for(comparison, margin)]


def technicians_text(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "—"


def wire_time(moment: datetime) -> str:
    """A moment as Amazon takes it: UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
