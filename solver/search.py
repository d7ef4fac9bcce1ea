"""One search run (in this process or a worker process): construction and guided local
search in OR-Tools, then a ruin-and-recreate loop around OR-Tools until the deadline.

The loop is what closes most of the gap to the best-known Solomon solutions (see
benchmarks/README.md): each step removes a seed visit and its nearest neighbours from the
current routes, lets OR-Tools reinsert them and descend to a local optimum (greedy
descent from that start), and keeps the result if it is no worse.
"""

from __future__ import annotations

import random
import time as clock
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver import strings
from solver.constants import (
    FALLBACK_SEARCH_SHARE,
    GREEDY_ONLY_MAX,
    GREEDY_START_MIN,
    MAX_RESTORE_FAILURES,
    MIN_SEARCH_SECONDS,
    RESTORE_SEARCH_FACTOR,
    RUIN_MAX,
    STRINGS_MIN_SECONDS,
    STRINGS_POLISH_SHARE,
    STRINGS_SMALL_POLISH_SHARE,
    smallest_ruin,
)
from solver.construct import insertion_routes, nearest
from solver.model import Model, ModelInput, build

__all__ = [
    "CONFIGS",
    "RawRoute",
    "RawSolution",
    "SearchConfig",
    "SearchTask",
    "parameters",
    "run",
    "uses_strings",
]

_FS = routing_enums_pb2.FirstSolutionStrategy
_LS = routing_enums_pb2.LocalSearchMetaheuristic
_STATUS = routing_enums_pb2.RoutingSearchStatus.Value


@dataclass(frozen=True)
class SearchConfig:
    first_solution: int = _FS.PARALLEL_CHEAPEST_INSERTION
    gls_lambda: float = 1.0
    construct_share: float = 0.3
    """Share of the time given to construction + guided local search; the rest goes to
    ruin and recreate."""
    ruin_size: int = RUIN_MAX
    """At most this many visits removed per ruin step (at least `smallest_ruin` of it)."""
    improve_share: float = 0.8
    """On large problems (see GREEDY_START_MIN), share of the time given to improving the
    construction by numpy ruin and recreate before OR-Tools starts from it: OR-Tools' own
    ruin-and-recreate steps take seconds each at that size."""


CONFIGS: tuple[SearchConfig, ...] = (
    SearchConfig(),
    SearchConfig(first_solution=_FS.SAVINGS),
)
"""Worker k of a run with seed s uses CONFIGS[(s + k) % len(CONFIGS)]."""


@dataclass(frozen=True)
class RawRoute:
    technician: int
    nodes: tuple[int, ...]
    starts: tuple[int, ...]
    """Service start of each node, as scheduled by the optimiser."""
    breaks: tuple[int, ...]
    """Start of each of the technician's breaks, in the technician's order."""
    start_time: int
    end_time: int


@dataclass(frozen=True)
class RawSolution:
    routes: tuple[RawRoute, ...]
    objective: int
    status: str


@dataclass(frozen=True)
class SearchTask:
    data: ModelInput
    config: SearchConfig
    seed: int
    deadline: float
    """Wall-clock time (time.time()) by which the search must stop."""
    solution_limit: int | None
    """If set, only construction + guided local search run (deterministic)."""
    initial: tuple[tuple[int, ...], ...] | None
    """Per technician, visit nodes of a starting solution."""


def parameters(seconds: float, *, first_solution: int | None = None,
               gls_lambda: float | None = None, solution_limit: int | None = None
               ) -> pywrapcp.DefaultRoutingSearchParameters:
    """Guided local search if `gls_lambda` is given, else greedy descent."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    if first_solution is not None:
        params.first_solution_strategy = first_solution
    if gls_lambda is None:
        params.local_search_metaheuristic = _LS.GREEDY_DESCENT
    else:
        params.local_search_metaheuristic = _LS.GUIDED_LOCAL_SEARCH
        params.guided_local_search_lambda_coefficient = gls_lambda
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def run(task: SearchTask) -> RawSolution | None:
    if uses_strings(task):
        found = _strings_then_polish(task)
        if found is not None:
            return found
    model = build(task.data)
    routing = model.routing
    config = task.config
    initial = task.initial
    if initial is None and not any(task.data.locked) and len(task.data.visits) >= GREEDY_START_MIN:
        improve_until = None
        if task.solution_limit is None:
            improve_until = clock.time() + (task.deadline - clock.time()) * config.improve_share
        initial = insertion_routes(task.data, improve_until, task.seed, config.ruin_size)
    remaining = task.deadline - clock.time()
    share = 1.0 if task.solution_limit is not None else config.construct_share
    tiny = len(task.data.visits) <= GREEDY_ONLY_MAX
    params = parameters(remaining * share, first_solution=config.first_solution,
                        gls_lambda=None if tiny else config.gls_lambda,
                        solution_limit=task.solution_limit)
    assignment = None
    routing.CloseModelWithParameters(params)  # once: restores and locks need a closed model
    if initial is not None:
        assignment = _solve_from(model, _as_indices(model, initial), params, task.deadline)
    if assignment is None:
        # Always (re)apply the locks: this also clears what a failed warm start left in the
        # model's preassignment, which would otherwise pin the fallback search to it.
        routing.ApplyLocksToAllVehicles(_as_indices(model, task.data.locked), False)
        assignment = routing.SolveWithParameters(params)
    if assignment is None and (left := task.deadline - clock.time()) > MIN_SEARCH_SECONDS:
        # The construction's share of the time ran out before a first solution (a short
        # limit on a busy machine): the rest of the time goes to finding one.
        assignment = routing.SolveWithParameters(
            parameters(left, first_solution=config.first_solution, solution_limit=1))
    if assignment is None:
        return None
    status = _STATUS.Name(routing.status()).removeprefix("ROUTING_").lower()
    best = RawSolution(_routes(model, assignment), assignment.ObjectiveValue(), status)
    if task.solution_limit is None:
        best = _ruin_and_recreate(model, task, assignment, best)
    return best


def uses_strings(task: SearchTask) -> bool:
    """Whether the search runs the string-removal engine (`strings.py`): for the objectives
    it models exactly, without a solution limit (those runs stay OR-Tools' deterministic
    construction), without a warm start, on more than a handful of visits, with time enough
    to load the compiled engine, once it is compiled (`strings.ready`)."""
    return (task.solution_limit is None and task.initial is None
            and len(task.data.visits) > GREEDY_ONLY_MAX and strings.applies(task.data)
            and task.deadline - clock.time() >= STRINGS_MIN_SECONDS and strings.ready())


def _strings_then_polish(task: SearchTask) -> RawSolution | None:
    """The insertion construction, improved by the string-removal engine, then handed to
    OR-Tools, which re-times it (breaks, waits) and descends from it for the rest of the
    time. None if OR-Tools cannot take the routes over (the caller then searches alone)."""
    began = clock.time()
    large = len(task.data.visits) >= GREEDY_START_MIN
    polish = (task.deadline - began) * (STRINGS_POLISH_SHARE if large
                                         else STRINGS_SMALL_POLISH_SHARE)
    start = insertion_routes(task.data)
    routes = strings.improve(task.data, start, task.seed, deadline=task.deadline - polish)
    model = build(task.data)
    params = parameters(max(MIN_SEARCH_SECONDS, task.deadline - clock.time()))
    model.routing.CloseModelWithParameters(params)
    assignment = _solve_from(model, _as_indices(model, routes), params, task.deadline)
    if assignment is None:
        return None
    status = _STATUS.Name(model.routing.status()).removeprefix("ROUTING_").lower()
    return RawSolution(_routes(model, assignment), assignment.ObjectiveValue(), status)


def _ruin_and_recreate(model: Model, task: SearchTask, assignment: pywrapcp.Assignment,
                       best: RawSolution) -> RawSolution:
    routing, manager = model.routing, model.manager
    m = len(task.data.visits)
    if m < 2:
        return best
    rng = random.Random(task.seed)
    neighbours = _nearest(task.data, task.config.ruin_size)
    locked = {manager.NodeToIndex(n) for chain in task.data.locked for n in chain}
    current = _index_routes(model, assignment)
    current_cost = assignment.ObjectiveValue()
    failures = 0
    while (remaining := task.deadline - clock.time()) > MIN_SEARCH_SECONDS:
        if failures >= MAX_RESTORE_FAILURES:
            # Restores keep failing (seen on large models with breaks): spend the rest of
            # the time in guided local search from the best routes instead.
            params = parameters(remaining * FALLBACK_SEARCH_SHARE,
                                gls_lambda=task.config.gls_lambda)
            found = _solve_from(model, current, params, task.deadline)
            if found is not None and found.ObjectiveValue() < best.objective:
                best = RawSolution(_routes(model, found), found.ObjectiveValue(), best.status)
            break
        # At least two: removing one visit alone only moves it.
        size = rng.randint(max(2, smallest_ruin(task.config.ruin_size)), task.config.ruin_size)
        seed_node = rng.randrange(m)
        removed = {manager.NodeToIndex(int(n)) for n in neighbours[seed_node][:size]}
        removed -= locked
        ruined = [[i for i in route if i not in removed] for route in current]
        start = _assignment(model, ruined)
        if start is None:
            continue
        found = routing.SolveFromAssignmentWithParameters(start, parameters(remaining))
        failures = failures + 1 if found is None else 0
        if found is None or found.ObjectiveValue() > current_cost:
            continue
        current, current_cost = _index_routes(model, found), found.ObjectiveValue()
        if current_cost < best.objective:
            best = RawSolution(_routes(model, found), current_cost, best.status)
    return best


def _solve_from(model: Model, routes: list[list[int]],
                params: pywrapcp.DefaultRoutingSearchParameters, deadline: float
                ) -> pywrapcp.Assignment | None:
    """Search from given routes (routing indices per vehicle) on the closed model.
    Restoring them as a full assignment is tried first; should that fail, handing the
    routes as locks to the first-solution heuristic completes them."""
    routing = model.routing
    start = _assignment(model, routes)
    if start is not None:
        found = routing.SolveFromAssignmentWithParameters(start, params)
        if found is not None:
            return found
        # OR-Tools completes the routes (cumuls, breaks) under its LNS time limit (0.1 s by
        # default): on large models with breaks that times out, and it can take longer
        # than the search's share of the time. Restore alone, with everything up to the
        # deadline, then search from the restored assignment.
        began = clock.time()
        restoring = parameters(deadline - began, solution_limit=1)
        restoring.lns_time_limit.CopyFrom(restoring.time_limit)
        restored = routing.SolveFromAssignmentWithParameters(start, restoring)
        if restored is not None:
            # A search from it restores it again first: not worth starting without time
            # for that restore and some search after it.
            took = clock.time() - began
            left = deadline - clock.time()
            if params.solution_limit == 1 or left < RESTORE_SEARCH_FACTOR * took:
                return restored
            searching = pywrapcp.DefaultRoutingSearchParameters()
            searching.CopyFrom(params)
            wanted = max(params.time_limit.ToMilliseconds(),
                         int(RESTORE_SEARCH_FACTOR * 1000 * took))
            searching.time_limit.FromMilliseconds(min(wanted, int(left * 1000)))
            searching.lns_time_limit.FromMilliseconds(
                max(params.lns_time_limit.ToMilliseconds(),
                    int(RESTORE_SEARCH_FACTOR * 1000 * took)))
            found = routing.SolveFromAssignmentWithParameters(restored, searching)
            return restored if found is None else found
    if not routing.ApplyLocksToAllVehicles(routes, False):
        return None
    completing = pywrapcp.DefaultRoutingSearchParameters()
    completing.CopyFrom(params)
    completing.first_solution_strategy = _FS.LOCAL_CHEAPEST_INSERTION  # the fastest here
    return routing.SolveWithParameters(completing)


def _nearest(data: ModelInput, k: int) -> np.ndarray:
    locations = np.array([data.problem.visits[i].location for i in data.visits])
    return nearest(data.problem.durations, locations, k)


def _assignment(model: Model, routes: list[list[int]]) -> pywrapcp.Assignment | None:
    """An assignment of the next variables only (the search completes the rest); visits in
    no route are inactive. None if the routes are not well formed for the model."""
    routing = model.routing
    start = routing.solver().Assignment()
    start.Add([routing.NextVar(i) for i in range(routing.Size())])
    if not routing.RoutesToAssignment(routes, True, True, start):
        return None
    return start


def _as_indices(model: Model, routes: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    """Per-technician node lists as routing indices, one list for every technician."""
    indices = [[model.manager.NodeToIndex(node) for node in route] for route in routes]
    return indices + [[] for _ in range(model.manager.GetNumberOfVehicles() - len(indices))]


def _index_routes(model: Model, assignment: pywrapcp.Assignment) -> list[list[int]]:
    routing = model.routing
    routes = []
    for v in range(routing.vehicles()):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        route = []
        while not routing.IsEnd(index):
            route.append(index)
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def _routes(model: Model, assignment: pywrapcp.Assignment) -> tuple[RawRoute, ...]:
    routing, manager, time = model.routing, model.manager, model.time
    intervals = assignment.IntervalVarContainer()
    break_start = {
        intervals.Element(i).Var().Name(): intervals.Element(i).StartValue()
        for i in range(intervals.Size())
    }
    routes = []
    for v, indices in enumerate(_index_routes(model, assignment)):
        if indices:
            routes.append(RawRoute(
                v,
                tuple(manager.IndexToNode(i) for i in indices),
                tuple(assignment.Value(time.CumulVar(i)) for i in indices),
                tuple(break_start[b.Name()] for b in model.breaks[v]),
                assignment.Value(time.CumulVar(routing.Start(v))),
                assignment.Value(time.CumulVar(routing.End(v))),
            ))
    return tuple(routes)
