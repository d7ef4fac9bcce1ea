import time

import numpy as np

from solver import Break, Problem, Technician, TimeWindow, Visit, precheck, solve, verify
from solver.construct import insertion_routes
from solver.model import ModelInput

HOUR = 3600


def generated(visits: int, technicians: int) -> Problem:
    rng = np.random.default_rng(5)
    points = rng.uniform(0, 20_000, size=(visits + technicians, 2))
    matrix = np.rint(np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2)) / 10)
    lunch = (Break(TimeWindow(4 * HOUR, 5 * HOUR), 1800),)
    techs = [Technician(f"t{k}", TimeWindow(0, 9 * HOUR), k, k, frozenset({"a", "b"} if k % 2
                                                                            else {"a"}),
                        capacity=20, breaks=lunch) for k in range(technicians)]
    jobs = [Visit(f"v{i}", technicians + i, 1200,
                  (TimeWindow(0, 3 * HOUR), TimeWindow(5 * HOUR, 8 * HOUR)) if i % 3 else (),
                  skills=frozenset({"b"}) if i % 4 == 0 else frozenset(), demand=1)
            for i in range(visits)]
    return Problem(durations=matrix.astype(np.int64), visits=jobs, technicians=techs)


def model_input(p: Problem) -> tuple[ModelInput, tuple[int, ...]]:
    checked = precheck.check(p)
    modelled = tuple(i for i, e in enumerate(checked.eligible) if e)
    data = ModelInput(p, modelled, tuple(checked.eligible[i] for i in modelled), "travel_time",
                      tuple(() for _ in p.technicians))
    return data, modelled


def check_routes(p: Problem, data: ModelInput, modelled: tuple[int, ...],
                 routes: tuple[tuple[int, ...], ...]) -> int:
    nodes = [n for route in routes for n in route]
    assert len(nodes) == len(set(nodes))
    for k, route in enumerate(routes):
        assert all(k in data.eligible[n] for n in route)
        assert sum(p.visits[modelled[n]].demand for n in route) <= 20
    return len(nodes)


def test_insertion_routes_respect_eligibility_and_use_each_visit_once() -> None:
    p = generated(120, 6)
    data, modelled = model_input(p)
    assert check_routes(p, data, modelled, insertion_routes(data)) > 60


def test_ruin_and_recreate_keeps_routes_valid_and_places_no_fewer() -> None:
    p = generated(120, 3)
    data, modelled = model_input(p)
    built = check_routes(p, data, modelled, insertion_routes(data))
    improved = insertion_routes(data, time.time() + 1.0, seed=3)
    assert check_routes(p, data, modelled, improved) >= built


def test_large_problems_start_from_the_insertion_routes_and_verify() -> None:
    p = generated(220, 8)
    s = solve(p, time_limit=20, workers=1, solution_limit=1)
    verify(p, s)
    assert sum(len(r.stops) for r in s.routes) > 150


def test_large_problems_improved_within_the_time_limit_verify() -> None:
    p = generated(220, 8)
    first = solve(p, time_limit=20, workers=1, solution_limit=1)
    s = solve(p, time_limit=6, workers=1)
    verify(p, s)
    assert sum(len(r.stops) for r in s.routes) >= sum(len(r.stops) for r in first.routes)
