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
Everything is linear in the number of appointments; only the per-appointment findings and
the per-skill duration ratios are kept, not the jobs.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from routing.audit.inputs import PlanIndex, PlannedStop, SentRecord, minutes
from routing.audit.metrics import AMAZON_THRESHOLDS, Metric, Polarity, Tally
from routing.audit.visitlog import VisitOutcome, VisitRow
from routing.audit.zones import JobZones
from routing.durations import DurationTable
from routing.plan import Plan
from routing.spapi.enums import AppointmentStatus, ServiceJobStatus
from routing.spapi.models import Appointment, ServiceJob
from routing.visits import Window, day_bounds, reschedule_chains

__all__ = ["AppointmentAudit", "Audit", "AuditSettings", "audit_jobs"]

TechnicianDay = tuple[str | None, date]
"""A tally's key; technician None = nobody could be attributed."""

_K = TypeVar("_K")

_FAULTS = frozenset(m for m in Metric if m.polarity is Polarity.FAULT)
_GOODS = frozenset(m for m in Metric if m.polarity is Polarity.GOOD)

_DUE_STATUSES = (AppointmentStatus.ACTIVE, AppointmentStatus.COMPLETED, None)


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
    """One audited appointment and the metrics it fails (its findings)."""

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
    """What the metrics need of one appointment, worked out once (see the module doc)."""

    appointment: Appointment
    window: Window
    local_date: date
    technician: str | None
    row: VisitRow | None
    sent: SentRecord | None
    planned: PlannedStop | None
    replaced: bool
    arrival: datetime | None
    start: datetime | None
    completion: datetime | None
    outcome: VisitOutcome | None
    completed: bool
    tally: Tally | None = None
    """Of the visit's technician-day; None outside the period."""
    audit: AppointmentAudit | None = None
    """None outside the period: such an appointment still shapes its job, but is not counted."""


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
    auditor = _Auditor(settings, visits, sent, PlanIndex.from_plans(plans), zones)
    with _without_cycle_collection():
        for job in jobs:
            auditor.job(job)
    return auditor.finish()


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The pass makes no reference cycles but keeps every appointment's record alive, so
    the cycle collector would rescan a growing heap again and again for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Auditor:
    def __init__(
        self,
        settings: AuditSettings,
        visits: Iterable[VisitRow],
        sent: Iterable[SentRecord],
        plans: PlanIndex,
        zones: Callable[[ServiceJob], ZoneInfo] | None,
    ) -> None:
        self.settings = settings
        self.rows = {(r.service_job_id, r.appointment_id): r for r in visits}
        self.sent = {(s.service_job_id, s.appointment_id): s for s in sent}
        self.used: set[tuple[str, str]] = set()
        self.plans = plans
        self.zones = zones or JobZones(settings.timezone)
        self.tallies: dict[TechnicianDay, Tally] = {}
        self.appointments: list[AppointmentAudit] = []
        self.names: dict[str, str] = dict(plans.names)
        self.onsite: dict[TechnicianDay, int] = defaultdict(int)
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.problems: list[str] = []

    # --- one job ---------------------------------------------------------------------------

    def job(self, job: ServiceJob) -> None:
        job_id = job.service_job_id or ""
        if job.service_job_status is not None and not job.service_job_status.is_known:
            self.problems.append(
                f"job {job_id}: unknown status {job.service_job_status}; "
                "it counts as neither completed nor cancelled"
            )
        appointments = job.appointments or []
        replaced = _replaced(appointments)
        zone = self.zones(job)
        visits = [
            self._visit(job, index, appointment, zone, index in replaced)
            for index, appointment in enumerate(appointments)
            if appointment.appointment_time is not None
        ]
        for visit in visits:
            if visit.audit is not None:
                self._appointment_metrics(job, visit)
        self._job_metrics(job, sorted(visits, key=lambda v: v.window.start), zone)

    def _visit(
        self, job: ServiceJob, index: int, appointment: Appointment, zone: ZoneInfo,
        replaced: bool,
    ) -> _Visit:
        job_id = job.service_job_id or ""
        appointment_id = appointment.appointment_id or ""
        key = (job_id, appointment_id)
        self.used.add(key)
        row, sent = self.rows.get(key), self.sent.get(key)
        time = appointment.appointment_time
        assert time is not None  # filtered by the caller
        end = time.start_time + timedelta(minutes=time.duration_in_minutes)
        window = Window(time.start_time, end)
        local_date = window.start.astimezone(zone).date()
        technician = self._technician(appointment, row, sent)
        status = appointment.appointment_status
        if status is not None and not status.is_known:
            self.problems.append(
                f"job {job_id} appointment {appointment_id or f'#{index}'}: unknown status "
                f"{status}; it counts only as an appointment"
            )
        outcome = row.outcome if row is not None else None
        visit = _Visit(
            appointment, window, local_date, technician, row, sent,
            self.plans.stop_for(job_id, appointment_id), replaced, *_times(appointment, row, sent),
            outcome, status == AppointmentStatus.COMPLETED or outcome is VisitOutcome.COMPLETED,
        )
        if self.settings.start <= local_date <= self.settings.end:
            visit.tally = self.tallies.get((technician, local_date))
            if visit.tally is None:
                visit.tally = self.tallies[(technician, local_date)] = Tally()
            visit.audit = AppointmentAudit(
                job_id, appointment.appointment_id, technician, local_date, window,
                visit.arrival, visit.completion, [],
            )
            self.appointments.append(visit.audit)
        return visit

    def _technician(
        self, appointment: Appointment, row: VisitRow | None, sent: SentRecord | None
    ) -> str | None:
        """Visit log > POA uploader > resource routeplan sent > assignedTechnicians."""
        poa = appointment.poa
        named = [*(appointment.assigned_technicians or ()), *((poa and poa.technicians) or ())]
        for technician in named:
            if technician.technician_id and technician.name:
                self.names.setdefault(technician.technician_id, technician.name)
        assigned = next(
            (t.technician_id for t in appointment.assigned_technicians or () if t.technician_id),
            None,
        )
        return (
            (row.technician_id if row is not None else None)
            or (poa.uploading_technician if poa is not None else None)
            or (sent.technician_id if sent is not None else None)
            or assigned
        )

    # --- the metrics -----------------------------------------------------------------------

    @staticmethod
    def _count(visit: _Visit, metric: Metric, hit: bool) -> None:
        assert visit.tally is not None and visit.audit is not None
        visit.tally.count(metric, hit)
        if (metric in _FAULTS) if hit else (metric in _GOODS):
            visit.audit.findings.append(metric)

    def _appointment_metrics(self, job: ServiceJob, visit: _Visit) -> None:
        settings, window = self.settings, visit.window
        arrival, start, completion = visit.arrival, visit.start, visit.completion
        if arrival is not None:
            earliest = window.start - settings.early_tolerance
            self._count(visit, Metric.ON_TIME_ARRIVAL, earliest <= arrival <= window.end)
            self._count(visit, Metric.EARLY_ARRIVAL, arrival < earliest)
            if visit.sent is not None and visit.sent.arrival_estimate is not None:
                estimate = visit.sent.arrival_estimate
                self._count(visit, Metric.ETA_ACCURACY, estimate.start <= arrival <= estimate.end)
            if visit.planned is not None:
                off = abs(arrival - visit.planned.arrival)
                self._count(visit, Metric.SCHEDULE_ADHERENCE, off <= settings.adherence_tolerance)
            if completion is not None and completion >= arrival:
                self.onsite[(visit.technician, visit.local_date)] += minutes(completion - arrival)
        planned_minutes = (
            visit.planned.service_minutes
            if visit.planned is not None
            else settings.durations.duration_for(job.scope_of_work).total_seconds() / 60
        )
        if visit.completed and start is not None:
            self._count(visit, Metric.LATE_START, not window.start <= start < window.end)
        if visit.completed and completion is not None:
            latest = window.end + timedelta(minutes=planned_minutes)
            self._count(visit, Metric.COMPLETION_IN_WINDOW, completion <= latest)
            if start is not None and completion >= start and planned_minutes > 0:
                self._duration_sample(job, visit, minutes(completion - start), planned_minutes)
        self._no_show_metrics(visit)
        provider = visit.replaced and self._by_provider(visit.sent)
        self._count(visit, Metric.RESCHEDULE, visit.replaced)
        self._count(visit, Metric.RESCHEDULE_PROVIDER, provider)
        self._count(visit, Metric.RESCHEDULE_UNATTRIBUTED, visit.replaced and not provider)

    def _no_show_metrics(self, visit: _Visit) -> None:
        """Counted on appointments due: window over, not replaced, live or done, assigned."""
        status = visit.appointment.appointment_status
        if (
            visit.window.end > self.settings.now
            or visit.replaced
            or visit.technician is None
            or status not in _DUE_STATUSES
        ):
            return
        customer = visit.outcome is VisitOutcome.CUSTOMER_NO_SHOW
        evidence = (
            visit.row is not None
            or (visit.sent is not None and visit.sent.has_fulfillment)
            or visit.appointment.poa is not None
            or status == AppointmentStatus.COMPLETED
        )
        self._count(visit, Metric.CUSTOMER_NO_SHOW, customer)
        self._count(visit, Metric.TECHNICIAN_NO_SHOW, not evidence)

    def _by_provider(self, sent: SentRecord | None) -> bool:
        if sent is None or sent.reschedule_reason is None:
            return False
        reasons = self.settings.provider_reschedule_reasons
        return reasons is None or sent.reschedule_reason in reasons

    def _duration_sample(
        self, job: ServiceJob, visit: _Visit, actual: int, planned: float
    ) -> None:
        assert visit.tally is not None
        visit.tally.add(Metric.DURATION_RATIO, actual, round(planned))
        scope = job.scope_of_work
        for skill in (scope.required_skills if scope is not None else None) or ["(none)"]:
            self.samples[skill].append(actual / planned)

    def _job_metrics(self, job: ServiceJob, visits: list[_Visit], zone: ZoneInfo) -> None:
        """``visits`` in window order."""
        if not visits:
            return
        late = False
        completing = next((v for v in reversed(visits) if v.completed), None)
        if completing is not None and completing.audit is not None:
            completion = completing.completion
            if completion is not None:
                late = completion > day_bounds(completing.local_date, zone).end
                self._count(completing, Metric.LATE_COMPLETION, late)
            self._count(completing, Metric.FIRST_VISIT_COMPLETION, completing is visits[0])
        first = next((v for v in visits if v.technician is not None), None)
        if first is None or first.audit is None:
            return
        cancelled = (
            job.service_job_status == ServiceJobStatus.CANCELLED
            and visits[-1].technician is not None
        )
        self._count(first, Metric.CANCELLATION_AFTER_ASSIGNMENT, cancelled)
        causes = {
            Metric.BREAK_RESCHEDULED: first.replaced,
            Metric.BREAK_CANCELLED: cancelled,
            Metric.BREAK_SEVERAL_APPOINTMENTS: len(visits) > 1,
            Metric.BREAK_LATE_COMPLETION: late,
            Metric.BREAK_INCOMPLETE_FIRST_VISIT: first.outcome is VisitOutcome.INCOMPLETE,
        }
        self._count(first, Metric.FULFILLMENT_BREAK, any(causes.values()))
        for metric, hit in causes.items():
            self._count(first, metric, hit)

    # --- the end ---------------------------------------------------------------------------

    def finish(self) -> Audit:
        settings = self.settings
        for (technician, day), shift in self.plans.shift_minutes.items():
            if settings.start <= day <= settings.end and shift > 0:
                tally = self.tallies.setdefault((technician, day), Tally())
                tally.add(Metric.UTILISATION, self.onsite.get((technician, day), 0), shift)
        for (technician, day), (drive, stops) in self.plans.drive.items():
            if settings.start <= day <= settings.end:
                tally = self.tallies.setdefault((technician, day), Tally())
                tally.add(Metric.PLANNED_DRIVE_PER_JOB, drive, stops)
        for source, records in (("visit log line", self.rows), ("sent record", self.sent)):
            for key, record in records.items():
                if key not in self.used:
                    where = f" {record.line}" if isinstance(record, VisitRow) else ""
                    self.problems.append(
                        f"{source}{where}: appointment {key[1]} of job {key[0]} is not among "
                        "the jobs audited"
                    )
        return Audit(
            settings, self.tallies, self.appointments, self.names, dict(self.samples),
            self.problems,
        )


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
