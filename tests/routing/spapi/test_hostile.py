"""ServicesClient against a hostile server: no payload, endless pages, drip-fed answers."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from routing.spapi import (
    DeadlineExceededError,
    LwaCredentials,
    MissingPayloadError,
    PaginationError,
    RetryEvent,
    RetryPolicy,
    ServicesClient,
    SpApiError,
)
from routing.spapi.client import MAX_EMPTY_PAGES_IN_A_ROW
from routing.spapi.emulator import Emulator
from tests.routing.spapi.conftest import FAST_RETRY, client_for
from tests.routing.spapi.jobdata import DAY
from tests.servers.hostile import HostileServer, Misbehaviour

SINCE = DAY - timedelta(days=30)
MARKETPLACE = "ATVPDKIKX0DER"


def hostile_client(server: HostileServer, **options: object) -> ServicesClient:
    settings: dict[str, object] = {"retry": FAST_RETRY, **options}
    return ServicesClient(credentials=LwaCredentials("r", "c", "s"), base_url=server.url,
                          token_url=server.token_url, **settings)  # type: ignore[arg-type]


@pytest.fixture
def null_payload() -> Iterator[HostileServer]:
    with HostileServer(Misbehaviour.NULL_PAYLOAD) as server:
        yield server


@pytest.mark.parametrize("misbehaviour", [Misbehaviour.NULL_PAYLOAD,
                                          Misbehaviour.MISSING_PAYLOAD])
def test_a_listing_without_payload_is_a_failure_not_an_empty_list(
        misbehaviour: Misbehaviour) -> None:
    with HostileServer(misbehaviour) as server, hostile_client(server) as client:
        with pytest.raises(MissingPayloadError) as caught:
            list(client.iter_service_jobs(MARKETPLACE, created_after=SINCE))
        with pytest.raises(MissingPayloadError):
            client.get_service_job("SJ-1")
    assert isinstance(caught.value, SpApiError)
    assert caught.value.operation == "getServiceJobs" and caught.value.status == 200
    assert "no payload" in str(caught.value)
    assert len(server.requests) == 2  # not retried: the server answered, badly


def test_pages_that_repeat_the_same_jobs_under_new_tokens_stop() -> None:
    with HostileServer(Misbehaviour.ENDLESS_SAME_JOBS) as server, \
            hostile_client(server) as client:
        stream = client.iter_service_jobs(MARKETPLACE, created_after=SINCE)
        with pytest.raises(PaginationError, match="page 2 holds only jobs already seen"):
            for _ in stream:
                pass
    assert len(server.requests) == 2


def test_fresh_tokens_and_fresh_jobs_stop_at_the_page_cap() -> None:
    with HostileServer(Misbehaviour.ENDLESS_FRESH_JOBS) as server, \
            hostile_client(server, max_pages=5) as client:
        seen: list[str | None] = []
        with pytest.raises(PaginationError, match="after 5 pages"):
            seen.extend(job.service_job_id for job in
                        client.iter_service_jobs(MARKETPLACE, created_after=SINCE))
    assert len(server.requests) == 5


def test_endless_empty_pages_with_fresh_tokens_stop() -> None:
    """One empty page is schema-valid (the Prism contract test meets them); fifty are not."""
    with HostileServer(Misbehaviour.ENDLESS_EMPTY_PAGES) as server, \
            hostile_client(server) as client, \
            pytest.raises(PaginationError, match="50 empty pages in a row"):
        list(client.iter_service_jobs(MARKETPLACE, created_after=SINCE))
    assert len(server.requests) == MAX_EMPTY_PAGES_IN_A_ROW == 50


def test_the_default_page_cap_is_the_largest_listing_a_seller_can_have() -> None:
    from routing.spapi.client import MAX_JOBS_PER_QUERY, MAX_PAGE_SIZE, MAX_PAGES
    assert MAX_PAGES == MAX_JOBS_PER_QUERY // MAX_PAGE_SIZE == 5000
    with HostileServer(Misbehaviour.NULL_PAYLOAD) as server, hostile_client(server) as client:
        assert client.max_pages == MAX_PAGES


def test_a_drip_fed_read_hits_the_total_deadline_and_is_retried() -> None:
    """Bytes arrive every 0.5 s, well inside the per-read timeout: only a total deadline ends it."""
    retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01, rng=random.Random(1))
    with HostileServer(Misbehaviour.DRIP_BODY, interval=0.5) as server, \
            hostile_client(server, timeout=0.8, retry=retry) as client:
        began = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            client.get_service_job("SJ-1")
        elapsed = time.monotonic() - began
    assert len(server.requests) == 2
    assert caught.value.attempts == 2
    assert "0.8 s deadline" in str(caught.value)
    assert 1.5 < elapsed < 2.5


def test_a_drip_fed_write_is_not_sent_twice() -> None:
    """Even the status line drips; the write's outcome is unknown, so it is not repeated."""
    with HostileServer(Misbehaviour.DRIP_ALL, interval=1.0) as server, \
            hostile_client(server, timeout=1.5) as client:
        began = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            client.assign_appointment_resources("SJ-1", "AP-1", ["TECH-1"])
        elapsed = time.monotonic() - began
    assert server.requests == [("PUT", "/service/v1/serviceJobs/SJ-1/appointments/AP-1/resources")]
    assert 1.4 < elapsed < 2.2


def test_every_retry_is_told_to_the_listener(emulator: Emulator) -> None:
    events: list[RetryEvent] = []
    emulator.faults.inject("getServiceJobByServiceJobId", 500)
    emulator.faults.inject("getServiceJobByServiceJobId", 429, retry_after=0.0)
    retry = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.02,
                        rng=random.Random(3), listener=events.append)
    with client_for(emulator, retry=retry) as client:
        assert client.get_service_job("SJ-00001").service_job_id == "SJ-00001"
    calls = [c.status for c in emulator.calls if c.operation == "getServiceJobByServiceJobId"]
    assert calls == [500, 429, 200]
    assert [(e.attempt, e.max_attempts, e.status) for e in events] == [(2, 6, 500), (3, 6, 429)]
    assert str(events[1]).startswith("waiting 0.0 s: Amazon throttled "
                                     "getServiceJobByServiceJobId (attempt 3 of 6)")
    assert events[0].cause == "Amazon answered HTTP 500 to getServiceJobByServiceJobId"
