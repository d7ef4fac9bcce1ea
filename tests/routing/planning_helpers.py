"""Builders shared by the planner's tests: jobs in the exact wire shape, small rosters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from routing.roster import Roster
from routing.spapi.models import ServiceJob

# Seattle-area points (lat, lon) used as homes and job addresses.
DOWNTOWN = (47.6062, -122.3321)
BELLEVUE = (47.6101, -122.2015)
REDMOND = (47.6740, -122.1215)
TACOMA = (47.2529, -122.4443)


def appointment(
    appointment_id: str,
    start: str,
    minutes: int = 120,
    *,
    status: str = "ACTIVE",
    rescheduled: str | None = None,
    technicians: Sequence[str] = (),
) -> dict[str, Any]:
    """An ``Appointment`` as Amazon sends it."""
    data: dict[str, Any] = {
        "appointmentId": appointment_id,
        "appointmentStatus": status,
        "appointmentTime": {"startTime": start, "durationInMinutes": minutes},
    }
    if rescheduled is not None:
        data["rescheduledAppointmentId"] = rescheduled
    if technicians:
        data["assignedTechnicians"] = [{"technicianId": t, "name": "Someone"} for t in technicians]
    return data


def job_data(
    job_id: str = "J1",
    status: str = "NOT_SERVICED",
    *,
    appointments: Sequence[Mapping[str, Any]] | None = None,
    preferred: Sequence[tuple[str, int]] | None = None,
    skills: Sequence[str] = ("TV_MOUNTING",),
    asin: str | None = None,
    quantity: int | None = None,
    location_type: str = "IN_HOME",
    line1: str | None = "400 Broad St",
    postal_code: str = "98109",
) -> dict[str, Any]:
    """A ``ServiceJob`` in the wire shape (camelCase), with a buyer who must not leak."""
    data: dict[str, Any] = {
        "serviceJobId": job_id,
        "serviceJobStatus": status,
        "createTime": "2026-03-01T10:00:00Z",
        "marketplaceId": "ATVPDKIKX0DER",
        "scopeOfWork": {"requiredSkills": list(skills), "title": "Mount a TV"},
        "buyer": {"buyerId": "B1", "name": "Pat Buyer", "phone": "206-555-0100"},
        "serviceLocation": {"serviceLocationType": location_type},
        "appointments": list(appointments or []),
    }
    if asin is not None:
        data["scopeOfWork"]["asin"] = asin
    if quantity is not None:
        data["scopeOfWork"]["quantity"] = quantity
    if preferred is not None:
        data["preferredAppointmentTimes"] = [
            {"startTime": start, "durationInMinutes": minutes} for start, minutes in preferred
        ]
    if line1 is not None:
        data["serviceLocation"]["address"] = {
            "name": "Pat Buyer", "addressLine1": line1, "city": "Seattle",
            "stateOrRegion": "WA", "postalCode": postal_code, "countryCode": "US",
            "phone": "206-555-0100",
        }
    return data


def job(job_id: str = "J1", status: str = "NOT_SERVICED", **kwargs: Any) -> ServiceJob:
    return ServiceJob.model_validate(job_data(job_id, status, **kwargs))


def technician(
    tech_id: str,
    *,
    skills: Sequence[str] = ("TV_MOUNTING",),
    home: tuple[float, float] = DOWNTOWN,
    shift: str = "08:00-17:00",
    lunch: bool = False,
    max_jobs: int | None = None,
    dates: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tech_id,
        "name": f"Tech {tech_id}",
        "skills": list(skills),
        "start": {"lat": home[0], "lon": home[1]},
        "shifts": {day: shift for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    }
    if lunch:
        data["lunch"] = {"window": "11:30-13:30", "duration": "30m"}
    if max_jobs is not None:
        data["max_jobs"] = max_jobs
    if dates:
        data["dates"] = dict(dates)
    return data


def roster(*technicians: Mapping[str, Any], timezone: str = "America/Los_Angeles") -> Roster:
    return Roster.model_validate({"timezone": timezone, "technicians": list(technicians)})
