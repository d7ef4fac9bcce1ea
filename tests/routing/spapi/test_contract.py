"""The client against Prism, the mock server generated from the official model.

Prism answers 422 to any request that breaks ``services.json`` (a wrong parameter place,
format, enum or body), so a call that succeeds here is one the model allows; in dynamic mode
it answers with random schema-valid bodies, which the models must parse.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from routing.spapi import USAGE_PLANS, LwaCredentials, ServicesClient
from routing.spapi.emulator import Emulator
from tests.servers.prism import prism_mock

NO_LIMITS = dict.fromkeys(USAGE_PLANS, (1000.0, 1000))
START = datetime(2026, 12, 1, 16, tzinfo=UTC)
#: The client's now for bookings: a day before START, so that START is in the future.
BEFORE = START - timedelta(days=1)


@pytest.fixture(scope="module")
def prism_url() -> Iterator[str]:
    with prism_mock(dynamic=True) as url:
        yield url


@pytest.fixture(scope="module")
def contract_client(prism_url: str) -> Iterator[ServicesClient]:
    with Emulator() as lwa:  # only its LWA token endpoint is used
        credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
        with ServicesClient(credentials=credentials, base_url=prism_url,
                            token_url=lwa.token_url, rate_limits=NO_LIMITS,
                            clock=lambda: BEFORE) as client:
            yield client


def test_prism_rejects_a_request_that_breaks_the_model(prism_url: str) -> None:
    """The peer is real: it refuses a malformed request, so the passing calls below count."""
    response = httpx.get(prism_url + "/service/v1/serviceJobs",
                         params={"marketplaceIds": "ATVPDKIKX0DER", "pageSize": "99"})
    assert response.status_code in (400, 422)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/service/v1/serviceJobs/SJ-1/appointmentSlots", None),  # no marketplaceIds
    ("GET", "/service/v1/appointmentSlots?marketplaceIds=ATVPDKIKX0DER", None),  # no asin
    ("POST", "/service/v1/serviceJobs/SJ-1/appointments", {}),
    ("POST", "/service/v1/serviceJobs/SJ-1/appointments/AP-1",
     {"appointmentTime": {"startTime": "2026-12-01T16:00:00Z"}}),  # no reason code
])
def test_prism_rejects_slot_requests_that_break_the_model(
        prism_url: str, method: str, path: str, body: object) -> None:
    """The new operations are checked too, so their passing calls below count."""
    response = httpx.request(method, prism_url + path, json=body)
    assert response.status_code in (400, 422), response.text


def test_listing_with_every_filter_passes_request_validation(
        contract_client: ServicesClient) -> None:
    stream = contract_client.iter_service_jobs(
        "ATVPDKIKX0DER", statuses=["NOT_SERVICED", "PENDING_SCHEDULE"],
        last_updated_after=START - timedelta(days=7), last_updated_before=START,
        schedule_start=START, schedule_end=START + timedelta(days=1),
        asins=["B07XJ8C8F5"], required_skills=["TV_MOUNTING"], store_ids=["store-1"],
        service_order_ids=["111-2222222-3333333"], product_order_ids=["111-2222222-3333334"],
        tracking_ids=["TBA123"], page_size=20, sort_field="JOB_DATE", sort_order="DESC")
    jobs = list(itertools.islice(stream, 5))
    assert stream.pages >= 1
    assert all(job.model_extra is not None for job in jobs)


def test_writes_pass_request_validation(contract_client: ServicesClient) -> None:
    result = contract_client.assign_appointment_resources("SJ-1", "AP-1", ["TECH-1", "TECH-2"])
    assert isinstance(result.warnings, list)
    contract_client.set_appointment_fulfillment_data(
        "SJ-1", "AP-1", estimated_arrival=(START, START + timedelta(minutes=30)),
        fulfillment_time=(START, START + timedelta(hours=2)), resource_ids=["TECH-1"])


def test_a_hundred_random_responses_of_each_read_parse(contract_client: ServicesClient) -> None:
    for index in range(100):
        job = contract_client.get_service_job(f"SJ-{index}")
        assert job is not None
    pages = 0
    for _ in range(100):
        stream = contract_client.iter_service_jobs(
            "ATVPDKIKX0DER", created_after=START - timedelta(days=1))
        next(stream, None)  # a random page may be empty: the stream then reads the next one
        pages += stream.pages
    assert pages >= 100


def test_slot_reads_pass_request_validation(contract_client: ServicesClient) -> None:
    end = START + timedelta(days=90)
    for report in (contract_client.get_job_appointment_slots("SJ-1", "ATVPDKIKX0DER"),
                   contract_client.get_job_appointment_slots("SJ-1", "ATVPDKIKX0DER",
                                                             START, end),
                   contract_client.get_appointment_slots("B07BB1RGT5", "store-1",
                                                         "ATVPDKIKX0DER"),
                   contract_client.get_appointment_slots("B07BB1RGT5", "store-1",
                                                         "ATVPDKIKX0DER", START, end)):
        assert isinstance(report.bookable(), list)


def test_bookings_pass_request_validation(contract_client: ServicesClient) -> None:
    for result in (contract_client.add_appointment("SJ-1", START),
                   contract_client.add_appointment("SJ-1", START, timedelta(hours=2)),
                   contract_client.reschedule_appointment("SJ-1", "AP-1", START, None, "R1"),
                   contract_client.reschedule_appointment("SJ-1", "AP-1", START,
                                                          timedelta(minutes=90), "R1")):
        assert isinstance(result.warnings, list)
        assert result.appointment_id is None or isinstance(result.appointment_id, str)


def test_fifty_random_slot_reports_parse(contract_client: ServicesClient) -> None:
    slots = 0
    for _ in range(50):
        report = contract_client.get_job_appointment_slots("SJ-1", "ATVPDKIKX0DER")
        slots += len(report.appointment_slots or [])
        assert all(slot.capacity is None or slot.capacity >= 0 for slot in report.bookable())
    assert slots > 0
