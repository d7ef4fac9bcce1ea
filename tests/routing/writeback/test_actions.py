"""The plan against Amazon: new / changed / unchanged, identities, margins, what is skipped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from routing.spapi.emulator import Emulator
from routing.writeback import (
    ActionKind,
    Change,
    WritebackError,
    compare_plan,
    eta_window,
    load_plan,
    parse_margin,
    plan_assignments,
    plan_identity,
)
from tests.routing.writeback.conftest import fast_client
from tests.routing.writeback.plans import LA, jobs, plan_for


def test_each_appointment_is_new_changed_or_unchanged_against_amazon_now() -> None:
    data = jobs(4, assigned={1: "T2", 2: "T9"})
    plan = plan_for([*data, "SJ-PENDING"], ["T1", "T2"])  # 0,2,4 -> T1; 1,3 -> T2
    with Emulator(data[:3] + data[4:], enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        comparisons, skipped = compare_plan(plan, client)
        reads = [c for c in emulator.calls if c.operation == "getServiceJobByServiceJobId"]
        writes = [c for c in emulator.calls if c.method == "PUT"]
    found = {c.target.service_job_id: c for c in comparisons}
    assert found["SJ-00000"].change is Change.NEW
    assert found["SJ-00001"].change is Change.UNCHANGED
    assert found["SJ-00002"].change is Change.CHANGED
    assert found["SJ-00002"].amazon_technicians == ("T9",)
    assert found["SJ-00003"].change is None  # not at Amazon
    assert "cannot read the job" in (found["SJ-00003"].problem or "")
    assert [s.service_job_id for s in skipped] == ["SJ-PENDING"]
    assert "pending" in skipped[0].reason
    assert len(reads) == 4 and writes == []


def test_a_job_is_read_once_and_a_missing_or_cancelled_appointment_is_a_problem() -> None:
    data = jobs(2)
    data[1]["appointments"][0]["appointmentStatus"] = "CANCELLED"
    plan = plan_for(data, ["T1"])
    data[0]["appointments"][0]["appointmentId"] = "AP-RESCHEDULED"
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        comparisons, _ = compare_plan(plan, client)
    assert [c.change for c in comparisons] == [None, None]
    assert "no appointment AP-00000" in (comparisons[0].problem or "")
    assert "CANCELLED" in (comparisons[1].problem or "")


def test_assignments_for_new_and_changed_estimates_for_every_appointment() -> None:
    data = jobs(3, assigned={0: "T1", 1: "T7"})
    plan = plan_for(data, ["T1"])
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        actions = plan_assignments(plan, client, margin=timedelta(minutes=45))
        writes = [c for c in emulator.calls if c.method == "PUT"]
    assigns = [a.target.service_job_id for a in actions if a.kind is ActionKind.ASSIGN]
    etas = [a for a in actions if a.kind is ActionKind.ETA]
    assert assigns == ["SJ-00001", "SJ-00002"]
    assert [a.target.service_job_id for a in etas] == ["SJ-00000", "SJ-00001", "SJ-00002"]
    start = datetime.fromisoformat(etas[0].request["start"])
    end = datetime.fromisoformat(etas[0].request["end"])
    assert end - start == timedelta(minutes=90)
    assert start + timedelta(minutes=45) == etas[0].target.service_start
    assert writes == []


def test_an_early_technician_gets_an_estimate_from_the_service_start_not_the_arrival() -> None:
    """Arriving 1 h 25 before the window and waiting: the customer sees the service start."""
    data = jobs(1)
    plan = plan_for(data, ["T1"])
    stop = plan.routes[0].stops[0]
    early = stop.model_copy(update={"arrival": stop.service_start - timedelta(minutes=85),
                                    "wait_s": 85 * 60})
    plan.routes[0].stops[0] = early
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        actions = plan_assignments(plan, client, margin=timedelta(minutes=30))
    eta = next(a for a in actions if a.kind is ActionKind.ETA)
    start = datetime.fromisoformat(eta.request["start"])
    end = datetime.fromisoformat(eta.request["end"])
    assert start == early.service_start - timedelta(minutes=30)
    assert end == early.service_start + timedelta(minutes=30)


def test_the_estimate_is_the_arrival_plus_minus_the_margin_in_utc() -> None:
    arrival = datetime(2026, 12, 1, 9, 15, tzinfo=LA)
    start, end = eta_window(arrival, timedelta(minutes=30))
    assert start.tzinfo is UTC and end.tzinfo is UTC
    assert (start.hour, start.minute, end.hour, end.minute) == (16, 45, 17, 45)


@pytest.mark.parametrize(("text", "seconds"), [
    ("30m", 1800), ("45m", 2700), ("1h", 3600), ("90s", 90), ("20", 1200), ("0m", 0)])
def test_margins_read_as_minutes_hours_or_seconds(text: str, seconds: int) -> None:
    assert parse_margin(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "-5m", "half an hour", "10d"])
def test_a_bad_margin_is_refused(text: str) -> None:
    with pytest.raises(WritebackError, match="not a margin"):
        parse_margin(text)


def test_the_plan_identity_follows_what_is_written_back() -> None:
    data = jobs(3)
    base = plan_identity(plan_for(data, ["T1", "T2"]))
    assert plan_identity(plan_for(data, ["T1", "T2"])) == base
    assert plan_identity(plan_for(data, ["T2", "T1"])) != base
    assert plan_identity(plan_for(data, ["T1", "T2"], shift=timedelta(minutes=5))) != base


def test_an_appointment_planned_twice_is_refused() -> None:
    data = jobs(1)
    with pytest.raises(WritebackError, match="two stops"):
        plan_identity(plan_for([data[0], data[0]], ["T1"]))


def test_a_plan_file_that_is_missing_or_not_a_plan_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WritebackError, match="cannot read the plan"):
        load_plan(tmp_path / "nope.json")
    bad = tmp_path / "plan.json"
    bad.write_text('{"date": "2026-12-01"}', encoding="utf-8")
    with pytest.raises(WritebackError, match="not a routeplan plan file"):
        load_plan(bad)
    plan = plan_for(jobs(2), ["T1"])
    damaged = json.loads(plan.to_json())
    del damaged["routes"]
    bad.write_text(json.dumps(damaged), encoding="utf-8")
    with pytest.raises(WritebackError, match="a damaged routeplan plan: Field required at routes"):
        load_plan(bad)
    good = tmp_path / "good.json"
    good.write_text(plan.to_json(), encoding="utf-8")
    assert plan_identity(load_plan(good)) == plan_identity(plan)
