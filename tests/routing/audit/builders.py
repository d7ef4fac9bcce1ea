"""Hand-built jobs for the audit tests: wire-form dicts through the real ServiceJob model."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing.audit import Audit, AuditSettings, Metric, SentRecord, VisitRow, audit_jobs
from routing.audit.visitlog import VisitOutcome
from routing.plan import Plan
from routing.spapi.models import ServiceJob

LA = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 12, 1)
LATER = datetime(2027, 1, 1, tzinfo=UTC)
"""A "now" after every window of the tests."""


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = LA) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def appt(
    appointment_id: str,
    start: datetime,
    *,
    minutes: int = 120,
    status: str | None = "ACTIVE",
    technician: str | None = "T1",
    rescheduled: str | None = None,
    poa_at: datetime | None = None,
    poa_by: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "appointmentId": appointment_id,
        "appointmentTime": {"startTime": start.isoformat(), "durationInMinutes": minutes},
    }
    if status is not None:
        data["appointmentStatus"] = status
    if technician is not None:
        data["assignedTechnicians"] = [{"technicianId": technician, "name": f"Tech {technician}"}]
    if rescheduled is not None:
        data["rescheduledAppointmentId"] = rescheduled
    if poa_at is not None:
        data["poa"] = {"uploadTime": poa_at.isoformat(), "uploadingTechnician": poa_by}
    return data


def job(
    job_id: str, *appointments: dict[str, Any], status: str = "NOT_SERVICED",
    skills: Iterable[str] = ("TV_MOUNTING",),
) -> ServiceJob:
    return ServiceJob.model_validate(
        {
            "serviceJobId": job_id,
            "serviceJobStatus": status,
            "scopeOfWork": {"requiredSkills": list(skills)},
            "appointments": list(appointments),
        }
    )


def visit(
    job_id: str, appointment_id: str, *, technician: str | None = "T1",
    arrived: datetime | None = None, started: datetime | None = None,
    finished: datetime | None = None, outcome: VisitOutcome | None = None, line: int = 2,
) -> VisitRow:
    return VisitRow(
        line, appointment_id, job_id, technician, arrived, started, finished, outcome, None
    )


def run(
    *jobs: ServiceJob, visits: Iterable[VisitRow] = (), sent: Iterable[SentRecord] = (),
    plans: Iterable[Plan] = (), start: date = DAY, end: date = DAY, tz: ZoneInfo = LA,
    now: datetime = LATER,
) -> Audit:
    settings = AuditSettings(start=start, end=end, timezone=tz, now=now)
    return audit_jobs(jobs, settings, visits=visits, sent=sent, plans=plans, zones=lambda _: tz)


def rate(audit: Audit, metric: Metric) -> tuple[int, int]:
    r = audit.overall().rate(metric)
    return r.numerator, r.denominator


def findings(audit: Audit, appointment_id: str) -> list[Metric]:
    return next(a.findings for a in audit.appointments if a.appointment_id == appointment_id)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
