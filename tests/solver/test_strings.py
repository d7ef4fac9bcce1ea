"""The string-removal engine (`solver.strings`): its routes are feasible (OR-Tools restores
them unchanged and `solver.verify` passes the result), it improves a poor start, it is
reproducible for a fixed step count, and `solve` reports what it could not place as before."""

from itertools import pairwise

import numpy as np
import pytest

from benchmarks import _solomon_data
from solver import (
    Break,
    Problem,
    ReasonCode,
    Solution,
    Technician,
    TimeWindow,
    Visit,
    precheck,
    solve,
    strings,
    verify,
)
from solver import search as search_module
from solver.construct import insertion_routes
from solver.model import ModelInput, build
from solver.schedule import route_of
from solver.search import _as_indices, _assignment, _routes, parameters

HOUR = 3600


def model_input(p: Problem, objective: str = "travel_time") -> ModelInput:
    checked = precheck.check(p)
    modelled = tuple(i for i, e in enumerate(checked.eligible) if e)
    return ModelInput(p, modelled, tuple(checked.eligible[i] for i in modelled), objective,
                      tuple(() for _ in p.technicians))


def random_day(seed: int) -> Problem:
    """Windows (some visits two), lunch breaks, skills, capacity, priorities, visit and
    travel limits, a max working time and an open route end: every constraint the engine
    checks, tight enough that not everything fits."""
    rng = np.random.default_rng(seed)
    techs_n, visits_n = 3, 24
    points = rng.uniform(0, 30_000, size=(visits_n + techs_n, 2))
    matrix = np.rint(np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2)) / 10)
    techs = [
        Technician(f"t{k}", TimeWindow(0, 6 * HOUR), k, None if k == 2 else k,
                   frozenset({"gas"}) if k == 0 else frozenset(), capacity=9,
                   max_visits=8 if k == 1 else None,
                   max_work_time=5 * HOUR if k == 2 else None,
                   max_travel_time=2 * HOUR if k == 0 else None,
                   breaks=(Break(TimeWindow(2 * HOUR, 3 * HOUR), 1800),))
        for k in range(techs_n)
    ]
    jobs = []
    for i in range(visits_n):
        start = int(rng.integers(0, 4 * HOUR))
        windows: tuple[TimeWindow, ...] = (TimeWindow(start, start + HOUR),)
        if i % 3 == 0:
            windows = (TimeWindow(0, HOUR), TimeWindow(3 * HOUR, 5 * HOUR))
        elif i % 5 == 0:
            windows = ()
        jobs.append(Visit(f"v{i}", techs_n + i, int(rng.integers(600, 1800)), windows,
                          skills=frozenset({"gas"}) if i % 7 == 0 else frozenset(),
                          demand=int(rng.integers(0, 3)), priority=int(rng.integers(1, 3))))
    return Problem(durations=matrix.astype(np.int64), visits=jobs, technicians=techs)


def as_solution(data: ModelInput, routes: tuple[tuple[int, ...], ...]) -> Solution:
    """The routes restored in OR-Tools (one solution, no search), scheduled as `solve`
    does; fails if OR-Tools cannot restore them or changes them."""
    model = build(data)
    params = parameters(10, solution_limit=1)
    model.routing.CloseModelWithParameters(params)
    start = _assignment(model, _as_indices(model, routes))
    assert start is not None
    params.lns_time_limit.CopyFrom(params.time_limit)
    found = model.routing.SolveFromAssignmentWithParameters(start, params)
    assert found is not None, "OR-Tools found the engine's routes infeasible"
    raw = _routes(model, found)
    assert {r.technician: r.nodes for r in raw} == {k: r for k, r in enumerate(routes) if r}
    problem = data.problem
    placed = {n for r in routes for n in r}
    left = tuple(
        _unassigned(problem.visits[i].id)
        for n, i in enumerate(data.visits) if n not in placed
    )
    return Solution(tuple(route_of(problem, data.visits, r) for r in raw),
                    precheck.check(problem).rejected + left, found.ObjectiveValue(), "test", 0)


def _unassigned(visit_id: str):  # type: ignore[no-untyped-def]
    from solver import Unassigned

    return Unassigned(visit_id, ReasonCode.INSUFFICIENT_CAPACITY, "test")


def route_cost(p: Problem, data: ModelInput, routes: tuple[tuple[int, ...], ...]) -> int:
    assert p.distances is not None
    total = 0
    for k, route in enumerate(routes):
        if route:
            tech = p.technicians[k]
            locs = [tech.start_location, *(p.visits[data.visits[n]].location for n in route),
                    tech.end_location]
            total += sum(int(p.distances[a, b]) for a, b in pairwise(locs))
    return total


@pytest.mark.parametrize("seed", range(6))
def test_engine_routes_are_feasible_on_random_constrained_days(seed: int) -> None:
    p = random_day(seed)
    data = model_input(p)
    start = insertion_routes(data)
    routes = strings.improve(data, start, seed, iterations=400)
    nodes = [n for r in routes for n in r]
    assert len(nodes) == len(set(nodes))
    assert len(nodes) >= sum(len(r) for r in start)
    verify(p, as_solution(data, routes))


def test_engine_places_higher_priority_first() -> None:
    # One technician, two visits at the same moment: only one fits, the priority one.
    matrix = np.array([[0, 60, 60], [60, 0, 60], [60, 60, 0]], dtype=np.int64)
    same = (TimeWindow(HOUR, HOUR),)
    for keep in (1, 2):
        jobs = [Visit(f"v{i}", i, 600, same, priority=2 if i == keep else 1) for i in (1, 2)]
        p = Problem(durations=matrix, visits=jobs,
                    technicians=[Technician("t", TimeWindow(0, 8 * HOUR), 0, 0)])
        data = model_input(p)
        routes = strings.improve(data, ((),), 0, iterations=50)
        assert routes == ((keep - 1,),)


@pytest.fixture(scope="module")
def solomon_r101() -> Problem:
    if not (_solomon_data.SOLOMON_DIR / "R101.txt").exists():
        pytest.skip("Solomon instances not found in ../shared/benchmarks/solomon")
    return _solomon_data.to_problem(_solomon_data.load("R101"))


def test_engine_improves_the_construction_on_solomon_r101(solomon_r101: Problem) -> None:
    data = model_input(solomon_r101, "distance")
    start = insertion_routes(data)
    routes = strings.improve(data, start, 1, iterations=1500)
    assert sorted(n for r in routes for n in r) == list(range(len(data.visits)))
    assert route_cost(solomon_r101, data, routes) < 0.9 * route_cost(solomon_r101, data, start)
    verify(solomon_r101, as_solution(data, routes))


def test_engine_is_reproducible_for_a_step_count(solomon_r101: Problem) -> None:
    data = model_input(solomon_r101, "distance")
    start = insertion_routes(data)
    runs = [strings.improve(data, start, seed, iterations=300) for seed in (4, 4, 5)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_solve_runs_the_engine_and_reports_what_it_could_not_place(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "STRINGS_MIN_SECONDS", 0.0)
    monkeypatch.setattr(strings, "ready", lambda: True)  # compiled in this process if need be
    calls = []
    improve = strings.improve

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return improve(*args, **kwargs)

    monkeypatch.setattr(strings, "improve", counted)
    matrix = np.array([[0, 60, 60, 60], [60, 0, 60, 60], [60, 60, 0, 60], [60, 60, 60, 0]],
                      dtype=np.int64)
    same = (TimeWindow(HOUR, HOUR),)
    jobs = [Visit("a", 1, 600, same), Visit("b", 2, 600, same),
            Visit("c", 3, 600, (), skills=frozenset({"gas"})),
            Visit("d", 3, 600, (), demand=5), Visit("e", 1, 600, (), demand=1),
            Visit("f", 2, 600, (), demand=1)]
    p = Problem(durations=matrix, visits=jobs,
                technicians=[Technician("t", TimeWindow(0, 8 * HOUR), 0, 0, capacity=4)])
    s = solve(p, time_limit=1.5, workers=1)
    verify(p, s)
    assert calls
    reasons = {u.visit: u.reason for u in s.unassigned}
    assert reasons.pop("c") == ReasonCode.NO_SKILLED_TECHNICIAN
    assert reasons.pop("d") == ReasonCode.INSUFFICIENT_CAPACITY
    assert list(reasons.values()) == [ReasonCode.INSUFFICIENT_CAPACITY]
    assert {st.visit for r in s.routes for st in r.stops} >= {"e", "f"}


def test_solution_limit_runs_never_use_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "STRINGS_MIN_SECONDS", 0.0)

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the engine ran")

    monkeypatch.setattr(strings, "improve", fail)
    p = random_day(0)
    s = solve(p, time_limit=5, workers=1, solution_limit=3)
    verify(p, s)


def test_a_cold_numba_cache_leaves_the_search_to_or_tools_and_compiles_aside(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "STRINGS_MIN_SECONDS", 0.0)
    monkeypatch.setattr(strings, "_cache_is_warm", lambda: False)
    started = []
    monkeypatch.setattr(strings, "_compile_in_background", lambda: started.append(1) or False)

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the engine ran")

    monkeypatch.setattr(strings, "improve", fail)
    p = random_day(1)
    verify(p, solve(p, time_limit=1, workers=1))
    assert started
