"""Booking write-back: a booking cut off mid-call is settled from Amazon, never sent twice.

In-process against the emulator (its "now" the evening before the example day), then
``routeplan book --apply`` as a real process killed with SIGKILL during a booking and run
again.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.cli.exits import OK
from routing.spapi import ServicesClient
from routing.spapi.emulator import Emulator
from routing.writeback import Journal
from routing.writeback.booking import BOOKING_PLAN_ID, BookingRequest, BookingWriter
from tests.routing.spapi.conftest import client_for
from tests.routing.writeback.conftest import ASSIGN, ETA, landed

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
LA = ZoneInfo("America/Los_Angeles")
EVENING_BEFORE = datetime(2026, 11, 30, 18, tzinfo=LA)
ADD = "addAppointmentForServiceJobByServiceJobId"
PENDING = "SJ-9455356831"
CREDENTIALS = {"SP_API_REFRESH_TOKEN": "emulator-refresh", "LWA_APP_ID": "emulator-client",
               "LWA_CLIENT_SECRET": "emulator-secret"}


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator.from_file(EXAMPLES / "jobs.json", clock=lambda: EVENING_BEFORE,
                            enforce_rate_limits=False) as server:
        yield server


@pytest.fixture
def client(emulator: Emulator) -> Iterator[ServicesClient]:
    with client_for(emulator, clock=lambda: EVENING_BEFORE) as opened:
        yield opened


def request_for(client: ServicesClient, job_id: str = PENDING) -> BookingRequest:
    slot = client.get_job_appointment_slots(job_id, "ATVPDKIKX0DER").bookable()[0]
    assert slot.start_time is not None and slot.end_time is not None
    return BookingRequest(job_id, slot.start_time, slot.end_time, "A1B2C3D4E5TECH02",
                          slot.start_time + timedelta(minutes=10))


def cut_off(journal: Journal, request: BookingRequest) -> None:
    """The journal as a run killed during the call leaves it: ``started``, no outcome."""
    journal.start(BOOKING_PLAN_ID, request.key, json.dumps(request.to_request()))


def active(client: ServicesClient, job_id: str) -> list[str]:
    job = client.get_service_job(job_id)
    return [str(a.appointment_id) for a in job.appointments or []
            if a.appointment_status == "ACTIVE"]


def test_a_cut_off_add_that_took_effect_is_settled_without_booking_again(
        emulator: Emulator, client: ServicesClient, journal: Journal) -> None:
    request = request_for(client)
    cut_off(journal, request)
    client.add_appointment(PENDING, request.start, request.duration)  # Amazon took it
    (result,) = BookingWriter(client, journal).settle()
    assert result.outcome is not None and result.outcome.state.value == "ok"
    assert "took effect" in (result.outcome.note or "")
    assert [w.action.kind.value for w in result.writes] == ["assign", "eta"]
    assert len(landed(emulator, ADD)) == 1 and len(active(client, PENDING)) == 1
    assert emulator.assignments[(PENDING, result.appointment_id or "")] == ["A1B2C3D4E5TECH02"]
    assert BookingWriter(client, journal).settle() == []  # nothing left: nothing sent again
    assert len(landed(emulator, ASSIGN)) == 1 and len(landed(emulator, ETA)) == 1


def test_a_cut_off_add_that_did_not_take_effect_is_failed_then_booked_once(
        emulator: Emulator, client: ServicesClient, journal: Journal) -> None:
    request = request_for(client)
    cut_off(journal, request)
    writer = BookingWriter(client, journal)
    (result,) = writer.settle()
    assert result.outcome is not None and result.outcome.state.value == "failed"
    assert result.writes == [] and landed(emulator, ADD) == []
    assert result.lapsed and not result.failed  # the job is pending again: not a failure
    booked = writer.book(request)
    assert not booked.failed and active(client, PENDING) == [booked.appointment_id]
    entry = journal.entry(BOOKING_PLAN_ID, request.key)
    assert entry is not None and entry.state.value == "ok" and entry.attempts == 2


def test_a_booking_whose_assignment_was_cut_off_is_completed(
        emulator: Emulator, client: ServicesClient, journal: Journal) -> None:
    request = request_for(client)
    writer = BookingWriter(client, journal)
    booked = writer.book(request)
    assert booked.appointment_id is not None
    key = (PENDING, booked.appointment_id, "eta")
    with sqlite3.connect(journal.path) as db:  # the run died before the estimate's answer
        db.execute("UPDATE actions SET state = 'started' WHERE service_job_id = ? AND "
                   "appointment_id = ? AND kind = ?", key)
    (result,) = writer.settle()
    assert result.outcome is None  # the booking itself was done earlier
    assert [(w.action.kind.value, w.status.value) for w in result.writes] == [
        ("assign", "done earlier"), ("eta", "ok")]
    assert len(landed(emulator, ADD)) == 1 and len(landed(emulator, ETA)) == 2


def _shifted(weeks: int) -> list[dict[str, Any]]:
    """The example jobs ``weeks`` later (same weekdays), so that the wall clock is before
    them: a real process against a real endpoint has no clock to set."""
    text = (EXAMPLES / "jobs.json").read_text(encoding="utf-8")

    def later(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        return (moment + timedelta(weeks=weeks)).isoformat().replace("+00:00", "Z")

    shifted = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)", later, text)
    jobs: list[dict[str, Any]] = json.loads(shifted)["payload"]["jobs"]
    return jobs


def _wait(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.slow
def test_book_killed_mid_booking_resumes_and_books_each_job_once(tmp_path: Path) -> None:
    weeks = (date.today() - date(2026, 12, 1)).days // 7 + 2
    day = date(2026, 12, 1) + timedelta(weeks=weeks)
    journal = tmp_path / "booking.sqlite"
    with Emulator(_shifted(weeks), enforce_rate_limits=False) as emulator:
        # The first booking is held 3 s at "Amazon", which applies it after the client is
        # gone: the hard case, a row left `started` whose call took effect.
        emulator.faults.inject(ADD, 200, delay=3.0)
        command = [sys.executable, "-m", "routing.cli", "book", "--apply", "--journal",
                   str(journal), "--endpoint", emulator.url, "--date", day.isoformat(),
                   "--roster", str(EXAMPLES / "roster.yaml"),
                   "--durations", str(EXAMPLES / "durations.yaml"),
                   "--overrides", str(EXAMPLES / "geocode_overrides.csv"), "--no-cache",
                   "--workers", "1", "--seed", "0", "--solution-limit", "5", "-q", "--json"]
        env = {**os.environ, **CREDENTIALS, "ROUTEPLAN_TOKEN_URL": emulator.token_url}
        with (tmp_path / "first.log").open("wb") as log:
            child = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
            try:
                _wait(lambda: emulator.faults.pending == 0, "the first booking to arrive")
                child.send_signal(signal.SIGKILL)
            finally:
                child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
        with sqlite3.connect(journal) as db:
            states = db.execute("SELECT service_job_id, state FROM actions WHERE kind = 'add'")
            (in_flight, state), = states.fetchall()
        assert state == "started"
        _wait(lambda: len(landed(emulator, ADD)) == 1, "the held booking to land")
        resumed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=300)
        assert resumed.returncode == OK, resumed.stderr.decode()
        rows = json.loads(resumed.stdout)
        added = [c.path.strip("/").split("/")[3] for c in landed(emulator, ADD)]
        booked = {row["service_job_id"] for row in rows if row["decision"] == "book"}
        assert sorted(added) == sorted(booked | {in_flight})  # each job exactly once
        assert in_flight not in booked  # settled from Amazon, not booked again
        with client_for(emulator) as client:
            for job_id in added:
                (appointment,) = active(client, job_id)
                assert emulator.assignments[(job_id, appointment)]
        etas = [c.path.strip("/").split("/")[3] for c in landed(emulator, ETA)]
        assert sorted(etas) == sorted(added)
