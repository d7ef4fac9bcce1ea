"""Independent checker of a `Solution` against its `Problem`.

Written apart from the OR-Tools model: it recomputes every travel, arrival, wait, window,
break, skill, limit and total from the problem data alone, and raises `VerificationError`
listing every violation found. Time model: between two consecutive events (route start,
stops, route end) the technician travels and takes the breaks placed in that gap; the gap
must hold both the travel and the breaks, and breaks never overlap a service.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from solver.errors import VerificationError
from solver.problem import Problem, Technician, Visit
from solver.solution import BreakPlacement, ReasonCode, Route, Solution

__all__ = ["verify"]


def verify(problem: Problem, solution: Solution) -> None:
    violations: list[str] = []
    techs = {t.id: t for t in problem.technicians}
    visits = {v.id: v for v in problem.visits}
    served: Counter[str] = Counter()
    routed_techs: Counter[str] = Counter()
    for route in solution.routes:
        routed_techs[route.technician] += 1
        tech = techs.get(route.technician)
        if tech is None:
            violations.append(f"route of unknown technician {route.technician!r}")
            continue
        served.update(s.visit for s in route.stops)
        violations += [f"{tech.id}: {v}" for v in _check_route(problem, tech, visits, route)]
    violations += [f"technician {t!r} has {n} routes" for t, n in routed_techs.items() if n > 1]
    listed = served + Counter(u.visit for u in solution.unassigned)
    for visit_id, count in listed.items():
        if visit_id not in visits:
            violations.append(f"unknown visit {visit_id!r} in the solution")
        elif count > 1:
            violations.append(f"visit {visit_id!r} appears {count} times")
    violations += [f"visit {v!r} neither routed nor unassigned" for v in visits if v not in listed]
    for item in solution.unassigned:
        if not isinstance(item.reason, ReasonCode):
            violations.append(f"visit {item.visit!r}: unknown reason {item.reason!r}")
    if violations:
        raise VerificationError(violations)


def _check_route(
    problem: Problem, tech: Technician, visits: dict[str, Visit], route: Route
) -> list[str]:
    out: list[str] = []
    if not route.stops:
        out.append("route without stops")
    if route.start_time < tech.shift.start or route.end_time > tech.shift.end:
        out.append(f"route [{route.start_time}, {route.end_time}] outside shift "
                   f"[{tech.shift.start}, {tech.shift.end}]")
    out += _check_breaks(tech, route)
    durations, distances = problem.durations, problem.distances
    location, previous_end = tech.start_location, route.start_time
    travel_total = distance_total = demand = 0
    for k, stop in enumerate(route.stops):
        visit = visits.get(stop.visit)
        if visit is None:
            out.append(f"stop {k}: unknown visit {stop.visit!r}")
            return out
        out += [f"visit {visit.id!r}: {v}" for v in _check_assignment(tech, visit)]
        travel = 0 if location is None else int(durations[location, visit.location])
        distance = 0 if location is None or distances is None else int(
            distances[location, visit.location])
        paused = _gap_breaks(route.breaks, k - 1)
        expected = {
            "location": visit.location,
            "travel_time": travel,
            "distance": distance if distances is not None else None,
            "arrival": previous_end + travel + paused,
            "wait": stop.start - (previous_end + travel + paused),
            "end": stop.start + visit.duration,
        }
        out += [f"visit {visit.id!r}: {name} is {getattr(stop, name)}, expected {value}"
                for name, value in expected.items() if getattr(stop, name) != value]
        if stop.start < previous_end + travel + paused:
            out.append(f"visit {visit.id!r}: starts at {stop.start} before it can be reached "
                       f"at {previous_end + travel + paused}")
        windows = visit.windows
        if windows and not any(w.contains(stop.start) for w in windows):
            out.append(f"visit {visit.id!r}: start {stop.start} outside its windows")
        if not windows and not 0 <= stop.start <= problem.horizon:
            out.append(f"visit {visit.id!r}: start {stop.start} outside the horizon")
        travel_total += travel
        distance_total += distance
        demand += visit.demand
        location, previous_end = visit.location, stop.start + visit.duration
    back = 0
    if tech.end_location is not None and location is not None:
        back = int(durations[location, tech.end_location])
        if distances is not None:
            distance_total += int(distances[location, tech.end_location])
    travel_total += back
    last = len(route.stops) - 1
    if previous_end + back + _gap_breaks(route.breaks, last) > route.end_time:
        out.append(f"route ends at {route.end_time}, before the technician can be back at "
                   f"{previous_end + back + _gap_breaks(route.breaks, last)}")
    totals = {
        "travel_time": travel_total,
        "distance": distance_total if distances is not None else None,
        "service_time": sum(s.end - s.start for s in route.stops),
        "wait_time": sum(s.wait for s in route.stops),
    }
    out += [f"route {name} is {getattr(route, name)}, expected {value}"
            for name, value in totals.items() if getattr(route, name) != value]
    limits = [
        ("capacity", tech.capacity, demand),
        ("max_visits", tech.max_visits, len(route.stops)),
        ("max_work_time", tech.max_work_time, route.end_time - route.start_time),
        ("max_travel_time", tech.max_travel_time, travel_total),
    ]
    out += [f"{name} {limit} exceeded: {used}"
            for name, limit, used in limits if limit is not None and used > limit]
    return out


def _check_assignment(tech: Technician, visit: Visit) -> list[str]:
    out = []
    if not visit.skills <= tech.skills:
        out.append(f"technician lacks skills {sorted(visit.skills - tech.skills)}")
    if visit.allowed_technicians is not None and tech.id not in visit.allowed_technicians:
        out.append("technician not allowed")
    if visit.pinned_technician is not None and visit.pinned_technician != tech.id:
        out.append(f"pinned to {visit.pinned_technician!r}")
    return out


def _gap_breaks(breaks: tuple[BreakPlacement, ...], after_stop: int) -> int:
    return sum(b.end - b.start for b in breaks if b.after_stop == after_stop)


def _check_breaks(tech: Technician, route: Route) -> list[str]:
    """Breaks: one placement per technician break, in the technician's order, each starting
    in its window, inside its gap between events, none overlapping another."""
    out: list[str] = []
    if len(route.breaks) != len(tech.breaks):
        return [f"{len(route.breaks)} breaks placed, {len(tech.breaks)} required"]
    stops = route.stops
    for b, (placed, brk) in enumerate(zip(route.breaks, tech.breaks, strict=True)):
        if placed.end - placed.start != brk.duration:
            out.append(f"break {b} lasts {placed.end - placed.start}, not {brk.duration}")
        if not brk.window.contains(placed.start):
            out.append(f"break {b} starts at {placed.start} outside its window")
        if not -1 <= placed.after_stop < max(len(stops), 1):
            out.append(f"break {b} after stop {placed.after_stop}: no such stop")
            continue
        gap_start = route.start_time if placed.after_stop < 0 else stops[placed.after_stop].end
        nxt = placed.after_stop + 1
        gap_end = stops[nxt].start if nxt < len(stops) else route.end_time
        if placed.start < gap_start or placed.end > gap_end:
            out.append(f"break {b} [{placed.start}, {placed.end}) outside its gap "
                       f"[{gap_start}, {gap_end}]")
    ordered = sorted(route.breaks, key=lambda p: p.start)
    out += [f"breaks overlap at {a.end} > {c.start}"
            for a, c in pairwise(ordered) if a.end > c.start]
    return out
