"""A solution back to a :class:`~routing.plan.Plan` (aware datetimes in each technician's
timezone), and a plan back to solver integers (:func:`plan_to_solution`) to verify it.

The plan shows ONLINE stops without a location and without travel: the drive to where
the technician does one (a place of their route) counts on the next stop with a place, or
on the drive home. ``plan_to_solution`` undoes this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import solver
from routing.plan import (
    Plan,
    PlanBreak,
    PlanStop,
    PlanSummary,
    RouteTotals,
    SolverInfo,
    TechnicianRoute,
    TimeSpan,
    UnassignedJob,
)
from routing.planner.options import PlanningError
from routing.planner.prepare import PreparedDay, ShiftTechnician
from routing.reasons import ReasonCode, default_sentence, from_solver
from routing.spapi.models import Address
from routing.visits import Unassigned, Window

__all__ = ["address_line", "plan_to_solution", "to_plan"]


def to_plan(prepared: PreparedDay, solution: solver.Solution | None, searched: float = 0.0,
            stage: float = 0.0) -> Plan:
    routes_by_tech = {r.technician: r for r in solution.routes} if solution else {}
    routes = [_route(prepared, t, routes_by_tech.get(t.spec.id)) for t in prepared.technicians]
    unplanned = list(prepared.unplanned)
    for item in solution.unassigned if solution else ():
        code = from_solver(item.reason)
        unplanned.append(Unassigned(item.visit, code, _sentence(item.detail, code)))
    unassigned = [_unassigned(prepared, u) for u in unplanned]
    return Plan(
        date=prepared.day,
        timezone=str(prepared.tz.key),
        generated_at=datetime.now(UTC).astimezone(prepared.tz).replace(microsecond=0),
        settings=prepared.settings,
        solver=SolverInfo(
            status=solution.status, objective=solution.objective,
            search_time_s=round(searched, 3), solve_stage_s=round(stage, 3),
        ) if solution else None,
        routes=routes,
        unassigned=unassigned,
        summary=PlanSummary.of(prepared.job_count, routes, unassigned),
        warnings=prepared.warnings,
    )


def _sentence(detail: str, code: ReasonCode) -> str:
    detail = detail.strip()
    if not detail:
        return default_sentence(code)
    return detail[0].upper() + detail[1:] + ("" if detail.endswith(".") else ".")


def _route(
    prepared: PreparedDay, tech: ShiftTechnician, route: solver.Route | None
) -> TechnicianRoute:
    tz = tech.spec.tz
    shift = TimeSpan(start=tech.shift[0], end=tech.shift[1])
    stops = _stops(prepared, route, tz) if route else []
    breaks = [
        PlanBreak(
            start=prepared.moment(b.start, tz), end=prepared.moment(b.end, tz),
            after_stop=b.after_stop + 1,
        )
        for b in (route.breaks if route else ())
    ]
    return TechnicianRoute(
        technician_id=tech.spec.id, name=tech.spec.name, timezone=tech.spec.timezone,
        shift=shift, start_location=tech.start, end_location=tech.end,
        start=prepared.moment(route.start_time, tz) if route else None,
        end=prepared.moment(route.end_time, tz) if route else None,
        stops=stops, breaks=breaks,
        totals=RouteTotals.measure(stops, breaks, shift, route.travel_time if route else 0,
                                   route.distance if route else 0),
    )


def _stops(prepared: PreparedDay, route: solver.Route, tz: ZoneInfo) -> list[PlanStop]:
    """The route's stops; an ONLINE stop shows no drive (it needs none): the drive to
    where the technician does it is added to the next stop with a place, or is part of
    the drive home."""
    stops = []
    carried_s = carried_m = 0
    for position, stop in enumerate(route.stops):
        if prepared.visits[stop.visit].online:
            carried_s, carried_m = carried_s + stop.travel_time, carried_m + (stop.distance or 0)
            stop = replace(stop, travel_time=0, distance=None if stop.distance is None else 0)
        elif carried_s or carried_m:
            stop = replace(stop, travel_time=stop.travel_time + carried_s,
                           distance=None if stop.distance is None else stop.distance + carried_m)
            carried_s = carried_m = 0
        stops.append(_stop(prepared, stop, position, tz))
    return stops


def _stop(prepared: PreparedDay, stop: solver.Stop, position: int, tz: ZoneInfo) -> PlanStop:
    visit = prepared.visits[stop.visit]
    job = visit.job
    return PlanStop(
        sequence=position + 1,
        service_job_id=visit.service_job_id,
        appointment_id=visit.appointment_id,
        status=str(job.service_job_status),
        location_type=str(visit.location_type),
        address=address_line(visit.address) if visit.address is not None else None,
        location=prepared.points.get(visit.service_job_id),
        required_skills=sorted(visit.skills),
        windows=_spans(visit.windows, tz),
        pinned=visit.technicians is not None,
        arrival=prepared.moment(stop.arrival, tz),
        service_start=prepared.moment(stop.start, tz),
        service_end=prepared.moment(stop.end, tz),
        travel_time_s=stop.travel_time,
        distance_m=stop.distance,
        wait_s=stop.wait,
    )


def _spans(windows: Iterable[Window], tz: ZoneInfo) -> list[TimeSpan]:
    return [TimeSpan(start=w.start.astimezone(tz), end=w.end.astimezone(tz)) for w in windows]


def _unassigned(prepared: PreparedDay, item: Unassigned) -> UnassignedJob:
    visit = prepared.visits.get(item.service_job_id)
    if visit is None:
        return UnassignedJob(
            service_job_id=item.service_job_id, status=prepared.statuses.get(item.service_job_id),
            reason=item.reason,
            sentence=item.sentence,
        )
    return UnassignedJob(
        service_job_id=item.service_job_id,
        status=str(visit.job.service_job_status),
        reason=item.reason,
        sentence=item.sentence,
        address=address_line(visit.address) if visit.address is not None else None,
        location=prepared.points.get(item.service_job_id),
        windows=_spans(visit.windows, prepared.tz),
    )


def address_line(address: Address) -> str:
    """One display line, without the name and phone the model also carries (privacy)."""
    region = " ".join(p for p in (address.state_or_region, address.postal_code) if p)
    parts = (
        address.address_line1, address.address_line2, address.address_line3, address.city,
        region, address.country_code,
    )
    return ", ".join(p.strip() for p in parts if p and p.strip())


def plan_to_solution(plan: Plan, prepared: PreparedDay) -> solver.Solution:
    """The plan back in solver integers, to check it with ``solver.verify``.

    Exact for any plan ``solve_day`` produced from ``prepared``: every datetime lands back
    on the whole second it came from.
    """
    problem = prepared.problem
    if problem is None:
        raise PlanningError("this day had nothing to solve; there is no solution to rebuild")
    location = {v.id: v.location for v in problem.visits}
    routes = [
        _solver_route(route, prepared, problem)
        for route in plan.routes
        if route.stops and route.start is not None and route.end is not None
    ]
    unassigned = tuple(
        solver.Unassigned(u.service_job_id, solver.ReasonCode(u.reason.value), u.sentence)
        for u in plan.unassigned
        if u.service_job_id in location
    )
    info = plan.solver
    return solver.Solution(
        routes=tuple(routes), unassigned=unassigned,
        objective=info.objective if info else 0, status=info.status if info else "",
        wall_time=info.search_time_s if info else 0.0,
    )


def _solver_route(route: TechnicianRoute, prepared: PreparedDay,
                  problem: solver.Problem) -> solver.Route:
    assert route.start is not None and route.end is not None  # a route with stops
    breaks = tuple(
        solver.BreakPlacement(
            start=prepared.seconds(b.start), end=prepared.seconds(b.end),
            after_stop=b.after_stop - 1,
        )
        for b in route.breaks
    )
    totals = route.totals
    return solver.Route(
        technician=route.technician_id, stops=_solver_stops(route, prepared, problem),
        breaks=breaks, start_time=prepared.seconds(route.start),
        end_time=prepared.seconds(route.end), travel_time=totals.travel_time_s,
        distance=totals.distance_m, service_time=totals.service_time_s,
        wait_time=totals.wait_time_s,
    )


def _solver_stops(route: TechnicianRoute, prepared: PreparedDay,
                  problem: solver.Problem) -> tuple[solver.Stop, ...]:
    """The stops with the solver's own drives: an ONLINE stop's drive, moved on by
    ``_stops``, is taken back from the next stop with a place."""
    location = {v.id: v.location for v in problem.visits}
    here = next(t.start_location for t in problem.technicians if t.id == route.technician_id)
    stops = []
    carried_s = carried_m = 0
    for s in route.stops:
        there = location[s.service_job_id]
        travel, distance = s.travel_time_s, s.distance_m
        if prepared.visits[s.service_job_id].online:
            travel = 0 if here is None else int(problem.durations[here, there])
            if problem.distances is not None:
                distance = 0 if here is None else int(problem.distances[here, there])
            carried_s, carried_m = carried_s + travel, carried_m + (distance or 0)
        else:
            travel -= carried_s
            distance = None if distance is None else distance - carried_m
            carried_s = carried_m = 0
        stops.append(solver.Stop(
            visit=s.service_job_id, location=there,
            arrival=prepared.seconds(s.arrival), wait=s.wait_s,
            start=prepared.seconds(s.service_start), end=prepared.seconds(s.service_end),
            travel_time=travel, distance=distance,
        ))
        here = there
    return tuple(stops)
