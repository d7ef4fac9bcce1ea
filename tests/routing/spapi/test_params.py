"""Every constraint of the model is checked before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from routing.spapi import RequestValidationError, ServicesClient
from routing.spapi.emulator import Emulator
from routing.spapi.params import JobQuery

AFTER = datetime(2026, 11, 1, tzinfo=UTC)
NAIVE = datetime(2026, 11, 1)
START = datetime(2026, 12, 1, 16, tzinfo=UTC)

BAD_LISTINGS: dict[str, dict[str, Any]] = {
    "neither created_after nor last_updated_after": {},
    "both created_after and last_updated_after": {"created_after": AFTER,
                                                  "last_updated_after": AFTER},
    "page size 0": {"created_after": AFTER, "page_size": 0},
    "page size 21": {"created_after": AFTER, "page_size": 21},
    "21 asins": {"created_after": AFTER, "asins": [f"B0{i:08d}" for i in range(21)]},
    "asin of 9 characters": {"created_after": AFTER, "asins": ["B01234567"]},
    "21 skills": {"created_after": AFTER, "required_skills": [f"S{i}" for i in range(21)]},
    "51 store ids": {"created_after": AFTER, "store_ids": [f"S{i}" for i in range(51)]},
    "a letter in an order id": {"created_after": AFTER, "service_order_ids": ["12-AB"]},
    "an empty id list": {"created_after": AFTER, "service_order_ids": []},
    "one string for a list": {"created_after": AFTER, "asins": "B000000001"},
    "an unknown status": {"created_after": AFTER, "statuses": ["LOST_IN_SPACE"]},
    "a naive timestamp": {"created_after": NAIVE},
    "schedule end before start": {"created_after": AFTER, "schedule_start": START,
                                  "schedule_end": START - timedelta(hours=1)},
    "an unknown sort field": {"created_after": AFTER, "sort_field": "PRICE"},
    "an unknown sort order": {"created_after": AFTER, "sort_order": "UP"},
}


@pytest.mark.parametrize("arguments", BAD_LISTINGS.values(), ids=list(BAD_LISTINGS))
def test_a_bad_listing_fails_before_any_request(arguments: dict[str, Any], emulator: Emulator,
                                                client: ServicesClient) -> None:
    with pytest.raises(RequestValidationError):
        client.iter_service_jobs("ATVPDKIKX0DER", **arguments)
    assert emulator.calls == []


BAD_WRITES: dict[str, Callable[[ServicesClient], object]] = {
    "no resource": lambda c: c.assign_appointment_resources("SJ-1", "AP-1", []),
    "an empty resource id": lambda c: c.assign_appointment_resources("SJ-1", "AP-1", [""]),
    "an empty job id": lambda c: c.assign_appointment_resources("", "AP-1", ["T"]),
    "a 101-character appointment id": lambda c: c.assign_appointment_resources(
        "SJ-1", "A" * 101, ["T"]),
    "a naive arrival": lambda c: c.set_appointment_fulfillment_data(
        "SJ-1", "AP-1", estimated_arrival=(NAIVE, NAIVE + timedelta(hours=1))),
    "an arrival ending before it starts": lambda c: c.set_appointment_fulfillment_data(
        "SJ-1", "AP-1", estimated_arrival=(START, START - timedelta(minutes=5))),
    "a slash in a job id": lambda c: c.get_service_job("SJ/1"),
}


@pytest.mark.parametrize("call", BAD_WRITES.values(), ids=list(BAD_WRITES))
def test_a_bad_call_fails_before_any_request(call: Callable[[ServicesClient], object],
                                             emulator: Emulator,
                                             client: ServicesClient) -> None:
    with pytest.raises(RequestValidationError):
        call(client)
    assert emulator.calls == []


def test_the_query_uses_the_model_names_and_comma_separated_arrays() -> None:
    params = JobQuery(
        marketplace_id="ATVPDKIKX0DER", statuses=["NOT_SERVICED", "PENDING_SCHEDULE"],
        last_updated_after=datetime(2026, 11, 30, 16, tzinfo=UTC),
        schedule_start=START, schedule_end=START + timedelta(days=1),
        required_skills=["TV_MOUNTING", "PLUMBING"], page_size=5,
    ).params()
    assert params == {
        "marketplaceIds": "ATVPDKIKX0DER",
        "serviceJobStatus": "NOT_SERVICED,PENDING_SCHEDULE",
        "lastUpdatedAfter": "2026-11-30T16:00:00Z",
        "scheduleStartDate": "2026-12-01T16:00:00Z",
        "scheduleEndDate": "2026-12-02T16:00:00Z",
        "requiredSkills": "TV_MOUNTING,PLUMBING",
        "pageSize": "5",
    }
