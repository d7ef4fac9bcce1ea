"""The emulator as an integrator's tool: JSON for every request, CLI fault specs, call listing."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from routing.spapi import LwaCredentials, RetryEvent, RetryPolicy, ServicesClient
from routing.spapi.emulator import Emulator, EmulatorError
from tests.routing.spapi.jobdata import DAY, make_jobs

JOBS = "/service/v1/serviceJobs"
SINCE = {"marketplaceIds": "ATVPDKIKX0DER", "createdAfter": "2026-01-01T00:00:00Z"}
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(make_jobs(3), enforce_rate_limits=False) as running:
        yield running


FORM = {"grant_type": "refresh_token", "refresh_token": "emulator-refresh",
        "client_id": "emulator-client", "client_secret": "emulator-secret"}


def token(emulator: Emulator) -> dict[str, str]:
    answer = httpx.post(emulator.token_url, data=FORM)
    return {"x-amz-access-token": answer.json()["access_token"]}


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [("TRACE", "/", 404, None),
     ("TRACE", JOBS, 405, "GET"),
     ("OPTIONS", JOBS, 405, "GET"),
     ("PATCH", f"{JOBS}/SJ-00001", 405, "GET"),
     ("DELETE", f"{JOBS}/SJ-00001/appointments/AP-00001/resources", 405, "PUT"),
     ("GET", "/auth/o2/token", 405, "POST"),
     ("BREW", "/coffee", 404, None),
     ("POST", "/_emulator/calls", 405, "GET"),
     ("GET", "/orders/v0/orders", 404, None)])
def test_every_method_and_path_gets_amazons_json_error(
        emulator: Emulator, method: str, path: str, status: int, allow: str | None) -> None:
    answer = httpx.request(method, emulator.url + path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    (error,) = answer.json()["errors"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == ("NotFound" if status == 404 else "MethodNotAllowed")
    assert answer.headers.get("allow") == allow
    assert emulator.calls[-1].status == status and emulator.calls[-1].method == method


def test_head_gets_the_status_without_a_body(emulator: Emulator) -> None:
    answer = httpx.head(emulator.url + JOBS)
    assert answer.status_code == 405 and answer.content == b""


def test_requests_http_server_cannot_parse_get_json_too(emulator: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emulator.port)) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n")
        reply = b""
        while chunk := raw.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 ")
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["errors"][0]["code"] == "InvalidInput"


def test_fault_specs_map_onto_the_fault_plan(emulator: Emulator) -> None:
    for spec in ("429:2@getServiceJobs", "html:1", "delay:0.3@getServiceJobByServiceJobId",
                 "expire-token:1@getServiceJobByServiceJobId", "503:1@lwaToken"):
        emulator.faults.inject_spec(spec)
    assert httpx.post(emulator.token_url, data=FORM).status_code == 503
    headers = token(emulator)
    statuses = [httpx.get(emulator.url + JOBS, params=SINCE, headers=headers).status_code
                for _ in range(4)]
    assert statuses == [429, 429, 502, 200]
    began = time.monotonic()
    slow = httpx.get(f"{emulator.url}{JOBS}/SJ-00001", headers=headers)
    assert slow.status_code == 200 and time.monotonic() - began >= 0.3
    expired = httpx.get(f"{emulator.url}{JOBS}/SJ-00001", headers=headers)
    assert expired.status_code == 403
    assert "expired" in expired.json()["errors"][0]["details"]
    faults = [(c.operation, c.status, c.fault) for c in emulator.calls]
    assert faults == [
        ("lwaToken", 503, "503"), ("lwaToken", 200, None),
        ("getServiceJobs", 429, "429"), ("getServiceJobs", 429, "429"),
        ("getServiceJobs", 502, "502 html"), ("getServiceJobs", 200, None),
        ("getServiceJobByServiceJobId", 200, "delay 0.3 s"),
        ("getServiceJobByServiceJobId", 403, "expire-token"),
    ]
    assert emulator.faults.pending == 0


@pytest.mark.parametrize("spec", ["429", "429:0", "429:1.5", "299:1", "600:1", "teapot:1",
                                  "429:2@getOrders", "delay:-1", "html:two", ""])
def test_bad_fault_specs_are_refused(emulator: Emulator, spec: str) -> None:
    with pytest.raises(EmulatorError, match=r"fault|unknown operation"):
        emulator.faults.inject_spec(spec)
    assert emulator.faults.pending == 0


def test_calls_are_listed_as_json_without_listing_themselves(emulator: Emulator) -> None:
    emulator.faults.inject_spec("500:1")
    headers = token(emulator)
    httpx.get(emulator.url + JOBS, params=SINCE, headers=headers)
    httpx.request("TRACE", emulator.url + JOBS)
    before = datetime.now(UTC)
    listing = httpx.get(emulator.url + "/_emulator/calls")
    assert listing.status_code == 200
    calls = listing.json()["calls"]
    assert [(c["method"], c["operation"], c["status"], c["fault"]) for c in calls] == [
        ("POST", "lwaToken", 200, None), ("GET", "getServiceJobs", 500, "500"),
        ("TRACE", "unknown", 405, None)]
    assert calls[1]["path"] == JOBS and calls[1]["query"] == SINCE
    stamps = [datetime.fromisoformat(c["received"]) for c in calls]
    assert stamps == sorted(stamps) and before - timedelta(seconds=30) < stamps[0] <= before
    assert "emulator-secret" not in listing.text and "headers" not in calls[0]
    assert len(emulator.calls) == 3


@pytest.mark.slow  # a Python process of its own: 2-6 s on a busy machine
def test_routeplan_emulator_serves_its_faults_and_lists_its_calls(tmp_path: Path) -> None:
    """What README's emulator passage does, through the real command."""
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps({"payload": {"jobs": make_jobs(3)}}))
    process = subprocess.Popen(
        [sys.executable, "-m", "routing.cli", "emulator", "--jobs", str(jobs),
         "--fault", "429:2@getServiceJobs", "--fault", "expire-token:1"],
        stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        assert process.stdout.readline().strip() == \
            "faults queued: 429:2@getServiceJobs, expire-token:1"
        events: list[RetryEvent] = []
        retry = RetryPolicy(base_delay=0.01, max_delay=0.02, listener=events.append)
        credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
        with ServicesClient(credentials=credentials, base_url=url, retry=retry,
                            token_url=url + "/auth/o2/token") as client:
            listed = list(client.iter_service_jobs("ATVPDKIKX0DER",
                                                   created_after=DAY - timedelta(days=30)))
        assert [job.service_job_id for job in listed] == ["SJ-00000", "SJ-00001", "SJ-00002"]
        assert [e.status for e in events] == [429, 429]
        calls = httpx.get(url + "/_emulator/calls").json()["calls"]
        assert [(c["status"], c["fault"]) for c in calls if c["operation"] != "lwaToken"] == [
            (429, "429"), (429, "429"), (403, "expire-token"), (200, None)]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
