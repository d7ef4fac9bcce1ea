"""The Plan model: its JSON, its committed schema, and what it refuses."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema  # type: ignore[import-untyped]
import pytest
from pydantic import ValidationError

from routing.plan import (
    GeoLocation,
    Plan,
    PlanBreak,
    PlanSettings,
    PlanStop,
    PlanSummary,
    RouteTotals,
    SolverInfo,
    TechnicianRoute,
    TimeSpan,
    UnassignedJob,
    schema_text,
)
from routing.reasons import ReasonCode

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "routing" / "plan.schema.json"
LA = ZoneInfo("America/Los_Angeles")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=LA)


def small_plan() -> Plan:
    home = GeoLocation(lat=47.62, lon=-122.19, precision=None, source="roster")
    stop = PlanStop(
        sequence=1, service_job_id="SJ-1", appointment_id="APPT-1", status="NOT_SERVICED",
        location_type="IN_HOME", address="400 Broad St, Seattle, WA 98109, US",
        location=GeoLocation(lat=47.62, lon=-122.35, precision="street", source="overrides"),
        required_skills=["TV_MOUNTING"], windows=[TimeSpan(start=at(9), end=at(11))],
        pinned=False, arrival=at(8, 40), service_start=at(9), service_end=at(10),
        travel_time_s=2400, distance_m=15000, wait_s=1200,
    )
    route = TechnicianRoute(
        technician_id="T1", name="Ana", timezone="America/Los_Angeles",
        shift=TimeSpan(start=at(8), end=at(17)), start_location=home, end_location=home,
        start=at(8), end=at(10, 40), stops=[stop],
        breaks=[PlanBreak(start=at(10), end=at(10, 30), after_stop=1)],
        totals=RouteTotals(
            stops=1, travel_time_s=4800, distance_m=30000, service_time_s=3600,
            wait_time_s=1200, break_time_s=1800, utilisation=0.2593,
        ),
    )
    return Plan(
        date=date(2026, 12, 1), timezone="America/Los_Angeles", generated_at=at(7),
        settings=PlanSettings(
            on_time="arrive", objective="travel_time", time_limit_s=5.0, seed=0,
            reassign=False, geocoder="chain", matrix="haversine",
        ),
        solver=SolverInfo(status="ROUTING_SUCCESS", objective=4800, search_time_s=1.2,
                          solve_stage_s=1.3),
        routes=[route],
        unassigned=[
            UnassignedJob(
                service_job_id="SJ-2", status="HOLD", reason=ReasonCode.NOT_PLANNABLE_STATUS,
                sentence="Status HOLD is not plannable.",
            )
        ],
        summary=PlanSummary(
            jobs=2, assigned=1, unassigned=1,
            unassigned_by_reason={ReasonCode.NOT_PLANNABLE_STATUS: 1},
            technicians_on_shift=1, technicians_used=1, travel_time_s=4800, distance_m=30000,
            service_time_s=3600, utilisation={"T1": 0.2593},
        ),
    )


def plan_json(plan: Plan) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(plan.to_json())
    return result


def test_committed_schema_is_in_sync_with_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "routing/plan.schema.json is stale: run `python3 -m routing.plan > "
        "routing/plan.schema.json` (and bump SCHEMA_VERSION if a field changed meaning)"
    )


def test_plan_json_validates_against_the_schema_and_round_trips() -> None:
    plan = small_plan()
    data = plan_json(plan)
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert Plan.from_json(plan.to_json()) == plan
    assert data["schema_version"] == "2"
    stop = data["routes"][0]["stops"][0]
    assert stop["service_start"] == "2026-12-01T09:00:00-08:00"  # local time, with offset


def test_schema_rejects_an_unknown_reason_and_a_missing_field() -> None:
    schema = Plan.json_schema()
    data = plan_json(small_plan())
    data["unassigned"][0]["reason"] = "because"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data = plan_json(small_plan())
    del data["routes"][0]["stops"][0]["arrival"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_every_reason_code_is_in_the_schema() -> None:
    schema = json.dumps(Plan.json_schema())
    for code in ReasonCode:
        assert f'"{code.value}"' in schema


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError):
        TimeSpan(start=datetime(2026, 12, 1, 9), end=datetime(2026, 12, 1, 11))


def test_plans_are_immutable() -> None:
    plan = small_plan()
    with pytest.raises(ValidationError):
        plan.routes[0].totals.stops = 3  # type: ignore[misc]
    assert plan.routes[0].shift.end - plan.routes[0].shift.start == timedelta(hours=9)


def test_a_version_1_plan_is_still_read() -> None:
    """Plans saved before the settings were recorded in full: the solver's one time becomes
    the search time, the stage time and the unrecorded settings stay None."""
    data = plan_json(small_plan())
    data["schema_version"] = "1"
    data["solver"] = {"status": "ROUTING_SUCCESS", "objective": 4800, "wall_time_s": 3.35}
    plan = Plan.model_validate(data)
    assert plan.schema_version == "2"
    assert plan.solver == SolverInfo(status="ROUTING_SUCCESS", objective=4800,
                                     search_time_s=3.35, solve_stage_s=None)
    assert plan.settings.inputs is None and plan.settings.workers is None
    data["schema_version"] = "3"
    with pytest.raises(ValidationError):
        Plan.model_validate(data)
