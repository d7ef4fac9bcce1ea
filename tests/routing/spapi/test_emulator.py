"""The Services API emulator, exercised over real HTTP with plain httpx (no client class)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from routing.spapi.emulator import (
    USAGE_PLANS,
    Emulator,
    EmulatorError,
    ResourceRule,
    UsagePlan,
)

MODEL = Path(__file__).resolve().parents[3] / ".." / "shared" / "spapi" / "services.json"
MARKETPLACE = "ATVPDKIKX0DER"
JOBS = "/service/v1/serviceJobs"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SINCE = {"marketplaceIds": MARKETPLACE, "createdAfter": "2020-01-01T00:00:00Z"}


def make_job(
    index: int,
    *,
    status: str = "NOT_SERVICED",
    created: str | None = None,
    start: str | None = "2024-03-01T15:00:00.000Z",
    appointment_status: str = "ACTIVE",
    preferred: str | None = None,
    store: str = "STORE1",
    asin: str = "B000000001",
    skills: tuple[str, ...] = ("TV_MOUNTING",),
) -> dict[str, Any]:
    """A ServiceJob as Amazon writes it; ``start`` None leaves it without appointment."""
    job: dict[str, Any] = {
        "serviceJobId": f"job-{index:04d}",
        "serviceOrderId": f"111-{index:07d}-0000000",
        "serviceJobStatus": status,
        "createTime": created or f"2024-01-{index % 28 + 1:02d}T08:00:00.000Z",
        "storeId": store,
        "marketplaceId": MARKETPLACE,
        "scopeOfWork": {"asin": asin, "title": "Mount a TV", "requiredSkills": list(skills)},
        "serviceLocation": {"serviceLocationType": "IN_HOME"},
    }
    if start is not None:
        job["appointments"] = [
            {
                "appointmentId": f"appt-{index:04d}",
                "appointmentStatus": appointment_status,
                "appointmentTime": {"startTime": start, "durationInMinutes": 120},
            }
        ]
    if preferred is not None:
        job["preferredAppointmentTimes"] = [{"startTime": preferred, "durationInMinutes": 240}]
    return job


def token_form(**override: str) -> dict[str, str]:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "emulator-refresh",
        "client_id": "emulator-client",
        "client_secret": "emulator-secret",
    }
    form.update(override)
    return form


class Api:
    """Plain httpx plus a logged-in access token header."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.http = httpx.Client(base_url=emulator.url, timeout=10)
        self.headers: dict[str, str] = {}
        self.login()

    def login(self) -> None:
        answer = self.http.post(self.emulator.token_url, data=token_form())
        assert answer.status_code == 200
        self.headers = {"x-amz-access-token": answer.json()["access_token"]}

    def get(self, path: str, params: Any = None) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers)

    def put(self, path: str, body: Any) -> httpx.Response:
        return self.http.put(path, json=body, headers=self.headers)

    def jobs(self, **params: str) -> httpx.Response:
        return self.get(JOBS, {**SINCE, **params})


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """Five jobs, rate limits off (the tests that check them start their own emulator)."""
    jobs = [make_job(i) for i in range(5)]
    with Emulator(jobs, enforce_rate_limits=False) as running:
        yield running


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    client = Api(emulator)
    yield client
    client.http.close()


def serve(jobs: list[dict[str, Any]], **kw: Any) -> tuple[Emulator, Api]:
    emulator = Emulator(jobs, **kw).start()
    return emulator, Api(emulator)


def all_ids(api: Api, **params: str) -> list[str]:
    """Follow nextPageToken from the first page to the last."""
    ids: list[str] = []
    answer = api.jobs(**params)
    while True:
        assert answer.status_code == 200, answer.text
        payload = answer.json()["payload"]
        ids += [job["serviceJobId"] for job in payload["jobs"]]
        if "nextPageToken" not in payload:
            return ids
        answer = api.jobs(**params, pageToken=payload["nextPageToken"])


# -- lifecycle and datasets ------------------------------------------------------------


def test_serves_on_an_ephemeral_loopback_port_and_stops() -> None:
    emulator = Emulator([make_job(1)])
    with pytest.raises(EmulatorError):
        _ = emulator.url
    with emulator:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emulator.url)
        assert emulator.port != 0
        assert emulator.token_url == emulator.url + "/auth/o2/token"
        assert httpx.post(emulator.token_url, data=token_form()).status_code == 200
        url = emulator.url
    assert not emulator.running
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/auth/o2/token", data=token_form())


def test_stopping_ends_kept_alive_connections(emulator: Emulator, api: Api) -> None:
    assert api.jobs().status_code == 200
    emulator.stop()
    with pytest.raises(httpx.TransportError):
        api.jobs()


@pytest.mark.parametrize("wrapped", [True, False])
def test_loads_a_response_file_or_a_bare_list(tmp_path: Path, wrapped: bool) -> None:
    jobs = [make_job(i) for i in range(3)]
    document: Any = {"payload": {"jobs": jobs}} if wrapped else jobs
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(document))
    with Emulator.from_file(path) as emulator:
        api = Api(emulator)
        assert all_ids(api) == [job["serviceJobId"] for job in jobs]


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("not json", "not JSON"),
        ('{"jobs": []}', "neither"),
        (json.dumps([make_job(1), make_job(1)]), "twice"),
        (json.dumps([{"serviceJobStatus": "HOLD"}]), "no serviceJobId"),
        (json.dumps([make_job(1, created="yesterday")]), "createTime"),
    ],
)
def test_a_bad_dataset_is_a_clear_error(tmp_path: Path, content: str, complaint: str) -> None:
    path = tmp_path / "jobs.json"
    path.write_text(content)
    with pytest.raises(EmulatorError, match=complaint):
        Emulator.from_file(path)


@pytest.mark.parametrize(
    "options",
    [
        {"token_ttl": -1},
        {"usage_plans": {"getOrders": UsagePlan(1.0, 1)}},
        {"usage_plans": {"getServiceJobs": UsagePlan(0.0, 1)}},
        {"usage_plans": {"getServiceJobs": UsagePlan(1.0, 0)}},
    ],
)
def test_bad_settings_are_a_clear_error(options: dict[str, Any]) -> None:
    with pytest.raises(EmulatorError):
        Emulator([make_job(1)], **options)


def test_a_port_in_use_is_a_clear_error(emulator: Emulator) -> None:
    with pytest.raises(EmulatorError, match="cannot listen"):
        Emulator(port=emulator.port).start()


def test_a_missing_dataset_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmulatorError, match="cannot read"):
        Emulator.from_file(tmp_path / "absent.json")


# -- Login with Amazon -----------------------------------------------------------------


def test_lwa_issues_bearer_tokens_and_counts_requests(emulator: Emulator) -> None:
    answer = httpx.post(emulator.token_url, data=token_form())
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert emulator.token_requests == 1
    recorded = emulator.calls[-1]
    assert recorded.operation == "lwaToken"
    assert recorded.body["client_secret"] == "***"
    assert recorded.body["refresh_token"] == "***"
    assert "emulator-secret" not in repr(emulator.calls)


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        (token_form(client_secret="wrong"), 401, "invalid_client"),
        (token_form(client_id="wrong"), 401, "invalid_client"),
        (token_form(refresh_token="wrong"), 400, "invalid_grant"),
        (token_form(grant_type="client_credentials"), 400, "unsupported_grant_type"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request"),
    ],
)
def test_lwa_refuses_wrong_credentials(
    emulator: Emulator, form: dict[str, str], status: int, code: str
) -> None:
    answer = httpx.post(emulator.token_url, data=form)
    assert answer.status_code == status
    assert answer.json()["error"] == code
    assert answer.json()["error_description"]


def test_lwa_wants_a_form_not_json(emulator: Emulator) -> None:
    answer = httpx.post(emulator.token_url, json=token_form())
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


# -- access tokens on Services API calls -----------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"x-amz-access-token": "Atza|forged"}])
def test_calls_without_a_live_token_are_denied(emulator: Emulator, headers: dict[str, str]) -> None:
    answer = httpx.get(emulator.url + JOBS, params=SINCE, headers=headers)
    assert answer.status_code == 403
    assert answer.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "",
            }
        ]
    }


def test_expired_tokens_are_refused_until_a_new_login(emulator: Emulator, api: Api) -> None:
    assert api.jobs().status_code == 200
    emulator.expire_tokens()
    answer = api.jobs()
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["details"] == "The access token you provided has expired."
    api.login()
    assert api.jobs().status_code == 200


def test_tokens_expire_after_their_ttl() -> None:
    emulator, api = serve([make_job(1)], token_ttl=0)
    with emulator:
        answer = api.jobs()
        assert answer.status_code == 403
        assert "expired" in answer.json()["errors"][0]["details"]


# -- getServiceJobs: paging ------------------------------------------------------------


def test_pages_cover_every_job_once_in_dataset_order() -> None:
    jobs = [make_job(i) for i in range(47)]
    emulator, api = serve(jobs)
    with emulator:
        first = api.jobs(pageSize="10").json()["payload"]
        assert first["totalResultSize"] == 47
        assert "previousPageToken" not in first
        assert all_ids(api, pageSize="10") == [job["serviceJobId"] for job in jobs]
        pages = [c for c in emulator.calls if c.operation == "getServiceJobs"]
        assert len(pages) == 1 + 5


def test_a_default_page_holds_twenty_jobs_and_tokens_go_both_ways() -> None:
    emulator, api = serve([make_job(i) for i in range(30)])
    with emulator:
        first = api.jobs().json()["payload"]
        assert len(first["jobs"]) == 20
        second = api.jobs(pageToken=first["nextPageToken"]).json()["payload"]
        assert len(second["jobs"]) == 10
        assert "nextPageToken" not in second
        back = api.jobs(pageToken=second["previousPageToken"]).json()["payload"]
        assert back["jobs"] == first["jobs"]


def test_a_page_token_alone_carries_its_query() -> None:
    jobs = [make_job(i, status="HOLD" if i % 2 else "NOT_SERVICED") for i in range(9)]
    emulator, api = serve(jobs)
    with emulator:
        first = api.jobs(serviceJobStatus="HOLD", pageSize="2").json()["payload"]
        follow = api.get(JOBS, {"marketplaceIds": MARKETPLACE, "pageToken": first["nextPageToken"]})
        assert follow.status_code == 200
        assert [job["serviceJobId"] for job in follow.json()["payload"]["jobs"]] == [
            "job-0005",
            "job-0007",
        ]
        changed = api.jobs(serviceJobStatus="CANCELLED", pageToken=first["nextPageToken"])
        assert changed.status_code == 400
        assert api.jobs(pageToken="garbage!").status_code == 400


def test_repeat_page_token_returns_the_same_token_forever() -> None:
    emulator, api = serve([make_job(i) for i in range(6)])
    with emulator:
        emulator.faults.repeat_page_token = True
        first = api.jobs(pageSize="2").json()["payload"]
        token = first["nextPageToken"]
        for _ in range(3):
            page = api.jobs(pageSize="2", pageToken=token).json()["payload"]
            assert page["nextPageToken"] == token
            assert [job["serviceJobId"] for job in page["jobs"]] == ["job-0002", "job-0003"]


def test_sorting_by_job_date_and_status() -> None:
    jobs = [
        make_job(0, status="HOLD", start="2024-03-03T10:00:00Z"),
        make_job(1, status="CANCELLED", start="2024-03-01T10:00:00Z"),
        make_job(2, status="HOLD", start=None, preferred="2024-03-02T10:00:00Z"),
    ]
    emulator, api = serve(jobs)
    with emulator:
        assert all_ids(api) == ["job-0000", "job-0001", "job-0002"]
        assert all_ids(api, sortField="JOB_DATE") == ["job-0001", "job-0002", "job-0000"]
        assert all_ids(api, sortField="JOB_DATE", sortOrder="DESC") == [
            "job-0000",
            "job-0002",
            "job-0001",
        ]
        assert all_ids(api, sortField="JOB_STATUS") == ["job-0001", "job-0002", "job-0000"]


# -- getServiceJobs: filters -----------------------------------------------------------


@pytest.fixture
def varied() -> Iterator[Api]:
    jobs = [
        make_job(0, status="NOT_SERVICED", start="2024-03-01T09:00:00Z", store="S1"),
        make_job(1, status="PENDING_SCHEDULE", start=None, preferred="2024-03-02T09:00:00Z"),
        make_job(
            2, status="CANCELLED", start="2024-03-01T09:00:00Z", appointment_status="CANCELLED"
        ),
        make_job(3, status="COMPLETED", start="2024-03-05T09:00:00Z", asin="B00000000X"),
        make_job(4, status="NOT_SERVICED", start="2024-03-01T20:00:00Z", skills=("PLUMBING",)),
        make_job(5, status="HOLD", created="2023-06-01T00:00:00Z"),
    ]
    jobs[4]["marketplaceId"] = "A1F83G8C2ARO7P"
    emulator, api = serve(jobs)
    with emulator:
        yield api


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"serviceJobStatus": "NOT_SERVICED,HOLD"}, [0, 5]),
        ({"serviceJobStatus": "PENDING_SCHEDULE"}, [1]),
        ({"storeIds": "S1"}, [0]),
        ({"asins": "B00000000X"}, [3]),
        ({"requiredSkills": "TV_MOUNTING"}, [0, 1, 2, 3, 5]),
        ({"serviceOrderIds": "111-0000003-0000000,111-0000005-0000000"}, [3, 5]),
        ({"createdBefore": "2023-12-31T00:00:00Z"}, [5]),
        ({"createdAfter": "2024-01-02T00:00:00Z"}, [1, 2, 3]),
        # Overlap with [09:30, 10:00] on March 1st: the 09:00-11:00 appointment; not the
        # cancelled one, nor the one at 20:00.
        (
            {
                "scheduleStartDate": "2024-03-01T09:30:00Z",
                "scheduleEndDate": "2024-03-01T10:00:00Z",
            },
            [0],
        ),
        # Preferred windows count for jobs without appointment.
        (
            {
                "scheduleStartDate": "2024-03-02T00:00:00Z",
                "scheduleEndDate": "2024-03-02T23:00:00Z",
            },
            [1],
        ),
        ({"scheduleStartDate": "2024-03-04T00:00:00Z"}, [3]),
    ],
)
def test_filters(varied: Api, params: dict[str, str], expected: list[int]) -> None:
    assert all_ids(varied, **params) == [f"job-{i:04d}" for i in expected]


def test_marketplace_filter(varied: Api) -> None:
    answer = varied.get(JOBS, {**SINCE, "marketplaceIds": "A1F83G8C2ARO7P"})
    assert [job["serviceJobId"] for job in answer.json()["payload"]["jobs"]] == ["job-0004"]


def test_last_updated_moves_with_assignments(varied: Api) -> None:
    path = f"{JOBS}/job-0000/appointments/appt-0000/resources"
    assert varied.put(path, {"resources": [{"resourceId": "TECH1"}]}).status_code == 200
    params = {"marketplaceIds": MARKETPLACE, "lastUpdatedAfter": "2025-01-01T00:00:00Z"}
    answer = varied.get(JOBS, params)
    assert [job["serviceJobId"] for job in answer.json()["payload"]["jobs"]] == ["job-0000"]


@pytest.mark.parametrize(
    "params",
    [
        {"unknownParam": "1"},
        {"serviceJobStatus": "DONE"},
        {"serviceJobStatus": ""},
        {"sortField": "PRICE"},
        {"sortOrder": "UP"},
        {"pageSize": "0"},
        {"pageSize": "21"},
        {"pageSize": "ten"},
        {"serviceOrderIds": ",".join(f"111-{i}" for i in range(21))},
        {"serviceOrderIds": "ABC"},
        {"asins": "B00SHORT"},
        {"requiredSkills": ",".join(f"S{i}" for i in range(21))},
        {"marketplaceIds": f"{MARKETPLACE},A1F83G8C2ARO7P"},
        {"lastUpdatedAfter": "2020-01-01T00:00:00Z"},
        {"createdBefore": "not a date"},
        {"scheduleStartDate": "2024-03-02T00:00:00Z", "scheduleEndDate": "2024-03-01T00:00:00Z"},
    ],
)
def test_invalid_queries_are_rejected_like_amazon(api: Api, params: dict[str, str]) -> None:
    answer = api.jobs(**params)
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert error["message"] and "details" in error


@pytest.mark.parametrize(
    "params",
    [
        {"marketplaceIds": MARKETPLACE},
        {"createdAfter": "2020-01-01T00:00:00Z"},
        [
            ("marketplaceIds", MARKETPLACE),
            ("createdAfter", "2020-01-01T00:00:00Z"),
            ("serviceJobStatus", "HOLD"),
            ("serviceJobStatus", "CANCELLED"),
        ],
    ],
    ids=["no createdAfter nor lastUpdatedAfter", "no marketplaceIds", "repeated array key"],
)
def test_required_and_array_form_rules(api: Api, params: Any) -> None:
    answer = api.get(JOBS, params)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"


# -- getServiceJobByServiceJobId -------------------------------------------------------


def test_get_one_job_or_404(api: Api) -> None:
    answer = api.get(f"{JOBS}/job-0003")
    assert answer.status_code == 200
    assert answer.json()["payload"] == make_job(3)
    missing = api.get(f"{JOBS}/job-9999")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "NotFound"
    assert api.get(f"{JOBS}/job-0003", {"extra": "1"}).status_code == 400


def test_unknown_paths_are_404(api: Api) -> None:
    assert api.get("/service/v1/serviceJobs/job-0001/cancellations").status_code == 404
    assert api.get("/orders/v0/orders").status_code == 404


# -- assignAppointmentResources --------------------------------------------------------

ASSIGN = f"{JOBS}/job-0001/appointments/appt-0001/resources"


def test_assign_records_and_updates_the_appointment(emulator: Emulator, api: Api) -> None:
    answer = api.put(ASSIGN, {"resources": [{"resourceId": "TECH1"}, {"resourceId": "TECH2"}]})
    assert answer.status_code == 200
    assert answer.json() == {}
    assert emulator.assignments == {("job-0001", "appt-0001"): ["TECH1", "TECH2"]}
    job = api.get(f"{JOBS}/job-0001").json()["payload"]
    assert job["appointments"][0]["assignedTechnicians"] == [
        {"technicianId": "TECH1"},
        {"technicianId": "TECH2"},
    ]
    api.put(ASSIGN, {"resources": [{"resourceId": "TECH3"}]})
    assert emulator.assignments[("job-0001", "appt-0001")] == ["TECH3"]


def test_resource_rules_provoke_amazons_warnings_and_errors(emulator: Emulator, api: Api) -> None:
    emulator.resource_rules.update(
        {
            "BUSY": ResourceRule(overbooked=True, name="Busy Bee"),
            "PLUMBER": ResourceRule(skills=frozenset({"PLUMBING"})),
            "AWAY": ResourceRule(available=False),
        }
    )
    busy = api.put(ASSIGN, {"resources": [{"resourceId": "BUSY"}]})
    assert busy.status_code == 200
    assert busy.json()["payload"]["warnings"][0]["code"] == "RESOURCES_OVERBOOKED"
    assert emulator.job("job-0001")["appointments"][0]["assignedTechnicians"] == [  # type: ignore[index]
        {"technicianId": "BUSY", "name": "Busy Bee"}
    ]
    unskilled = api.put(ASSIGN, {"resources": [{"resourceId": "PLUMBER"}]})
    assert unskilled.status_code == 422
    assert unskilled.json()["errors"][0]["code"] == "RESOURCES_MISSING_REQUIRED_SKILLS"
    assert "TV_MOUNTING" in unskilled.json()["errors"][0]["message"]
    away = api.put(ASSIGN, {"resources": [{"resourceId": "AWAY"}]})
    assert away.json()["errors"][0]["code"] == "RESOURCES_NOT_AVAILABLE_IN_TIME_WINDOW"
    unknown = api.put(ASSIGN, {"resources": [{"resourceId": "NOBODY"}]})
    assert unknown.status_code == 422
    assert "Invalid resourceId : NOBODY" in unknown.json()["errors"][0]["message"]
    assert emulator.assignments == {("job-0001", "appt-0001"): ["BUSY"]}


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (ASSIGN, {}, 400, "Resources not provided"),
        (ASSIGN, {"resources": []}, 400, "greater than or equal to 1"),
        (ASSIGN, {"resources": [{}]}, 400, "resourceId"),
        (ASSIGN, {"resources": [{"resourceId": "T"}], "extra": 1}, 400, "Unknown fields"),
        (f"{JOBS}/job-9999/appointments/appt-0001/resources", None, 422, "No job exists"),
        (f"{JOBS}/job-0001/appointments/appt-9999/resources", None, 422, "No appointment"),
        (f"{JOBS}/cancelled/appointments/appt-0007/resources", None, 422, "not allowed"),
        (f"{JOBS}/{'x' * 101}/appointments/appt-0001/resources", None, 400, "serviceJobId"),
    ],
)
def test_assign_validation(path: str, body: Any, status: int, message: str) -> None:
    cancelled = make_job(7, status="CANCELLED")
    cancelled["serviceJobId"] = "cancelled"
    emulator, api = serve([make_job(1), cancelled])
    with emulator:
        answer = api.put(path, {"resources": [{"resourceId": "T"}]} if body is None else body)
        assert answer.status_code == status
        assert message in answer.json()["errors"][0]["message"]
        assert emulator.assignments == {}


def test_assign_needs_an_active_appointment() -> None:
    emulator, api = serve([make_job(1, appointment_status="COMPLETED")])
    with emulator:
        answer = api.put(ASSIGN, {"resources": [{"resourceId": "T"}]})
        assert answer.status_code == 422
        assert "not allowed for appointmentId appt-0001" in answer.json()["errors"][0]["message"]


# -- setAppointmentFulfillmentData -----------------------------------------------------

FULFILL = f"{JOBS}/job-0001/appointments/appt-0001/fulfillment"


def test_fulfillment_is_recorded_and_merged(emulator: Emulator, api: Api) -> None:
    eta = {"startTime": "2024-03-01T15:00:00Z", "endTime": "2024-03-01T15:30:00.000Z"}
    first = api.put(FULFILL, {"estimatedArrivalTime": eta})
    assert first.status_code == 204
    assert first.content == b""
    done = {"startTime": "2024-03-01T15:10:00Z", "endTime": "2024-03-01T16:00:00Z"}
    resources = [{"resourceId": "TECH1"}]
    assert (
        api.put(FULFILL, {"fulfillmentTime": done, "appointmentResources": resources}).status_code
        == 204
    )
    assert emulator.fulfillments == {
        ("job-0001", "appt-0001"): {
            "estimatedArrivalTime": eta,
            "fulfillmentTime": done,
            "appointmentResources": resources,
        }
    }


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "No fulfillment artifacts"),
        (
            {"estimatedArrivalTime": {"startTime": "2024-03-01T15:00:00Z"}},
            422,
            "both are mandatory",
        ),
        (
            {
                "estimatedArrivalTime": {
                    "startTime": "2024-03-01T15:00:00+05:30",
                    "endTime": "2024-03-01T16:00:00Z",
                }
            },
            422,
            "not in UTC",
        ),
        (
            {
                "estimatedArrivalTime": {
                    "startTime": "2024-03-01T15:00:00",
                    "endTime": "2024-03-01T16:00:00Z",
                }
            },
            422,
            "not in UTC",
        ),
        (
            {
                "fulfillmentTime": {
                    "startTime": "2021-01-01T10-00:00.000Z",
                    "endTime": "2021-01-03T13:18:10Z",
                }
            },
            422,
            "Could not parse",
        ),
        ({"fulfillmentTime": {"endTime": "2021-01-03T13:18:10Z"}}, 422, "start time is required"),
        (
            {
                "fulfillmentTime": {
                    "startTime": "9999-01-01T10:00:00Z",
                    "endTime": "9999-01-01T11:00:00Z",
                }
            },
            422,
            "should not be in future",
        ),
        (
            {
                "fulfillmentTime": {
                    "startTime": "2021-01-04T10:00:00Z",
                    "endTime": "2021-01-03T10:00:00Z",
                }
            },
            422,
            "after start time",
        ),
        ({"fulfillmentDocuments": [{"uploadDestinationId": "X"}]}, 422, "document parameters"),
        ({"estimatedArrival": {}}, 400, "No fulfillment artifacts"),
    ],
)
def test_fulfillment_validation_answers_bare_error_lists(
    emulator: Emulator, api: Api, body: Any, status: int, message: str
) -> None:
    answer = api.put(FULFILL, body)
    assert answer.status_code == status
    errors = answer.json()
    assert isinstance(errors, list)
    assert any(message in error["message"] for error in errors)
    assert emulator.fulfillments == {}


def test_fulfillment_checks_job_appointment_and_resources(emulator: Emulator, api: Api) -> None:
    eta = {
        "estimatedArrivalTime": {
            "startTime": "2024-03-01T15:00:00Z",
            "endTime": "2024-03-01T15:30:00Z",
        }
    }
    missing_job = api.put(f"{JOBS}/job-9999/appointments/appt-0001/fulfillment", eta)
    assert missing_job.status_code == 422
    assert "No job exist" in missing_job.json()[0]["message"]
    missing_appointment = api.put(f"{JOBS}/job-0001/appointments/appt-0002/fulfillment", eta)
    assert "not present in the job" in missing_appointment.json()[0]["message"]
    emulator.resource_rules["TECH1"] = ResourceRule()
    unknown = api.put(FULFILL, {"appointmentResources": [{"resourceId": "GHOST"}]})
    assert unknown.status_code == 422
    assert "does not exist" in unknown.json()[0]["message"]


def test_puts_need_json(api: Api) -> None:
    answer = api.http.put(
        ASSIGN, content=b"resources=T", headers={**api.headers, "content-type": "text/plain"}
    )
    assert answer.status_code == 415
    broken = api.http.put(
        ASSIGN, content=b"{not json", headers={**api.headers, "content-type": "application/json"}
    )
    assert broken.status_code == 400


# -- rate limits -----------------------------------------------------------------------


def test_usage_plans_match_the_model() -> None:
    model = json.loads(MODEL.read_text())
    plans = {}
    for methods in model["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and operation.get("operationId") in USAGE_PLANS:
                rate, burst = re.search(
                    r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|\n", operation["description"]
                ).groups()  # type: ignore[union-attr]
                plans[operation["operationId"]] = UsagePlan(float(rate), int(burst))
    assert plans == dict(USAGE_PLANS)


def test_an_empty_bucket_answers_429_quota_exceeded() -> None:
    plans = {"getServiceJobByServiceJobId": UsagePlan(0.01, 3)}
    emulator, api = serve([make_job(1)], usage_plans=plans)
    with emulator:
        statuses = [api.get(f"{JOBS}/job-0001").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        throttled = api.get(f"{JOBS}/job-0001")
        assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
        assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.01"
        # Buckets are per operation.
        assert api.jobs().status_code == 200
        assert api.jobs().headers["x-amzn-RateLimit-Limit"] == "10.0"


def test_the_burst_of_the_model_is_served_then_throttled() -> None:
    emulator, api = serve([make_job(1)])
    with emulator:
        body = {"resources": [{"resourceId": "T"}]}
        statuses = [api.put(ASSIGN, body).status_code for _ in range(4)]
        # assignAppointmentResources: 1 request per second, burst 2.
        assert statuses[:2] == [200, 200]
        assert 429 in statuses[2:]


def test_rate_limits_can_be_switched_off() -> None:
    plans = {"getServiceJobByServiceJobId": UsagePlan(0.01, 1)}
    emulator, api = serve([make_job(1)], usage_plans=plans, enforce_rate_limits=False)
    with emulator:
        assert {api.get(f"{JOBS}/job-0001").status_code for _ in range(5)} == {200}


# -- fault injection -------------------------------------------------------------------


def test_injected_statuses_come_first_then_real_answers(emulator: Emulator, api: Api) -> None:
    emulator.faults.inject("getServiceJobs", 503, count=2, retry_after=1.5)
    first = api.jobs()
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1.5"
    assert first.json()["errors"][0]["code"] == "ServiceUnavailable"
    assert api.jobs().status_code == 503
    assert emulator.faults.pending == 0
    assert api.jobs().status_code == 200
    assert [c.status for c in emulator.calls if c.operation == "getServiceJobs"] == [503, 503, 200]


def test_a_429_burst_for_any_operation(emulator: Emulator, api: Api) -> None:
    emulator.faults.inject(None, 429, count=3)
    statuses = [api.get(f"{JOBS}/job-0001").status_code, api.jobs().status_code]
    statuses.append(api.put(ASSIGN, {"resources": [{"resourceId": "T"}]}).status_code)
    assert statuses == [429, 429, 429]
    assert api.jobs().status_code == 200


def test_a_fault_for_one_operation_spares_the_others(emulator: Emulator, api: Api) -> None:
    emulator.faults.inject("getServiceJobByServiceJobId", 500)
    assert api.jobs().status_code == 200
    assert api.get(f"{JOBS}/job-0001").status_code == 500
    assert api.get(f"{JOBS}/job-0001").status_code == 200


def test_non_json_bodies(emulator: Emulator, api: Api) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    emulator.faults.inject("getServiceJobs", 500, body=html)
    answer = api.jobs()
    assert answer.status_code == 500
    assert answer.text == html
    assert answer.headers["content-type"].startswith("text/html")
    assert uuid.UUID(answer.headers["x-amzn-RequestId"])


def test_slow_responses_are_real_answers_late(emulator: Emulator, api: Api) -> None:
    emulator.faults.inject("getServiceJobs", 200, delay=0.3)
    began = time.monotonic()
    answer = api.jobs()
    assert time.monotonic() - began >= 0.3
    assert answer.status_code == 200
    assert len(answer.json()["payload"]["jobs"]) == 5
    with pytest.raises(httpx.ReadTimeout):
        emulator.faults.inject("getServiceJobs", 200, delay=1.0)
        api.http.get(JOBS, params=SINCE, headers=api.headers, timeout=0.2)


def test_login_faults_are_aimed_explicitly(emulator: Emulator) -> None:
    emulator.faults.inject(None, 500)
    assert httpx.post(emulator.token_url, data=token_form()).status_code == 200
    emulator.faults.inject("lwaToken", 503)
    assert httpx.post(emulator.token_url, data=token_form()).status_code == 503
    assert emulator.token_requests == 2


def test_fault_plans_refuse_nonsense(emulator: Emulator) -> None:
    with pytest.raises(EmulatorError, match="unknown operation"):
        emulator.faults.inject("getOrders", 500)
    with pytest.raises(EmulatorError):
        emulator.faults.inject(None, 999)
    with pytest.raises(EmulatorError):
        emulator.faults.inject(None, 500, count=0)
    emulator.faults.inject(None, 500, count=4)
    emulator.faults.repeat_page_token = True
    emulator.faults.clear()
    assert emulator.faults.pending == 0
    assert not emulator.faults.repeat_page_token


# -- recording and concurrency ---------------------------------------------------------


def test_every_call_is_recorded_with_a_request_id(emulator: Emulator, api: Api) -> None:
    answer = api.jobs(serviceJobStatus="NOT_SERVICED,HOLD")
    assert answer.status_code == 200
    call = emulator.calls[-1]
    assert call.operation == "getServiceJobs"
    assert call.method == "GET"
    assert call.path == JOBS
    assert call.query == {**SINCE, "serviceJobStatus": "NOT_SERVICED,HOLD"}
    assert "serviceJobStatus=NOT_SERVICED%2CHOLD" in call.query_string
    assert call.status == 200
    assert call.request_id == answer.headers["x-amzn-RequestId"]
    assert call.headers["x-amz-access-token"] == "***"
    assert "authorization" not in call.headers
    api.put(ASSIGN, {"resources": [{"resourceId": "T"}]})
    assert emulator.calls[-1].body == {"resources": [{"resourceId": "T"}]}
    ids = {c.request_id for c in emulator.calls}
    assert len(ids) == len(emulator.calls)
    times = [c.time for c in emulator.calls]
    assert times == sorted(times)


def test_concurrent_clients_are_all_served_and_recorded() -> None:
    emulator, api = serve([make_job(i) for i in range(30)])
    with emulator:
        results: list[int] = []
        lock = threading.Lock()

        def fetch() -> None:
            with httpx.Client(base_url=emulator.url) as http:
                status = http.get(JOBS, params=SINCE, headers=api.headers).status_code
            with lock:
                results.append(status)

        threads = [threading.Thread(target=fetch) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [200] * 20
        assert sum(c.operation == "getServiceJobs" for c in emulator.calls) == 20


def served_until_ctrl_c(command: list[str], job_ids: list[str]) -> list[str]:
    """Start ``command`` (an emulator), fetch each job by id, stop it with Ctrl-C (exit 0);
    the ids it served."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        token = httpx.post(url + "/auth/o2/token", data=token_form()).json()["access_token"]
        served = []
        for job_id in job_ids:
            answer = httpx.get(f"{url}{JOBS}/{job_id}", headers={"x-amz-access-token": token})
            if answer.status_code == 200:
                served.append(answer.json()["payload"]["serviceJobId"])
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        return served
    finally:
        process.kill()
        process.wait()


def test_serve_forever_serves_every_file_until_ctrl_c(tmp_path: Path) -> None:
    paths = [tmp_path / "day.json", tmp_path / "more.json"]
    paths[0].write_text(json.dumps([make_job(1)]))
    paths[1].write_text(json.dumps({"payload": {"jobs": [make_job(2)]}}))
    code = (
        "import sys; from pathlib import Path; from routing.spapi.emulator import serve_forever; "
        "serve_forever([Path(p) for p in sys.argv[1:]], '127.0.0.1', 0)"
    )
    served = served_until_ctrl_c([sys.executable, "-c", code, *map(str, paths)],
                                 ["job-0001", "job-0002", "job-0003"])
    assert served == ["job-0001", "job-0002"]


def test_the_emulator_command_serves_the_example_day_and_its_history() -> None:
    """As ``--source emulator`` does, so that ``audit --endpoint`` has a month to read."""
    day, month = (json.loads((EXAMPLES / name).read_text()) for name in ("jobs.json",
                                                                           "history.json"))
    ids = [jobs["payload"]["jobs"][0]["serviceJobId"] for jobs in (day, month)]
    served = served_until_ctrl_c([sys.executable, "-m", "routing.cli", "emulator"], ids)
    assert served == ids


# -- the model's own sandbox examples --------------------------------------------------


def sandbox_examples(path: str, status: str) -> list[tuple[str, str, Any, Any]]:
    model = json.loads(MODEL.read_text())
    static = model["paths"][path]["put"]["responses"][status]["x-amzn-api-sandbox"]["static"]
    return [
        (
            example["request"]["parameters"]["serviceJobId"]["value"],
            example["request"]["parameters"]["appointmentId"]["value"],
            example["request"]["parameters"]["body"]["value"],
            example["response"],
        )
        for example in static
    ]


def test_the_models_successful_sandbox_calls_replay_identically() -> None:
    """Every 2xx sandbox example of assign and fulfillment gets the sandbox's answer.

    One is left out on purpose: the sandbox accepts ``{"resources": [{}]}`` (no resourceId);
    the emulator refuses it, so that a client sending it fails in tests, not in production.
    """
    resources = "/service/v1/serviceJobs/{serviceJobId}/appointments/{appointmentId}/resources"
    fulfillment = resources.replace("resources", "fulfillment")
    examples = [
        (resources.replace("{serviceJobId}", job).replace("{appointmentId}", appt), body, answer)
        for job, appt, body, answer in sandbox_examples(resources, "200")
        if all(item.get("resourceId") for item in body["resources"])
    ] + [
        (fulfillment.replace("{serviceJobId}", job).replace("{appointmentId}", appt), body, answer)
        for job, appt, body, answer in sandbox_examples(fulfillment, "204")
    ]
    assert len(examples) == 2 + 8
    job_id, appointment_id, _, _ = sandbox_examples(resources, "200")[0]
    job = {
        "serviceJobId": job_id,
        "serviceJobStatus": "NOT_SERVICED",
        "appointments": [
            {
                "appointmentId": appointment_id,
                "appointmentStatus": "ACTIVE",
                "appointmentTime": {
                    "startTime": "2020-01-31T06:38:56.961Z",
                    "durationInMinutes": 60,
                },
            }
        ],
    }
    emulator, api = serve([job], enforce_rate_limits=False)
    with emulator:
        emulator.resource_rules.update(
            {
                "overBookedResourceId-A8B3M999LMHF2": ResourceRule(overbooked=True),
                "validResourceId-AMIDIAX1H5V": ResourceRule(),
                "validResourceId-A8B3M999LMHF2": ResourceRule(),
                "validResourceId-20334421900": ResourceRule(),
                "validResourceId-82309484378": ResourceRule(),
            }
        )
        for path, body, expected in examples:
            answer = api.put(path, body)
            assert answer.status_code in (200, 204), (body, answer.text)
            assert (answer.json() if answer.content else "") == expected
