"""routeplan assign end to end: in-process, and as a real process killed with SIGKILL."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from routing.cli.exits import BAD_INPUT, OK, WRITEBACK_FAILED
from routing.spapi.emulator import Emulator, ResourceRule
from tests.routing.writeback.conftest import (
    ASSIGN,
    ETA,
    REPO,
    journal_states,
    kill_mid_call,
    landed,
    per_appointment,
    run_routeplan,
)
from tests.routing.writeback.plans import jobs, plan_for


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        emulator: Emulator, *argv: str) -> tuple[int, str, str]:
    return run_routeplan(monkeypatch, capsys, emulator, "assign", *argv)


def test_dry_run_shows_each_change_and_sends_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = jobs(3, assigned={1: "T2", 2: "T9"})
    plan = tmp_path / "plan.json"
    plan.write_text(plan_for([*data, "SJ-PENDING"], ["T1", "T2"]).to_json(), encoding="utf-8")
    with Emulator(data, enforce_rate_limits=False) as emulator:
        code, out, err = run(monkeypatch, capsys, emulator, str(plan))
        puts = [c for c in emulator.calls if c.method == "PUT"]
    assert code == OK, err
    assert puts == []
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "SJ-0000" in line}
    assert "new" in rows["SJ-00000"]
    assert "unchanged" in rows["SJ-00001"]
    assert "changed from T9" in rows["SJ-00002"]
    assert "skipped SJ-PENDING: pending job" in out
    assert "1 new, 1 changed, 1 unchanged" in out and "Nothing was sent" in out
    assert not (tmp_path / "plan.json.journal.sqlite").exists()


def test_apply_reports_a_422_and_a_warning_and_exits_non_zero(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = jobs(3)
    plan = tmp_path / "plan.json"
    plan.write_text(plan_for(data, ["T1", "T2", "T3"]).to_json(), encoding="utf-8")
    with Emulator(data, enforce_rate_limits=False) as emulator:
        emulator.resource_rules.update({
            "T1": ResourceRule(), "T2": ResourceRule(overbooked=True),
            "T3": ResourceRule(available=False)})
        code, out, err = run(monkeypatch, capsys, emulator, str(plan), "--apply",
                             "--eta-margin", "45m")
        assigned = per_appointment(landed(emulator, ASSIGN))
        fulfillments = emulator.fulfillments
    assert code == WRITEBACK_FAILED, err
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if "SJ-0000" in line}
    assert "ok" in rows["SJ-00000"]
    assert "warning" in rows["SJ-00001"] and "RESOURCES_OVERBOOKED" in rows["SJ-00001"]
    assert "failed" in rows["SJ-00002"]
    assert "RESOURCES_NOT_AVAILABLE_IN_TIME_WINDOW" in rows["SJ-00002"]
    assert "insufficient" not in out and "sufficient available capacity" in rows["SJ-00002"]
    assert "incomplete:" in out and "1 failed" in out
    assert set(assigned) == {("SJ-00000", "AP-00000"), ("SJ-00001", "AP-00001")}
    window = fulfillments[("SJ-00000", "AP-00000")]["estimatedArrivalTime"]
    length = (datetime.fromisoformat(window["endTime"])
              - datetime.fromisoformat(window["startTime"]))
    assert length == timedelta(minutes=90)
    assert (tmp_path / "plan.json.journal.sqlite").exists()


def test_the_dry_run_piped_to_a_log_is_not_cut_to_a_width(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = jobs(3, assigned={2: "T9"})
    plan = tmp_path / "plan.json"
    plan.write_text(plan_for(data, ["T1"]).to_json(), encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "40")  # stdout is not a terminal: no width to fit
    with Emulator(data, enforce_rate_limits=False) as emulator:
        code, out, err = run(monkeypatch, capsys, emulator, str(plan))
    assert code == OK, err
    assert "…" not in out
    assert "changed from T9" in out and "AP-00002" in out
    assert "dry run: 2 new, 1 changed, 0 unchanged, 0 unreadable, 0 skipped;" in out


NOT_PLANS = {
    "a JSON array": "[1, 2]",
    "saved jobs": '{"payload": {"totalResultSize": 0, "jobs": []}}',
    "a roster": "timezone: America/Los_Angeles\ntechnicians: []\n",
}


@pytest.mark.parametrize("content", NOT_PLANS.values(), ids=list(NOT_PLANS))
def test_a_file_that_is_not_a_plan_is_a_one_line_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], content: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(content, encoding="utf-8")
    with Emulator([], enforce_rate_limits=False) as emulator:
        code, _, err = run(monkeypatch, capsys, emulator, str(plan), "--apply")
    assert code == BAD_INPUT
    assert err.startswith(f"routeplan: error: {plan}: not a routeplan plan file")
    assert "Field required" not in err and "Invalid JSON" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_run_killed_mid_call_resumes_without_duplicate_or_missing_call(tmp_path: Path) -> None:
    data = jobs(6)
    plan, journal = tmp_path / "plan.json", tmp_path / "journal.sqlite"
    plan.write_text(plan_for(data, ["T1", "T2"]).to_json(), encoding="utf-8")
    with Emulator(data, enforce_rate_limits=False) as emulator:
        command = [sys.executable, "-m", "routing.cli", "assign", str(plan), "--apply",
                   "--journal", str(journal), "--endpoint", emulator.url]
        in_flight, env = kill_mid_call(emulator, command, ASSIGN, "assign", journal,
                                       tmp_path / "first.log")
        calls_before = len(emulator.calls)
        resumed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=60)
        after = emulator.calls[calls_before:]
        assigns = per_appointment(landed(emulator, ASSIGN))
        etas = per_appointment(landed(emulator, ETA))
    out = resumed.stdout.decode()
    assert resumed.returncode == OK, out + resumed.stderr.decode()
    expected = {(j["serviceJobId"], j["appointments"][0]["appointmentId"]) for j in data}
    assert assigns == {key: 1 for key in expected}
    assert etas == {key: 1 for key in expected}
    assert not [c for c in after if c.operation == ASSIGN and in_flight in c.path]
    assert set(journal_states(journal, "assign").values()) == {"ok"}
    assert set(journal_states(journal, "eta").values()) == {"ok"}
    assert "done in an earlier run" in out
