"""The audit's view of a service job: only the fields it reads, validated straight from JSON.

A full :class:`~routing.spapi.models.ServiceJob` validates and keeps every field Amazon
sends (buyer, payments, items …) that the audit never reads, and its timestamps carry
pydantic's ``TzInfo``, slow in the datetime arithmetic the audit does per appointment.
:class:`AuditJob` keeps the job's id and status, its scope of work, its address (for the
timezone) and, per appointment, the id, status, window, technicians, reschedule link and
POA; the fields it keeps are validated exactly as in ``ServiceJob`` (same types, same open
enums, an offset-less time taken as UTC), so a job the audit cannot read is still rejected
with the same reason. Validated from a JSON line with ``AuditJob.model_validate_json`` (the
JSON is parsed in pydantic-core, never as Python objects), this takes about two thirds of
the time of a ``ServiceJob``, and the audit's own pass over it a little less too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from routing.spapi.enums import AppointmentStatus, ServiceJobStatus
from routing.spapi.models import ScopeOfWork, ServiceJob, ServiceLocation, Technician

__all__ = ["AuditAppointment", "AuditJob", "as_audit_job"]


def _iso_time(value: Any) -> Any:
    """An ISO 8601 date and time parsed by the standard library (``datetime.timezone``
    offsets, fast to compute with); anything else is left to pydantic, which reports it."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _assume_utc(value: datetime) -> datetime:
    """As :data:`routing.spapi.models.ReceivedTimestamp`: an offset-less time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_Timestamp = Annotated[datetime, BeforeValidator(_iso_time), AfterValidator(_assume_utc)]


class _AuditModel(BaseModel):
    """camelCase aliases like the SP-API models; the fields the audit does not read are
    skipped, not kept."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore",
        from_attributes=True,
    )


class AuditAppointmentTime(_AuditModel):
    start_time: _Timestamp
    duration_in_minutes: int


class AuditPoa(_AuditModel):
    technicians: list[Technician] | None = None
    uploading_technician: str | None = None
    upload_time: _Timestamp | None = None


class AuditAppointment(_AuditModel):
    appointment_id: str | None = None
    appointment_status: AppointmentStatus | None = None
    appointment_time: AuditAppointmentTime | None = None
    assigned_technicians: list[Technician] | None = None
    rescheduled_appointment_id: str | None = None
    poa: AuditPoa | None = None


class AuditJob(_AuditModel):
    service_job_id: str | None = None
    service_job_status: ServiceJobStatus | None = None
    scope_of_work: ScopeOfWork | None = None
    appointments: list[AuditAppointment] | None = None
    service_location: ServiceLocation | None = None


def as_audit_job(job: AuditJob | ServiceJob) -> AuditJob:
    """``job`` as the audit reads it (a ``ServiceJob``'s fields copied, not validated again
    from JSON)."""
    return job if isinstance(job, AuditJob) else AuditJob.model_validate(job)
