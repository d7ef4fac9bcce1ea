"""What each of a day's jobs needs, and why one cannot be planned (``routeplan jobs``).

The jobs are read by the planner's own rules (``routing.planner.job_rules``) and their
addresses placed in one batch (``routing.geo.geocode_batch``), so a job flagged here is one
the planner would settle the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from routing.geo import Geocoder, geocode_batch
from routing.planner import PlanOptions, job_rules
from routing.roster import Roster
from routing.spapi.models import (
    Appointment,
    ServiceJob,
    ServiceJobStatus,
    ServiceLocation,
    ServiceLocationType,
)
from routing.visits import (
    JobRules,
    JobVisit,
    Unassigned,
    active_appointment,
    day_bounds,
    is_rescheduled,
    job_to_visit,
)

__all__ = ["FLAGS", "JobDiagnosis", "diagnose"]

FLAGS = {
    "needs_technician": "active appointment with no technician assigned",
    "pending_schedule": "waiting for an appointment (buyer's preferred times)",
    "rescheduled": "the appointment replaces an earlier one",
    "not_geocodable": "the address cannot be placed on the map",
    "not_plannable": "cannot be planned on this date (see reason)",
}
"""Each flag a job can carry, and what it means."""


@dataclass(frozen=True)
class JobDiagnosis:
    """One job on the day; ``window`` is for people, ``windows`` for programs."""

    service_job_id: str
    status: str
    window: str
    technicians: list[str]
    address: str
    flags: list[str]
    reason: str | None
    """None, or "code: sentence" when the job cannot be planned."""
    window_start: str | None = None
    window_end: str | None = None
    windows: list[dict[str, str]] = field(default_factory=list)


def diagnose(jobs: Sequence[ServiceJob], roster: Roster | None, day: date, tz: ZoneInfo,
             geocoder: Geocoder, rejected: Sequence[Unassigned] = ()) -> list[JobDiagnosis]:
    """Each job's diagnosis on ``day`` (read in ``tz``), then the unreadable ``rejected``.

    Without a roster no assigned technician can be checked (as ``plan_day`` with reassign).
    """
    rules = job_rules(roster, day, PlanOptions(), tz=tz)
    keys = [job.service_job_id or f"#{n}" for n, job in enumerate(jobs)]
    batch = geocode_batch(geocoder, [
        (key, place.address) for key, job in zip(keys, jobs, strict=True)
        if (place := job.service_location) is not None and place.address is not None
        and place.service_location_type != ServiceLocationType.ONLINE
    ])
    lines = [_diagnosis(job, rules, key in batch.points) for key, job in zip(keys, jobs,
                                                                              strict=True)]
    return lines + [
        JobDiagnosis(r.service_job_id, "unreadable", "—", [], "—", ["not_plannable"],
                     f"{r.reason.value}: {r.sentence}")
        for r in rejected
    ]


def _diagnosis(job: ServiceJob, rules: JobRules, placed: bool) -> JobDiagnosis:
    appointment = active_appointment(job, day_bounds(rules.day, rules.tz))
    outcome = job_to_visit(job, rules)
    location = job.service_location
    online = location is not None and location.service_location_type == ServiceLocationType.ONLINE
    spans, reason = _verdict(outcome, rules.tz)
    windows = [{"start": start.isoformat(), "end": end.isoformat()} for start, end in spans]
    assigned = appointment.assigned_technicians if appointment is not None else None
    return JobDiagnosis(
        job.service_job_id or "?", str(job.service_job_status or "—"),
        ", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in spans) or "—",
        [t.technician_id or "?" for t in assigned or ()],
        "online" if online else _where(location),
        _flags(job, appointment, not online and not placed, reason is None), reason,
        window_start=windows[0]["start"] if windows else None,
        window_end=windows[0]["end"] if windows else None, windows=windows,
    )


def _verdict(outcome: JobVisit | Unassigned,
             tz: ZoneInfo) -> tuple[list[tuple[datetime, datetime]], str | None]:
    """The job's windows on the day (local), or why it cannot be planned."""
    if isinstance(outcome, JobVisit):
        return [(w.start.astimezone(tz), w.end.astimezone(tz)) for w in outcome.windows], None
    return [], f"{outcome.reason.value}: {outcome.sentence}"


def _flags(job: ServiceJob, appointment: Appointment | None, unplaced: bool,
           plannable: bool) -> list[str]:
    raised = {
        "needs_technician": appointment is not None and not appointment.assigned_technicians,
        "pending_schedule": job.service_job_status == ServiceJobStatus.PENDING_SCHEDULE,
        "rescheduled": appointment is not None and is_rescheduled(job, appointment),
        "not_geocodable": unplaced,
        "not_plannable": not plannable,
    }
    return [name for name in FLAGS if raised[name]]


def _where(location: ServiceLocation | None) -> str:
    address = location.address if location is not None else None
    if address is None:
        return "—"
    return f"{address.address_line1}, {address.city or ''} {address.postal_code or ''}".strip()


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")
