"""The routeplan command line, end to end, in-process and as a real console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from routing.cli import common, main
from routing.cli.exits import BAD_INPUT, SPAPI, UNASSIGNED, USAGE
from routing.plan import Plan
from routing.spapi.emulator import Emulator
from tests.routing.test_replan import REPRODUCIBLE

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
SCHEMA = json.loads((REPO / "routing" / "plan.schema.json").read_text(encoding="utf-8"))
DAY = "2026-12-01"


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables fold long words on a narrow terminal; the assertions look for whole codes."""
    monkeypatch.setenv("COLUMNS", "200")


def example_job_ids() -> list[str]:
    jobs = json.loads((EXAMPLES / "jobs.json").read_text(encoding="utf-8"))["payload"]["jobs"]
    return [job["serviceJobId"] for job in jobs]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("demo")
    code = main(["demo", "--out-dir", str(out), *REPRODUCIBLE, "-q"])
    return code, out


def test_demo_plans_the_example_day_and_writes_every_output(demo: tuple[int, Path]) -> None:
    code, out = demo
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "map.html", "plan.csv", "plan.geojson", "plan.json", "timeline.svg"]
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    plan = Plan.model_validate(data)
    placed = [s.service_job_id for r in plan.routes for s in r.stops]
    left = [u.service_job_id for u in plan.unassigned]
    # The emulator sends the jobs that touch the day; each is on a route or has a reason.
    assert len(set(placed + left)) == len(placed) + len(left) == plan.summary.jobs
    assert set(placed + left) <= set(example_job_ids())
    assert len(placed) >= plan.summary.jobs // 2
    assert {u.reason.value for u in plan.unassigned} >= {
        "not_plannable_status", "no_skilled_technician", "not_geocoded",
        "pinned_technician_unavailable"}


def test_plan_from_a_saved_file_prints_json(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    code, out, _ = run(capsys, "plan", "--date", DAY, "--roster", str(EXAMPLES / "roster.yaml"),
                       "--source", str(EXAMPLES / "jobs.json"), *REPRODUCIBLE, "--no-cache",
                       "--json", "-q", "--csv", str(tmp_path / "p.csv"))
    assert code == 0
    plan = Plan.model_validate_json(out)
    assert plan.date.isoformat() == DAY
    # A file holds every job, whatever its date: all are accounted for exactly once.
    accounted = [s.service_job_id for r in plan.routes for s in r.stops]
    accounted += [u.service_job_id for u in plan.unassigned]
    assert sorted(accounted) == sorted(example_job_ids())
    rows = (tmp_path / "p.csv").read_text(encoding="utf-8").strip().splitlines()
    assert len(rows) - 1 == sum(len(r.stops) for r in plan.routes)


def test_plan_tables_name_every_technician_with_stops(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "--date", DAY, "--roster",
                         str(EXAMPLES / "roster.yaml"), "--source", "emulator",
                         "--durations", str(EXAMPLES / "durations.yaml"),
                         "--overrides", str(EXAMPLES / "geocode_overrides.csv"),
                         *REPRODUCIBLE, "--no-cache")
    assert code == 0
    assert "Unassigned" in out and "not_plannable_status" in out
    for stage in ("fetch", "geocode", "matrix", "solve"):
        assert stage in err


def test_strict_exit_code_when_jobs_are_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "plan", "--date", DAY, "--roster", str(EXAMPLES / "roster.yaml"),
                     "--source", str(EXAMPLES / "jobs.json"), *REPRODUCIBLE,
                     "--no-cache", "--json", "-q", "--strict")
    assert code == UNASSIGNED


def test_a_day_nobody_works_reports_every_job(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--date", "2026-12-06", "--roster",
                       str(EXAMPLES / "roster.yaml"), "--source", str(EXAMPLES / "jobs.json"),
                       "--time-limit", "1", "--no-cache", "--json", "-q")
    assert code == 0
    plan = Plan.model_validate_json(out)
    assert all(not r.stops for r in plan.routes)
    assert plan.summary.unassigned == plan.summary.jobs > 0


def test_jobs_lists_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "jobs", "--date", DAY, "--source", "emulator", "--roster",
                       str(EXAMPLES / "roster.yaml"), "--no-cache", "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    flags = {flag for line in lines for flag in line["flags"]}
    assert flags >= {"needs_technician", "pending_schedule", "rescheduled", "not_geocodable",
                     "not_plannable"}
    assert len({line["service_job_id"] for line in lines}) == len(lines)


BAD_INPUTS = {
    "broken roster": ("roster.yaml", "technicians: [ {id: X, name: Y, skills: [A]", BAD_INPUT),
    "roster field": ("roster.yaml", "technicians:\n  - {id: X, name: Y, skills: [A], "
                     "start: {lat: 999, lon: 0}, timezone: Mars/Base}\n", BAD_INPUT),
    "jobs not JSON": ("jobs.json", "{ not json", BAD_INPUT),
}


@pytest.mark.parametrize(("name", "text", "expected"), BAD_INPUTS.values(), ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_and_an_exit_code(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path, name: str, text: str,
                                                expected: int) -> None:
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    roster = bad if name.startswith("roster") else EXAMPLES / "roster.yaml"
    source = bad if name.startswith("jobs") else EXAMPLES / "jobs.json"
    code, out, err = run(capsys, "plan", "--date", DAY, "--roster", str(roster), "--source",
                         str(source), "--no-cache", "-q")
    assert code == expected
    assert err.startswith("routeplan: error: ") and err.count("\n") == 1
    assert "Traceback" not in err + out
    assert str(bad.name) in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["plan", "--date", "next week", "--roster", "r.yaml"])
    assert caught.value.code == USAGE
    assert "not a date" in capsys.readouterr().err


def test_a_500_from_amazon_is_exit_4(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI's own policy (6 attempts), its waits cut to milliseconds.
    monkeypatch.setattr(common, "SPAPI_RETRY", replace(common.SPAPI_RETRY, base_delay=0.001,
                                                       max_delay=0.002))
    with Emulator.from_file(EXAMPLES / "jobs.json", enforce_rate_limits=False) as emulator:
        emulator.faults.inject("getServiceJobs", 500, count=100)
        monkeypatch.setenv("SP_API_REFRESH_TOKEN", "emulator-refresh")
        monkeypatch.setenv("LWA_APP_ID", "emulator-client")
        monkeypatch.setenv("LWA_CLIENT_SECRET", "emulator-secret")
        monkeypatch.setenv("ROUTEPLAN_TOKEN_URL", emulator.token_url)
        code, _, err = run(capsys, "plan", "--date", DAY, "--roster",
                           str(EXAMPLES / "roster.yaml"), "--endpoint", emulator.url, "-q")
    assert code == SPAPI
    assert "HTTP 500" in err and "after 6 attempts" in err and "Traceback" not in err
    assert [c.status for c in emulator.calls if c.operation == "getServiceJobs"] == [500] * 6


@pytest.mark.parametrize("command", ["plan", "demo", "jobs", "geocode", "emulator"])
def test_every_subcommand_has_help_with_examples(capsys: pytest.CaptureFixture[str],
                                                 command: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    assert "examples:" in capsys.readouterr().out


def test_the_console_script_runs(tmp_path: Path) -> None:
    script = shutil.which("routeplan") or f"{sys.executable} -m routing.cli"
    env = {**os.environ, "COLUMNS": "120"}
    result = subprocess.run(
        [*script.split(), "jobs", "--date", DAY, "--source", str(EXAMPLES / "jobs.json"),
         "--roster", str(EXAMPLES / "roster.yaml"), "--no-cache"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "Jobs on 2026-12-01" in result.stdout


def test_geocode_summarises_precision_and_names_failures(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    code, out, _ = run(capsys, "geocode", "--date", DAY, "--source",
                       str(EXAMPLES / "jobs.json"), "--geocode-cache",
                       str(tmp_path / "cache.sqlite"), "--overrides",
                       str(EXAMPLES / "geocode_overrides.csv"), "--strict")
    assert code == UNASSIGNED  # --strict: one example address cannot be placed
    assert "street" in out and "postal_code" in out
    assert "SJ-3403315163" in out  # the bogus ZIP of the example day


@pytest.mark.slow
def test_the_demos_booking_hint_runs_and_offers_slots(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    code, _, err = run(capsys, "demo", "--out-dir", str(tmp_path), *REPRODUCIBLE)
    assert code == 0
    hint = next(line for line in err.splitlines() if "wait for an appointment" in line)
    command = hint.split("ranked by route: routeplan ")[1].split(";")[0].split()
    assert command[0] == "slots"
    code, out, _ = run(capsys, *command, *REPRODUCIBLE, "--json")
    assert code == 0
    assert json.loads(out)["options"]  # at least one bookable option
