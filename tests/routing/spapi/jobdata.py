"""Small, valid ServiceJob documents for tests, in the wire shape of the official model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

DAY = datetime(2026, 12, 1, tzinfo=UTC)


def wire(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_job(index: int, *, status: str = "NOT_SERVICED") -> dict[str, Any]:
    """Job number ``index``: an ACTIVE two-hour appointment on DAY, one skill, a Seattle address."""
    start = DAY + timedelta(hours=16 + index % 6)
    return {
        "serviceJobId": f"SJ-{index:05d}",
        "serviceJobStatus": status,
        "createTime": wire(DAY - timedelta(days=3, minutes=index)),
        "marketplaceId": "ATVPDKIKX0DER",
        "scopeOfWork": {"asin": f"B0TEST{index % 10:04d}", "title": "TV mounting",
                        "quantity": 1, "requiredSkills": ["TV_MOUNTING"]},
        "appointments": [{
            "appointmentId": f"AP-{index:05d}",
            "appointmentStatus": "ACTIVE",
            "appointmentTime": {"startTime": wire(start), "durationInMinutes": 120},
        }],
        "serviceLocation": {"serviceLocationType": "IN_HOME", "address": {
            "name": "Test Buyer", "addressLine1": f"{100 + index} Pine St", "city": "Seattle",
            "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US"}},
    }


def make_jobs(count: int) -> list[dict[str, Any]]:
    return [make_job(i) for i in range(count)]
