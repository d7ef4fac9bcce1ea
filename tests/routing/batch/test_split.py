"""Each job to one territory: its assigned technician's, a claimed postal code, the nearest."""

from __future__ import annotations

from datetime import date
from typing import Any

from routing.batch import load_manifest, partitions_of, split_jobs
from routing.batch.manifest import Territory
from routing.spapi.models import ServiceJob
from tests.routing.batch.helpers import EXAMPLES


def _territories() -> list[Territory]:
    parts = partitions_of(load_manifest(EXAMPLES / "batch.yaml"))
    return [p.territory for p in parts if p.date == date(2026, 12, 1)]


def _job(job_id: str, postal: str, city: str, technician: str | None = None) -> ServiceJob:
    document: dict[str, Any] = {
        "serviceJobId": job_id, "serviceJobStatus": "NOT_SERVICED",
        "serviceLocation": {"address": {"name": "x", "addressLine1": "1 Main St", "city": city,
                                        "stateOrRegion": "WA", "postalCode": postal,
                                        "countryCode": "US"}},
    }
    if technician:
        document["appointments"] = [{"appointmentId": "A1", "assignedTechnicians": [
            {"technicianId": technician}]}]
    return ServiceJob.model_validate(document)


def test_jobs_go_to_the_nearest_territory() -> None:
    split = split_jobs([_job("J1", "98107", "Seattle"), _job("J2", "98052", "Redmond"),
                        _job("J3", "98031", "Kent")], _territories())
    placed = {name: [j.service_job_id for j in jobs] for name, jobs in split.jobs.items()}
    assert placed == {"seattle": ["J1"], "eastside": ["J2"], "south": ["J3"]}
    assert split.unrouted == []


def test_an_assigned_technician_takes_the_job_to_their_territory() -> None:
    # In Seattle, but assigned to Ben (south): the plan keeps Amazon's assignment.
    split = split_jobs([_job("J1", "98107", "Seattle", "A1B2C3D4E5TECH02")], _territories())
    assert [j.service_job_id for j in split.jobs["south"]] == ["J1"]


def test_claimed_postal_codes_beat_distance() -> None:
    territories = _territories()
    territories[2] = Territory(territories[2].seller, territories[2].name,
                               territories[2].roster, postal_codes=("981",))
    split = split_jobs([_job("J1", "98107", "Seattle")], territories)
    assert [j.service_job_id for j in split.jobs["south"]] == ["J1"]


def test_a_job_nowhere_to_be_placed_is_reported_not_guessed() -> None:
    split = split_jobs([_job("J1", "00000", "Nowhere")], _territories())
    assert split.unrouted == ["J1"]
    assert not any(split.jobs.values())
