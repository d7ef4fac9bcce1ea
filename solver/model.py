"""Translation of a `Problem` into an OR-Tools routing model.

Nodes 0..m-1 are the modelled visits, then one node per distinct start/end location, then
(if any route is open) one dummy node at zero distance from everything. Transits are passed
once as matrices / unary vectors, never as per-arc Python callbacks. Service time is part of
the time transit (transit(i, j) = service(i) + travel(i, j)) so that a break can interrupt a
travel: the technician takes it wherever they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from ortools.constraint_solver import pywrapcp

from solver.constants import BALANCE_COEFFICIENT, MAX_COST, SECONDS_PER_HOUR
from solver.errors import ProblemError
from solver.precheck import windows_of
from solver.problem import Problem

__all__ = [
    "OBJECTIVES",
    "Model",
    "ModelInput",
    "Objective",
    "build",
    "drop_penalties",
]

Objective = Literal["travel_time", "distance", "balance", "fewest_technicians"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)


@dataclass(frozen=True)
class ModelInput:
    """Everything a search process needs to rebuild the same model (picklable)."""

    problem: Problem
    visits: tuple[int, ...]
    """Problem indices of the modelled visits (those that passed the pre-checks)."""
    eligible: tuple[tuple[int, ...], ...]
    """Per modelled visit, the technician indices allowed to serve it."""
    objective: str
    locked: tuple[tuple[int, ...], ...]
    """Per technician, the visit nodes that must open its route, in order."""


@dataclass
class Model:
    data: ModelInput
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    breaks: list[list[pywrapcp.IntervalVar]]


def build(data: ModelInput) -> Model:
    problem = data.problem
    techs = problem.technicians
    m = len(data.visits)
    visits = [problem.visits[i] for i in data.visits]
    depot_locations = sorted(
        {loc for t in techs for loc in (t.start_location, t.end_location) if loc is not None}
    )
    depot_node = {loc: m + k for k, loc in enumerate(depot_locations)}
    open_routes = any(t.start_location is None or t.end_location is None for t in techs)
    dummy = m + len(depot_locations)
    num_nodes = dummy + (1 if open_routes else 0)
    locations = np.array([v.location for v in visits] + depot_locations, dtype=np.int64)

    def node_matrix(matrix: np.ndarray) -> np.ndarray:
        out = np.zeros((num_nodes, num_nodes), dtype=np.int64)
        out[: len(locations), : len(locations)] = matrix[np.ix_(locations, locations)]
        return out

    travel = node_matrix(problem.durations)
    service = np.zeros(num_nodes, dtype=np.int64)
    service[:m] = [v.duration for v in visits]

    def node_of(loc: int | None) -> int:
        return dummy if loc is None else depot_node[loc]

    manager = pywrapcp.RoutingIndexManager(
        num_nodes, len(techs),
        [node_of(t.start_location) for t in techs],
        [node_of(t.end_location) for t in techs],
    )
    routing = pywrapcp.RoutingModel(manager)
    horizon = problem.horizon

    # Hourly costs are charged per second of route span, so every other cost is scaled to
    # stay in the same unit (objective = cost units × SECONDS_PER_HOUR in that case).
    cost_unit = SECONDS_PER_HOUR if any(t.cost_per_hour for t in techs) else 1
    if data.objective == "distance":
        if problem.distances is None:
            raise ProblemError('objective "distance" needs a distances matrix')
        arc_cost = node_matrix(problem.distances)
    else:
        arc_cost = travel
    arc_cost = arc_cost * cost_unit
    cost_transit = routing.RegisterTransitMatrix(arc_cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_transit)

    time_transit = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
    routing.AddDimension(time_transit, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")

    # Upper bound on any solution's routing cost: used to make drops and extra technicians
    # lexicographically more expensive than travel.
    bound = int(arc_cost.max(axis=1).sum()) + len(techs) * int(arc_cost.max(initial=0)) + 1
    for v, tech in enumerate(techs):
        routing.SetFixedCostOfVehicle(tech.fixed_cost * cost_unit, v)
        bound += tech.fixed_cost * cost_unit
        if tech.cost_per_hour:
            time.SetSpanCostCoefficientForVehicle(tech.cost_per_hour, v)
            bound += tech.cost_per_hour * (tech.shift.end - tech.shift.start)
    if data.objective == "balance":
        work_transit = routing.RegisterTransitMatrix((travel + service[:, None]).tolist())
        routing.AddDimension(work_transit, 0, horizon, True, "work")
        routing.GetDimensionOrDie("work").SetGlobalSpanCostCoefficient(BALANCE_COEFFICIENT)
        bound += BALANCE_COEFFICIENT * horizon
    elif data.objective == "fewest_technicians":
        for v, tech in enumerate(techs):
            routing.SetFixedCostOfVehicle((tech.fixed_cost * cost_unit) + bound, v)
        bound *= len(techs) + 1

    _add_visits(routing, manager, time, data, bound, horizon)
    _add_shifts_and_limits(routing, manager, time, data, travel, service)
    breaks = _add_breaks(routing, manager, time, problem, service)
    _add_locks(routing, manager, data)
    # Finish each day as early as possible, then leave as late as that allows (less waiting).
    for v in range(len(techs)):
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(v)))
    for v in range(len(techs)):
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(v)))
    return Model(data, manager, routing, time, breaks)


def drop_penalties(priorities: list[int], bound: int) -> list[int]:
    """Penalty per visit such that one visit of a priority outweighs every visit of all
    lower priorities together, and the cheapest drop outweighs any routing cost (`bound`).
    Falls back to linear weights should the lexicographic ones overflow int64."""
    levels = sorted(set(priorities))
    weight: dict[int, int] = {}
    below = 0
    for level in levels:
        weight[level] = below + 1
        below += weight[level] * priorities.count(level)
    if below * bound >= MAX_COST:
        weight = {level: rank + 1 for rank, level in enumerate(levels)}
    return [min(weight[p] * bound, MAX_COST // 4) for p in priorities]


def _add_visits(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time: pywrapcp.RoutingDimension,
    data: ModelInput,
    bound: int,
    horizon: int,
) -> None:
    problem = data.problem
    visits = [problem.visits[i] for i in data.visits]
    penalties = drop_penalties([v.priority for v in visits], bound)
    num_techs = len(problem.technicians)
    for node, visit in enumerate(visits):
        index = manager.NodeToIndex(node)
        routing.AddDisjunction([index], penalties[node])
        windows = sorted(windows_of(visit, horizon), key=lambda w: w.start)
        cumul = time.CumulVar(index)
        cumul.SetRange(windows[0].start, max(w.end for w in windows))
        reach = windows[0].end
        for w in windows[1:]:
            if w.start > reach + 1:
                cumul.RemoveInterval(reach + 1, w.start - 1)
            reach = max(reach, w.end)
        if len(data.eligible[node]) < num_techs:
            # SetAllowedVehiclesForIndex has no working Python binding in OR-Tools 9.15
            # (absl::Span argument); restricting the vehicle variable is equivalent.
            routing.VehicleVar(index).SetValues([-1, *data.eligible[node]])


def _add_shifts_and_limits(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time: pywrapcp.RoutingDimension,
    data: ModelInput,
    travel: np.ndarray,
    service: np.ndarray,
) -> None:
    problem = data.problem
    techs = problem.technicians
    m = len(data.visits)
    for v, tech in enumerate(techs):
        time.CumulVar(routing.Start(v)).SetRange(tech.shift.start, tech.shift.end)
        time.CumulVar(routing.End(v)).SetRange(tech.shift.start, tech.shift.end)
        if tech.max_work_time is not None:
            time.SetSpanUpperBoundForVehicle(tech.max_work_time, v)
    demand = [problem.visits[i].demand for i in data.visits]
    if any(t.capacity is not None for t in techs):
        total = sum(demand)
        _unary_dimension(routing, demand, len(service),
                         [total if t.capacity is None else t.capacity for t in techs], "load")
    if any(t.max_visits is not None for t in techs):
        _unary_dimension(routing, [1] * m, len(service),
                         [m if t.max_visits is None else t.max_visits for t in techs], "visits")
    if any(t.max_travel_time is not None for t in techs):
        cap = int(travel.sum()) + 1
        transit = routing.RegisterTransitMatrix(travel.tolist())
        routing.AddDimensionWithVehicleCapacity(
            transit, 0, [cap if t.max_travel_time is None else t.max_travel_time for t in techs],
            True, "travel",
        )


def _unary_dimension(
    routing: pywrapcp.RoutingModel, values: list[int], num_nodes: int, capacities: list[int],
    name: str,
) -> None:
    vector = values + [0] * (num_nodes - len(values))
    transit = routing.RegisterUnaryTransitVector(vector)
    routing.AddDimensionWithVehicleCapacity(transit, 0, capacities, True, name)


def _add_breaks(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    time: pywrapcp.RoutingDimension,
    problem: Problem,
    service: np.ndarray,
) -> list[list[pywrapcp.IntervalVar]]:
    """Breaks are mandatory. OR-Tools may place one before the route starts or after it
    ends (taken at home): the reported route then starts or ends with it, and a technician
    without visits is never blocked by their breaks. Only with a max working time are
    breaks held inside [route start, route end] by explicit constraints, so that the span
    limit covers them; those constraints are unknown to OR-Tools' cumul optimisers and can
    make restoring a given solution fail on large models (search.py then falls back)."""
    solver = routing.solver()
    visit_transits = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
    all_breaks: list[list[pywrapcp.IntervalVar]] = []
    for v, tech in enumerate(problem.technicians):
        intervals = []
        for b, brk in enumerate(tech.breaks):
            interval = solver.FixedDurationIntervalVar(
                brk.window.start, brk.window.end, brk.duration, False, f"break {v} {b}"
            )
            if tech.max_work_time is not None:
                solver.Add(interval.StartExpr() >= time.CumulVar(routing.Start(v)))
                solver.Add(interval.EndExpr() <= time.CumulVar(routing.End(v)))
            intervals.append(interval)
        if intervals:
            time.SetBreakIntervalsOfVehicle(intervals, v, visit_transits)
        all_breaks.append(intervals)
    return all_breaks


def _add_locks(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, data: ModelInput
) -> None:
    for v, chain in enumerate(data.locked):
        previous = routing.Start(v)
        for node in chain:
            index = manager.NodeToIndex(node)
            routing.NextVar(previous).SetValue(index)
            previous = index
