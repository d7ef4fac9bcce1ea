"""Behaviour of solve() on small crafted problems; every solution goes through verify()."""

import importlib
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from solver import (
    Break,
    Problem,
    ProblemError,
    ReasonCode,
    Solution,
    SolverError,
    TimeWindow,
    Visit,
    solve,
    verify,
)
from solver.search import SearchConfig
from tests.solver._make import DAY, line, problem, tech, visit

HOUR = 3600


def run(p: Problem, **kw: object) -> Solution:
    """Solve deterministically (one worker, a solution limit) and verify."""
    kw.setdefault("time_limit", 3)
    kw.setdefault("workers", 1)
    kw.setdefault("solution_limit", 200)
    solution = solve(p, **kw)  # type: ignore[arg-type]
    verify(p, solution)
    return solution


def route_of(solution: Solution, technician: str) -> list[str]:
    for route in solution.routes:
        if route.technician == technician:
            return [s.visit for s in route.stops]
    return []


def reasons(solution: Solution) -> dict[str, ReasonCode]:
    return {u.visit: u.reason for u in solution.unassigned}


def test_all_visits_served_in_line_order() -> None:
    p = problem([visit(str(i), i) for i in (3, 1, 5, 2, 4)], [tech("t")])
    s = run(p)
    assert not s.unassigned
    assert sorted(route_of(s, "t")) == ["1", "2", "3", "4", "5"]
    assert s.routes[0].travel_time == 2 * 50 * 60
    assert s.routes[0].stops[0].start == s.routes[0].stops[0].travel_time  # no idle start


def test_skills_send_visit_to_the_skilled_technician() -> None:
    visits = [visit("gas", 1, skills=frozenset({"gas"})), visit("tv", 1)]
    s = run(problem(visits, [tech("plain"), tech("fitter", skills=frozenset({"gas", "tv"}))]))
    assert "gas" in route_of(s, "fitter")
    assert "gas" not in route_of(s, "plain")


def test_reason_no_skilled_technician() -> None:
    s = run(problem([visit("a", 1, skills=frozenset({"crane"}))], [tech("t")]))
    assert reasons(s) == {"a": ReasonCode.NO_SKILLED_TECHNICIAN}
    assert s.routes == ()


def test_allowed_technicians_restrict_the_choice() -> None:
    v = visit("a", 1, allowed_technicians=frozenset({"far"}))
    s = run(problem([v], [tech("near", home=1), tech("far", home=5)]))
    assert route_of(s, "far") == ["a"]
    none = run(problem([replace(v, allowed_technicians=frozenset({"x"}))], [tech("near")]))
    assert reasons(none) == {"a": ReasonCode.NO_SKILLED_TECHNICIAN}


def test_reason_outside_shifts() -> None:
    s = run(problem([visit("a", 1, windows=[(9 * HOUR, 10 * HOUR)])], [tech("t")]))
    assert reasons(s) == {"a": ReasonCode.OUTSIDE_SHIFTS}


def test_reason_unreachable_in_window() -> None:
    # 50 minutes away but the window closes 30 minutes into the shift.
    s = run(problem([visit("a", 5, windows=[(0, 1800)])], [tech("t")]))
    assert reasons(s) == {"a": ReasonCode.UNREACHABLE_IN_WINDOW}
    # Reachable in time, but the technician cannot be home before the shift ends.
    late = visit("b", 5, windows=[(7 * HOUR + 60, 8 * HOUR)])
    assert reasons(run(problem([late], [tech("t")]))) == {"b": ReasonCode.UNREACHABLE_IN_WINDOW}


def test_reason_pinned_technician_unavailable() -> None:
    visits = [
        visit("gone", 1, pinned_technician="absent"),
        visit("unskilled", 1, pinned_technician="t", skills=frozenset({"gas"})),
        visit("late", 1, pinned_technician="t", windows=[(9 * HOUR, 10 * HOUR)]),
    ]
    s = run(problem(visits, [tech("t"), tech("u", skills=frozenset({"gas"}))]))
    assert reasons(s) == {v.id: ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE for v in visits}


def test_reason_insufficient_capacity_when_the_optimiser_drops() -> None:
    same_time = [(3600, 3600)]
    visits = [visit("a", 1, windows=same_time), visit("b", 2, windows=same_time)]
    s = run(problem(visits, [tech("t")]))
    assert len(s.routes[0].stops) == 1
    assert list(reasons(s).values()) == [ReasonCode.INSUFFICIENT_CAPACITY]


def test_demand_above_every_capacity_is_insufficient_capacity() -> None:
    s = run(problem([visit("a", 1, demand=5)], [tech("t", capacity=4)]))
    assert reasons(s) == {"a": ReasonCode.INSUFFICIENT_CAPACITY}


def test_higher_priority_is_dropped_last() -> None:
    same_time = [(3600, 3600)]
    for keep in ("a", "b"):
        visits = [visit(v, loc, windows=same_time, priority=3 if v == keep else 1)
                  for v, loc in (("a", 5), ("b", 1))]
        s = run(problem(visits, [tech("t")]))
        assert route_of(s, "t") == [keep]


def test_more_visits_beat_less_travel() -> None:
    visits = [visit("near", 1), visit("far", 5)]
    s = run(problem(visits, [tech("t")]))
    assert not s.unassigned


def test_multiple_windows_use_a_later_window() -> None:
    # 50 min away: the first window is unreachable, the second one is used.
    v = visit("a", 5, windows=[(0, 600), (2 * HOUR, 3 * HOUR)])
    s = run(problem([v], [tech("t")]))
    assert 2 * HOUR <= s.routes[0].stops[0].start <= 3 * HOUR


def test_multiple_windows_never_start_in_a_gap() -> None:
    visits = [visit(str(i), i, windows=[(0, 1800), (3 * HOUR, 3 * HOUR + 600)])
              for i in (1, 2, 3)]
    s = run(problem(visits, [tech("t")]))
    for stop in s.routes[0].stops:
        assert stop.start <= 1800 or 3 * HOUR <= stop.start <= 3 * HOUR + 600


def test_shift_bounds_the_route() -> None:
    shift = TimeWindow(2 * HOUR, 6 * HOUR)
    s = run(problem([visit("a", 3)], [tech("t", shift=shift)]))
    route = s.routes[0]
    assert route.start_time >= 2 * HOUR and route.end_time <= 6 * HOUR


def test_lunch_break_is_placed_in_its_window() -> None:
    lunch = Break(TimeWindow(4 * HOUR, 5 * HOUR), 1800)
    visits = [visit(str(i), i, duration=HOUR) for i in (1, 2, 3, 4, 5)]
    s = run(problem(visits, [tech("t", breaks=(lunch,))]))
    (placed,) = s.routes[0].breaks
    assert 4 * HOUR <= placed.start <= 5 * HOUR and placed.end - placed.start == 1800
    for stop in s.routes[0].stops:
        assert stop.end <= placed.start or stop.start >= placed.end


def test_unused_technicians_with_breaks_do_not_block_the_solve() -> None:
    lunch = (Break(TimeWindow(3 * HOUR, 4 * HOUR), 1800),)
    techs = [tech(f"t{k}", breaks=lunch) for k in range(6)]
    s = run(problem([visit("a", 1)], techs))
    assert len(s.routes) == 1 and not s.unassigned


def test_break_at_start_and_end_of_shift() -> None:
    shift = TimeWindow(HOUR, 5 * HOUR)
    first = Break(TimeWindow(HOUR, HOUR), 900)
    last = Break(TimeWindow(5 * HOUR - 900, 5 * HOUR - 900), 900)
    visits = [visit(str(i), i, duration=1800) for i in (1, 2, 3)]
    s = run(problem(visits, [tech("t", shift=shift, breaks=(first, last))]))
    route = s.routes[0]
    assert not s.unassigned
    assert route.breaks[0].start == HOUR and route.breaks[0].after_stop == -1
    assert route.breaks[1].end == 5 * HOUR and route.breaks[1].after_stop == 2
    assert route.stops[0].start >= HOUR + 900 + route.stops[0].travel_time


def test_break_can_interrupt_travel() -> None:
    # The only way to serve both windows: take the break while driving 40 minutes.
    lunch = Break(TimeWindow(HOUR + 600, HOUR + 600), 1200)
    visits = [visit("a", 1, duration=0, windows=[(HOUR, HOUR)]),
              visit("b", 5, duration=0, windows=[(HOUR + 3600, HOUR + 3600)])]
    s = run(problem(visits, [tech("t", breaks=(lunch,))]))
    assert route_of(s, "t") == ["a", "b"]
    assert s.routes[0].breaks[0].after_stop == 0


def test_pinned_visit_stays_on_its_technician() -> None:
    visits = [visit("a", 1, pinned_technician="far")]
    s = run(problem(visits, [tech("near", home=1), tech("far", home=5)]))
    assert route_of(s, "far") == ["a"]


def test_capacity_splits_routes() -> None:
    visits = [visit(str(i), i, demand=3) for i in (1, 2, 3, 4)]
    s = run(problem(visits, [tech("t1", capacity=6), tech("t2", capacity=6)]))
    assert not s.unassigned
    assert sorted(len(r.stops) for r in s.routes) == [2, 2]


def test_max_visits() -> None:
    visits = [visit(str(i), i) for i in (1, 2, 3)]
    s = run(problem(visits, [tech("t", max_visits=2)]))
    assert len(s.routes[0].stops) == 2 and len(s.unassigned) == 1


def test_max_work_and_travel_time() -> None:
    visits = [visit(str(i), i) for i in (1, 2, 5)]
    worked = run(problem(visits, [tech("t", max_work_time=2 * HOUR)]))
    assert worked.routes[0].end_time - worked.routes[0].start_time <= 2 * HOUR
    assert len(worked.unassigned) == 1
    travelled = run(problem(visits, [tech("t", max_travel_time=50 * 60)]))
    assert travelled.routes[0].travel_time <= 50 * 60
    assert {u.visit for u in travelled.unassigned} == {"5"}


def test_asymmetric_matrix_picks_the_cheap_direction() -> None:
    d = np.array([[0, 100, 900], [900, 0, 100], [100, 900, 0]])
    p = Problem(durations=d, visits=[visit("a", 1), visit("b", 2)], technicians=[tech("t")])
    s = run(p)
    assert route_of(s, "t") == ["a", "b"]
    assert s.routes[0].travel_time == 300


def test_open_routes_have_no_travel_at_the_open_ends() -> None:
    visits = [visit("a", 4), visit("b", 5)]
    s = run(problem(visits, [tech("t", home=None, end_location=None)]))
    route = s.routes[0]
    assert route.stops[0].travel_time == 0
    assert route.travel_time == 600
    start_only = run(problem(visits, [tech("t", home=0, end_location=None)]))
    assert start_only.routes[0].travel_time == 50 * 60


def test_distance_objective_uses_the_distance_matrix() -> None:
    durations = line([0, 10, 20])
    distances = np.array([[0, 1, 50], [50, 0, 1], [1, 50, 0]])
    p = Problem(durations=durations, distances=distances,
                visits=[visit("a", 1), visit("b", 2)], technicians=[tech("t")])
    assert route_of(run(p, objective="distance"), "t") == ["a", "b"]
    assert run(p, objective="distance").routes[0].distance == 3
    with pytest.raises(ProblemError, match="distances"):
        solve(problem([visit("a", 1)], [tech("t")]), time_limit=1, objective="distance")


def test_fewest_technicians_and_balance() -> None:
    visits = [visit(str(i), i, duration=HOUR) for i in (1, 2, 3, 4)]
    techs = [tech("t1", home=0), tech("t2", home=5)]
    fewest = run(problem(visits, techs), objective="fewest_technicians")
    assert len(fewest.routes) == 1
    balanced = run(problem(visits, techs), objective="balance")
    assert sorted(len(r.stops) for r in balanced.routes) == [2, 2]


def test_locked_stops_stay_first_in_order() -> None:
    visits = [visit(str(i), i) for i in (1, 2, 3, 4, 5)]
    p = problem(visits, [tech("t"), tech("u")])
    s = run(p, locked={"t": ["4", "1"]})
    assert route_of(s, "t")[:2] == ["4", "1"]
    assert not s.unassigned


def test_bad_locks_are_rejected() -> None:
    p = problem([visit("a", 1, skills=frozenset({"gas"})), visit("b", 2)], [tech("t")])
    with pytest.raises(ProblemError, match="cannot be served"):
        solve(p, time_limit=1, locked={"t": ["a"]})
    with pytest.raises(ProblemError, match="unknown technician"):
        solve(p, time_limit=1, locked={"x": ["b"]})


def test_infeasible_locks_raise_solver_error() -> None:
    visits = [visit("a", 1, windows=[(HOUR, HOUR)]), visit("b", 5, windows=[(HOUR, HOUR)])]
    with pytest.raises(SolverError, match="locked"):
        solve(problem(visits, [tech("t")]), time_limit=1, workers=1, locked={"t": ["a", "b"]})


def test_warm_start_keeps_a_solution_at_least_as_good() -> None:
    visits = [visit(str(i), i) for i in (1, 2, 3, 4, 5)]
    p = problem(visits, [tech("t"), tech("u", home=5)])
    first = run(p)
    again = run(p, initial=first, solution_limit=1)
    assert again.objective <= first.objective
    assert not again.unassigned
    # A previous solution with visits that no longer exist is still a valid start.
    shrunk = problem(visits[:3], [tech("t"), tech("u", home=5)])
    assert not run(shrunk, initial=first).unassigned


def test_a_warm_start_that_no_longer_fits_is_dropped_not_fatal() -> None:
    """Re-planning after a job ran long: the previous routes cannot even be a start."""
    b = visit("b", 2, windows=[(HOUR, HOUR + HOUR // 2)])
    before = problem([visit("a", 1), b, visit("c", 3)], [tech("t")])
    first = run(before, locked={"t": ["a", "b", "c"]})
    assert route_of(first, "t") == ["a", "b", "c"]
    ran_long = problem([visit("a", 1, duration=2 * HOUR), b, visit("c", 3)], [tech("t")])
    again = run(ran_long, initial=first, locked={"t": ["a"]})
    assert route_of(again, "t") == ["a", "c"]
    assert [u.visit for u in again.unassigned] == ["b"]


def test_same_seed_and_solution_limit_give_the_same_routes() -> None:
    rng = np.random.default_rng(7)
    positions = rng.integers(0, 60, size=15)
    visits = [visit(str(i), i, windows=[(0, 5 * HOUR)]) for i in range(1, 15)]
    p = problem(visits, [tech("t"), tech("u")], positions=positions.tolist())
    one = run(p, seed=3, solution_limit=30)
    two = run(p, seed=3, solution_limit=30)
    assert one.routes == two.routes and one.objective == two.objective


def test_two_workers_return_a_verified_solution() -> None:
    visits = [visit(str(i), i) for i in (1, 2, 3, 4, 5)]
    s = run(problem(visits, [tech("t")]), workers=2, solution_limit=None, time_limit=1)
    assert not s.unassigned


def test_no_visits_and_bad_arguments() -> None:
    p = problem([], [tech("t")])
    assert run(p).routes == ()
    with pytest.raises(ProblemError):
        solve(p, time_limit=0)
    with pytest.raises(ProblemError):
        solve(p, time_limit=1, objective="speed")  # type: ignore[arg-type]
    with pytest.raises(ProblemError):
        solve(p, time_limit=1, workers=0)


def test_visits_without_windows_may_start_any_time_in_the_horizon() -> None:
    v = Visit(id="a", location=1, duration=600, windows=())
    s = run(problem([v], [tech("t", shift=TimeWindow(HOUR, DAY.end))]))
    assert s.routes[0].stops[0].start >= HOUR + 600


def test_time_limited_search_keeps_locks_breaks_and_windows() -> None:
    """Without a solution limit the ruin-and-recreate phase runs; its result must still
    satisfy every constraint and keep the locked prefix."""
    rng = np.random.default_rng(11)
    positions = rng.integers(0, 60, size=20).tolist()
    lunch = (Break(TimeWindow(3 * HOUR, 4 * HOUR), 1800),)
    visits = [visit(str(i), i, windows=[(0, 4 * HOUR)] if i % 3 else [(2 * HOUR, 7 * HOUR)],
                    skills=frozenset({"gas"}) if i % 5 == 0 else frozenset())
              for i in range(1, 20)]
    techs = [tech("t", breaks=lunch, skills=frozenset({"gas"})), tech("u", home=7, breaks=lunch)]
    p = problem(visits, techs, positions=positions)
    s = run(p, time_limit=1.5, solution_limit=None, locked={"u": ["3", "2"]})
    assert route_of(s, "u")[:2] == ["3", "2"]
    assert all(len(r.breaks) == 1 for r in s.routes)


def test_technician_costs_steer_the_choice() -> None:
    visits = [visit("a", 1)]
    # "dear" lives at the visit; "cheap" is 20 minutes away each way.
    plain = run(problem(visits, [tech("dear", home=1), tech("cheap", home=3)]))
    assert route_of(plain, "dear") == ["a"]
    fixed = run(problem(visits, [tech("dear", home=1, fixed_cost=10_000),
                                 tech("cheap", home=3)]))
    assert route_of(fixed, "cheap") == ["a"]
    hourly = run(problem(visits, [tech("dear", home=1, cost_per_hour=100_000),
                                  tech("cheap", home=3)]))
    assert route_of(hourly, "cheap") == ["a"]


def test_a_script_without_a_main_guard_can_use_two_workers(tmp_path: Path) -> None:
    """Workers are forked, not spawned: a spawned child re-runs the caller's script."""
    script = tmp_path / "plain.py"
    script.write_text(
        "import numpy as np\n"
        "from solver import Problem, Technician, TimeWindow, Visit, solve\n"
        "d = np.array([[0, 60, 120], [60, 0, 60], [120, 60, 0]])\n"
        "p = Problem(d, [Visit('a', 1, 600, ()), Visit('b', 2, 600, ())],\n"
        "            [Technician('t', TimeWindow(0, 36000), 0, 0)])\n"
        "print(len(solve(p, time_limit=1, workers=2).routes[0].stops))\n",
        encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, check=False, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


def test_a_first_solution_is_still_found_when_the_construction_share_runs_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A short limit on a busy machine leaves the construction too little time: the rest of
    the time must still find a first solution rather than none."""
    monkeypatch.setattr(importlib.import_module("solver.solve"), "CONFIGS",
                        (SearchConfig(construct_share=1e-9),))
    rng = np.random.default_rng(5)
    lunch = (Break(TimeWindow(3 * HOUR, 4 * HOUR), 1800),)
    visits = [visit(str(i), i, windows=[(0, 5 * HOUR)]) for i in range(1, 41)]
    p = problem(visits, [tech(f"t{k}", breaks=lunch) for k in range(4)],
                positions=rng.integers(0, 60, size=41).tolist())
    s = run(p, time_limit=1.0, solution_limit=None)
    assert not s.unassigned


@pytest.mark.parametrize("size", [1, 3])
def test_a_tiny_problem_with_a_solution_limit_stops_at_its_optimum_not_its_time_limit(
    size: int,
) -> None:
    """Guided local search finds no new solutions on a few visits and used to wait out the
    whole time limit ("partial_success_local_optimum_not_reached" after 60 s)."""
    p = problem([visit(str(i), i) for i in range(1, size + 1)], [tech("t")])
    s = run(p, time_limit=60, solution_limit=5)
    assert s.status in {"optimal", "success"} and not s.unassigned  # not "partial_…"
