"""What is booked: the slots Amazon offers and the pending job's times (aware datetimes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from routing.booking.options import BookingError
from routing.spapi.enums import ServiceJobStatus
from routing.spapi.models import ServiceJob
from routing.visits import OnTime, Window, appointment_window

__all__ = ["OfferedSlot", "PendingJob", "pending_job"]


@dataclass(frozen=True)
class OfferedSlot:
    """An appointment slot offered for the job: service arrives in [start, end]."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise BookingError(f"slot {self.start}–{self.end} has no timezone")
        if self.end < self.start:
            raise BookingError(f"slot ends before it starts: {self.start} > {self.end}")


@dataclass(frozen=True)
class PendingJob:
    """A job waiting for an appointment: its id, the buyer's preferred times (any date) and
    what "on time" means for its slot (``OnTime``)."""

    service_job_id: str
    preferred: tuple[Window, ...] = ()
    on_time: OnTime = OnTime.ARRIVE

    def start_window(self, slot: OfferedSlot, duration: timedelta) -> Window | None:
        """When service may start to be on time for ``slot``; None if it cannot."""
        if self.on_time == OnTime.ARRIVE:
            return Window(slot.start, slot.end)
        if slot.end - duration < slot.start:
            return None
        return Window(slot.start, slot.end - duration)


def pending_job(job: ServiceJob, on_time: OnTime = OnTime.ARRIVE) -> PendingJob:
    """The pending job of a ``PENDING_SCHEDULE`` service job, its preferred times read as
    ``routing.visits`` reads them (a naive time is UTC)."""
    if job.service_job_id is None or job.service_job_status != ServiceJobStatus.PENDING_SCHEDULE:
        raise BookingError(f"job {job.service_job_id!r} is not pending schedule")
    preferred = tuple(appointment_window(t) for t in job.preferred_appointment_times or ())
    return PendingJob(job.service_job_id, preferred, on_time)
