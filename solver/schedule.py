"""Turn the optimiser's raw routes (node order, service starts, break starts) into `Route`s."""

from __future__ import annotations

from solver.problem import Problem
from solver.search import RawRoute
from solver.solution import BreakPlacement, Route, Stop

__all__ = ["route_of"]


def route_of(problem: Problem, visits: tuple[int, ...], raw: RawRoute) -> Route:
    """`visits` maps model nodes to problem visit indices."""
    tech = problem.technicians[raw.technician]
    durations, distances = problem.durations, problem.distances
    starts = raw.starts
    placements = []
    for brk, start in zip(tech.breaks, raw.breaks, strict=True):
        after = sum(1 for s in starts if s < start) - 1
        placements.append(BreakPlacement(start, start + brk.duration, after))
    stops: list[Stop] = []
    # A break taken at home before leaving opens the day.
    location, previous_end = tech.start_location, min([raw.start_time,
                                                       *(p.start for p in placements)])
    for k, (node, start) in enumerate(zip(raw.nodes, starts, strict=True)):
        visit = problem.visits[visits[node]]
        travel = 0 if location is None else int(durations[location, visit.location])
        distance = None
        if distances is not None:
            distance = 0 if location is None else int(distances[location, visit.location])
        paused = sum(p.end - p.start for p in placements if p.after_stop == k - 1)
        arrival = previous_end + travel + paused
        stops.append(Stop(visit.id, visit.location, arrival, start - arrival, start,
                          start + visit.duration, travel, distance))
        location, previous_end = visit.location, start + visit.duration
    back = back_distance = 0
    if tech.end_location is not None and location is not None:
        back = int(durations[location, tech.end_location])
        if distances is not None:
            back_distance = int(distances[location, tech.end_location])
    return Route(
        technician=tech.id,
        stops=tuple(stops),
        breaks=tuple(placements),
        start_time=min([raw.start_time, *(p.start for p in placements)]),
        end_time=max([raw.end_time, *(p.end for p in placements)]),
        travel_time=sum(s.travel_time for s in stops) + back,
        distance=None if distances is None else sum(s.distance or 0 for s in stops)
        + back_distance,
        service_time=sum(s.end - s.start for s in stops),
        wait_time=sum(s.wait for s in stops),
    )
