"""The command line against a hostile Services API: exit 4, one line, bounded time."""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from routing.cli import common, main
from routing.cli.common import StageReporter
from routing.cli.exits import OK, SPAPI
from routing.planner import ProgressEvent, Stage
from routing.spapi import RetryPolicy
from routing.spapi.emulator import Emulator
from tests.routing.spapi.jobdata import make_jobs
from tests.servers.hostile import HostileServer, Misbehaviour

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
DAY = "2026-12-01"
#: Six attempts like the real policy, milliseconds apart.
FAST_CLI_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.02, rng=random.Random(5))


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SPAPI_RETRY", FAST_CLI_RETRY)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", "emulator-refresh")
    monkeypatch.setenv("LWA_APP_ID", "emulator-client")
    monkeypatch.setenv("LWA_CLIENT_SECRET", "emulator-secret")


@pytest.fixture
def hostile(request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    with HostileServer(request.param, interval=0.5) as server:
        monkeypatch.setenv("ROUTEPLAN_TOKEN_URL", server.token_url)
        yield server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str, float]:
    began = time.monotonic()
    code = main(list(argv))
    elapsed = time.monotonic() - began
    captured = capsys.readouterr()
    return code, captured.out, captured.err, elapsed


def assert_one_line_spapi_error(code: int, out: str, err: str) -> None:
    assert code == SPAPI
    last = err.rstrip("\n").splitlines()[-1]
    assert last.startswith("routeplan: error: ")
    assert "Traceback" not in err + out
    assert "0 jobs" not in err + out


@pytest.mark.parametrize(
    ("hostile", "message"),
    [(Misbehaviour.NULL_PAYLOAD, "no payload"),
     (Misbehaviour.MISSING_PAYLOAD, "no payload"),
     (Misbehaviour.ENDLESS_SAME_JOBS, "the listing does not end"),
     (Misbehaviour.ENDLESS_EMPTY_PAGES, "50 empty pages in a row")],
    indirect=["hostile"],
    ids=["null-payload", "missing-payload", "endless-tokens", "endless-empty-pages"])
def test_jobs_from_a_broken_listing_exit_4(capsys: pytest.CaptureFixture[str],
                                           hostile: HostileServer, message: str) -> None:
    code, out, err, elapsed = run(capsys, "jobs", "--date", DAY, "--source", "spapi",
                                  "--endpoint", hostile.url, "--json")
    assert_one_line_spapi_error(code, out, err)
    assert message in err
    assert out == ""
    assert elapsed < 10
    assert len(hostile.requests) <= 50


@pytest.mark.parametrize("hostile", [Misbehaviour.NULL_PAYLOAD], indirect=True)
def test_plan_strict_on_a_null_payload_is_exit_4_not_an_empty_day(
        capsys: pytest.CaptureFixture[str], hostile: HostileServer, tmp_path: Path) -> None:
    code, out, err, elapsed = run(capsys, "plan", "--date", DAY, "--roster",
                                  str(EXAMPLES / "roster.yaml"), "--endpoint", hostile.url,
                                  "--strict", "--out", str(tmp_path / "plan.json"), "-q")
    assert_one_line_spapi_error(code, out, err)
    assert "getServiceJobs failed; HTTP 200; the answer carried no payload" in err
    assert not (tmp_path / "plan.json").exists()
    assert elapsed < 3


@pytest.mark.parametrize("hostile", [Misbehaviour.DRIP_BODY], indirect=True)
def test_a_drip_fed_answer_ends_at_the_deadline_with_exit_4(
        capsys: pytest.CaptureFixture[str], hostile: HostileServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "SPAPI_TIMEOUT", 0.8)
    monkeypatch.setattr(common, "SPAPI_RETRY", RetryPolicy(max_attempts=2, base_delay=0.01))
    code, out, err, elapsed = run(capsys, "jobs", "--date", DAY, "--source", "spapi",
                                  "--endpoint", hostile.url)
    assert_one_line_spapi_error(code, out, err)
    assert "within the 0.8 s deadline" in err and "after 2 attempts" in err
    assert "no answer from Amazon to getServiceJobs (ReadTimeout) (attempt 2 of 2)" in err
    assert len(hostile.requests) == 2
    assert 1.5 < elapsed < 2.6


def test_retries_show_on_stderr_never_on_stdout(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with Emulator(make_jobs(3), enforce_rate_limits=False) as emulator:
        monkeypatch.setenv("ROUTEPLAN_TOKEN_URL", emulator.token_url)
        emulator.faults.inject("getServiceJobs", 429, count=2, retry_after=0.0)
        emulator.faults.inject("getServiceJobs", 503)
        code, out, err, _ = run(capsys, "jobs", "--date", DAY, "--source", "spapi",
                                "--endpoint", emulator.url, "--json", "--timezone", "UTC")
    assert code == OK
    assert "Amazon throttled getServiceJobs (attempt 2 of 6)" in err
    assert "Amazon throttled getServiceJobs (attempt 3 of 6)" in err
    assert "Amazon answered HTTP 503 to getServiceJobs (attempt 4 of 6)" in err
    assert err.count("waiting ") == 3
    assert "waiting" not in out
    assert [json.loads(line)["service_job_id"] for line in out.splitlines()] == [
        "SJ-00000", "SJ-00001", "SJ-00002"]


@pytest.mark.parametrize("quiet", [False, True])
def test_notes_go_on_the_running_stage_unless_quiet(quiet: bool) -> None:
    buffer = io.StringIO()
    report = StageReporter(Console(file=buffer, width=200), quiet=quiet)
    report.note("before any stage")
    report(ProgressEvent(Stage.FETCH, "start", "Services API"))
    report.note("waiting 2.0 s: Amazon throttled getServiceJobs (attempt 2 of 6)")
    report(ProgressEvent(Stage.FETCH, "done", "3 jobs"))
    report.note("after the stage")
    lines = buffer.getvalue().splitlines()
    if quiet:
        assert lines == []
    else:
        assert lines[0] == "  … waiting 2.0 s: Amazon throttled getServiceJobs (attempt 2 of 6)"
        assert lines[1].startswith("✓ fetch") and len(lines) == 2
