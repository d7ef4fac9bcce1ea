"""The job rules: a ``ServiceJob`` becomes a :class:`JobVisit` or an :class:`Unassigned`.

This is the place where Amazon's data model meets the day's plan; every rule of issue #5
lives here and nowhere else:

- only ``NOT_SERVICED`` and ``PENDING_SCHEDULE`` jobs are plannable; any other status is
  reported as ``not_plannable_status``;
- the window is the job's *active appointment on the plan date* (see
  :func:`active_appointment`): only ACTIVE appointments (or ones without a status) count,
  never CANCELLED, COMPLETED or unknown statuses, and of a reschedule chain only the
  newest live appointment counts, whichever way ``rescheduledAppointmentId`` points.
  Several unrelated live appointments on the date: the last one listed wins;
- a ``PENDING_SCHEDULE`` job without such an appointment uses the buyer's
  ``preferredAppointmentTimes`` on the date: one visit, several windows;
- "on time" means arriving within the window (``arrive``, the default) or finishing within
  it (``finish``: the latest start is the window end minus the service duration);
- the service duration comes from the :class:`~routing.durations.DurationTable`;
- technicians already assigned on the appointment are kept (pinned) unless ``reassign``;
  an assignee who is not in the roster or not working that day makes the job
  ``pinned_technician_unavailable``;
- ``IN_STORE`` jobs are routed to their service address like home jobs and flagged;
  ``ONLINE`` jobs need no address and no travel (the planner gives them a virtual
  location);
- nothing on the date is ``no_window_on_date``; no address is ``not_geocoded``.

Windows here are aware UTC datetimes; the planner turns them into solver seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from routing.durations import DurationTable
from routing.reasons import ReasonCode
from routing.spapi.enums import AppointmentStatus, ServiceJobStatus, ServiceLocationType
from routing.spapi.models import Address, Appointment, AppointmentTime, ServiceJob

__all__ = [
    "PLANNABLE_STATUSES",
    "JobRules",
    "JobVisit",
    "OnTime",
    "Unassigned",
    "Window",
    "active_appointment",
    "appointment_window",
    "day_bounds",
    "dedupe_jobs",
    "is_rescheduled",
    "job_to_visit",
    "jobs_to_visits",
    "reschedule_chains",
]

PLANNABLE_STATUSES = frozenset({ServiceJobStatus.NOT_SERVICED, ServiceJobStatus.PENDING_SCHEDULE})

PRIORITY_APPOINTMENT = 2
"""Solver priority of a job with a booked appointment: dropped after pending ones."""
PRIORITY_PENDING = 1


class OnTime(StrEnum):
    """What "on time" means for a window."""

    ARRIVE = "arrive"
    """Service starts inside the window."""
    FINISH = "finish"
    """Service ends inside the window."""


@dataclass(frozen=True)
class Window:
    """A time window, aware datetimes, ``start <= end``."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class JobVisit:
    """A plannable job: what the planner needs to build a solver ``Visit``."""

    job: ServiceJob
    service_job_id: str
    appointment_id: str | None
    windows: tuple[Window, ...]
    """The customer's windows on the date, as Amazon gives them."""
    start_windows: tuple[Window, ...]
    """When service may start so that it is on time (the on-time mode applied)."""
    duration: timedelta
    skills: frozenset[str]
    technicians: frozenset[str] | None
    """Pinned technician ids (already assigned on the appointment); None = anyone."""
    location_type: ServiceLocationType
    address: Address | None
    """Where to go; None for ONLINE jobs."""
    priority: int

    @property
    def online(self) -> bool:
        return self.location_type == ServiceLocationType.ONLINE

    @property
    def pending(self) -> bool:
        return self.job.service_job_status == ServiceJobStatus.PENDING_SCHEDULE


@dataclass(frozen=True)
class Unassigned:
    """A job that cannot be in the plan, with its stable reason code and a sentence."""

    service_job_id: str
    reason: ReasonCode
    sentence: str


@dataclass(frozen=True)
class JobRules:
    """The settings the rules depend on.

    ``roster`` holds every technician id of the roster, ``on_shift`` those working on
    ``day``; both are only used to check pinned technicians.
    """

    day: date
    tz: ZoneInfo
    durations: DurationTable
    roster: frozenset[str]
    on_shift: frozenset[str]
    on_time: OnTime = OnTime.ARRIVE
    reassign: bool = False


def day_bounds(day: date, tz: ZoneInfo) -> Window:
    """Local midnight to the next local midnight (23 or 25 hours on DST change days)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return Window(start.astimezone(UTC), end.astimezone(UTC))


def jobs_to_visits(
    jobs: Iterable[ServiceJob], rules: JobRules
) -> tuple[list[JobVisit], list[Unassigned]]:
    """Apply :func:`job_to_visit` to every job; each lands in exactly one of the two lists.

    A job without an id is reported as ``invalid_job`` under ``job[<index>]``; a repeated
    id is one job (see :func:`dedupe_jobs`).
    """
    unassigned: list[Unassigned] = []
    named: list[ServiceJob] = []
    for index, job in enumerate(jobs):
        if job.service_job_id:
            named.append(job)
        else:
            unassigned.append(
                Unassigned(f"job[{index}]", ReasonCode.INVALID_JOB, "The job has no serviceJobId.")
            )
    visits: list[JobVisit] = []
    for job in dedupe_jobs(named):
        result = job_to_visit(job, rules)
        if isinstance(result, JobVisit):
            visits.append(result)
        else:
            unassigned.append(result)
    return visits, unassigned


def dedupe_jobs(jobs: Iterable[ServiceJob]) -> list[ServiceJob]:
    """One job per serviceJobId, the last occurrence winning, in first-seen order.

    The Services API model has no last-updated time on a job, so "last seen" is the only
    order there is: a later page or file line is the fresher copy. Jobs without an id are
    kept (the job rules report them as ``invalid_job``).
    """
    by_id: dict[str, ServiceJob] = {}
    anonymous: list[tuple[int, ServiceJob]] = []
    order: dict[str, int] = {}
    for position, job in enumerate(jobs):
        if job.service_job_id is None:
            anonymous.append((position, job))
            continue
        order.setdefault(job.service_job_id, position)
        by_id[job.service_job_id] = job
    ranked = [(order[key], job) for key, job in by_id.items()] + anonymous
    return [job for _, job in sorted(ranked, key=lambda item: item[0])]


def job_to_visit(job: ServiceJob, rules: JobRules) -> JobVisit | Unassigned:
    """The rules of the module docstring, in order; the first that fails gives the reason."""
    job_id = job.service_job_id or "?"
    status = job.service_job_status
    if status not in PLANNABLE_STATUSES:
        shown = status or "missing"
        return Unassigned(
            job_id,
            ReasonCode.NOT_PLANNABLE_STATUS,
            f"Status {shown} is not plannable (only NOT_SERVICED and PENDING_SCHEDULE are).",
        )
    day = day_bounds(rules.day, rules.tz)
    appointment = active_appointment(job, day)
    if appointment is not None and appointment.appointment_time is not None:
        windows: tuple[Window, ...] = (appointment_window(appointment.appointment_time),)
        priority = PRIORITY_APPOINTMENT
    elif status == ServiceJobStatus.PENDING_SCHEDULE:
        windows = tuple(
            w for w in map(appointment_window, job.preferred_appointment_times or ())
            if _overlaps(w, day)
        )
        priority = PRIORITY_PENDING
        if not windows:
            preferred = "no preferred time" if not job.preferred_appointment_times else (
                "no preferred time on this date"
            )
            return Unassigned(
                job_id,
                ReasonCode.NO_WINDOW_ON_DATE,
                f"Pending schedule with {preferred} and no appointment on {rules.day}.",
            )
    else:
        return Unassigned(
            job_id, ReasonCode.NO_WINDOW_ON_DATE, f"No active appointment on {rules.day}."
        )

    duration = rules.durations.duration_for(job.scope_of_work)
    start_windows = _start_windows(windows, duration, rules.on_time)
    if not start_windows:
        return Unassigned(
            job_id,
            ReasonCode.UNREACHABLE_IN_WINDOW,
            f"The service takes {_minutes(duration)} min, longer than its window, so it "
            "cannot finish inside it.",
        )

    technicians = None if rules.reassign or appointment is None else _assigned(appointment)
    if technicians is not None:
        problem = _pinned_problem(technicians, rules)
        if problem is not None:
            return Unassigned(job_id, ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE, problem)

    location = job.service_location
    location_type = (
        location.service_location_type
        if location is not None and location.service_location_type is not None
        else ServiceLocationType.IN_HOME
    )
    address = location.address if location is not None else None
    if location_type == ServiceLocationType.ONLINE:
        address = None
    elif address is None or not address.address_line1:
        return Unassigned(job_id, ReasonCode.NOT_GEOCODED, "The job has no service address.")

    scope = job.scope_of_work
    return JobVisit(
        job=job,
        service_job_id=job_id,
        appointment_id=appointment.appointment_id if appointment is not None else None,
        windows=windows,
        start_windows=start_windows,
        duration=duration,
        skills=frozenset(scope.required_skills or ()) if scope is not None else frozenset(),
        technicians=technicians,
        location_type=location_type,
        address=address,
        priority=priority,
    )


def active_appointment(job: ServiceJob, day: Window) -> Appointment | None:
    """The job's live appointment whose window overlaps ``day``, following reschedules.

    ``rescheduledAppointmentId`` links two appointments of a reschedule, but its direction
    is not reliable: Amazon's user guide prints it on the CANCELLED original, pointing at
    the new appointment, while a reading of the model has the new one pointing back. So the
    link is read as undirected and the statuses decide: an ACTIVE appointment is never
    superseded by a CANCELLED or COMPLETED one. When a chain holds several live
    appointments (a stale ACTIVE copy), the one listed last is the newest, as Amazon lists
    a job's appointments in the order they were made.
    """
    appointments: Sequence[Appointment] = job.appointments or ()
    newest = _newest_live_per_chain(appointments)
    live = [
        a
        for index, a in enumerate(appointments)
        if index in newest
        and a.appointment_time is not None
        and _overlaps(appointment_window(a.appointment_time), day)
    ]
    return live[-1] if live else None


def is_rescheduled(job: ServiceJob, appointment: Appointment) -> bool:
    """Whether ``appointment`` belongs to a reschedule, with the link on either end."""
    if appointment.rescheduled_appointment_id:
        return True
    return appointment.appointment_id is not None and any(
        other.rescheduled_appointment_id == appointment.appointment_id
        for other in job.appointments or ()
    )


def _is_live(appointment: Appointment) -> bool:
    return appointment.appointment_status in (AppointmentStatus.ACTIVE, None)


def reschedule_chains(appointments: Sequence[Appointment]) -> list[list[int]]:
    """The reschedule chains of a job's appointments, as lists of indices in listed order.

    Chains are the connected groups of the undirected ``rescheduledAppointmentId`` links
    (ids may repeat, as in the guide's example, so every appointment with the named id is
    linked). Every appointment is in exactly one chain; one never rescheduled is alone in
    its own. Chains come in the order of their first appointment.
    """
    parent = list(range(len(appointments)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    by_id: dict[str, list[int]] = {}
    for index, appointment in enumerate(appointments):
        if appointment.appointment_id:
            by_id.setdefault(appointment.appointment_id, []).append(index)
    for index, appointment in enumerate(appointments):
        for other in by_id.get(appointment.rescheduled_appointment_id or "", ()):
            parent[root(other)] = root(index)
    chains: dict[int, list[int]] = {}
    for index in range(len(appointments)):
        chains.setdefault(root(index), []).append(index)
    return list(chains.values())


def _newest_live_per_chain(appointments: Sequence[Appointment]) -> set[int]:
    """Indices of the last-listed live appointment of every reschedule chain.

    A chain without a live appointment contributes nothing.
    """
    newest: set[int] = set()
    for chain in reschedule_chains(appointments):
        live = [index for index in chain if _is_live(appointments[index])]
        if live:
            newest.add(live[-1])
    return newest


def appointment_window(appointment_time: AppointmentTime) -> Window:
    """The [start, start + duration) interval of an Amazon appointment time, aware in UTC."""
    start = appointment_time.start_time
    if start.tzinfo is None:  # the API sends UTC ("Z"); a naive time is read as UTC too
        start = start.replace(tzinfo=UTC)
    start = start.astimezone(UTC)
    return Window(start, start + timedelta(minutes=appointment_time.duration_in_minutes))


def _overlaps(window: Window, day: Window) -> bool:
    return window.start < day.end and window.end > day.start


def _start_windows(
    windows: Sequence[Window], duration: timedelta, on_time: OnTime
) -> tuple[Window, ...]:
    if on_time == OnTime.ARRIVE:
        return tuple(windows)
    return tuple(
        Window(w.start, w.end - duration) for w in windows if w.end - duration >= w.start
    )


def _assigned(appointment: Appointment) -> frozenset[str] | None:
    ids = frozenset(
        t.technician_id for t in appointment.assigned_technicians or () if t.technician_id
    )
    return ids or None


def _pinned_problem(technicians: frozenset[str], rules: JobRules) -> str | None:
    """Why none of the assigned technicians can do the job today, or None if one can."""
    if technicians & rules.on_shift:
        return None
    names = ", ".join(sorted(technicians))
    if not technicians & rules.roster:
        return f"Assigned technician {names} is not in the roster (use reassign to replan it)."
    return f"Assigned technician {names} does not work on {rules.day} (use reassign to replan it)."


def _minutes(duration: timedelta) -> int:
    return round(duration.total_seconds() / 60)
