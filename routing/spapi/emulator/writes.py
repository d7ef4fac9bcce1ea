"""assignAppointmentResources and setAppointmentFulfillmentData: validation and effects.

Error codes and messages follow the model's ``x-amzn-api-sandbox`` examples. What a resource
may do is set per resource id in :class:`ResourceRule` (empty rules: every id is valid).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from routing.spapi.emulator.dataset import StoredJob
from routing.spapi.emulator.isotime import is_utc, parse_iso
from routing.spapi.emulator.wire import Rejection, error, invalid_input

__all__ = [
    "ResourceRule",
    "assign",
    "check_path_ids",
    "fulfill",
]

_CLOSED_JOB_STATUSES = frozenset({"COMPLETED", "CANCELLED"})
_FULFILLMENT_FIELDS = frozenset(
    {"estimatedArrivalTime", "fulfillmentTime", "appointmentResources", "fulfillmentDocuments"}
)


@dataclass(frozen=True)
class ResourceRule:
    """What the emulator knows of one technician (resource id).

    ``skills`` None means "any skill"; ``overbooked`` answers Amazon's RESOURCES_OVERBOOKED
    warning; ``available`` False answers 422 RESOURCES_NOT_AVAILABLE_IN_TIME_WINDOW.
    """

    skills: frozenset[str] | None = None
    overbooked: bool = False
    available: bool = True
    name: str | None = None


def check_path_ids(job_id: str, appointment_id: str) -> None:
    """The path parameters' length constraints (1..100 characters)."""
    bad = sorted(
        name
        for name, value in (("appointmentId", appointment_id), ("serviceJobId", job_id))
        if not 1 <= len(value) <= 100
    )
    if bad:
        raise Rejection(
            400, invalid_input(f"Missing or invalid request parameters: [{', '.join(bad)}]")
        )


def _resource_ids(resources: object, field: str) -> list[str]:
    if not isinstance(resources, list):
        raise Rejection(400, invalid_input(f"{field} must be an array of resource objects."))
    ids = [item.get("resourceId") if isinstance(item, dict) else None for item in resources]
    if not all(isinstance(rid, str) and rid for rid in ids):
        raise Rejection(400, invalid_input("Missing or invalid request parameters: [resourceId]"))
    return [str(rid) for rid in ids]


def _joined(ids: list[str]) -> str:
    return ",".join(ids)


def assign(
    job: StoredJob | None,
    job_id: str,
    appointment_id: str,
    body: object,
    rules: Mapping[str, ResourceRule],
) -> tuple[list[str], list[dict[str, str]]]:
    """Validate an assignAppointmentResources call; the resource ids and warnings to answer.

    On success the appointment's ``assignedTechnicians`` are replaced (Amazon overwrites).
    """
    if not isinstance(body, dict) or "resources" not in body:
        raise Rejection(400, invalid_input("Resources not provided in input JSON payload."))
    unknown = sorted(set(body) - {"resources"})
    if unknown:
        raise Rejection(400, invalid_input(f"Unknown fields in the body: {', '.join(unknown)}"))
    if isinstance(body["resources"], list) and not body["resources"]:
        raise Rejection(400, invalid_input("Resources must have size greater than or equal to 1."))
    ids = _resource_ids(body["resources"], "resources")
    job, appointment = _active_appointment_for_assign(job, job_id, appointment_id)
    unknown_ids = [rid for rid in ids if rules and rid not in rules]
    if unknown_ids:
        raise Rejection(
            422, invalid_input(f"Invalid resourceId : {unknown_ids[0]} provided in the input.")
        )
    needed = job.required_skills()
    unskilled = [
        rid for rid in ids if (skills := _skills(rules, rid)) is not None and not needed <= skills
    ]
    unavailable = [rid for rid in ids if rid in rules and not rules[rid].available]
    errors = []
    if unskilled:
        errors.append(
            error(
                "RESOURCES_MISSING_REQUIRED_SKILLS",
                f"Resources Missing required {','.join(sorted(needed))} skills. "
                f"Applicable resources: {_joined(unskilled)}",
            )
        )
    if unavailable:
        errors.append(
            error(
                "RESOURCES_NOT_AVAILABLE_IN_TIME_WINDOW",
                "Resources do not have sufficient available capacity. "
                f"Applicable resources: {_joined(unavailable)}",
            )
        )
    if errors:
        raise Rejection(422, *errors)
    appointment["assignedTechnicians"] = [_technician(rid, rules) for rid in ids]
    job.last_updated = datetime.now(UTC)
    warnings = []
    if any(rid in rules and rules[rid].overbooked for rid in ids):
        warnings.append(
            {
                "code": "RESOURCES_OVERBOOKED",
                "message": "Resources overbooked for this time window.",
            }
        )
    return ids, warnings


def _skills(rules: Mapping[str, ResourceRule], resource_id: str) -> frozenset[str] | None:
    rule = rules.get(resource_id)
    return None if rule is None else rule.skills


def _technician(resource_id: str, rules: Mapping[str, ResourceRule]) -> dict[str, str]:
    technician = {"technicianId": resource_id}
    rule = rules.get(resource_id)
    if rule is not None and rule.name:
        technician["name"] = rule.name
    return technician


def _active_appointment_for_assign(
    job: StoredJob | None, job_id: str, appointment_id: str
) -> tuple[StoredJob, dict[str, Any]]:
    if job is None:
        raise Rejection(422, invalid_input(f"No job exists with jobId : {job_id}"))
    if job.status in _CLOSED_JOB_STATUSES:
        raise Rejection(
            422,
            invalid_input(
                f"Operation not allowed on job with jobId : {job_id} and jobState : {job.status}"
            ),
        )
    appointment = job.appointment(appointment_id)
    if appointment is None:
        raise Rejection(
            422,
            invalid_input(
                f"Failed to Update Appointment for jobId : {job_id}, appointmentId : "
                f"{appointment_id}, reason : No appointment exists with appointmentId: "
                f"{appointment_id}"
            ),
        )
    if appointment.get("appointmentStatus") != "ACTIVE":
        raise Rejection(
            422,
            invalid_input(
                f"Appointment metadata update is not allowed for appointmentId {appointment_id}"
            ),
        )
    return job, appointment


def _utc_time(value: object, errors: list[dict[str, str]]) -> datetime | None:
    parsed = parse_iso(value)
    if parsed is None:
        errors.append(
            invalid_input(
                f"Could not parse given time input {value}. Please provide time in ISO8601 format"
            )
        )
        return None
    if not is_utc(parsed):
        errors.append(
            invalid_input(f"ISO8601 time {value} is not in UTC format. Please provide time in UTC")
        )
        return None
    return parsed


def _check_fulfillment_time(value: object, errors: list[dict[str, str]]) -> None:
    if not isinstance(value, dict):
        errors.append(invalid_input("fulfillmentTime must be an object."))
        return
    if "startTime" not in value:
        errors.append(
            invalid_input("Appointment start time is required. Please check the input again.")
        )
    if "endTime" not in value:
        errors.append(
            invalid_input("Appointment end time is required. Please check the input again.")
        )
    if "startTime" not in value or "endTime" not in value:
        return
    start, end = _utc_time(value["startTime"], errors), _utc_time(value["endTime"], errors)
    now = datetime.now(UTC)
    if start is not None and start > now:
        errors.append(
            invalid_input(
                "Appointment start time should not be in future. Please check the input again"
            )
        )
    if end is not None and end > now:
        errors.append(
            invalid_input(
                "Appointment end time should not be in future. Please check the input again"
            )
        )
    if start is not None and end is not None and end <= start:
        errors.append(
            invalid_input(
                "Appointment end time should be after start time. Please check the input again."
            )
        )


def _check_arrival(value: object, errors: list[dict[str, str]]) -> None:
    if not isinstance(value, dict) or "startTime" not in value or "endTime" not in value:
        errors.append(
            invalid_input(
                "Failed to process input. Reason: ETA start and end time both are mandatory field "
                "as part of estimatedArrivalTime object. Please check the input again"
            )
        )
        return
    start, end = _utc_time(value["startTime"], errors), _utc_time(value["endTime"], errors)
    if start is not None and end is not None and end < start:
        errors.append(invalid_input("ETA end time should not be before ETA start time."))


def _check_documents(value: object, errors: list[dict[str, str]]) -> None:
    documents = value if isinstance(value, list) else [None]
    for document in documents:
        if not (
            isinstance(document, dict)
            and isinstance(document.get("uploadDestinationId"), str)
            and isinstance(document.get("contentSha256"), str)
        ):
            errors.append(
                invalid_input(
                    "Failed to process proof of appointment input. Reason: Input document "
                    "parameters are invalid. Please check the input."
                )
            )
            return


def fulfill(
    job: StoredJob | None,
    job_id: str,
    appointment_id: str,
    body: object,
    rules: Mapping[str, ResourceRule],
) -> dict[str, Any]:
    """Validate a setAppointmentFulfillmentData call; the fields to record."""
    if not isinstance(body, dict) or not _FULFILLMENT_FIELDS & set(body):
        raise Rejection(400, invalid_input("No fulfillment artifacts provided in JSON payload."))
    unknown = sorted(set(body) - _FULFILLMENT_FIELDS)
    if unknown:
        raise Rejection(400, invalid_input(f"Unknown fields in the body: {', '.join(unknown)}"))
    if job is None:
        raise Rejection(422, invalid_input(f"No job exist with jobId : {job_id}"))
    if job.status in _CLOSED_JOB_STATUSES:
        raise Rejection(
            422,
            invalid_input(
                f"Job with id {job_id} can not be updated. "
                "Please check if the job is in valid status."
            ),
        )
    appointment = job.appointment(appointment_id)
    if appointment is None:
        raise Rejection(
            422,
            invalid_input(
                f"Appointment with id {appointment_id} is not present in the job. "
                "Please check the input again."
            ),
        )
    if appointment.get("appointmentStatus") != "ACTIVE":
        raise Rejection(
            422,
            invalid_input(
                f"Appointment with appointment id {appointment_id} is not valid to update. "
                "Please check the input again"
            ),
        )
    errors: list[dict[str, str]] = []
    if "appointmentResources" in body:
        ids = _resource_ids(body["appointmentResources"], "appointmentResources")
        if rules and any(rid not in rules for rid in ids):
            errors.append(
                invalid_input(
                    "One or more resources provided does not exist or is deleted. "
                    "Please check the input again."
                )
            )
    if "fulfillmentTime" in body:
        _check_fulfillment_time(body["fulfillmentTime"], errors)
    if "estimatedArrivalTime" in body:
        _check_arrival(body["estimatedArrivalTime"], errors)
    if "fulfillmentDocuments" in body:
        _check_documents(body["fulfillmentDocuments"], errors)
    if errors:
        raise Rejection(422, *errors)
    job.last_updated = datetime.now(UTC)
    return dict(body)
