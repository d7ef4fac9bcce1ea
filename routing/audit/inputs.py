"""What the audit reads besides jobs and the visit log: what routeplan sent, and its plans.

Amazon never returns ``estimatedArrivalTime`` or ``fulfillmentTime``, so routeplan's own
record of what it sent (:class:`SentRecord`, read from the write-back journals by
:func:`sent_records`) is the only source of them. Saved plans give the planned arrival,
service time, drive and shift (:class:`PlanIndex`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from routing.plan import Plan
from routing.visits import Window
from routing.writeback import ActionKind, Journal

__all__ = ["PlanIndex", "PlannedStop", "SentRecord", "minutes", "sent_records"]


@dataclass(frozen=True, slots=True)
class SentRecord:
    """What routeplan sent Amazon for one appointment (all times aware)."""

    service_job_id: str
    appointment_id: str
    technician_id: str | None = None
    """The resource assigned."""
    arrival_estimate: Window | None = None
    """The ``estimatedArrivalTime`` sent."""
    fulfillment_start: datetime | None = None
    fulfillment_end: datetime | None = None
    reschedule_reason: str | None = None
    """The ``rescheduleReasonCode`` when routeplan rescheduled this appointment."""

    @property
    def has_fulfillment(self) -> bool:
        return self.fulfillment_start is not None or self.fulfillment_end is not None


def sent_records(journals: Iterable[Journal]) -> list[SentRecord]:
    """What Amazon took from routeplan, per appointment, from write-back journals.

    Only calls Amazon accepted count (ok or warning). When an appointment was written more
    than once (a re-plan, another plan file, a corrected visit log), the latest accepted
    call of each kind wins. The kinds read: ``assign`` (the technician), ``eta`` (the
    arrival estimate), ``fulfill`` (the actual start and end, and the technician: the one
    who did the visit, so it overrides the assignment) and ``reschedule`` (its
    ``rescheduleReasonCode``).
    """
    latest: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    for journal in journals:
        for entry in journal.entries():
            key = (entry.service_job_id, entry.appointment_id, entry.kind)
            if entry.state.succeeded and (key not in latest or latest[key][0] < entry.updated_at):
                latest[key] = (entry.updated_at, json.loads(entry.request))
    records: dict[tuple[str, str], SentRecord] = {}
    for (job_id, appointment_id, kind), (_, request) in sorted(latest.items()):
        record = records.get((job_id, appointment_id), SentRecord(job_id, appointment_id))
        records[(job_id, appointment_id)] = _with_request(record, kind, request)
    return list(records.values())


def _with_request(record: SentRecord, kind: str, request: dict[str, Any]) -> SentRecord:
    """``record`` with what one accepted call of ``kind`` sent (``request`` as journalled)."""
    if kind == ActionKind.ASSIGN:
        return replace(record, technician_id=(request.get("resources") or [None])[0])
    if kind == ActionKind.ETA:
        return replace(record, arrival_estimate=Window(
            datetime.fromisoformat(request["start"]), datetime.fromisoformat(request["end"])))
    if kind == ActionKind.FULFILL:
        return replace(
            record, fulfillment_start=_moment(request.get("start")),
            fulfillment_end=_moment(request.get("end")),
            technician_id=(request.get("resources") or [record.technician_id])[0])
    if kind == ActionKind.RESCHEDULE:
        return replace(record, reschedule_reason=request.get("rescheduleReasonCode"))
    return record


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class PlannedStop:
    technician_id: str
    arrival: datetime
    service_minutes: float


@dataclass
class PlanIndex:
    """The saved plans, keyed for the audit; a later plan of the same job wins."""

    stops: dict[tuple[str, str], PlannedStop] = field(default_factory=dict)
    """By (service job id, appointment id); appointment id "" for a pending job."""
    shift_minutes: dict[tuple[str, date], int] = field(default_factory=dict)
    drive: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)
    """Per technician-day: planned drive minutes and planned jobs."""
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_plans(cls, plans: Iterable[Plan]) -> PlanIndex:
        index = cls()
        for plan in plans:
            for route in plan.routes:
                key = (route.technician_id, plan.date)
                index.names[route.technician_id] = route.name
                index.shift_minutes[key] = minutes(route.shift.end - route.shift.start)
                if route.stops:
                    drive = sum(stop.travel_time_s for stop in route.stops)
                    index.drive[key] = (round(drive / 60), len(route.stops))
                for stop in route.stops:
                    service = (stop.service_end - stop.service_start).total_seconds() / 60
                    index.stops[(stop.service_job_id, stop.appointment_id or "")] = PlannedStop(
                        route.technician_id, stop.arrival, service
                    )
        return index

    def stop_for(self, service_job_id: str, appointment_id: str) -> PlannedStop | None:
        return self.stops.get((service_job_id, appointment_id)) or self.stops.get(
            (service_job_id, "")
        )


def minutes(span: timedelta) -> int:
    """Whole minutes, rounded."""
    return round(span.total_seconds() / 60)
