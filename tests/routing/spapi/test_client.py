"""ServicesClient against the local emulator: pagination, faults, throttling, token refresh."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest

from routing.spapi import (
    AuthError,
    JobQuery,
    LwaCredentials,
    ServicesClient,
    SpApiRequestError,
)
from routing.spapi.emulator import Emulator
from tests.routing.spapi.conftest import client_for
from tests.routing.spapi.jobdata import DAY, make_jobs

SINCE = DAY - timedelta(days=30)
MARKETPLACE = "ATVPDKIKX0DER"


def job_calls(emulator: Emulator, operation: str = "getServiceJobs") -> list:
    return [call for call in emulator.calls if call.operation == operation]


def test_pages_yield_every_job_exactly_once_in_order(emulator: Emulator,
                                                     client: ServicesClient) -> None:
    stream = client.iter_service_jobs(MARKETPLACE, created_after=SINCE,
                                      sort_field="JOB_DATE", sort_order="ASC")
    ids = [job.service_job_id for job in stream]
    expected = sorted(make_jobs(65),  # JOB_DATE: the appointment start; ties keep their order
                      key=lambda j: j["appointments"][0]["appointmentTime"]["startTime"])
    assert ids == [job["serviceJobId"] for job in expected]
    assert stream.pages == 4
    calls = job_calls(emulator)
    assert [c.query.get("pageToken") is None for c in calls] == [True, False, False, False]
    assert {c.query["marketplaceIds"] for c in calls} == {MARKETPLACE}


def test_a_job_query_and_its_keyword_form_send_the_same_request(emulator: Emulator,
                                                                client: ServicesClient) -> None:
    query = JobQuery(MARKETPLACE, created_after=SINCE, page_size=5)
    by_query = [job.service_job_id for job in client.iter_service_jobs(query)]
    by_keywords = [job.service_job_id for job in
                   client.iter_service_jobs(MARKETPLACE, created_after=SINCE, page_size=5)]
    overridden = list(client.iter_service_jobs(query, page_size=20))
    assert by_query == by_keywords and len(by_query) == 65 and len(overridden) == 65
    sizes = [c.query["pageSize"] for c in job_calls(emulator) if "pageToken" not in c.query]
    assert sizes == ["5", "5", "20"]
    assert query.page_size == 5  # replaced in a copy, never in the caller's query


def test_a_repeated_page_token_ends_the_listing(emulator: Emulator,
                                                client: ServicesClient) -> None:
    emulator.faults.repeat_page_token = True
    jobs = list(client.iter_service_jobs(MARKETPLACE, created_after=SINCE))
    assert len(job_calls(emulator)) <= 3
    assert len(jobs) == len({j.service_job_id for j in jobs})


def test_a_429_storm_ends_in_success_and_never_outruns_the_bucket(emulator: Emulator) -> None:
    rate, burst = 20.0, 3
    emulator.faults.inject("getServiceJobs", 429, count=4, retry_after=0.0)
    with client_for(emulator, rate_limits={"getServiceJobs": (rate, burst)}) as client:
        jobs = list(client.iter_service_jobs(MARKETPLACE, created_after=SINCE, page_size=5))
    assert len(jobs) == 65
    stamps = [c.time for c in job_calls(emulator)]
    assert len(stamps) == 13 + 4
    # Token-bucket law: any k consecutive requests span at least (k - burst) / rate seconds.
    for i in range(len(stamps)):
        for j in range(i + burst, len(stamps)):
            assert stamps[j] - stamps[i] >= (j - i + 1 - burst) / rate - 0.005


def test_a_500_with_an_html_body_becomes_the_typed_error(emulator: Emulator,
                                                         client: ServicesClient) -> None:
    emulator.faults.inject("getServiceJobByServiceJobId", 500, count=50,
                           body="<html><body>Internal Server Error</body></html>",
                           content_type="text/html")
    with pytest.raises(SpApiRequestError) as caught:
        client.get_service_job("SJ-00001")
    error = caught.value
    assert error.status == 500
    assert error.errors == []
    assert error.request_id
    assert error.attempts == 5
    assert len(job_calls(emulator, "getServiceJobByServiceJobId")) == 5
    assert "non-JSON body" in str(error)


def test_amazon_errors_are_carried_with_the_request_id(client: ServicesClient) -> None:
    with pytest.raises(SpApiRequestError) as caught:
        client.get_service_job("SJ-99999")
    assert caught.value.status == 404
    assert caught.value.errors and caught.value.errors[0].code
    assert caught.value.request_id


def test_a_token_expiring_mid_run_is_refreshed_once(emulator: Emulator,
                                                    client: ServicesClient) -> None:
    stream = client.iter_service_jobs(MARKETPLACE, created_after=SINCE)
    first = [next(stream) for _ in range(20)]
    emulator.expire_tokens()
    rest = list(stream)
    assert len(first) + len(rest) == 65
    assert emulator.token_requests == 2
    assert client.token_refreshes == 2
    assert [c.status for c in job_calls(emulator)].count(403) == 1


def test_twenty_threads_share_one_token(emulator: Emulator, client: ServicesClient) -> None:
    barrier = threading.Barrier(20)

    def fetch(index: int) -> str | None:
        barrier.wait()
        return client.get_service_job(f"SJ-{index:05d}").service_job_id

    with ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(fetch, range(20)))
    assert ids == [f"SJ-{i:05d}" for i in range(20)]
    assert emulator.token_requests == 1


def test_a_slow_read_is_retried_but_a_slow_write_is_not(emulator: Emulator) -> None:
    with client_for(emulator, timeout=0.3) as client:
        emulator.faults.inject("getServiceJobByServiceJobId", 200, delay=1.0)
        assert client.get_service_job("SJ-00002").service_job_id == "SJ-00002"

        emulator.faults.inject("assignAppointmentResources", 200, delay=1.0)
        with pytest.raises(SpApiRequestError) as caught:
            client.assign_appointment_resources("SJ-00002", "AP-00002", ["TECH-1"])
        assert caught.value.status is None
    time.sleep(1.0)  # the emulator records a delayed call once it has answered it
    assert len(job_calls(emulator, "getServiceJobByServiceJobId")) == 2
    assert len(job_calls(emulator, "assignAppointmentResources")) == 1


def test_a_throttled_write_is_retried_and_lands_once(emulator: Emulator,
                                                     client: ServicesClient) -> None:
    emulator.faults.inject("assignAppointmentResources", 429, count=2)
    result = client.assign_appointment_resources("SJ-00003", "AP-00003", ["TECH-7"])
    assert result.request_id
    landed = [c for c in job_calls(emulator, "assignAppointmentResources") if c.status == 200]
    assert len(landed) == 1
    job = client.get_service_job("SJ-00003")
    assert job.appointments is not None
    technicians = job.appointments[0].assigned_technicians or []
    assert [t.technician_id for t in technicians] == ["TECH-7"]


def test_fulfillment_data_is_sent_in_utc(emulator: Emulator, client: ServicesClient) -> None:
    seattle = timezone(timedelta(hours=-8))
    local = datetime(2026, 12, 1, 9, 30, tzinfo=seattle)
    client.set_appointment_fulfillment_data(
        "SJ-00004", "AP-00004", estimated_arrival=(local, local + timedelta(hours=1)))
    (call,) = job_calls(emulator, "setAppointmentFulfillmentData")
    assert call.body == {"estimatedArrivalTime": {"startTime": "2026-12-01T17:30:00.000Z",
                                                  "endTime": "2026-12-01T18:30:00.000Z"}}


def test_an_error_as_a_bare_array_is_parsed(emulator: Emulator, client: ServicesClient) -> None:
    start = datetime(2026, 12, 1, 17, tzinfo=UTC)
    with pytest.raises(SpApiRequestError) as caught:
        client.set_appointment_fulfillment_data(
            "SJ-00004", "AP-NOPE", estimated_arrival=(start, start + timedelta(hours=1)))
    assert caught.value.status in (404, 422, 400)
    assert caught.value.errors, "the bare ErrorList body must be parsed"


def test_wrong_credentials_fail_without_leaking_them(emulator: Emulator) -> None:
    secret = "very-secret-value-123"
    bad = LwaCredentials("emulator-refresh", "emulator-client", secret)
    with ServicesClient(credentials=bad, base_url=emulator.url,
                        token_url=emulator.token_url) as client, pytest.raises(AuthError) as caught:
        client.get_service_job("SJ-00001")
    assert secret not in str(caught.value)
    assert secret not in repr(bad)
    assert not job_calls(emulator, "getServiceJobByServiceJobId")


def test_a_job_that_breaks_the_model_is_kept_aside_not_fatal() -> None:
    jobs = make_jobs(5)
    jobs[2]["scopeOfWork"]["quantity"] = "a few"  # the model says integer
    with Emulator(jobs, enforce_rate_limits=False) as server, client_for(server) as client:
        stream = client.iter_service_jobs(MARKETPLACE, created_after=SINCE)
        ids = [job.service_job_id for job in stream]
    assert ids == ["SJ-00000", "SJ-00001", "SJ-00003", "SJ-00004"]
    (rejected,) = stream.rejected
    assert rejected.service_job_id == "SJ-00002"
    assert "scopeOfWork.quantity" in rejected.problem
    assert rejected.raw["scopeOfWork"]["quantity"] == "a few"
