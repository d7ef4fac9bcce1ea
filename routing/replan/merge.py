"""The fixed stops and the re-planned rest, merged into the whole day's plan."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from routing.geo import MatrixProvider
from routing.plan import (
    GeoLocation,
    Plan,
    PlanStop,
    PlanSummary,
    RouteTotals,
    TechnicianRoute,
    TimeSpan,
)
from routing.replan.errors import ReplanError
from routing.replan.now import Day, State
from routing.roster import Roster, TechnicianSpec

__all__ = ["check", "merge"]


def merge(previous: Plan, remaining: Plan, day: Day, roster: Roster,
           matrix: MatrixProvider) -> Plan:
    before = {r.technician_id: r for r in previous.routes}
    after = {r.technician_id: r for r in remaining.routes}
    specs = {t.id: t for t in roster.technicians}
    order = [*before, *(t for t in after if t not in before)]
    routes = [
        _merged_route(before.get(t), after.get(t), day.states.get(t), specs.get(t),
                      previous.date, matrix)
        for t in order
    ]
    unassigned = list(remaining.unassigned)
    return Plan(
        date=previous.date, timezone=previous.timezone,
        generated_at=datetime.now(UTC).astimezone(ZoneInfo(previous.timezone)).replace(
            microsecond=0),
        settings=remaining.settings, solver=remaining.solver, routes=routes,
        unassigned=unassigned,
        summary=PlanSummary.of(remaining.summary.jobs + len(day.fixed_ids), routes, unassigned),
        warnings=[*remaining.warnings, *day.warnings],
    )


def _merged_route(old: TechnicianRoute | None, new: TechnicianRoute | None,
                  state: State | None, spec: TechnicianSpec | None, day: date,
                  matrix: MatrixProvider) -> TechnicianRoute:
    base = old or new
    assert base is not None  # one of the two exists by construction
    fixed = state or State([], [], None, base.shift.start)
    shift_times = spec.shift_on(day) if spec is not None else None
    shift = TimeSpan(start=shift_times[0], end=shift_times[1]) if shift_times else base.shift
    k = len(fixed.stops)
    stops = [*fixed.stops, *(s.model_copy(update={"sequence": s.sequence + k})
                             for s in (new.stops if new is not None else ()))]
    breaks = [*fixed.breaks, *(
        b.model_copy(update={"after_stop": b.after_stop + k}) for b in (new.breaks if new else ())
    )]
    start, end, travel, distance = _ends(old, new, fixed, matrix)
    return TechnicianRoute(
        technician_id=base.technician_id, name=base.name, timezone=base.timezone, shift=shift,
        start_location=base.start_location, end_location=base.end_location,
        start=start, end=end, stops=stops, breaks=breaks,
        totals=RouteTotals.measure(stops, breaks, shift, travel, distance),
    )


def _ends(old: TechnicianRoute | None, new: TechnicianRoute | None, fixed: State,
          matrix: MatrixProvider) -> tuple[datetime | None, datetime | None, int, int | None]:
    """The merged route's start and end, and its whole drive (seconds, metres)."""
    travel = sum(s.travel_time_s for s in fixed.stops)
    distances: list[int | None] = [s.distance_m for s in fixed.stops]
    # A kept stop or break is history, and so is the route's start: the solver opens a
    # route with a break taken at home before leaving, and the re-planned part (which
    # starts after that break) must not move the start past it.
    history = old if old is not None and (fixed.stops or fixed.breaks) else None
    start: datetime | None = None
    end: datetime | None = None
    if new is not None and new.stops:
        start, end = history.start if history is not None else new.start, new.end
        travel += new.totals.travel_time_s
        distances.append(new.totals.distance_m)
    elif history is not None:
        seconds, metres = _drive_home(fixed.stops, history.end_location, matrix)
        start, end = history.start, _last_end(fixed) + timedelta(seconds=seconds)
        travel += seconds
        distances.append(metres)
    return start, end, travel, None if None in distances else sum(d or 0 for d in distances)


def _last_end(fixed: State) -> datetime:
    return max([*(s.service_end for s in fixed.stops[-1:]), *(b.end for b in fixed.breaks)])


def _drive_home(fixed: list[PlanStop], home: GeoLocation,
                matrix: MatrixProvider) -> tuple[int, int]:
    """Seconds and metres from the last fixed stop with a place to ``home``."""
    located = [s.location for s in fixed if s.location is not None]
    if not located:
        return 0, 0
    here = located[-1]
    travel = matrix.matrix([(here.lat, here.lon), (home.lat, home.lon)])
    return int(travel.durations[0, 1]), int(travel.distances[0, 1])


def check(plan: Plan) -> None:
    """What ``solver.verify`` cannot see of the merged plan (it checked the re-planned part;
    the fixed part is the previous plan's): stops numbered in order, times that never go
    back, the route's end after its last stop, every job once. A violation is a bug in the
    merge."""
    problems: list[str] = []
    for route in plan.routes:
        problems += _route_problems(route)
    seen = Counter([*(s.service_job_id for r in plan.routes for s in r.stops),
                    *(u.service_job_id for u in plan.unassigned)])
    problems += [f"{job} appears {n} times" for job, n in seen.items() if n > 1]
    if problems:
        raise ReplanError("the merged plan is inconsistent (a bug): " + "; ".join(problems))


def _route_problems(route: TechnicianRoute) -> list[str]:
    who, problems = route.technician_id, []
    previous_end = route.start
    for number, stop in enumerate(route.stops, start=1):
        if stop.sequence != number:
            problems.append(f"{who}: stop {stop.service_job_id} numbered {stop.sequence}")
        if not stop.arrival <= stop.service_start <= stop.service_end or (
                previous_end is not None and stop.arrival < previous_end):
            problems.append(f"{who}: {stop.service_job_id} times out of order")
        previous_end = stop.service_end
    if route.stops and (route.end is None or route.end < route.stops[-1].service_end):
        problems.append(f"{who}: the route ends before its last stop")
    if route.start is not None and any(b.start < route.start for b in route.breaks):
        problems.append(f"{who}: a break before the route starts")
    return problems
