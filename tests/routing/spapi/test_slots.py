"""Appointment slots and bookings: the client against the emulator, and the emulator itself.

The emulator's clock is set to the morning of the example day (Tuesday 2026-12-01, 05:00 in
Seattle), and so is the client's: both judge "in the future" by the same now.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import httpx
import pytest

from routing.config import ConfigError, load_settings
from routing.spapi import (
    RequestValidationError,
    ServicesClient,
    SlotUnavailableError,
    SpApiRequestError,
)
from routing.spapi.emulator import Emulator, EmulatorError, FaultPlan, SlotConfig
from tests.routing.spapi.conftest import client_for

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "jobs.json"
MODEL = ROOT.parent / "shared" / "spapi" / "services.json"
MARKET = "ATVPDKIKX0DER"
NOW = datetime(2026, 12, 1, 13, tzinfo=UTC)  # 05:00 in Seattle on the example day
DAY = (datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 2, 8, tzinfo=UTC))  # Seattle day
SLOT_8, SLOT_10, SLOT_12 = (datetime(2026, 12, 1, h, tzinfo=UTC) for h in (16, 18, 20))
TWO_HOURS = timedelta(hours=2)
ADD = "addAppointmentForServiceJobByServiceJobId"
RESCHEDULE = "rescheduleAppointmentForServiceJobByServiceJobId"


def wire(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def job(job_id: str, *, status: str = "PENDING_SCHEDULE", start: datetime | None = None,
        store: str | None = None) -> dict[str, Any]:
    """A job of the store ``store``; with ``start``, an ACTIVE 2-hour appointment."""
    document: dict[str, Any] = {
        "serviceJobId": job_id, "serviceJobStatus": status, "marketplaceId": MARKET,
        "scopeOfWork": {"asin": "B0C7TVMNT2", "requiredSkills": ["TV_MOUNTING"]},
    }
    if store is not None:
        document["storeId"] = store
    if start is not None:
        document["appointments"] = [{
            "appointmentId": f"{job_id}-A1", "appointmentStatus": "ACTIVE",
            "appointmentTime": {"startTime": wire(start), "durationInMinutes": 120}}]
    return document


def capacities(client: ServicesClient, job_id: str) -> dict[datetime, int]:
    report = client.get_job_appointment_slots(job_id, MARKET, *DAY)
    return {slot.start_time: slot.capacity for slot in report.appointment_slots or []
            if slot.start_time is not None and slot.capacity is not None}


def bookings(emulator: Emulator) -> list[tuple[str, int, str | None]]:
    return [(call.operation, call.status, call.fault) for call in emulator.calls
            if call.operation in (ADD, RESCHEDULE)]


@pytest.fixture
def store() -> Iterator[Emulator]:
    """Two places a slot; one is held at 08:00 by an appointment of the same store."""
    jobs = [job("BUSY", status="NOT_SERVICED", start=SLOT_8), job("P1"), job("P2"), job("P3"),
            job("ELSEWHERE", status="NOT_SERVICED", start=SLOT_10, store="STORE-2"),
            job("DONE", status="COMPLETED")]
    with Emulator(jobs, enforce_rate_limits=False, slots=SlotConfig(capacity=2),
                  clock=lambda: NOW) as server:
        yield server


@pytest.fixture
def client(store: Emulator) -> Iterator[ServicesClient]:
    with client_for(store, clock=lambda: NOW) as services:
        yield services


# -- reading and booking ------------------------------------------------------------------


def test_the_example_days_pending_jobs_are_offered_slots() -> None:
    """The default slot configuration leaves room for every pending job of the example day."""
    pending = [j["serviceJobId"] for j in json.loads(EXAMPLES.read_text())["payload"]["jobs"]
               if j["serviceJobStatus"] == "PENDING_SCHEDULE"]
    assert len(pending) >= 6
    with Emulator.from_file(EXAMPLES, enforce_rate_limits=False, clock=lambda: NOW) as server, \
            client_for(server, clock=lambda: NOW) as client:
        for job_id in pending:
            report = client.get_job_appointment_slots(job_id, MARKET, *DAY)
            offered = report.bookable()
            assert len(offered) >= 1, job_id
            assert all(s.end_time - s.start_time == TWO_HOURS for s in offered)  # type: ignore[operator]
            assert {s.start_time for s in offered} <= {SLOT_8 + k * TWO_HOURS for k in range(5)}


def test_a_booking_consumes_a_place_and_becomes_the_jobs_appointment(
        store: Emulator, client: ServicesClient) -> None:
    before = capacities(client, "P1")
    assert before[SLOT_8] == 1  # BUSY holds one of the two places
    assert before[SLOT_10] == 2  # ELSEWHERE is another store's

    result = client.add_appointment("P1", SLOT_8, TWO_HOURS)

    assert result.appointment_id
    assert capacities(client, "P2")[SLOT_8] == 0
    assert SLOT_8 not in {s.start_time for s in
                          client.get_job_appointment_slots("P2", MARKET, *DAY).bookable()}
    booked = client.get_service_job("P1")
    assert booked.service_job_status == "NOT_SERVICED"
    assert booked.appointments is not None and len(booked.appointments) == 1
    appointment = booked.appointments[0]
    assert appointment.appointment_id == result.appointment_id
    assert appointment.appointment_status == "ACTIVE"
    assert appointment.appointment_time is not None
    assert appointment.appointment_time.start_time == SLOT_8
    assert appointment.appointment_time.duration_in_minutes == 120
    with pytest.raises(SlotUnavailableError) as full:
        client.add_appointment("P2", SLOT_8, TWO_HOURS)
    assert full.value.status == 422
    assert store.job("P2")["serviceJobStatus"] == "PENDING_SCHEDULE"  # type: ignore[index]


def test_the_slot_race_is_amazons_422_and_the_next_slot_books(
        store: Emulator, client: ServicesClient) -> None:
    assert capacities(client, "P1")[SLOT_10] == 2
    store.faults.inject_spec("slot-taken:1")
    with pytest.raises(SlotUnavailableError) as taken:
        client.add_appointment("P1", SLOT_10, TWO_HOURS)
    assert "Appointment slot is not available" in str(taken.value)
    assert "appointments" not in store.job("P1")  # type: ignore[operator]
    assert capacities(client, "P1")[SLOT_10] == 0  # the other buyer keeps the slot

    assert client.add_appointment("P1", SLOT_12, TWO_HOURS).appointment_id
    # A write is never repeated: one refused call, one booking, recorded as such.
    assert bookings(store) == [(ADD, 422, "slot-taken"), (ADD, 200, None)]
    summary = httpx.get(store.url + "/_emulator/calls").json()["calls"]
    assert [(c["operation"], c["status"], c["fault"]) for c in summary
            if c["operation"] == ADD] == [(ADD, 422, "slot-taken"), (ADD, 200, None)]


def test_a_reschedule_that_loses_the_race_leaves_the_appointment_as_it_was(
        store: Emulator, client: ServicesClient) -> None:
    old = client.add_appointment("P1", SLOT_8, TWO_HOURS).appointment_id
    assert old is not None
    before = store.job("P1")
    store.faults.inject_spec(f"slot-taken:1@{RESCHEDULE}")
    with pytest.raises(SlotUnavailableError):
        client.reschedule_appointment("P1", old, SLOT_10, TWO_HOURS, "R1")
    assert store.job("P1") == before
    assert capacities(client, "P2")[SLOT_10] == 0


def test_a_second_appointment_is_refused_like_amazon(client: ServicesClient) -> None:
    client.add_appointment("P1", SLOT_10, TWO_HOURS)
    with pytest.raises(SpApiRequestError) as refused:
        client.add_appointment("P1", SLOT_12, None)
    assert not isinstance(refused.value, SlotUnavailableError)
    assert refused.value.status == 422
    assert "Job already has an active appointmentId." in str(refused.value)


def test_reschedule_cancels_the_old_appointment_and_points_it_at_the_new(
        store: Emulator, client: ServicesClient) -> None:
    old = client.add_appointment("P1", SLOT_10, TWO_HOURS).appointment_id
    assert old is not None
    client.assign_appointment_resources("P1", old, ["TECH-1", "TECH-2"])
    assert capacities(client, "P2")[SLOT_10] == 1

    result = client.reschedule_appointment("P1", old, SLOT_12, TWO_HOURS, "R1")

    assert result.appointment_id and result.appointment_id != old
    assert [(w.code, w.message) for w in result.warnings] == [
        ("RESOURCES_UNASSIGNED", "Unassigned resources : TECH-1,TECH-2")]
    appointments = {a.appointment_id: a for a in client.get_service_job("P1").appointments or []}
    # The user guide's direction: the CANCELLED original names its replacement.
    assert appointments[old].appointment_status == "CANCELLED"
    assert appointments[old].rescheduled_appointment_id == result.appointment_id
    new = appointments[result.appointment_id]
    assert new.appointment_status == "ACTIVE"
    assert new.rescheduled_appointment_id is None
    assert new.assigned_technicians is None
    left = capacities(client, "P2")
    assert (left[SLOT_10], left[SLOT_12]) == (2, 1)  # the old place is free again
    sent = [c.body for c in store.calls if c.operation == RESCHEDULE]
    assert sent == [{"appointmentTime": {"startTime": "2026-12-01T20:00:00.000Z",
                                         "durationInMinutes": 120},
                     "rescheduleReasonCode": "R1"}]


def test_a_reschedule_can_stay_in_a_full_slot_it_already_holds(
        store: Emulator, client: ServicesClient) -> None:
    """Its own place is released first: moving within the same slot is no conflict."""
    old = client.add_appointment("P1", SLOT_8, TWO_HOURS).appointment_id
    assert old is not None and capacities(client, "P2")[SLOT_8] == 0
    assert client.reschedule_appointment("P1", old, SLOT_8, None, "R1").appointment_id


def test_the_sellers_reason_codes_are_enforced() -> None:
    with Emulator([job("P1", status="NOT_SERVICED", start=SLOT_8)], clock=lambda: NOW,
                  slots=SlotConfig(reason_codes=frozenset({"R1"}))) as server, \
            client_for(server, clock=lambda: NOW) as client:
        with pytest.raises(SpApiRequestError) as refused:
            client.reschedule_appointment("P1", "P1-A1", SLOT_10, TWO_HOURS, "U1")
        assert refused.value.status == 422
        assert "Appointment reschedule reason code is not valid." in str(refused.value)
        assert client.reschedule_appointment("P1", "P1-A1", SLOT_10, TWO_HOURS, "R1")


def test_store_slots_count_only_that_stores_appointments(client: ServicesClient) -> None:
    report = client.get_appointment_slots("B0C7TVMNT2", "STORE-2", MARKET, *DAY)
    assert report.scheduling_type == "REAL_TIME_SCHEDULING"
    assert report.start_time == DAY[0] and report.end_time == DAY[1]
    held = {s.start_time: s.capacity for s in report.appointment_slots or []}
    assert held[SLOT_10] == 1 and held[SLOT_8] == 2


def test_without_a_range_the_store_offers_its_horizon_from_now(client: ServicesClient) -> None:
    report = client.get_job_appointment_slots("P1", MARKET)
    assert report.start_time == NOW
    assert report.end_time == NOW + timedelta(days=30)
    starts = [s.start_time for s in report.appointment_slots or []]
    assert len(starts) == 30 * 5
    assert starts[0] == SLOT_8 and all(s is not None and s > NOW for s in starts)


# -- retries ------------------------------------------------------------------------------


def test_slot_reads_are_retried(store: Emulator, client: ServicesClient) -> None:
    store.faults.inject("getAppointmmentSlotsByJobId", 503, count=2)
    assert capacities(client, "P1")[SLOT_8] == 1
    statuses = [c.status for c in store.calls if c.operation == "getAppointmmentSlotsByJobId"]
    assert statuses == [503, 503, 200]


def test_a_throttled_booking_is_retried_and_lands_once(store: Emulator,
                                                      client: ServicesClient) -> None:
    store.faults.inject(ADD, 429, count=2)
    client.add_appointment("P1", SLOT_8, TWO_HOURS)
    assert [status for _, status, _ in bookings(store)] == [429, 429, 200]
    assert len(store.job("P1")["appointments"]) == 1  # type: ignore[index]


def test_a_booking_that_times_out_is_not_sent_again(store: Emulator) -> None:
    with client_for(store, timeout=0.3, clock=lambda: NOW) as client:
        store.faults.inject(ADD, 200, delay=0.6)
        with pytest.raises(SpApiRequestError) as unknown:
            client.add_appointment("P1", SLOT_8, TWO_HOURS)
        assert unknown.value.status is None
    time.sleep(0.6)  # the emulator records the delayed call once it has answered it
    assert bookings(store) == [(ADD, 200, "delay 0.6 s")]  # it landed, once


# -- client-side validation: nothing is sent ------------------------------------------------

NAIVE = datetime(2026, 12, 1, 16)


@pytest.mark.parametrize(("call", "complaint"), [
    (lambda c: c.get_job_appointment_slots("P1", MARKET, SLOT_8), "both start and end"),
    (lambda c: c.get_job_appointment_slots("P1", MARKET, None, SLOT_8), "both start and end"),
    (lambda c: c.get_job_appointment_slots("P1", MARKET, NAIVE, NAIVE + TWO_HOURS),
     "timezone-aware"),
    (lambda c: c.get_job_appointment_slots("P1", MARKET, SLOT_8, SLOT_8), "end after it starts"),
    (lambda c: c.get_job_appointment_slots("P1", MARKET, SLOT_8, SLOT_8 + timedelta(days=91)),
     "at most 90"),
    (lambda c: c.get_job_appointment_slots("P1", "A,B"), "exactly one marketplace"),
    (lambda c: c.get_job_appointment_slots("", MARKET), "serviceJobId"),
    (lambda c: c.get_appointment_slots(" ", "STORE-1", MARKET), "asin"),
    (lambda c: c.get_appointment_slots("B0C7TVMNT2", "S" * 101, MARKET), "store_id"),
    (lambda c: c.add_appointment("P1", NAIVE), "timezone-aware"),
    (lambda c: c.add_appointment("P1", NOW), "in the future"),
    (lambda c: c.add_appointment("P1", NOW + timedelta(days=366)), "at most 365 days"),
    (lambda c: c.add_appointment("P1", SLOT_8, timedelta(0)), "positive whole number"),
    (lambda c: c.add_appointment("P1", SLOT_8, timedelta(seconds=90)), "whole number"),
    (lambda c: c.add_appointment("P1", SLOT_8, 120), "must be a timedelta"),
    (lambda c: c.reschedule_appointment("P1", "P1-A1", SLOT_8, None, " "), "reason code"),
    (lambda c: c.reschedule_appointment("P1", "", SLOT_8, None, "R1"), "appointmentId"),
])
def test_a_broken_call_is_refused_before_anything_is_sent(
        store: Emulator, client: ServicesClient, call: Any, complaint: str) -> None:
    with pytest.raises(RequestValidationError, match=complaint):
        call(client)
    assert [c.operation for c in store.calls if c.operation != "lwaToken"] == []


def test_the_client_sends_the_start_in_utc(store: Emulator, client: ServicesClient) -> None:
    seattle = SLOT_8.astimezone(SlotConfig().zone)
    client.add_appointment("P1", seattle, TWO_HOURS)
    assert [c.body for c in store.calls if c.operation == ADD] == [
        {"appointmentTime": {"startTime": "2026-12-01T16:00:00.000Z", "durationInMinutes": 120}}]


# -- the emulator's own checks --------------------------------------------------------------


class Raw:
    """Plain httpx with a live access token, for requests the client would never send."""

    def __init__(self, emulator: Emulator) -> None:
        self.http = httpx.Client(base_url=emulator.url, timeout=10)
        token = self.http.post(emulator.token_url, data={
            "grant_type": "refresh_token", "refresh_token": "emulator-refresh",
            "client_id": "emulator-client", "client_secret": "emulator-secret"})
        self.headers = {"x-amz-access-token": token.json()["access_token"]}

    def get(self, path: str, params: dict[str, str]) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.headers)


@pytest.fixture
def raw(store: Emulator) -> Iterator[Raw]:
    api = Raw(store)
    yield api
    api.http.close()


JOB_SLOTS = "/service/v1/serviceJobs/P1/appointmentSlots"
STORE_SLOTS = "/service/v1/appointmentSlots"


@pytest.mark.parametrize(("path", "params", "status", "message"), [
    (JOB_SLOTS, {}, 400, "Missing or invalid request parameters: [marketplaceIds]"),
    (JOB_SLOTS, {"marketplaceIds": "A,B"}, 400, "[marketplaceIds]"),
    (JOB_SLOTS, {"marketplaceIds": MARKET, "startTime": wire(SLOT_8)}, 400, "[endTime]"),
    (JOB_SLOTS, {"marketplaceIds": MARKET, "endTime": "2021-04-04T25:00:00Z"}, 400,
     "End Time is not a valid ISO date/time object"),
    (JOB_SLOTS, {"marketplaceIds": MARKET, "startTime": wire(SLOT_10), "endTime": wire(SLOT_8)},
     400, "End Time should be after Start Time"),
    (JOB_SLOTS, {"marketplaceIds": MARKET, "startTime": wire(SLOT_8),
                 "endTime": wire(SLOT_8 + timedelta(days=91))}, 400, "can be 90 days"),
    (JOB_SLOTS, {"marketplaceIds": MARKET, "pageSize": "5"}, 400, "Unknown query parameter"),
    ("/service/v1/serviceJobs/NOPE/appointmentSlots", {"marketplaceIds": MARKET}, 422,
     "No job exist with jobId : NOPE"),
    ("/service/v1/serviceJobs/DONE/appointmentSlots", {"marketplaceIds": MARKET}, 422,
     "jobState : COMPLETED"),
    (STORE_SLOTS, {"marketplaceIds": MARKET, "storeId": "S"}, 400, "[asin]"),
    (STORE_SLOTS, {"marketplaceIds": MARKET, "asin": "B0C7TVMNT2"}, 400, "[storeId]"),
    (STORE_SLOTS, {"marketplaceIds": MARKET, "asin": "B0C7TVMNT2", "storeId": "S",
                   "startTime": wire(SLOT_10), "endTime": wire(SLOT_8)}, 400,
     "Range End Time should be after Range Start Time"),
])
def test_slot_queries_are_checked_like_amazon(raw: Raw, path: str, params: dict[str, str],
                                              status: int, message: str) -> None:
    answer = raw.get(path, params)
    assert answer.status_code == status
    assert message in answer.json()["errors"][0]["message"]


BOOK_P1 = "/service/v1/serviceJobs/P1/appointments"


@pytest.mark.parametrize(("body", "status", "message"), [
    ({}, 400, "[appointmentTime]"),
    ({"appointmentTime": {"startTime": wire(SLOT_8)}, "extra": 1}, 400, "Unknown fields"),
    ({"appointmentTime": {"durationInMinutes": 120}}, 400, "[appointmentTime.startTime]"),
    ({"appointmentTime": {"startTime": wire(SLOT_8), "durationInMinutes": 0}}, 400,
     "durationInMinutes"),
    ({"appointmentTime": {"startTime": "2026-12-01T08:00:00.000-08:00"}}, 422, "is not in UTC."),
    ({"appointmentTime": {"startTime": "2026-12-01T16:00:00"}}, 422, "is not in UTC."),
    ({"appointmentTime": {"startTime": "2026-12-01T16-00:00.000Z"}}, 422,
     "Failed to parse ISO8601 input"),
    ({"appointmentTime": {"startTime": wire(NOW)}}, 422, "should be in the future"),
    ({"appointmentTime": {"startTime": wire(NOW + timedelta(days=366))}}, 422,
     "maximum allowed period of 365 days"),
    ({"appointmentTime": {"startTime": wire(SLOT_8 + timedelta(minutes=15))}}, 422,
     "Appointment slot is not available."),
    ({"appointmentTime": {"startTime": wire(SLOT_8), "durationInMinutes": 90}}, 422,
     "Appointment slot is not available."),
    ({"appointmentTime": {"startTime": wire(SLOT_8 + timedelta(days=31))}}, 422,
     "Appointment slot is not available."),
])
def test_bookings_are_checked_like_amazon(raw: Raw, body: Any, status: int,
                                          message: str) -> None:
    answer = raw.post(BOOK_P1, body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["errors"][0]["message"]


def test_a_booking_needs_json(raw: Raw) -> None:
    answer = raw.http.post(BOOK_P1, content=b"{nope",
                           headers={**raw.headers, "content-type": "application/json"})
    assert answer.status_code == 400
    assert raw.http.post(BOOK_P1 + "?x=1", json={}, headers=raw.headers).status_code == 400


def sandbox(path: str, status: str) -> list[tuple[dict[str, Any], Any]]:
    operation = json.loads(MODEL.read_text())["paths"][path]["post"]
    return [(example["request"]["parameters"], example["response"])
            for example in operation["responses"][status]["x-amzn-api-sandbox"]["static"]]


def sandbox_jobs(cases: list[tuple[dict[str, Any], Any, str]]) -> list[dict[str, Any]]:
    """The jobs the sandbox examples presume: completed ones, ones with an active appointment
    (the appointment rescheduled; validJobId-3's with the two technicians its warning names)."""
    jobs: dict[str, dict[str, Any]] = {}
    for parameters, _, _ in cases:
        job_id = parameters["serviceJobId"]["value"]
        if job_id.startswith("invalid"):
            continue
        document = jobs.setdefault(job_id, job(
            job_id, status="COMPLETED" if job_id.startswith("completed") else "NOT_SERVICED"))
        held = parameters.get("appointmentId", {}).get("value") or (
            "x" if job_id.startswith("withActive") else None)
        if held:
            technicians = [{"technicianId": "ATechnicianId"}, {"technicianId": "BTechnicianId"}]
            document["appointments"] = [{
                "appointmentId": held, "appointmentStatus": "ACTIVE",
                "appointmentTime": {"startTime": "2021-01-01T12:00:00.000Z",
                                    "durationInMinutes": 60},
                **({"assignedTechnicians": technicians}
                   if job_id.startswith("validJobId-3") else {})}]
    return list(jobs.values())


@pytest.mark.parametrize("path", [
    "/service/v1/serviceJobs/{serviceJobId}/appointments",
    "/service/v1/serviceJobs/{serviceJobId}/appointments/{appointmentId}",
])
def test_the_models_sandbox_bookings_get_the_sandboxs_answers(path: str) -> None:
    """Every 200 and 422 example of add and reschedule: same status, same message.

    The sandbox's slots are hourly from 10:00 UTC and its now is the eve of 2021-01-01.
    """
    config = SlotConfig(timezone="UTC", opens=clock_time(10), closes=clock_time(18),
                        slot_minutes=60, reason_codes=frozenset({"R1"}))
    cases = [(p, r, s) for s in ("200", "422") for p, r in sandbox(path, s)]
    assert len(cases) == (10 if path.endswith("appointments") else 11)
    with Emulator(sandbox_jobs(cases), slots=config, enforce_rate_limits=False,
                  clock=lambda: datetime(2020, 12, 31, tzinfo=UTC)) as server:
        api = Raw(server)
        for parameters, expected, status in cases:
            target = path.replace("{serviceJobId}", parameters["serviceJobId"]["value"])
            target = target.replace("{appointmentId}",
                                    parameters.get("appointmentId", {}).get("value", ""))
            answer = api.post(target, parameters["body"]["value"])
            assert str(answer.status_code) == status, (parameters, answer.text)
            body = answer.json()
            if status == "200":
                assert body.keys() == expected.keys()
                assert body.get("warnings") == expected.get("warnings")
            else:
                assert body["errors"][0]["message"] == expected["errors"][0]["message"]
        api.http.close()


# -- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize("options", [
    {"timezone": "Mars/Olympus"}, {"opens": clock_time(18), "closes": clock_time(8)},
    {"slot_minutes": 11 * 60}, {"capacity": -1}, {"horizon_days": 0},
])
def test_a_bad_slot_configuration_is_a_clear_error(options: dict[str, Any]) -> None:
    with pytest.raises(EmulatorError):
        SlotConfig(**options)


def test_the_slot_taken_fault_aims_at_bookings_only() -> None:
    plan = FaultPlan()
    with pytest.raises(EmulatorError, match="booking operation"):
        plan.inject("getServiceJobs", 200, take_slot=True)
    plan.inject_spec("slot-taken:2")
    assert plan.take("getAppointmmentSlotsByJobId") is None
    assert plan.take("getServiceJobs") is None
    taken = plan.take(RESCHEDULE)
    assert taken is not None and taken.label == "slot-taken" and plan.pending == 1


def test_the_reschedule_reason_code_is_a_setting() -> None:
    assert load_settings(environ={}).reschedule_reason_code is None
    settings = load_settings(environ={"ROUTEPLAN_RESCHEDULE_REASON_CODE": "R1"})
    assert settings.reschedule_reason_code == "R1"
    with pytest.raises(ConfigError, match="reschedule_reason_code"):
        load_settings(environ={"ROUTEPLAN_RESCHEDULE_REASON_CODE": ""})
