"""Jobs for the emulator and a Plan that routes them, built directly (no solver)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing.plan import (
    GeoLocation,
    Plan,
    PlanSettings,
    PlanStop,
    PlanSummary,
    RouteTotals,
    TechnicianRoute,
    TimeSpan,
)
from tests.routing.spapi.jobdata import DAY, make_job

LA = ZoneInfo("America/Los_Angeles")
HOME = GeoLocation(lat=47.62, lon=-122.19, precision=None, source="roster")


def jobs(count: int, assigned: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """``count`` emulator jobs; ``assigned`` presets Amazon's technician on some of them."""
    made = [make_job(i) for i in range(count)]
    for index, technician in (assigned or {}).items():
        made[index]["appointments"][0]["assignedTechnicians"] = [{"technicianId": technician}]
    return made


def arrival_of(job: dict[str, Any], shift: timedelta = timedelta()) -> datetime:
    start = job["appointments"][0]["appointmentTime"]["startTime"]
    return datetime.fromisoformat(start).astimezone(LA) + shift


def _stop(sequence: int, job: dict[str, Any] | str, shift: timedelta) -> PlanStop:
    """A stop for an emulator job, or a pending job (a bare id, no appointment)."""
    if isinstance(job, str):
        job_id, appointment, arrival = job, None, datetime(2026, 12, 1, 9, tzinfo=LA)
    else:
        job_id, appointment = job["serviceJobId"], job["appointments"][0]["appointmentId"]
        arrival = arrival_of(job, shift)
    return PlanStop(
        sequence=sequence, service_job_id=job_id, appointment_id=appointment,
        status="NOT_SERVICED", location_type="IN_HOME", address="1 Pine St, Seattle",
        location=HOME, required_skills=["TV_MOUNTING"],
        windows=[TimeSpan(start=arrival, end=arrival + timedelta(hours=2))], pinned=False,
        arrival=arrival, service_start=arrival, service_end=arrival + timedelta(hours=1),
        travel_time_s=600, distance_m=5000, wait_s=0)


def plan_for(routed: Sequence[dict[str, Any] | str], technicians: Sequence[str], *,
             shift: timedelta = timedelta()) -> Plan:
    """Job i goes to technician i mod len(technicians); arrival = appointment start + shift."""
    stops: dict[str, list[PlanStop]] = {t: [] for t in technicians}
    for index, job in enumerate(routed):
        own = stops[technicians[index % len(technicians)]]
        own.append(_stop(len(own) + 1, job, shift))
    day_start = datetime(2026, 12, 1, 7, tzinfo=LA)
    span = TimeSpan(start=day_start, end=day_start + timedelta(hours=16))
    routes = [
        TechnicianRoute(
            technician_id=t, name=f"Tech {t}", timezone="America/Los_Angeles", shift=span,
            start_location=HOME, end_location=HOME, start=span.start, end=span.end,
            stops=stops[t], breaks=[],
            totals=RouteTotals(stops=len(stops[t]), travel_time_s=0, distance_m=0,
                               service_time_s=0, wait_time_s=0, break_time_s=0,
                               utilisation=0.0))
        for t in technicians
    ]
    return Plan(
        date=date(2026, 12, 1), timezone="America/Los_Angeles", generated_at=day_start,
        settings=PlanSettings(on_time="arrive", objective="travel_time", time_limit_s=1.0,
                              seed=0, reassign=False, geocoder="test", matrix="haversine"),
        solver=None, routes=routes, unassigned=[],
        summary=PlanSummary(jobs=len(routed), assigned=len(routed), unassigned=0,
                            unassigned_by_reason={}, technicians_on_shift=len(technicians),
                            technicians_used=len(technicians), travel_time_s=0, distance_m=0,
                            service_time_s=0, utilisation={t: 0.0 for t in technicians}))


__all__ = ["DAY", "LA", "arrival_of", "jobs", "plan_for"]
