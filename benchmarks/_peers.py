"""Peer solvers (PyVRP, VROOM via pyvroom) on a `solver.Problem`, for benchmarks only.

Both get the same integer matrix, windows, service times and capacities as our solver.
They are optional benchmark dependencies (`pip install routeplan[bench]`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

import numpy as np

from solver import Problem


@dataclass(frozen=True)
class PeerResult:
    routes: list[list[int]]
    """Per used vehicle, the problem visit indices in order."""
    unassigned: int
    seconds: float

    def cost(self, problem: Problem, starts: list[int], ends: list[int]) -> int:
        """Sum of the problem's distances (durations if none) along the routes."""
        matrix = problem.distances if problem.distances is not None else problem.durations
        total = 0
        for route, start, end in zip(self.routes, starts, ends, strict=True):
            locs = [start, *(problem.visits[i].location for i in route), end]
            total += int(sum(matrix[a, b] for a, b in pairwise(locs)))
        return total


def pyvrp_single_depot(problem: Problem, seconds: float, seed: int = 0) -> PeerResult:
    """PyVRP on a single-depot problem (every technician starts and ends at location of
    technician 0, one vehicle type), minimising distance."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    tech = problem.technicians[0]
    assert tech.start_location is not None
    n = problem.num_locations
    model = pyvrp.Model()
    locations = [model.add_location(x=0, y=0) for _ in range(n)]
    depot = model.add_depot(locations[tech.start_location], tw_early=tech.shift.start,
                            tw_late=tech.shift.end)
    model.add_vehicle_type(num_available=len(problem.technicians),
                           capacity=tech.capacity or 0, start_depot=depot, end_depot=depot,
                           tw_early=tech.shift.start, tw_late=tech.shift.end)
    for visit in problem.visits:
        model.add_client(locations[visit.location], delivery=visit.demand,
                         service_duration=visit.duration, tw_early=visit.windows[0].start,
                         tw_late=visit.windows[0].end)
    durations = problem.durations
    distances = problem.distances if problem.distances is not None else durations
    for a in range(n):
        for b in range(n):
            model.add_edge(locations[a], locations[b], distance=int(distances[a, b]),
                           duration=int(durations[a, b]))
    began = time.perf_counter()
    result = model.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    elapsed = time.perf_counter() - began
    # Client activities carry the client number, in problem order.
    routes = [[a.idx for a in route if a.is_client()] for route in result.best.routes()]
    missing = len(problem.visits) - sum(len(r) for r in routes)
    return PeerResult(routes, missing, elapsed)


def vroom_solve(problem: Problem, seconds: float, threads: int = 2) -> tuple[PeerResult, list[int]]:
    """VROOM with skills, windows, shifts, capacities and breaks. Returns the result and,
    per returned route, the technician index."""
    import vroom

    skill_ids: dict[str, int] = {}

    def skills(names: frozenset[str]) -> set[int]:
        return {skill_ids.setdefault(s, len(skill_ids) + 1) for s in names}

    matrix = np.asarray(problem.durations, dtype=np.int64)
    inp = vroom.Input()
    inp.set_durations_matrix("car", matrix.tolist())
    for k, tech in enumerate(problem.technicians):
        breaks = [
            vroom.Break(id=k * 100 + b, time_windows=[vroom.TimeWindow(br.window.start,
                                                                        br.window.end)],
                        service=br.duration)
            for b, br in enumerate(tech.breaks)
        ]
        kwargs: dict[str, object] = {}
        if tech.start_location is not None:
            kwargs["start"] = tech.start_location
        if tech.end_location is not None:
            kwargs["end"] = tech.end_location
        if tech.capacity is not None:
            kwargs["capacity"] = [tech.capacity]
        inp.add_vehicle(vroom.Vehicle(
            id=k, skills=skills(tech.skills),
            time_window=vroom.TimeWindow(tech.shift.start, tech.shift.end),
            breaks=breaks, **kwargs,
        ))
    with_capacity = any(t.capacity is not None for t in problem.technicians)
    for i, visit in enumerate(problem.visits):
        windows = [vroom.TimeWindow(w.start, w.end) for w in visit.windows]
        job_kwargs: dict[str, object] = {"delivery": [visit.demand]} if with_capacity else {}
        inp.add_job(vroom.Job(id=i, location=visit.location, default_service=visit.duration,
                              skills=skills(visit.skills), time_windows=windows,
                              priority=min(100, visit.priority), **job_kwargs))
    began = time.perf_counter()
    solution = inp.solve(exploration_level=5, nb_threads=threads,
                         timeout=timedelta(seconds=seconds))
    elapsed = time.perf_counter() - began
    frame = solution.routes
    routes: list[list[int]] = []
    vehicles: list[int] = []
    for vehicle_id, steps in frame.groupby("vehicle_id", sort=True):
        jobs = [int(j) for t, j in zip(steps["type"], steps["id"], strict=True) if t == "job"]
        if jobs:
            routes.append(jobs)
            vehicles.append(int(vehicle_id))
    missing = len(problem.visits) - sum(len(r) for r in routes)
    return PeerResult(routes, missing, elapsed), vehicles
