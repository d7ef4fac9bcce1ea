"""The example day in examples/: files parse, match the official model, and tell the story
examples/README.md promises (the demo depends on each of these properties)."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import zipcodes

from routing.durations import load_durations
from routing.events import load_events
from routing.geo import default_geocoder
from routing.planner import PlanContext, PlanOptions, plan_day
from routing.roster import Roster, load_roster
from routing.spapi.models import GetServiceJobsResponse
from tests.routing.example_scripts import load_example_script, run_into

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SERVICES_JSON = ROOT / ".." / "shared" / "spapi" / "services.json"
PLAN_DAY = date(2026, 12, 1)
LA = ZoneInfo("America/Los_Angeles")
PLANNABLE = {"NOT_SERVICED", "PENDING_SCHEDULE"}
DELIBERATELY_MISSING_SKILL = "HVAC_REPAIR"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "jobs.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def jobs(raw: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = raw["payload"]["jobs"]
    return result


@pytest.fixture(scope="module")
def roster() -> Roster:
    return load_roster(EXAMPLES / "roster.yaml")


def local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(LA).date()


def appointments_on_day(job: dict[str, Any], status: str = "ACTIVE") -> list[dict[str, Any]]:
    return [a for a in job.get("appointments", [])
            if a["appointmentStatus"] == status
            and local_day(a["appointmentTime"]["startTime"]) == PLAN_DAY]


# --- jobs.json against the official model ----------------------------------------------


def schema_problems(value: Any, schema: dict[str, Any], defs: dict[str, Any], at: str) -> list[str]:
    """A small Swagger 2.0 checker: unknown keys, required keys, types, enums, patterns."""
    if "$ref" in schema:
        return schema_problems(value, defs[schema["$ref"].rsplit("/", 1)[1]], defs, at)
    kind = schema.get("type")
    problems: list[str] = []
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{at}: not an object"]
        props = schema.get("properties", {})
        problems += [f"{at}.{k}: not in the model" for k in value if k not in props]
        problems += [f"{at}.{k}: required" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                problems += schema_problems(item, props[key], defs, f"{at}.{key}")
    elif kind == "array":
        if not isinstance(value, list) or len(value) < schema.get("minItems", 0):
            return [f"{at}: not a list of at least {schema.get('minItems', 0)}"]
        for index, item in enumerate(value):
            problems += schema_problems(item, schema["items"], defs, f"{at}[{index}]")
    elif kind == "string":
        if not isinstance(value, str):
            return [f"{at}: not a string"]
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{at}: {value!r} not in the enum")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{at}: {value!r} breaks pattern {schema['pattern']}")
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9):
            problems.append(f"{at}: length {len(value)} outside the model's limits")
        if schema.get("format") == "date-time" and not ISO_UTC.match(value):
            problems.append(f"{at}: {value!r} is not a UTC ISO 8601 timestamp with Z")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{at}: not an integer"]
        if value < schema.get("minimum", -math.inf):
            problems.append(f"{at}: below the minimum")
    elif kind == "number" and not isinstance(value, int | float):
        problems.append(f"{at}: not a number")
    elif kind == "boolean" and not isinstance(value, bool):
        problems.append(f"{at}: not a boolean")
    return problems


def test_jobs_follow_the_official_get_service_jobs_schema(raw: dict[str, Any]) -> None:
    definitions = json.loads(SERVICES_JSON.read_text(encoding="utf-8"))["definitions"]
    response_schema = definitions["GetServiceJobsResponse"]
    assert schema_problems(raw, response_schema, definitions, "response") == []


def test_the_schema_checker_catches_mistakes() -> None:
    definitions = json.loads(SERVICES_JSON.read_text(encoding="utf-8"))["definitions"]
    bad = {"payload": {"jobs": [{"serviceJobStatus": "DONE", "servicejobid": "x",
                                 "appointments": [{"appointmentTime": {"startTime": "today"}}]}]}}
    problems = schema_problems(bad, definitions["GetServiceJobsResponse"], definitions, "r")
    assert any("DONE" in p for p in problems)
    assert any("servicejobid" in p for p in problems)
    assert any("durationInMinutes: required" in p for p in problems)
    assert any("'today'" in p for p in problems)


def test_jobs_parse_with_the_client_models(raw: dict[str, Any]) -> None:
    response = GetServiceJobsResponse.model_validate(raw)
    assert response.payload is not None and response.payload.jobs is not None
    assert len(response.payload.jobs) == response.payload.total_result_size
    assert len(response.payload.jobs) >= 60
    ids = [job.service_job_id for job in response.payload.jobs]
    assert len(set(ids)) == len(ids)
    assert all(job.service_job_status is not None for job in response.payload.jobs)


# --- the story the data tells ----------------------------------------------------------


def test_status_mix(jobs: list[dict[str, Any]]) -> None:
    statuses = Counter(job["serviceJobStatus"] for job in jobs)
    scheduled = [j for j in jobs
                 if j["serviceJobStatus"] == "NOT_SERVICED" and appointments_on_day(j)]
    pending = [j for j in jobs if j["serviceJobStatus"] == "PENDING_SCHEDULE"
               and 2 <= sum(local_day(w["startTime"]) == PLAN_DAY
                            for w in j["preferredAppointmentTimes"]) <= 3]
    assert len(scheduled) >= 40
    assert len(pending) >= 5
    for status in ("CANCELLED", "COMPLETED", "HOLD"):
        assert statuses[status] >= 2, status
    other_day = [j for j in jobs if j["serviceJobStatus"] == "NOT_SERVICED"
                 and not appointments_on_day(j)]
    assert len(other_day) >= 3


def test_windows_are_two_to_four_hours_in_utc(jobs: list[dict[str, Any]]) -> None:
    windows = [a["appointmentTime"] for j in jobs for a in j.get("appointments", [])]
    windows += [w for j in jobs for w in j.get("preferredAppointmentTimes", [])]
    assert windows
    for window in windows:
        assert window["startTime"].endswith("Z")
        assert 120 <= window["durationInMinutes"] <= 240
        start = datetime.fromisoformat(window["startTime"]).astimezone(LA)
        assert start.utcoffset() == timedelta(hours=-8)  # PST: 08:00 local is 16:00Z
        end = start + timedelta(minutes=window["durationInMinutes"])
        assert start.hour >= 8 and end <= start.replace(hour=20, minute=0)


def test_rescheduled_chains_point_at_the_replaced_appointment(jobs: list[dict[str, Any]]) -> None:
    chains = 0
    for job in jobs:
        ids = {a["appointmentId"] for a in job.get("appointments", [])}
        for appointment in job.get("appointments", []):
            replaced = appointment.get("rescheduledAppointmentId")
            if replaced:
                chains += 1
                assert replaced in ids and replaced != appointment["appointmentId"]
    assert chains >= 6
    longest = max(len(j.get("appointments", [])) for j in jobs)
    assert longest >= 3
    stale = [j for j in jobs if len(appointments_on_day(j)) > 1]
    assert len(stale) == 1  # the replaced appointment that still says ACTIVE


def test_pins_use_roster_ids_and_one_unknown(jobs: list[dict[str, Any]], roster: Roster) -> None:
    known = {t.id for t in roster.technicians}
    pinned = [t["technicianId"] for j in jobs for a in appointments_on_day(j)
              for t in a.get("assignedTechnicians", [])]
    assert len([p for p in pinned if p in known]) >= 2
    assert len([p for p in pinned if p not in known]) == 1
    off_today = {t.id for t in roster.technicians if t.shift_on(PLAN_DAY) is None}
    assert any(p in off_today for p in pinned)


def test_store_and_online_jobs(jobs: list[dict[str, Any]]) -> None:
    kinds = Counter(j["serviceLocation"]["serviceLocationType"] for j in jobs)
    assert 2 <= kinds["IN_STORE"] <= 3 and 1 <= kinds["ONLINE"] <= 2
    store_addresses = {json.dumps(j["serviceLocation"]["address"], sort_keys=True)
                       for j in jobs if j["serviceLocation"]["serviceLocationType"] == "IN_STORE"}
    assert len(store_addresses) == 1


def test_addresses_use_real_king_county_zip_codes_except_one(jobs: list[dict[str, Any]]) -> None:
    addresses = [j["serviceLocation"]["address"] for j in jobs if "address" in j["serviceLocation"]]
    unknown = [a for a in addresses if not zipcodes.matching(a["postalCode"])]
    assert len(unknown) == 1
    for address in addresses:
        if address not in unknown:
            (row,) = zipcodes.matching(address["postalCode"])
            assert (row["state"], row["county"]) == ("WA", "King County")
        assert re.fullmatch(r"\d{3}-555-01\d\d", address["phone"])
        assert address["countryCode"] == "US"


def test_plannable_skills_exist_except_the_deliberate_one(
    jobs: list[dict[str, Any]], roster: Roster
) -> None:
    offered = set().union(*(t.skills for t in roster.technicians))
    durations = load_durations(EXAMPLES / "durations.yaml")
    required = {s for j in jobs if j["serviceJobStatus"] in PLANNABLE
                for s in j["scopeOfWork"]["requiredSkills"]}
    assert required - offered == {DELIBERATELY_MISSING_SKILL}
    assert offered <= set(durations.by_skill)
    asins = {j["scopeOfWork"]["asin"] for j in jobs}
    assert set(durations.by_asin) <= asins
    assert all(re.fullmatch(r"B0[A-Z0-9]{8}", a) for a in asins)


# --- roster.yaml, durations.yaml -------------------------------------------------------


def test_roster_day_shape(roster: Roster) -> None:
    assert len(roster.technicians) >= 8
    working = [t for t in roster.technicians if t.shift_on(PLAN_DAY) is not None]
    assert len(working) == len(roster.technicians) - 1  # one is off on Tuesdays
    assert any(PLAN_DAY in t.dates for t in roster.technicians)  # a date override today
    assert sum(t.lunch_on(PLAN_DAY) is not None for t in working) >= len(working) - 1
    starts = {s[0].time() for t in working if (s := t.shift_on(PLAN_DAY))}
    assert len(starts) >= 4  # early, regular and late crews
    assert any(t.end is not None for t in roster.technicians)
    assert any(not t.start.has_coordinates for t in roster.technicians)


# --- geocode_overrides.csv -------------------------------------------------------------


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def test_overrides_are_near_their_zip_and_leave_some_out(jobs: list[dict[str, Any]]) -> None:
    with (EXAMPLES / "geocode_overrides.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    by_id = {j["serviceJobId"]: j for j in jobs}
    assert rows and set(rows[0]) == {"job_id", "lat", "lon", "precision"}
    for row in rows:
        job = by_id[row["job_id"]]
        address = job["serviceLocation"]["address"]
        (zip_row,) = zipcodes.matching(address["postalCode"])
        point = (float(row["lat"]), float(row["lon"]))
        assert distance_m(point, (float(zip_row["lat"]), float(zip_row["long"]))) < 1_000
        assert row["precision"] == "street"
    left_out = [j for j in jobs if j["serviceJobStatus"] in PLANNABLE
                and j["serviceLocation"]["serviceLocationType"] == "IN_HOME"
                and j["serviceJobId"] not in {r["job_id"] for r in rows}]
    assert 8 <= len(left_out) <= 12


# --- generate.py -----------------------------------------------------------------------


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    run_into("generate.py", tmp_path,
             {"JOBS_FILE": "jobs.json", "OVERRIDES_FILE": "geocode_overrides.csv"})


def test_generator_depends_on_its_seed() -> None:
    generator = load_example_script("generate.py")
    first, _ = generator.build(1)
    second, _ = generator.build(2)
    assert [j["serviceJobId"] for j in first] != [j["serviceJobId"] for j in second]
    assert all(j["createTime"] < datetime(2026, 12, 1, tzinfo=UTC).isoformat() for j in first)


# --- the whole day through the planner ---------------------------------------------------


def test_the_example_day_is_feasible_but_tight(raw: dict[str, Any], roster: Roster) -> None:
    jobs = GetServiceJobsResponse.model_validate(raw).payload
    assert jobs is not None and jobs.jobs is not None
    plan = plan_day(
        jobs.jobs, roster, PLAN_DAY,
        # the same plan however loaded the machine
        PlanOptions(time_limit=60, workers=1, solution_limit=20),
        PlanContext(geocoder=default_geocoder(overrides=EXAMPLES / "geocode_overrides.csv"),
                    durations=load_durations(EXAMPLES / "durations.yaml")),
    )
    reasons = Counter(str(u.reason) for u in plan.unassigned)
    for code in ("not_plannable_status", "no_window_on_date", "no_skilled_technician",
                 "not_geocoded", "pinned_technician_unavailable"):
        assert reasons[code] >= 1, code
    stops = [s for r in plan.routes for s in r.stops]
    unplaced = reasons["insufficient_capacity"] + reasons["unreachable_in_window"]
    assert 1 <= unplaced <= len(stops) // 5  # most fit, a few do not
    precisions = Counter(s.location.precision for s in stops if s.location is not None)
    assert precisions["street"] >= 20 and precisions["postal_code"] >= 3
    assert any(s.location is None for s in stops)  # an online job, no travel
    assert any(s.pinned for s in stops)


def test_the_example_events_name_real_jobs_and_technicians() -> None:
    events = load_events(EXAMPLES / "events.yaml", PLAN_DAY, ZoneInfo("America/Los_Angeles"))
    jobs = json.loads((EXAMPLES / "jobs.json").read_text(encoding="utf-8"))["payload"]["jobs"]
    ids = {job["serviceJobId"] for job in jobs}
    assert events.cancelled and events.cancelled <= ids
    assert events.running_long and set(events.running_long) <= ids
    roster = load_roster(EXAMPLES / "roster.yaml")
    assert set(events.unavailable) <= {t.id for t in roster.technicians}
