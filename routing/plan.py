"""The day's plan: what ``plan_day`` returns and what every export reads.

The JSON form of :class:`Plan` is a public, versioned contract (scripts and other tools
read it); its JSON Schema is committed as ``routing/plan.schema.json`` and a test keeps
the two in sync. Regenerate the file after a deliberate change with
``python3 -m routing.plan > routing/plan.schema.json`` and bump :data:`SCHEMA_VERSION`
when a field changes meaning or disappears. Older plan files stay readable: a version-1
plan (before the solver timings were split and the settings recorded in full) is upgraded
on read, its unrecorded settings left None.

Conventions: every datetime is aware and in the *technician's* local timezone (the plan's
own timezone for unassigned jobs); durations are whole seconds (``*_s``), distances whole
metres (``*_m``). Buyer names and phone numbers are never part of a plan; the service
address line is, because a technician has to drive there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from routing.reasons import ReasonCode

__all__ = [
    "SCHEMA_VERSION",
    "GeoLocation",
    "Plan",
    "PlanBreak",
    "PlanInputs",
    "PlanSettings",
    "PlanStop",
    "PlanSummary",
    "RecordedFile",
    "RouteTotals",
    "SolverInfo",
    "TechnicianRoute",
    "TimeSpan",
    "TravelSettings",
    "UnassignedJob",
    "schema_text",
]

SCHEMA_VERSION: Literal["2"] = "2"


class _PlanModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TimeSpan(_PlanModel):
    """A window or interval, both ends included."""

    start: AwareDatetime
    end: AwareDatetime


class GeoLocation(_PlanModel):
    """A point and how good it is."""

    lat: float
    lon: float
    precision: str | None = Field(
        None, description="rooftop, street, postal_code or city; None when given as lat/lon"
    )
    source: str | None = Field(None, description="who placed it: a geocoder name or 'roster'")


class RecordedFile(_PlanModel):
    """An input file that shaped the plan: where it was read and what it held."""

    path: str = Field(description="as given on the command line or in the config; "
                      "'built-in' for the planner's own duration table")
    sha256: str = Field(description="hex SHA-256 of the content read (of the built-in "
                        "table: of its JSON form)")


class TravelSettings(_PlanModel):
    """How travel times and distances were computed."""

    provider: Literal["haversine", "osrm"]
    speed_kmh: float = Field(description="haversine speed (for OSRM: its fallback's)")
    circuity: float = Field(description="road distance / straight line (haversine, fallback)")
    osrm_url: str | None = None
    osrm_profile: str | None = None


class PlanInputs(_PlanModel):
    """The tables, files and providers the plan was made from, as the caller describes
    them (the command line records them all). None: not recorded."""

    durations: RecordedFile | None = Field(
        None, description="the service-duration table: a file, or path 'built-in'")
    overrides: RecordedFile | None = Field(
        None, description="the coordinate overrides file (None: none, or not recorded)")
    geocoders: list[str] | None = Field(None, description="geocoding providers, in order")
    travel: TravelSettings | None = None


class PlanSettings(_PlanModel):
    """Every setting that shaped the plan, so a plan explains itself and a re-plan can
    reuse them (``routeplan plan --replan``). Fields that are None were not recorded: the
    plan comes from an older routeplan, or from Python code that did not say."""

    on_time: Literal["arrive", "finish"] = Field(
        description="arrive: service starts inside the window; finish: it ends inside it"
    )
    objective: str
    time_limit_s: float
    seed: int
    reassign: bool = Field(description="True: technicians already assigned were not kept")
    geocoder: str = Field(description="the geocoder's display name")
    matrix: str = Field(description="the travel-matrix provider's display name")
    workers: int | None = Field(None, description="parallel searches (1: a single search)")
    solution_limit: int | None = Field(
        None, description="searches stopped after this many solutions (None: the time limit "
        "alone; with 1 worker and a limit reached first, the plan is reproducible)")
    inputs: PlanInputs | None = None


class PlanStop(_PlanModel):
    """One job on a technician's route, in driving order."""

    sequence: int = Field(description="1 for the first stop of the route")
    service_job_id: str
    appointment_id: str | None = Field(description="None for a pending job (preferred times)")
    status: str = Field(description="the job's serviceJobStatus")
    location_type: str = Field(description="IN_HOME, IN_STORE or ONLINE (no travel)")
    address: str | None = Field(description="one line; None for ONLINE jobs")
    location: GeoLocation | None = Field(description="None for ONLINE jobs")
    required_skills: list[str]
    windows: list[TimeSpan] = Field(description="the customer's window(s) on the date")
    pinned: bool = Field(description="kept with the technician already assigned")
    arrival: AwareDatetime
    service_start: AwareDatetime
    service_end: AwareDatetime
    travel_time_s: int = Field(
        description="from the previous stop with a place or the route start (with any drive "
        "made for ONLINE jobs in between); 0 for an ONLINE job"
    )
    distance_m: int | None = Field(
        description="like travel_time_s: from the previous stop with a place; 0 when ONLINE")
    wait_s: int = Field(description="idle time between arrival and service start")


class PlanBreak(_PlanModel):
    """A break (lunch) on a route."""

    start: AwareDatetime
    end: AwareDatetime
    after_stop: int = Field(description="sequence of the stop it follows; 0 = before the first")


class RouteTotals(_PlanModel):
    stops: int
    travel_time_s: int
    distance_m: int | None
    service_time_s: int
    wait_time_s: int
    break_time_s: int
    utilisation: float = Field(
        description="(service + travel time) / shift length, 0 for an unused technician"
    )

    @classmethod
    def measure(cls, stops: Sequence[PlanStop], breaks: Sequence[PlanBreak], shift: TimeSpan,
                travel_time_s: int, distance_m: int | None) -> RouteTotals:
        """A route's totals: ``travel_time_s`` and ``distance_m`` are the whole route's (the
        drive home included, which no stop carries); the rest comes from its stops."""
        service = sum(_seconds(s.service_end - s.service_start) for s in stops)
        shift_s = max(1, _seconds(shift.end - shift.start))
        return cls(
            stops=len(stops), travel_time_s=travel_time_s, distance_m=distance_m,
            service_time_s=service, wait_time_s=sum(s.wait_s for s in stops),
            break_time_s=sum(_seconds(b.end - b.start) for b in breaks),
            utilisation=round((service + travel_time_s) / shift_s, 4) if stops else 0.0,
        )


def _seconds(delta: dt.timedelta) -> int:
    return round(delta.total_seconds())


class TechnicianRoute(_PlanModel):
    """A technician on shift that day, with their route (possibly empty)."""

    technician_id: str = Field(description="the Amazon resource id used when assigning")
    name: str
    timezone: str
    shift: TimeSpan
    start_location: GeoLocation
    end_location: GeoLocation
    start: AwareDatetime | None = Field(description="leaves the start location; None if unused")
    end: AwareDatetime | None = Field(description="back at the end location; None if unused")
    stops: list[PlanStop]
    breaks: list[PlanBreak]
    totals: RouteTotals


class UnassignedJob(_PlanModel):
    """A job of the day that is not on any route, and why."""

    service_job_id: str
    status: str | None
    reason: ReasonCode
    sentence: str = Field(description="a human explanation, one sentence")
    address: str | None = None
    location: GeoLocation | None = None
    windows: list[TimeSpan] = []


class SolverInfo(_PlanModel):
    """The optimiser's answer and how long the solve stage took."""

    status: str
    objective: int
    search_time_s: float = Field(
        description="seconds the optimiser searched, every round added up (a re-plan or a day "
        "with ONLINE jobs searches twice)")
    solve_stage_s: float | None = Field(
        description="wall-clock seconds of the whole solve stage: searches, placing ONLINE "
        "jobs, verification (what the command line's solve line shows); None in a version-1 "
        "plan, which did not record it")


class PlanSummary(_PlanModel):
    jobs: int = Field(description="every job given, assigned or not")
    assigned: int
    unassigned: int
    unassigned_by_reason: dict[ReasonCode, int]
    technicians_on_shift: int
    technicians_used: int
    travel_time_s: int
    distance_m: int | None
    service_time_s: int
    utilisation: dict[str, float] = Field(description="technician id -> RouteTotals.utilisation")

    @classmethod
    def of(cls, job_count: int, routes: Sequence[TechnicianRoute],
           unassigned: Sequence[UnassignedJob]) -> PlanSummary:
        """The plan's totals, from its routes' totals and its unassigned jobs."""
        by_reason = Counter(job.reason for job in unassigned)
        distances = [r.totals.distance_m for r in routes]
        return cls(
            jobs=job_count,
            assigned=sum(r.totals.stops for r in routes),
            unassigned=len(unassigned),
            unassigned_by_reason=dict(sorted(by_reason.items())),
            technicians_on_shift=len(routes),
            technicians_used=sum(1 for r in routes if r.stops),
            travel_time_s=sum(r.totals.travel_time_s for r in routes),
            distance_m=None if None in distances else sum(d or 0 for d in distances),
            service_time_s=sum(r.totals.service_time_s for r in routes),
            utilisation={r.technician_id: r.totals.utilisation for r in routes},
        )


class Plan(_PlanModel):
    """Per-technician routes for one day, the jobs left out with their reasons, a summary."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    date: dt.date
    timezone: str = Field(description="the plan's timezone (the roster's), an IANA name")
    generated_at: AwareDatetime
    settings: PlanSettings
    solver: SolverInfo | None = Field(description="None when there was nothing to optimise")
    routes: list[TechnicianRoute]
    unassigned: list[UnassignedJob]
    summary: PlanSummary
    warnings: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        """Read a version-1 plan: its ``solver.wall_time_s`` was the last search round's
        time only, so it becomes ``search_time_s`` and the stage time stays unknown."""
        if not isinstance(data, dict) or data.get("schema_version") != "1":
            return data
        upgraded = {**data, "schema_version": SCHEMA_VERSION}
        info = data.get("solver")
        if isinstance(info, dict) and "wall_time_s" in info:
            rest = {k: v for k, v in info.items() if k != "wall_time_s"}
            upgraded["solver"] = {**rest, "search_time_s": info["wall_time_s"],
                                  "solve_stage_s": None}
        return upgraded

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of the serialised plan (what ``plan.schema.json`` holds)."""
        schema = cls.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return schema

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        return cls.model_validate_json(text)


def schema_text() -> str:
    """The committed schema file's exact content."""
    return json.dumps(Plan.json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
