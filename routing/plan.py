"""The day's plan: what ``plan_day`` returns and what every export reads.

The JSON form of :class:`Plan` is a public, versioned contract (scripts and other tools
read it); its JSON Schema is committed as ``routing/plan.schema.json`` and a test keeps
the two in sync. Regenerate the file after a deliberate change with
``python3 -m routing.plan > routing/plan.schema.json`` and bump :data:`SCHEMA_VERSION`
when a field changes meaning or disappears.

Conventions: every datetime is aware and in the *technician's* local timezone (the plan's
own timezone for unassigned jobs); durations are whole seconds (``*_s``), distances whole
metres (``*_m``). Buyer names and phone numbers are never part of a plan; the service
address line is, because a technician has to drive there.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from routing.reasons import ReasonCode

__all__ = [
    "SCHEMA_VERSION",
    "GeoLocation",
    "Plan",
    "PlanBreak",
    "PlanSettings",
    "PlanStop",
    "PlanSummary",
    "RouteTotals",
    "SolverInfo",
    "TechnicianRoute",
    "TimeSpan",
    "UnassignedJob",
    "schema_text",
]

SCHEMA_VERSION: Literal["1"] = "1"


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


class PlanSettings(_PlanModel):
    """The knobs the plan was made with, so a plan explains itself."""

    on_time: Literal["arrive", "finish"] = Field(
        description="arrive: service starts inside the window; finish: it ends inside it"
    )
    objective: str
    time_limit_s: float
    seed: int
    reassign: bool = Field(description="True: technicians already assigned were not kept")
    geocoder: str
    matrix: str


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
        description="from the previous stop or the route start; for an ONLINE job, the drive "
        "to where the technician does it (a place of their route)"
    )
    distance_m: int | None = Field(description="from the previous stop or the route start")
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
    status: str
    objective: int
    wall_time_s: float


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


class Plan(_PlanModel):
    """Per-technician routes for one day, the jobs left out with their reasons, a summary."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    date: dt.date
    timezone: str = Field(description="the plan's timezone (the roster's), an IANA name")
    generated_at: AwareDatetime
    settings: PlanSettings
    solver: SolverInfo | None = Field(description="None when there was nothing to optimise")
    routes: list[TechnicianRoute]
    unassigned: list[UnassignedJob]
    summary: PlanSummary
    warnings: list[str] = []

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
