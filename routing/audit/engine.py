"""The audit: one pass over the jobs, counting every metric of issue #11 per technician-day.

For an appointment with window W = [start, start + duration):

- *arrival* is the visit log's ``arrived_at``, else the fulfillment start routeplan sent;
- *start* is ``started_at``, else the arrival;
- *completion* is ``finished_at``, else the fulfillment end sent, else ``poa.uploadTime``;
- it is *completed* when Amazon says COMPLETED or the visit log says ``completed``;
- its *technician* is the visit log's, else the POA uploader, else the resource routeplan
  sent, else the first of ``assignedTechnicians``;
- its *local date* is the date of W.start in the job's timezone (:class:`JobZones`);
- it is *replaced* when another appointment of its reschedule chain took over (the chain's
  newest live appointment, else its completed one, else its last listed one, stays).

Job-level metrics (late completion, first-visit completion, cancellation, fulfillment
break) are counted on one appointment of the job, so that they have a technician and a
day: the completing appointment for the first two, the first assigned one for the others.
Everything is linear in the number of appointments. The pass keeps, not the jobs, but one
row of facts per audited appointment; :mod:`routing.audit.facts` counts the metrics from
them on whole columns, as numpy does far faster than one appointment at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from routing.audit.facts import (
    NO_TIME,
    VERDICTS,
    Causes,
    Fact,
    Facts,
    Outcome,
    Verdict,
    count,
    micros,
)
from routing.audit.heap import without_cycle_collection
from routing.audit.inputs import PlanIndex, SentRecord
from routing.audit.metrics import AMAZON_THRESHOLDS, Metric, Tally
from routing.audit.visitlog import VisitOutcome, VisitRow
from routing.audit.zones import JobZones
from routing.durations import DurationTable
from routing.plan import Plan
from routing.spapi.enums import AppointmentStatus, ServiceJobStatus
from routing.spapi.models import Appointment, ScopeOfWork, ServiceJob
from routing.visits import Window, day_bounds, reschedule_chains

__all__ = ["AppointmentAudit", "Audit", "AuditSettings", "Auditor", "Part", "audit_jobs"]

TechnicianDay = tuple[str | None, date]
"""A tally's key; technician None = nobody could be attributed."""

_K = TypeVar("_K")

_MICROSECOND = timedelta(microseconds=1)
_MINUTE = 60_000_000
"""In microseconds."""

_DUE_STATUSES = (AppointmentStatus.ACTIVE, AppointmentStatus.COMPLETED, None)

# Members the pass compares with, once per appointment or job: an enum member read from its
# class costs several times a module global
_COMPLETED = AppointmentStatus.COMPLETED
_JOB_CANCELLED = ServiceJobStatus.CANCELLED
_VISIT_COMPLETED = VisitOutcome.COMPLETED
_VISIT_INCOMPLETE = VisitOutcome.INCOMPLETE
_VERDICTS = {False: Verdict.MISS, True: Verdict.HIT}
_RESCHEDULED, _CANCELLED, _SEVERAL, _LATE, _INCOMPLETE_FIRST = (
    int(cause) for cause in (Causes.RESCHEDULED, Causes.CANCELLED, Causes.SEVERAL_APPOINTMENTS,
                             Causes.LATE_COMPLETION, Causes.INCOMPLETE_FIRST_VISIT)
)

# The statuses the model knows, to tell the unknown ones: the same test as ``is_known`` (an
# unknown status is a pseudo-member, never equal to a member), several times cheaper, and
# it runs once per job and per appointment
_JOB_STATUSES = frozenset(ServiceJobStatus)
_APPOINTMENT_STATUSES = frozenset(AppointmentStatus)


@dataclass(frozen=True)
class AuditSettings:
    start: date
    end: date
    """Last local date audited (inclusive)."""
    timezone: ZoneInfo
    """The roster's: for jobs whose address cannot be placed, and for the report."""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    """Only windows ended by then can be no-shows."""
    durations: DurationTable = field(default_factory=DurationTable.builtin)
    early_tolerance: timedelta = timedelta(0)
    adherence_tolerance: timedelta = timedelta(minutes=15)
    thresholds: Mapping[Metric, float] = field(default_factory=lambda: dict(AMAZON_THRESHOLDS))
    provider_reschedule_reasons: frozenset[str] | None = None
    """Reason codes that make a reschedule routeplan sent the provider's; None = any."""


@dataclass(slots=True)  # not frozen: a frozen dataclass is built slower, 100,000 times
class AppointmentAudit:
    """One audited appointment and the metrics it fails (its findings); its times are in
    the period's timezone (:attr:`AuditSettings.timezone`)."""

    service_job_id: str
    appointment_id: str | None
    technician_id: str | None
    local_date: date
    window: Window
    arrived_at: datetime | None
    finished_at: datetime | None
    findings: list[Metric]


@dataclass
class Audit:
    settings: AuditSettings
    tallies: dict[TechnicianDay, Tally]
    appointments: list[AppointmentAudit]
    names: dict[str, str]
    duration_samples: dict[str, list[float]]
    """Actual ÷ planned service minutes of completed appointments, per required skill."""
    problems: list[str]
    """Input the audit could not use (unknown ids, unknown statuses), one sentence each."""

    def overall(self) -> Tally:
        return Tally.total(self.tallies.values())

    def by_technician(self) -> dict[str, Tally]:
        return self._group(lambda key: key[0])

    def by_day(self) -> dict[date, Tally]:
        return self._group(lambda key: key[1])

    def by_week(self) -> dict[str, Tally]:
        """ISO weeks, labelled like ``2026-W10``."""
        return self._group(lambda key: "{}-W{:02d}".format(*key[1].isocalendar()[:2]))

    def _group(self, key_of: Callable[[TechnicianDay], _K | None]) -> dict[_K, Tally]:
        groups: dict[_K, Tally] = {}
        for key in sorted(self.tallies, key=lambda k: (k[1], k[0] or "")):
            group = key_of(key)
            if group is not None:
                groups.setdefault(group, Tally()).merge(self.tallies[key])
        return groups


@dataclass(slots=True)
class _Visit:
    """What the job-level metrics need of one appointment (see the module doc)."""

    start: int
    """The window's start, in microseconds (:func:`micros`), like ``completion``."""
    local_date: date
    technician: str | None
    replaced: bool
    completion: int
    outcome: VisitOutcome | None
    completed: bool
    row: int | None
    """Its row in the facts; None outside the period: such an appointment still shapes
    its job, but is not counted."""


class _Slot(NamedTuple):
    """An appointment window and what the audit derives from it (:meth:`Auditor._slot`)."""

    local_date: date
    """The date of the window's start in the job's timezone."""
    start: int
    """The window's start and end in microseconds (:func:`micros`)."""
    end: int


class _Seen(NamedTuple):
    """Who and when of an audited appointment, beside its row of facts: what its
    :class:`AppointmentAudit` is made of at the end (the times come from the facts)."""

    service_job_id: str
    appointment_id: str | None
    technician_id: str | None
    slot: _Slot


def _times(
    appointment: Appointment, row: VisitRow | None, sent: SentRecord | None
) -> tuple[datetime | None, datetime | None, datetime | None]:
    """Arrival, start and completion, each from the best source that has it."""
    arrival = row.arrived_at if row is not None else None
    completion = row.finished_at if row is not None else None
    if sent is not None:
        arrival = arrival or sent.fulfillment_start
        completion = completion or sent.fulfillment_end
    if completion is None and appointment.poa is not None:
        completion = appointment.poa.upload_time
    start = (row.started_at if row is not None else None) or arrival
    return arrival, start, completion


def audit_jobs(
    jobs: Iterable[ServiceJob],
    settings: AuditSettings,
    *,
    visits: Iterable[VisitRow] = (),
    sent: Iterable[SentRecord] = (),
    plans: Iterable[Plan] = (),
    zones: Callable[[ServiceJob], ZoneInfo] | None = None,
) -> Audit:
    """Audit the appointments of ``jobs`` whose local date is in the settings' period.

    ``jobs`` is read once, one job at a time, so it may be a generator over a large file.
    """
    auditor = Auditor(settings, visits, sent, PlanIndex.from_plans(plans), zones)
    with without_cycle_collection():
        for job in jobs:
            auditor.job(job)
        return auditor.finish()


_OUTCOMES = {
    None: Outcome.NONE,
    VisitOutcome.COMPLETED: Outcome.COMPLETED,
    VisitOutcome.INCOMPLETE: Outcome.INCOMPLETE,
    VisitOutcome.CUSTOMER_NO_SHOW: Outcome.CUSTOMER_NO_SHOW,
}


class Auditor:
    """Works out the facts of each appointment (:mod:`routing.audit.facts` counts them).

    :meth:`job` takes the jobs one at a time, :meth:`finish` counts and returns the
    :class:`Audit`. Auditors forked from one (the same inputs) can each take a share of the
    jobs: :meth:`part` is what one found, as plain data, and :meth:`absorb` adds it to
    another as if that one had taken those jobs itself, after its own
    (:mod:`routing.audit.shards`).
    """

    def __init__(
        self,
        settings: AuditSettings,
        visits: Iterable[VisitRow],
        sent: Iterable[SentRecord],
        plans: PlanIndex,
        zones: Callable[[ServiceJob], ZoneInfo] | None,
    ) -> None:
        self.settings = settings
        self._period = (settings.start, settings.end)
        self.rows = {(r.service_job_id, r.appointment_id): r for r in visits}
        self.sent = {(s.service_job_id, s.appointment_id): s for s in sent}
        self.used: set[tuple[str, str]] = set()
        self.plans = plans
        self.zones = zones or JobZones(settings.timezone)
        self.groups: dict[TechnicianDay, int] = {}
        self.facts = Facts()
        self.skill_sets: dict[tuple[str, ...], int] = {}
        self.seen: list[_Seen] = []
        """Per row of facts."""
        self.names: dict[str, str] = dict(plans.names)
        self.problems: list[str] = []
        self._latest: dict[tuple[int, float], int] = {}
        """(window end, planned minutes) -> latest finish, both in microseconds."""
        self._midnights: dict[tuple[date, ZoneInfo], int] = {}
        self._slots: dict[tuple[datetime, int, ZoneInfo], _Slot] = {}
        self._minutes: dict[tuple[str | None, tuple[str, ...], int | None] | None, float] = {}

    # --- one job ---------------------------------------------------------------------------

    def job(self, job: ServiceJob) -> None:
        job_id = job.service_job_id or ""
        if job.service_job_status is not None and job.service_job_status not in _JOB_STATUSES:
            self.problems.append(
                f"job {job_id}: unknown status {job.service_job_status}; "
                "it counts as neither completed nor cancelled"
            )
        appointments = job.appointments or []
        replaced = _replaced(appointments)
        zone = self.zones(job)
        scope = job.scope_of_work
        skills = tuple((scope.required_skills if scope is not None else None) or ["(none)"])
        skill_set = self.skill_sets.setdefault(skills, len(self.skill_sets))
        default_minutes = self._default_minutes(scope, skills)
        visits = [
            self._visit(job_id, index, appointment, zone, index in replaced, skill_set,
                        default_minutes)
            for index, appointment in enumerate(appointments)
            if appointment.appointment_time is not None
        ]
        if len(visits) > 1:
            visits.sort(key=lambda v: v.start)
        self._job_facts(job, visits, zone)

    def _default_minutes(self, scope: ScopeOfWork | None, skills: tuple[str, ...]) -> float:
        """The duration table's minutes for ``scope``, cached by what they depend on."""
        key = None if scope is None else (scope.asin, skills, scope.quantity)
        found = self._minutes.get(key)
        if found is None:
            duration = self.settings.durations.duration_for(scope)
            found = self._minutes[key] = duration.total_seconds() / 60
        return found

    def _visit(
        self, job_id: str, index: int, appointment: Appointment, zone: ZoneInfo,
        replaced: bool, skill_set: int, default_minutes: float,
    ) -> _Visit:
        """The appointment's :class:`_Visit`; in the period, also its row of facts."""
        appointment_id = appointment.appointment_id or ""
        key = (job_id, appointment_id)
        self.used.add(key)
        row = self.rows.get(key)
        sent = self.sent.get(key) if self.sent else None
        time = appointment.appointment_time
        assert time is not None  # filtered by the caller
        slot = self._slot(time.start_time, time.duration_in_minutes, zone)
        technician = self._technician(appointment, row, sent)
        status = appointment.appointment_status
        if status is not None and status not in _APPOINTMENT_STATUSES:
            self.problems.append(
                f"job {job_id} appointment {appointment_id or f'#{index}'}: unknown status "
                f"{status}; it counts only as an appointment"
            )
        outcome = row.outcome if row is not None else None
        completed = status == _COMPLETED or outcome is _VISIT_COMPLETED
        arrival, start, completion = _times(appointment, row, sent)
        completed_at = micros(completion)
        visit = _Visit(slot.start, slot.local_date, technician, replaced, completed_at,
                       outcome, completed, None)
        first_day, last_day = self._period
        if not first_day <= slot.local_date <= last_day:
            return visit
        visit.row = len(self.facts)
        planned = self.plans.stop_for(job_id, appointment_id) if self.plans.stops else None
        planned_minutes = planned.service_minutes if planned is not None else default_minutes
        estimate = sent.arrival_estimate if sent is not None else None
        latest = self._latest.get((slot.end, planned_minutes))
        if latest is None:
            latest = slot.end + timedelta(minutes=planned_minutes) // _MICROSECOND
            self._latest[(slot.end, planned_minutes)] = latest
        arrived = micros(arrival)
        # Fact._make of a tuple (so _Seen's below): building a NamedTuple by its
        # constructor costs several times more, and this runs once per appointment
        self.facts.rows.append(Fact._make((
            self.groups.setdefault((technician, slot.local_date), len(self.groups)),  # group
            slot.start,  # window_start
            slot.end,  # window_end
            arrived,  # arrival
            arrived if start is arrival else micros(start),  # start
            completed_at,  # completion
            NO_TIME if estimate is None else micros(estimate.start),  # eta_start
            NO_TIME if estimate is None else micros(estimate.end),  # eta_end
            NO_TIME if planned is None else micros(planned.arrival),  # planned_arrival
            latest,  # latest_finish
            planned_minutes,
            completed,
            replaced,
            replaced and self._by_provider(sent),  # by_provider
            # due: live at its window, which a visit-log row proves even when the
            # appointment was rescheduled or cancelled afterwards (a customer no-show)
            technician is not None and (
                row is not None or (not replaced and status in _DUE_STATUSES)),
            (  # evidence
                row is not None
                or (sent is not None and sent.has_fulfillment)
                or appointment.poa is not None
                or status == _COMPLETED
            ),
            _OUTCOMES[outcome],
            skill_set,
        )))
        self.seen.append(_Seen._make((job_id, appointment.appointment_id, technician, slot)))
        return visit

    def _slot(self, start: datetime, minutes: int, zone: ZoneInfo) -> _Slot:
        """The window from ``start`` for ``minutes``, worked out once per slot: appointments
        are booked into a few slots a day, and converting each one's times was a good part
        of the audit (timedelta, astimezone and :func:`micros` cost microseconds each).
        Keyed as datetimes compare, by instant: two offsets of the same start share a window,
        which the report shows in its own timezone anyway."""
        key = (start, minutes, zone)
        slot = self._slots.get(key)
        if slot is None:
            begins = micros(start)
            slot = self._slots[key] = _Slot(
                start.astimezone(zone).date(), begins, begins + minutes * _MINUTE
            )
        return slot

    def _technician(
        self, appointment: Appointment, row: VisitRow | None, sent: SentRecord | None
    ) -> str | None:
        """Visit log > POA uploader > resource routeplan sent > assignedTechnicians."""
        poa = appointment.poa
        assigned = None
        for technician in appointment.assigned_technicians or ():
            if technician.technician_id:
                assigned = assigned or technician.technician_id
                if technician.name:
                    self.names.setdefault(technician.technician_id, technician.name)
        for technician in (poa and poa.technicians) or ():
            if technician.technician_id and technician.name:
                self.names.setdefault(technician.technician_id, technician.name)
        return (
            (row.technician_id if row is not None else None)
            or (poa.uploading_technician if poa is not None else None)
            or (sent.technician_id if sent is not None else None)
            or assigned
        )

    def _by_provider(self, sent: SentRecord | None) -> bool:
        if sent is None or sent.reschedule_reason is None:
            return False
        reasons = self.settings.provider_reschedule_reasons
        return reasons is None or sent.reschedule_reason in reasons

    def _job_facts(self, job: ServiceJob, visits: list[_Visit], zone: ZoneInfo) -> None:
        """The job-level verdicts, on the appointment that carries each; ``visits`` in
        window order."""
        if not visits:
            return
        facts = self.facts
        late = False
        completing = _last_completed(visits)
        if completing is not None and completing.row is not None:
            if completing.completion != NO_TIME:
                late = completing.completion > self._midnight_after(completing.local_date, zone)
                facts.late_completion[completing.row] = _VERDICTS[late]
            facts.first_visit_completion[completing.row] = _VERDICTS[completing is visits[0]]
        first = _first_attributed(visits)
        if first is None or first.row is None:
            return
        cancelled = job.service_job_status == _JOB_CANCELLED and visits[-1].technician is not None
        facts.cancellation[first.row] = _VERDICTS[cancelled]
        facts.break_causes[first.row] = (  # the bits of the causes that hold
            _RESCHEDULED * first.replaced
            + _CANCELLED * cancelled
            + _SEVERAL * (len(visits) > 1)
            + _LATE * late
            + _INCOMPLETE_FIRST * (first.outcome is _VISIT_INCOMPLETE)
        )

    def _midnight_after(self, day: date, zone: ZoneInfo) -> int:
        """The local midnight ending ``day``, in microseconds (cached: jobs share few days
        and zones)."""
        key = (day, zone)
        midnight = self._midnights.get(key)
        if midnight is None:
            midnight = self._midnights[key] = micros(day_bounds(day, zone).end)
        return midnight

    # --- shares of the jobs ------------------------------------------------------------------

    def part(self) -> Part:
        """What this auditor found, to :meth:`absorb` into another forked from the same
        inputs."""
        facts = self.facts
        used = [key in self.used for key in (*self.rows, *self.sent)]
        return Part(
            facts.table(), {name: getattr(facts, name) for name in VERDICTS}, self.seen,
            list(self.groups), list(self.skill_sets), self.names, self.problems,
            np.array(used, dtype=np.bool_),
        )

    def absorb(self, part: Part) -> None:
        """Take in ``part`` as if this auditor had audited its jobs after its own."""
        offset = len(self.facts)
        table = part.table
        table["group"] = _indices(self.groups, part.groups)[table["group"]]
        table["skills"] = _indices(self.skill_sets, part.skill_sets)[table["skills"]]
        self.facts.extend(table)
        for name, verdicts in part.verdicts.items():
            getattr(self.facts, name).update({row + offset: v for row, v in verdicts.items()})
        self.seen += part.seen
        for technician, name in part.names.items():
            self.names.setdefault(technician, name)
        self.problems += part.problems
        self.used.update(key for key, used in zip((*self.rows, *self.sent), part.used.tolist(),
                                                   strict=True) if used)

    # --- the end ---------------------------------------------------------------------------

    def finish(self) -> Audit:
        settings, facts = self.settings, self.facts
        facts.skill_sets = list(self.skill_sets)
        counts = count(facts, len(self.groups), now=settings.now,
                       early_tolerance=settings.early_tolerance,
                       adherence_tolerance=settings.adherence_tolerance)
        appointments = self._appointments(counts.findings)
        tallies: dict[TechnicianDay, Tally] = {}
        for key, group in self.groups.items():
            tally = tallies[key] = Tally()
            for metric, numerators in counts.numerators.items():
                numerator, denominator = numerators[group], counts.denominators[metric][group]
                if numerator or denominator:
                    tally.add(metric, numerator, denominator)
        for (technician, day), shift in self.plans.shift_minutes.items():
            if settings.start <= day <= settings.end and shift > 0:
                row = self.groups.get((technician, day))
                onsite = counts.onsite_minutes[row] if row is not None else 0
                tallies.setdefault((technician, day), Tally()).add(
                    Metric.UTILISATION, onsite, shift
                )
        for (technician, day), (drive, stops) in self.plans.drive.items():
            if settings.start <= day <= settings.end:
                tally = tallies.setdefault((technician, day), Tally())
                tally.add(Metric.PLANNED_DRIVE_PER_JOB, drive, stops)
        for source, records in (("visit log line", self.rows), ("sent record", self.sent)):
            for ids, record in records.items():
                if ids not in self.used:
                    where = f" {record.line}" if isinstance(record, VisitRow) else ""
                    self.problems.append(
                        f"{source}{where}: appointment {ids[1]} of job {ids[0]} is not among "
                        "the jobs audited"
                    )
        return Audit(
            settings, tallies, appointments, self.names, counts.duration_samples, self.problems
        )

    def _appointments(self, findings: list[list[Metric]]) -> list[AppointmentAudit]:
        """The audited appointments, their times in the period's timezone: the window once
        per slot, arrival and completion from their columns of facts."""
        zone, table = self.settings.timezone, self.facts.table()
        windows: dict[_Slot, Window] = {}
        appointments = []
        for seen, arrival, completion, found in zip(
            self.seen, table["arrival"].tolist(), table["completion"].tolist(), findings,
            strict=True,
        ):
            slot = seen.slot
            window = windows.get(slot)
            if window is None:
                window = windows[slot] = Window(_at(slot.start, zone), _at(slot.end, zone))
            appointments.append(AppointmentAudit(
                seen.service_job_id, seen.appointment_id, seen.technician_id, slot.local_date,
                window, _moment(arrival, zone), _moment(completion, zone), found,
            ))
        return appointments


@dataclass
class Part:
    """What an :class:`Auditor` found in its share of the jobs, as plain data: numpy
    records, strings and small tuples cross processes fast, where models and aware
    datetimes take seconds to pickle for a hundred thousand appointments."""

    table: npt.NDArray[np.void]
    """The rows of facts (:meth:`Facts.table`)."""
    verdicts: dict[str, dict[int, int]]
    """The job-level verdicts by name (:data:`VERDICTS`), by row."""
    seen: list[_Seen]
    groups: list[TechnicianDay]
    """The technician-days the ``group`` column numbers."""
    skill_sets: list[tuple[str, ...]]
    """The skill tuples the ``skills`` column numbers."""
    names: dict[str, str]
    problems: list[str]
    used: npt.NDArray[np.bool_]
    """Which visit-log rows, then which sent records, its jobs used (in the inputs' order,
    the same in every forked auditor)."""


def _indices(index: dict[_K, int], keys: list[_K]) -> npt.NDArray[np.int64]:
    """Where each of ``keys`` is in ``index`` (numbered in order), adding the new ones."""
    return np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)


def _at(microseconds: int, zone: ZoneInfo) -> datetime:
    """The instant ``microseconds`` after the epoch, in ``zone`` (exact: whole seconds
    through ``fromtimestamp``, twice as fast as adding a timedelta to the epoch)."""
    seconds, rest = divmod(microseconds, 1_000_000)
    moment = datetime.fromtimestamp(seconds, zone)
    return moment.replace(microsecond=rest) if rest else moment


def _moment(microseconds: int, zone: ZoneInfo) -> datetime | None:
    """A time column's value in ``zone`` (None for :data:`NO_TIME`)."""
    return None if microseconds == NO_TIME else _at(microseconds, zone)


# The next two are loops rather than next() over a generator, which costs several times
# more for the one or two visits of a job, once per job


def _last_completed(visits: list[_Visit]) -> _Visit | None:
    for visit in reversed(visits):
        if visit.completed:
            return visit
    return None


def _first_attributed(visits: list[_Visit]) -> _Visit | None:
    """The first visit with a technician."""
    for visit in visits:
        if visit.technician is not None:
            return visit
    return None


def _replaced(appointments: list[Appointment]) -> set[int]:
    """Indices of appointments another of their chain took over from."""
    replaced: set[int] = set()
    if len(appointments) < 2:  # most jobs: nothing to link
        return replaced
    for chain in reschedule_chains(appointments):
        if len(chain) > 1:
            replaced.update(chain)
            replaced.discard(_survivor(chain, appointments))
    return replaced


def _survivor(chain: list[int], appointments: list[Appointment]) -> int:
    """The chain's newest live appointment, else its last completed one, else its last."""
    for wanted in ((AppointmentStatus.ACTIVE, None), (AppointmentStatus.COMPLETED,)):
        matching = [i for i in chain if appointments[i].appointment_status in wanted]
        if matching:
            return matching[-1]
    return chain[-1]
