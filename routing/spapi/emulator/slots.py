"""Appointment slots and bookings: the two slot reads, add and reschedule.

A store's slots come from its :class:`SlotConfig`: every day, its working hours in the store's
local time cut into slots of one length, each taking ``capacity`` appointments. A job's store
is its ``storeId`` (jobs without one share a store); any ``storeId`` asked for is a store.

Capacity is consumed by the ACTIVE appointments of every job of the store: an appointment
holds one place in the slot its window starts in (appointments outside the working hours hold
none). Booking adds an ACTIVE appointment, so it consumes a place; a reschedule frees the old
appointment's place and takes the new one's. The ``slot-taken`` fault plays the race Amazon
answers with 422 "Appointment slot is not available": another buyer fills the slot between the
client's read and its booking (and keeps it).

Error codes and messages follow the model's ``x-amzn-api-sandbox`` examples; where the model
has none, they follow their shape.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.spapi.emulator.dataset import JobStore, StoredJob, Window
from routing.spapi.emulator.errors import EmulatorError
from routing.spapi.emulator.isotime import is_utc, parse_aware, parse_iso
from routing.spapi.emulator.wire import Rejection, error, invalid_input
from routing.spapi.params import MAX_BOOKING_AHEAD, MAX_SLOT_RANGE

__all__ = [
    "SlotBook",
    "SlotConfig",
]

_ACTIVE = "ACTIVE"
_CLOSED_JOB_STATUSES = frozenset({"COMPLETED", "CANCELLED"})
_JOB_SLOT_PARAMETERS = frozenset({"marketplaceIds", "startTime", "endTime"})
_STORE_SLOT_PARAMETERS = _JOB_SLOT_PARAMETERS | {"asin", "storeId"}


@dataclass(frozen=True)
class SlotConfig:
    """A store's slots. The default serves the example day (Tuesday 2026-12-01, King County):

    08:00-18:00 every day in ``America/Los_Angeles`` (the example roster's zone), five
    2-hour slots of 16 places, offered 30 days ahead. The example day's ACTIVE appointments
    of jobs without a ``storeId`` (the pending jobs' store) hold 14, 11, 14, 5 and 5 places
    of its slots: every slot of that day still takes a booking, the busiest two exactly two.

    ``reason_codes`` are the reschedule reason codes the seller agreed with Amazon; None
    accepts any non-empty code.
    """

    timezone: str = "America/Los_Angeles"
    opens: time = time(8)
    closes: time = time(18)
    slot_minutes: int = 120
    capacity: int = 16
    horizon_days: int = 30
    reason_codes: frozenset[str] | None = None
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "zone", ZoneInfo(self.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise EmulatorError(f"slot timezone {self.timezone!r} is not an IANA zone") from None
        if self.opens >= self.closes:
            raise EmulatorError(f"the working hours must end after they begin: "
                                f"{self.opens}-{self.closes}")
        if not 1 <= self.slot_minutes <= self._working_minutes:
            raise EmulatorError(f"slot_minutes must be 1 to {self._working_minutes} (the "
                                f"working hours), got {self.slot_minutes}")
        if self.capacity < 0 or self.horizon_days < 1:
            raise EmulatorError("capacity must be >= 0 and horizon_days >= 1")

    @property
    def _working_minutes(self) -> int:
        return (self.closes.hour * 60 + self.closes.minute) - \
            (self.opens.hour * 60 + self.opens.minute)

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    def day_slots(self, day: date) -> list[datetime]:
        """The starts (UTC) of ``day``'s slots, that day being a local date of the store."""
        first = datetime.combine(day, self.opens, tzinfo=self.zone)
        count = self._working_minutes // self.slot_minutes
        return [(first + k * self.slot_length).astimezone(UTC) for k in range(count)]

    def slot_of(self, moment: datetime) -> datetime | None:
        """The start (UTC) of the slot ``moment`` falls in, or None outside the slots."""
        local = moment.astimezone(self.zone)
        for start in self.day_slots(local.date()):
            if start <= moment < start + self.slot_length:
                return start
        return None

    def slots_between(self, start: datetime, end: datetime) -> list[datetime]:
        """The starts (UTC) of the slots lying wholly within [start, end], in order."""
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        found: list[datetime] = []
        while day <= last:
            found.extend(s for s in self.day_slots(day)
                         if start <= s and s + self.slot_length <= end)
            day += timedelta(days=1)
        return found


class SlotBook:
    """The slots of every store, their capacity left, and the bookings that change it.

    Every method runs under the emulator's lock. ``clock`` is the emulator's now.
    """

    def __init__(self, config: SlotConfig, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        self._taken_by_others: Counter[tuple[str | None, datetime]] = Counter()

    # -- reads ------------------------------------------------------------------------------

    def job_slots(self, store: JobStore, job_id: str,
                  pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """The payload of getAppointmmentSlotsByJobId."""
        query = _query(pairs, _JOB_SLOT_PARAMETERS)
        start, end = self._range(query, "")
        job = _open_job(store, job_id, "get appointment slots")
        return self._report(store, _store_of(job), start, end)

    def store_slots(self, store: JobStore, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """The payload of getAppointmentSlots (any ASIN, any store)."""
        query = _query(pairs, _STORE_SLOT_PARAMETERS)
        if not query.get("asin", "").strip():
            raise _missing("asin")
        store_id = query.get("storeId", "")
        if not 1 <= len(store_id) <= 100:
            raise _missing("storeId")
        start, end = self._range(query, "Range ")
        return self._report(store, store_id, start, end)

    def _range(self, query: Mapping[str, str], prefix: str) -> tuple[datetime, datetime]:
        if not query.get("marketplaceIds") or "," in query["marketplaceIds"]:
            raise _missing("marketplaceIds")
        bounds: dict[str, datetime] = {}
        for name, label in (("startTime", "Start"), ("endTime", "End")):
            if name not in query:
                continue
            value = parse_aware(query[name])
            if value is None:
                raise Rejection(400, invalid_input(
                    f"{prefix}{label} Time is not a valid ISO date/time object"))
            bounds[name] = value
        if not bounds:
            now = self.clock()
            return now, now + timedelta(days=self.config.horizon_days)
        if len(bounds) == 1:
            raise _missing("endTime" if "startTime" in bounds else "startTime")
        start, end = bounds["startTime"], bounds["endTime"]
        if end <= start:
            raise Rejection(400, invalid_input(
                f"{prefix}End Time should be after {prefix}Start Time"))
        if end - start > MAX_SLOT_RANGE:
            raise Rejection(400, invalid_input(
                f"Maximum range of appointment slots can be {MAX_SLOT_RANGE.days} days"))
        return start, end

    def _report(self, store: JobStore, store_id: str | None, start: datetime,
                end: datetime) -> dict[str, Any]:
        now = self.clock()
        horizon = now + timedelta(days=self.config.horizon_days)
        held = self._held(store, store_id)
        slots = [
            {"startTime": _wire(s), "endTime": _wire(s + self.config.slot_length),
             "capacity": max(0, self.config.capacity - held[s])}
            for s in self.config.slots_between(start, end) if now < s <= horizon
        ]
        return {"startTime": _wire(start), "endTime": _wire(end),
                "schedulingType": "REAL_TIME_SCHEDULING", "appointmentSlots": slots}

    def _held(self, store: JobStore, store_id: str | None,
              ignore: Mapping[str, Any] | None = None) -> Counter[datetime]:
        """Places held per slot start: the store's ACTIVE appointments and others' bookings."""
        held: Counter[datetime] = Counter()
        for job in store.jobs:
            if _store_of(job) != store_id:
                continue
            for appointment in job.appointments():
                if appointment is ignore or appointment.get("appointmentStatus") != _ACTIVE:
                    continue
                begins = _start_of(appointment)
                slot = None if begins is None else self.config.slot_of(begins)
                if slot is not None:
                    held[slot] += 1
        for (other_store, slot), count in self._taken_by_others.items():
            if other_store == store_id:
                held[slot] += count
        return held

    # -- writes -----------------------------------------------------------------------------

    def add(self, store: JobStore, job_id: str, body: object, *, race: bool) -> dict[str, Any]:
        """Validate and apply addAppointmentForServiceJobByServiceJobId; the answer's body."""
        requested = _body(body, required=("appointmentTime",))
        job = _open_job(store, job_id, "add appointment")
        if any(a.get("appointmentStatus") == _ACTIVE for a in job.appointments()):
            raise _refused(job_id, "Job already has an active appointmentId.")
        start, minutes = self._take_slot(store, job, requested["appointmentTime"], race)
        appointment = _new_appointment(start, minutes)
        _appointments(job).append(appointment)
        if job.status == "PENDING_SCHEDULE":
            job.document["serviceJobStatus"] = "NOT_SERVICED"
        job.appointment_windows.append(Window(start, start + timedelta(minutes=minutes)))
        job.last_updated = datetime.now(UTC)
        return {"appointmentId": appointment["appointmentId"]}

    def reschedule(self, store: JobStore, job_id: str, appointment_id: str, body: object, *,
                   race: bool) -> dict[str, Any]:
        """Validate and apply rescheduleAppointmentForServiceJobByServiceJobId.

        The old appointment becomes CANCELLED and carries ``rescheduledAppointmentId``, the
        new one's id, as in the user guide's example; its technicians are not carried over
        (Amazon's RESOURCES_UNASSIGNED warning names them).
        """
        requested = _body(body, required=("appointmentTime", "rescheduleReasonCode"))
        reason = requested["rescheduleReasonCode"]
        if not isinstance(reason, str) or not reason.strip():
            raise _missing("rescheduleReasonCode")
        job = _open_job(store, job_id, "reschedule appointment")
        old = job.appointment(appointment_id)
        if old is None:
            raise _refused(job_id, f"No appointment exists with appointmentId: {appointment_id}")
        if old.get("appointmentStatus") != _ACTIVE:
            raise _refused(job_id, f"Appointment {appointment_id} is not active.")
        codes = self.config.reason_codes
        if codes is not None and reason not in codes:
            raise _refused(job_id, "Appointment reschedule reason code is not valid.")
        start, minutes = self._take_slot(store, job, requested["appointmentTime"], race,
                                         ignore=old)
        new = _new_appointment(start, minutes)
        old["appointmentStatus"] = "CANCELLED"
        old["rescheduledAppointmentId"] = new["appointmentId"]
        _appointments(job).append(new)
        old_window = _window_of(old)
        if old_window in job.appointment_windows:
            job.appointment_windows.remove(old_window)
        job.appointment_windows.append(Window(start, start + timedelta(minutes=minutes)))
        job.last_updated = datetime.now(UTC)
        answer: dict[str, Any] = {"appointmentId": new["appointmentId"]}
        technicians = [str(t["technicianId"]) for t in old.get("assignedTechnicians") or []
                       if isinstance(t, dict) and isinstance(t.get("technicianId"), str)]
        if technicians:
            answer["warnings"] = [{"code": "RESOURCES_UNASSIGNED",
                                   "message": f"Unassigned resources : {','.join(technicians)}"}]
        return answer

    def _take_slot(self, store: JobStore, job: StoredJob, requested: object, race: bool,
                   ignore: Mapping[str, Any] | None = None) -> tuple[datetime, int]:
        """The checked start and duration of a booking; raises Amazon's 422 when refused."""
        job_id = job.job_id
        if not isinstance(requested, dict) or "startTime" not in requested:
            raise _missing("appointmentTime.startTime")
        unknown = sorted(set(requested) - {"startTime", "durationInMinutes"})
        if unknown:
            raise Rejection(400, invalid_input(f"Unknown fields in appointmentTime: "
                                               f"{', '.join(unknown)}"))
        raw = requested["startTime"]
        start = parse_iso(raw)
        if start is None:
            raise Rejection(422, invalid_input(f"Failed to parse ISO8601 input: {raw}"))
        if not is_utc(start):
            raise Rejection(422, invalid_input(f"ISO8601 time {raw} is not in UTC."))
        minutes = requested.get("durationInMinutes", self.config.slot_minutes)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
            raise _missing("appointmentTime.durationInMinutes")
        now = self.clock()
        if start <= now:
            raise _refused(job_id, "Start time of appointment should be in the future.")
        if start - now > MAX_BOOKING_AHEAD:
            raise _refused(job_id, "Start time for appointment is beyond the maximum allowed "
                                   f"period of {MAX_BOOKING_AHEAD.days} days.")
        store_id = _store_of(job)
        if race and self.config.slot_of(start) == start:
            # Another buyer books every place left between the client's read and this call.
            self._taken_by_others[store_id, start] += max(
                0, self.config.capacity - self._held(store, store_id, ignore)[start])
        if self.config.slot_of(start) != start:
            raise _unavailable(job_id, f"{raw} is not the start of one of the store's slots")
        if minutes != self.config.slot_minutes:
            raise _unavailable(job_id, f"durationInMinutes {minutes} is not the slot length "
                                       f"of {self.config.slot_minutes} minutes")
        if start > now + timedelta(days=self.config.horizon_days):
            raise _unavailable(job_id, f"the store offers slots {self.config.horizon_days} "
                                       "days ahead")
        if self._held(store, store_id, ignore)[start] >= self.config.capacity:
            raise _unavailable(job_id, "the slot is full")
        return start, minutes


def _query(pairs: list[tuple[str, str]], known: frozenset[str]) -> dict[str, str]:
    for name, _ in pairs:
        if name not in known:
            raise Rejection(400, invalid_input(f"Unknown query parameter {name!r}."))
    return dict(pairs)


def _body(body: object, *, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _missing(required[0])
    missing = [name for name in required if name not in body]
    if missing:
        raise _missing(", ".join(missing))
    unknown = sorted(set(body) - set(required))
    if unknown:
        raise Rejection(400, invalid_input(f"Unknown fields in the body: {', '.join(unknown)}"))
    return body


def _open_job(store: JobStore, job_id: str, action: str) -> StoredJob:
    if not 1 <= len(job_id) <= 100:
        raise _missing("serviceJobId")
    job = store.get(job_id)
    if job is None:
        raise Rejection(422, invalid_input(f"No job exist with jobId : {job_id}"))
    if job.status in _CLOSED_JOB_STATUSES:
        raise Rejection(422, invalid_input(
            f"Operation not allowed on job with jobId : {job_id} and jobState : {job.status}"))
    return job


def _missing(names: str) -> Rejection:
    return Rejection(400, invalid_input(f"Missing or invalid request parameters: [{names}]"))


def _refused(job_id: str, reason: str) -> Rejection:
    return Rejection(422, invalid_input(
        f"Failed to add appointment for jobId : {job_id}, reason : {reason}"))


def _unavailable(job_id: str, details: str) -> Rejection:
    return Rejection(422, error(
        "InvalidInput",
        f"Failed to add appointment for jobId : {job_id}, reason : Appointment slot is not "
        "available.", details))


def _store_of(job: StoredJob) -> str | None:
    store_id = job.document.get("storeId")
    return store_id if isinstance(store_id, str) else None


def _start_of(appointment: Mapping[str, Any]) -> datetime | None:
    when = appointment.get("appointmentTime")
    return parse_aware(when.get("startTime")) if isinstance(when, dict) else None


def _window_of(appointment: Mapping[str, Any]) -> Window | None:
    start = _start_of(appointment)
    minutes = appointment["appointmentTime"].get("durationInMinutes") if start else None
    if start is None or not isinstance(minutes, int):
        return None
    return Window(start, start + timedelta(minutes=minutes))


def _appointments(job: StoredJob) -> list[Any]:
    appointments = job.document.get("appointments")
    if not isinstance(appointments, list):
        appointments = job.document["appointments"] = []
    return appointments


def _new_appointment(start: datetime, minutes: int) -> dict[str, Any]:
    return {"appointmentId": str(uuid.uuid4()), "appointmentStatus": _ACTIVE,
            "appointmentTime": {"startTime": _wire(start), "durationInMinutes": minutes}}


def _wire(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
