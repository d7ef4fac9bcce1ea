"""A live emulator, a fast client, a journal: what every write-back test needs."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from routing.cli import main
from routing.spapi import ServicesClient
from routing.spapi.emulator import Emulator, RecordedCall
from routing.writeback import Journal
from tests.routing.spapi.conftest import client_for

#: Generous buckets: these tests are about outcomes, not pacing.
FAST_RATES = {"assignAppointmentResources": (2000.0, 100),
              "setAppointmentFulfillmentData": (2000.0, 100),
              "getServiceJobByServiceJobId": (2000.0, 100)}
ASSIGN = "assignAppointmentResources"
ETA = "setAppointmentFulfillmentData"
REPO = Path(__file__).resolve().parents[3]
CREDENTIALS = {"SP_API_REFRESH_TOKEN": "emulator-refresh", "LWA_APP_ID": "emulator-client",
               "LWA_CLIENT_SECRET": "emulator-secret"}


def emulator_env(emulator: Emulator) -> dict[str, str]:
    """The environment a ``routeplan`` process needs to log in to ``emulator``."""
    return {**CREDENTIALS, "ROUTEPLAN_TOKEN_URL": emulator.token_url}


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def journal_states(journal: Path, kind: str) -> dict[str, str]:
    """Each journal row of ``kind``: its state by service job id."""
    if not journal.exists():
        return {}
    with sqlite3.connect(journal) as db:
        rows = db.execute("SELECT service_job_id, state FROM actions WHERE kind = ?", (kind,))
        return dict(rows.fetchall())


def fast_client(emulator: Emulator) -> ServicesClient:
    return client_for(emulator, rate_limits=FAST_RATES)


def landed(emulator: Emulator, operation: str) -> list[RecordedCall]:
    """The calls of ``operation`` Amazon took (2xx), oldest first."""
    return [c for c in emulator.calls if c.operation == operation and 200 <= c.status < 300]


def per_appointment(calls: list[RecordedCall]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for call in calls:
        parts = call.path.strip("/").split("/")
        key = (parts[3], parts[5])
        counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables fold long words on a narrow terminal; the assertions look for whole codes."""
    monkeypatch.setenv("COLUMNS", "250")


def run_routeplan(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                  emulator: Emulator, *argv: str) -> tuple[int, str, str]:
    """``routeplan ARGV --endpoint URL`` in this process, logged in to ``emulator``:
    the exit code, stdout and stderr."""
    for name, value in emulator_env(emulator).items():
        monkeypatch.setenv(name, value)
    code = main([*argv, "--endpoint", emulator.url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "plan.json.journal.sqlite") as opened:
        yield opened


def kill_mid_call(emulator: Emulator, command: list[str], operation: str, kind: str,
                  journal: Path, log: Path) -> tuple[str, dict[str, str]]:
    """Run ``command`` and SIGKILL it while its third ``operation`` call is in flight.

    Two calls land; the third is held 3 s at "Amazon", which applies it after the client is
    gone: the hard case for a resume. Returns the service job whose journal row (of
    ``kind``) was left ``started``, once the held call has landed, and the environment to
    run ``command`` again with. The faults are queued before the process starts (two
    answered at once, then the held one), so no pace of the client can outrun them.
    """
    env = {**os.environ, **emulator_env(emulator)}
    emulator.faults.inject(operation, 200, count=2)
    emulator.faults.inject(operation, 200, delay=3.0)
    with log.open("wb") as output:
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output)
        try:
            # A fault is taken when the request arrives: from then on the third is in flight.
            wait_for(lambda: emulator.faults.pending == 0, "the third call to arrive",
                     timeout=120.0)
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    in_flight = [job for job, state in journal_states(journal, kind).items()
                 if state == "started"]
    assert len(in_flight) == 1
    wait_for(lambda: len(landed(emulator, operation)) == 3, "the held call to land")
    return in_flight[0], env
