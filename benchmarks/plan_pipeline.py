"""The whole pipeline at scale: emulator → client → rules → geocode → matrix → solve → plan.json.

    python -m benchmarks.plan_pipeline --jobs 1000 --technicians 80 --time-limit 60

Generates a seeded day in King County, WA (real ZIP codes, 3–4 h windows, 30-minute jobs, six
skills, 80 technicians with two or three skills each, 8- or 9-hour shifts and a 30-minute lunch),
serves it from the local Services API emulator with Amazon's usage plan enforced, and plans it
with the offline defaults (gazetteer + haversine). Prints the time of each stage and peak memory
(this process, and the largest solver worker process).
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import zipcodes

from routing.durations import DurationTable
from routing.export import write_plan_json
from routing.geo import Gazetteer, GeocoderChain, HaversineMatrix
from routing.planner import PlanContext, PlanOptions, ProgressEvent, plan_day
from routing.roster import Roster
from routing.sources import SpApiSource
from routing.spapi import LwaCredentials, ServicesClient
from routing.spapi.emulator import Emulator

DAY = date(2026, 12, 1)
LOCAL = ZoneInfo("America/Los_Angeles")
HALF_HOUR = DurationTable(default=timedelta(minutes=30), by_skill={}, by_asin={})
SKILLS = ("TV_MOUNTING", "APPLIANCE_INSTALL", "PLUMBING", "ELECTRICAL", "SMART_HOME",
          "FURNITURE_ASSEMBLY")


def king_county_zips() -> list[dict[str, Any]]:
    found = zipcodes.filter_by(state="WA", county="King County", active=True)
    return [z for z in found if float(z["lat"]) and z["zip_code_type"] == "STANDARD"]


def wire(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_jobs(count: int, rng: random.Random, day: date = DAY,
              prefix: str = "B", width: int = 6) -> list[dict[str, Any]]:
    """``count`` jobs on ``day``, ids ``SJ-<prefix><index>`` (``index`` padded to ``width``)."""
    areas = king_county_zips()
    jobs = []
    for index in range(count):
        area = rng.choice(areas)
        start = datetime(day.year, day.month, day.day, rng.randint(8, 14), tzinfo=LOCAL)
        key = f"{prefix}{index:0{width}d}"
        jobs.append({
            "serviceJobId": f"SJ-{key}",
            "serviceJobStatus": "NOT_SERVICED",
            "createTime": wire(start - timedelta(days=5)),
            "marketplaceId": "ATVPDKIKX0DER",
            "scopeOfWork": {"asin": f"B0BENCH{index % 100:03d}", "title": "Service",
                            "quantity": 1, "requiredSkills": [rng.choice(SKILLS)]},
            "appointments": [{
                "appointmentId": f"AP-{key}", "appointmentStatus": "ACTIVE",
                "appointmentTime": {"startTime": wire(start),
                                    "durationInMinutes": rng.choice((180, 240))}}],
            "serviceLocation": {"serviceLocationType": "IN_HOME", "address": {
                "name": "Bench Buyer", "addressLine1": f"{rng.randint(100, 9999)} Main St",
                "city": area["city"].title(), "stateOrRegion": "WA",
                "postalCode": area["zip_code"], "countryCode": "US"}},
        })
    return jobs


def make_technicians(count: int, rng: random.Random, weekdays: tuple[str, ...] = ("tue",),
                     prefix: str = "TECH", width: int = 4) -> list[dict[str, Any]]:
    """``count`` roster entries working ``weekdays``, ids ``<prefix><index>``."""
    areas = king_county_zips()
    technicians = []
    for index in range(count):
        area = rng.choice(areas)
        begin = rng.choice((7, 8, 9))
        shift = f"{begin:02d}:00-{begin + rng.choice((8, 9)):02d}:00"
        technicians.append({
            "id": f"{prefix}{index:0{width}d}", "name": f"Technician {index}",
            "skills": rng.sample(SKILLS, rng.choice((2, 3))),
            "start": {"lat": float(area["lat"]), "lon": float(area["long"])},
            "shifts": dict.fromkeys(weekdays, shift),
            "lunch": {"window": "11:30-13:30", "duration": "30m"},
            "timezone": LOCAL.key,
        })
    return technicians


def make_roster(count: int, rng: random.Random) -> Roster:
    technicians = make_technicians(count, rng)
    return Roster.model_validate({"timezone": LOCAL.key, "technicians": technicians})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--technicians", type=int, default=80)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    jobs, roster = make_jobs(args.jobs, rng), make_roster(args.technicians, rng)

    stages: dict[str, float] = {}
    marks: dict[str, float] = {}

    def progress(event: ProgressEvent) -> None:
        if event.state == "start":
            marks[event.stage.value] = time.perf_counter()
        else:
            stages[event.stage.value] = time.perf_counter() - marks[event.stage.value]

    credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
    overall = time.perf_counter()
    with Emulator(jobs) as emulator, ServicesClient(
            credentials=credentials, base_url=emulator.url, token_url=emulator.token_url,
    ) as client:
        started = time.perf_counter()
        fetched = SpApiSource(client, "ATVPDKIKX0DER").fetch(DAY, LOCAL)
        stages = {"fetch": time.perf_counter() - started}
    started = time.perf_counter()
    plan = plan_day(fetched, roster, DAY, PlanOptions(time_limit=args.time_limit),
                    PlanContext(geocoder=GeocoderChain([Gazetteer()]), matrix=HaversineMatrix(),
                                durations=HALF_HOUR, progress=progress))
    planned = time.perf_counter() - started
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        write_plan_json(plan, Path(folder) / "plan.json")
    stages["write"] = time.perf_counter() - started
    total = time.perf_counter() - overall

    print(f"day: {args.jobs} jobs, {args.technicians} technicians, limit {args.time_limit:g} s")
    for name in ("fetch", "geocode", "matrix", "solve", "write"):
        print(f"  {name:<8} {stages.get(name, 0.0):7.2f} s")
    rules = planned - sum(stages.get(s, 0.0) for s in ("geocode", "matrix", "solve"))
    print(f"  {'rules + conversion':<8} {rules:5.2f} s")
    print(f"  {'total':<8} {total:7.2f} s")
    print(f"assigned {plan.summary.assigned} of {plan.summary.jobs}; unassigned by reason: "
          f"{ {k.value: v for k, v in plan.summary.unassigned_by_reason.items()} }")
    print(f"travel {plan.summary.travel_time_s / 3600:.1f} h, "
          f"{(plan.summary.distance_m or 0) / 1000:.0f} km")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: {own:.0f} MiB this process, {children:.0f} MiB largest solver worker")


if __name__ == "__main__":
    main()
