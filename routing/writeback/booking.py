"""Booking an appointment at Amazon, then assigning its technician and sending its arrival
estimate, journalled so that a run killed at any instant never books a job twice.

Rows (plan id :data:`BOOKING_PLAN_ID`, whatever the horizon, so every run on the same
journal sees them):

* ``add``: keyed (job, ``""``, ``add``): a pending job has no appointment id yet. Its request
  holds the slot, the technician and the planned service start.
* ``reschedule``: keyed (job, the appointment moved away from, ``reschedule``); its request
  carries ``rescheduleReasonCode`` (the audit reads it to attribute the reschedule).
* ``assign`` and ``eta`` of the new appointment, as ``routeplan assign`` writes them.

A booking row still ``started`` (the process died during the call) is settled by
:meth:`BookingWriter.settle` *before any new booking*: the job is read back from Amazon; an
ACTIVE appointment starting at the requested slot means the call took effect (the row
becomes ``ok``, its technician and estimate follow), none means it did not (``failed``; the
job is pending again and is booked afresh). A booking that succeeded but whose assignment
or estimate did not go out is completed the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from routing.spapi import (
    AuthError,
    ServiceJob,
    ServicesClient,
    SlotUnavailableError,
    SpApiError,
)
from routing.spapi.enums import AppointmentStatus
from routing.writeback.actions import (
    DEFAULT_MARGIN,
    Action,
    ActionKind,
    Change,
    Comparison,
    Target,
    actions_for,
    compare_target,
)
from routing.writeback.apply import (
    ActionResult,
    ActionRun,
    ResultStatus,
    failure_outcome,
    success_outcome,
)
from routing.writeback.journal import Entry, Journal, Outcome, State

__all__ = ["BOOKING_PLAN_ID", "BookingRequest", "BookingResult", "BookingWriter"]

BOOKING_PLAN_ID = "booking"
"""The journal's plan id of every booking row: a job is booked once whatever the run."""
_TOOK_EFFECT = "resolved: Amazon shows an active appointment at {start} (the previous run " \
               "stopped during this call, which took effect)"
_NO_EFFECT = "resolved: Amazon shows no appointment at {start} (the previous run stopped " \
             "during this call, which did not take effect)"


@dataclass(frozen=True)
class BookingRequest:
    """A slot to book for a job (or to move its ``appointment_id`` to, with ``reason_code``),
    and who serves it when."""

    service_job_id: str
    start: datetime
    end: datetime
    technician_id: str
    service_start: datetime
    appointment_id: str | None = None
    reason_code: str | None = None

    @property
    def kind(self) -> ActionKind:
        return ActionKind.ADD if self.appointment_id is None else ActionKind.RESCHEDULE

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service_job_id, self.appointment_id or "", self.kind.value)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def to_request(self) -> dict[str, Any]:
        """The journalled request: what is sent, and what follows it."""
        data: dict[str, Any] = {
            "start": _wire(self.start), "end": _wire(self.end),
            "durationInMinutes": round(self.duration.total_seconds() / 60),
            "technicianId": self.technician_id, "serviceStart": _wire(self.service_start)}
        if self.reason_code is not None:
            data["rescheduleReasonCode"] = self.reason_code
        return data

    @classmethod
    def from_entry(cls, entry: Entry) -> BookingRequest:
        data = json.loads(entry.request)
        return cls(entry.service_job_id, datetime.fromisoformat(data["start"]),
                   datetime.fromisoformat(data["end"]), data["technicianId"],
                   datetime.fromisoformat(data["serviceStart"]), entry.appointment_id or None,
                   data.get("rescheduleReasonCode"))


@dataclass
class BookingResult:
    """One job's writes in this run: the booking (None when it was done earlier), the new
    appointment, then its assignment and estimate."""

    request: BookingRequest
    outcome: Outcome | None
    appointment_id: str | None = None
    writes: list[ActionResult] = field(default_factory=list)
    sent: int = 0
    lapsed: bool = False
    """A booking cut off by a crash that Amazon never applied (the job is pending again)."""

    @property
    def failed(self) -> bool:
        """Something to retry: the booking, or its assignment or estimate, failed. A cut-off
        booking found not to have taken effect is not a failure: the job is pending again."""
        booked = self.outcome is None or self.outcome.state.succeeded or self.lapsed
        return not booked or any(w.status in (ResultStatus.FAILED, ResultStatus.BLOCKED)
                                 for w in self.writes)

    @property
    def detail(self) -> str:
        parts = [w.detail for w in self.writes if w.detail]
        if self.outcome is not None:
            parts.insert(0, "; ".join(p for p in (", ".join(self.outcome.codes),
                                                  self.outcome.message or "",
                                                  self.outcome.note or "") if p))
        return "; ".join(p for p in parts if p)


class BookingWriter:
    """Books, assigns and sends estimates through ``client``, journalled in ``journal``."""

    def __init__(self, client: ServicesClient, journal: Journal, *,
                 margin: timedelta = DEFAULT_MARGIN) -> None:
        self.client = client
        self.journal = journal
        self.margin = margin
        self._run = ActionRun(BOOKING_PLAN_ID, client, journal)

    def settle(self) -> list[BookingResult]:
        """Settle what earlier runs left: bookings cut off mid-call (from Amazon's job), and
        bookings whose assignment or estimate is not done. Call before any new booking."""
        done = []
        entries = self.journal.entries(BOOKING_PLAN_ID)
        for entry in entries:
            if entry.kind not in (ActionKind.ADD, ActionKind.RESCHEDULE):
                continue
            if entry.state is State.FAILED or (entry.state.succeeded and _followed(entry, entries)):
                continue
            request = BookingRequest.from_entry(entry)
            job = self.client.get_service_job(request.service_job_id)
            appointment = _active_at(job, request.start)
            if entry.state is not State.STARTED and appointment is None:
                continue  # booked, then moved or cancelled at Amazon since: nothing to do
            outcome = None
            if entry.state is State.STARTED:
                note = (_TOOK_EFFECT if appointment else _NO_EFFECT).format(
                    start=_wire(request.start))
                outcome = Outcome(State.OK if appointment else State.FAILED, note=note)
                self.journal.finish(BOOKING_PLAN_ID, request.key, outcome)
            result = BookingResult(request, outcome, appointment, lapsed=appointment is None)
            if appointment is not None:
                target = Target(request.service_job_id, appointment, request.technician_id,
                                request.service_start)
                result.writes = list(self._follow(compare_target(target, job)))
                result.sent = sum(1 for w in result.writes if w.sent)
            done.append(result)
        return done

    def book(self, request: BookingRequest) -> BookingResult:
        """Add (or reschedule) the appointment, then assign and send the estimate.
        Raises :class:`SlotUnavailableError` when the slot is gone (journalled ``failed``):
        the caller tries another."""
        self.journal.start(BOOKING_PLAN_ID, request.key, json.dumps(request.to_request(),
                                                                   sort_keys=True))
        try:
            if request.appointment_id is None:
                answer = self.client.add_appointment(request.service_job_id, request.start,
                                                     request.duration)
            else:
                assert request.reason_code is not None
                answer = self.client.reschedule_appointment(
                    request.service_job_id, request.appointment_id, request.start,
                    request.duration, request.reason_code)
        except SpApiError as exc:
            outcome = failure_outcome(exc, None)
            self.journal.finish(BOOKING_PLAN_ID, request.key, outcome)
            if isinstance(exc, AuthError | SlotUnavailableError):
                raise
            return BookingResult(request, outcome, sent=1)
        appointment = answer.appointment_id or _active_at(
            self.client.get_service_job(request.service_job_id), request.start)
        outcome = success_outcome(answer, f"booked as appointment {appointment}")
        self.journal.finish(BOOKING_PLAN_ID, request.key, outcome)
        result = BookingResult(request, outcome, appointment, sent=1)
        if appointment is not None:
            target = Target(request.service_job_id, appointment, request.technician_id,
                            request.service_start)
            result.writes = list(self._follow(Comparison(target, Change.NEW)))
        result.sent += sum(1 for w in result.writes if w.sent)
        return result

    def _follow(self, comparison: Comparison) -> Iterator[ActionResult]:
        """The technician and the arrival estimate of a booked appointment."""
        actions: list[Action] = actions_for(comparison, self.margin)
        yield from self._run.appointment(comparison, actions)


def _followed(entry: Entry, entries: list[Entry]) -> bool:
    """A booking whose estimate went out after it: nothing left to do."""
    return any(e.kind == ActionKind.ETA and e.service_job_id == entry.service_job_id
               and e.state.succeeded and e.updated_at > entry.updated_at for e in entries)


def _active_at(job: ServiceJob, start: datetime) -> str | None:
    """The id of the job's ACTIVE appointment starting at ``start``, if any."""
    for appointment in job.appointments or ():
        time = appointment.appointment_time
        begins = time.start_time if time is not None else None
        if begins is not None and begins.tzinfo is None:
            begins = begins.replace(tzinfo=UTC)  # a naive time is UTC, as routing.visits reads it
        if appointment.appointment_status in (None, AppointmentStatus.ACTIVE) and begins == start:
            return appointment.appointment_id
    return None


def _wire(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")

