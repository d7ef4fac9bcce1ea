"""`feasible_insertions` against brute force on random small days.

The brute force inserts the visit at every position of every technician's route (before
or after each break of that gap), schedules the route by its own earliest-start walk and
lets `solver.verify` judge it: the set of feasible (technician, position, window), their
earliest starts and added travel must match exactly. Every reported insertion is also
committed with `insert_visit` and re-verified.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from solver import (
    Break,
    BreakPlacement,
    InsertionIndex,
    Problem,
    ProblemError,
    Route,
    Solution,
    Stop,
    Technician,
    TimeWindow,
    VerificationError,
    Visit,
    feasible_insertions,
    insert_visit,
    remove_visits,
    solve,
    verify,
)
from solver.precheck import windows_of

HOUR = 3600
SKILLS = ("a", "b")


def random_day(seed: int) -> tuple[Problem, Visit]:
    """A small day (2-3 technicians, 4-7 visits, lunches, some limits) and one more visit."""
    rng = np.random.default_rng(seed)
    n_techs, n_visits = int(rng.integers(2, 4)), int(rng.integers(4, 8))
    points = rng.uniform(0, 30, size=(n_techs + n_visits + 1, 2))
    minutes = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=2)) * 2
    durations = np.rint(minutes * 60).astype(np.int64)
    techs = []
    for k in range(n_techs):
        start = int(rng.choice([7, 8])) * HOUR
        breaks: tuple[Break, ...] = ()
        if rng.random() < 0.7:
            breaks = (Break(TimeWindow(11 * HOUR, 13 * HOUR), 1800),)
        if rng.random() < 0.3:
            breaks += (Break(TimeWindow(14 * HOUR, 14 * HOUR + 1800), 600),)
        techs.append(Technician(
            id=f"t{k}", shift=TimeWindow(start, start + int(rng.choice([8, 9])) * HOUR),
            start_location=k, end_location=k if rng.random() < 0.8 else None,
            skills=frozenset(rng.choice(SKILLS, size=int(rng.integers(1, 3)), replace=False)),
            capacity=int(rng.integers(2, 6)) if rng.random() < 0.3 else None,
            max_visits=int(rng.integers(1, 4)) if rng.random() < 0.3 else None,
            max_travel_time=int(rng.integers(1, 4)) * HOUR if rng.random() < 0.2 else None,
            breaks=breaks,
        ))

    def job(i: int, location: int) -> Visit:
        kind = rng.random()
        windows: tuple[TimeWindow, ...] = ()
        if kind < 0.5:
            begin = int(rng.integers(8, 15)) * HOUR
            windows = (TimeWindow(begin, begin + int(rng.integers(1, 4)) * HOUR),)
        elif kind < 0.75:
            windows = (TimeWindow(8 * HOUR, 10 * HOUR), TimeWindow(13 * HOUR, 16 * HOUR))
        pinned = f"t{int(rng.integers(n_techs))}" if rng.random() < 0.1 else None
        return Visit(
            id=f"v{i}", location=location, duration=int(rng.choice([20, 30, 45, 60])) * 60,
            windows=windows,
            skills=frozenset({str(rng.choice(SKILLS))}) if rng.random() < 0.4 else frozenset(),
            demand=int(rng.integers(0, 3)), pinned_technician=pinned,
        )

    visits = [job(i, n_techs + i) for i in range(n_visits)]
    extra = job(n_visits, n_techs + n_visits)
    return Problem(durations=durations, visits=visits, technicians=techs), replace(extra, id="new")


def with_visit(problem: Problem, visit: Visit) -> Problem:
    return replace(problem, visits=[*problem.visits, visit])


def gaps_of(tech: Technician, route: Route | None) -> list[list[int]]:
    """Per gap between events (departure, stops, return), the break indices taken there."""
    if route is None:
        return [sorted(range(len(tech.breaks)), key=lambda b: tech.breaks[b].window.start)]
    gaps: list[list[int]] = [[] for _ in range(len(route.stops) + 1)]
    for b in sorted(range(len(tech.breaks)), key=lambda b: route.breaks[b].start):
        gaps[route.breaks[b].after_stop + 1].append(b)
    return gaps


def earliest_route(problem: Problem, tech: Technician, visits: list[Visit],
                   gaps: list[list[int]]) -> Route | None:
    """The route of `visits` in order with these breaks per gap, every event as early as
    possible from the shift start; None if a window cannot be met (verify judges the rest)."""
    d = problem.durations
    here, ready = tech.start_location, tech.shift.start
    stops, placed = [], {}
    for i, gap in enumerate(gaps):
        free = ready
        for b in gap:
            brk = tech.breaks[b]
            begin = max(free, brk.window.start)
            placed[b] = BreakPlacement(begin, begin + brk.duration, i - 1)
            free = begin + brk.duration
        paused = sum(tech.breaks[b].duration for b in gap)
        if i == len(visits):
            back = 0 if tech.end_location is None or here is None else int(
                d[here, tech.end_location])
            end = max(ready + back + paused, free)
            break
        visit = visits[i]
        travel = 0 if here is None else int(d[here, visit.location])
        arrival = ready + travel + paused
        reach = max(arrival, free)
        starts = [max(reach, w.start) for w in windows_of(visit, problem.horizon)
                  if w.end >= reach]
        if not starts:
            return None
        start = min(starts)
        stops.append(Stop(visit.id, visit.location, arrival, start - arrival, start,
                          start + visit.duration, travel, None))
        here, ready = visit.location, start + visit.duration
    return Route(tech.id, tuple(stops), tuple(placed[b] for b in range(len(tech.breaks))),
                 tech.shift.start, end, sum(s.travel_time for s in stops) + back, None,
                 sum(s.end - s.start for s in stops), sum(s.wait for s in stops))


Found = dict[tuple[str, int, int], tuple[int, int]]


def brute_force(problem: Problem, solution: Solution, visit: Visit,
                windows: tuple[TimeWindow, ...] | None) -> Found:
    """(technician, position, window) -> (earliest start, added travel), by trying all."""
    found: Found = {}
    horizon = max([problem.horizon, *(w.end for w in visit.windows)])
    served = windows if windows is not None else windows_of(visit, horizon)
    routes = {r.technician: r for r in solution.routes}
    for w, window in enumerate(served):
        pieces = [TimeWindow(max(a.start, window.start), min(a.end, window.end))
                  for a in windows_of(visit, horizon)
                  if max(a.start, window.start) <= min(a.end, window.end)]
        if not pieces:
            continue
        booked = replace(visit, windows=tuple(pieces))
        day = with_visit(problem, booked)
        lookup = {v.id: v for v in day.visits}
        for tech in problem.technicians:
            route = routes.get(tech.id)
            stops = [lookup[s.visit] for s in route.stops] if route else []
            gaps = gaps_of(tech, route)
            for p in range(len(stops) + 1):
                for split in range(len(gaps[p]) + 1):
                    new_gaps = [*gaps[:p], gaps[p][:split], gaps[p][split:], *gaps[p + 1:]]
                    new = earliest_route(day, tech, [*stops[:p], booked, *stops[p:]], new_gaps)
                    if new is None:
                        continue
                    others = tuple(r for r in solution.routes if r.technician != tech.id)
                    trial = replace(solution, routes=(*others, new))
                    try:
                        verify(day, trial)
                    except VerificationError:
                        continue
                    start = new.stops[p].start
                    added = new.travel_time - (route.travel_time if route else 0)
                    key = (tech.id, p, w)
                    if key not in found or start < found[key][0]:
                        found[key] = (start, added)
    return found


def solved(problem: Problem, limit: int = 30) -> Solution:
    solution = solve(problem, time_limit=10, workers=1, solution_limit=limit)
    verify(problem, solution)
    return solution


def check_against_brute_force(problem: Problem, solution: Solution, visit: Visit,
                              windows: tuple[TimeWindow, ...] | None = None) -> int:
    reported = feasible_insertions(problem, solution, visit, windows=windows)
    got = {(i.technician, i.position, i.window): (i.start, i.added_travel) for i in reported}
    assert len(got) == len(reported), "one row per technician, position and window"
    assert got == brute_force(problem, solution, visit, windows)
    for insertion in reported:
        day, after = insert_visit(problem, solution, visit, insertion)
        verify(day, after)
        route = next(r for r in after.routes if r.technician == insertion.technician)
        stop = route.stops[insertion.position]
        assert (stop.visit, stop.start, stop.wait) == (visit.id, insertion.start, insertion.wait)
        old = next((r.travel_time for r in solution.routes
                    if r.technician == insertion.technician), 0)
        assert route.travel_time - old == insertion.added_travel
        assert insertion.slack >= 0
        if insertion.slack:  # starting `slack` later still fits; one second more does not
            late = replace(insertion, served=TimeWindow(insertion.start + insertion.slack,
                                                        insertion.served.end))
            verify(*insert_visit(problem, solution, visit, late))
        if insertion.start + insertion.slack < insertion.served.end:
            later = replace(insertion, served=TimeWindow(
                insertion.start + insertion.slack + 1, insertion.served.end))
            with pytest.raises(ProblemError):
                insert_visit(problem, solution, visit, later)
    return len(reported)


@pytest.mark.slow
def test_matches_brute_force_on_random_days() -> None:
    total = 0
    for seed in range(24):
        problem, visit = random_day(seed)
        total += check_against_brute_force(problem, solved(problem), visit)
    assert total > 50  # the days leave room: the comparison is not between empty sets


@pytest.mark.slow
def test_matches_brute_force_with_candidate_windows() -> None:
    windows = tuple(TimeWindow(h * HOUR, (h + 2) * HOUR) for h in (8, 10, 12, 14, 16))
    total = 0
    for seed in range(100, 112):
        problem, visit = random_day(seed)
        total += check_against_brute_force(problem, solved(problem), visit, windows)
    assert total > 30


def test_matches_brute_force_on_an_empty_day() -> None:
    problem, visit = random_day(7)
    empty = Solution((), (), 0, "empty", 0.0)
    day = replace(problem, visits=[])
    assert check_against_brute_force(day, empty, visit) > 0


def test_a_lunch_that_cannot_move_blocks_the_gap_it_is_in() -> None:
    # One technician, 8:00-12:00, lunch must start 10:00-10:00; one stop 9:00 (30 min).
    durations = np.array([[0, 600, 600], [600, 0, 600], [600, 600, 0]], dtype=np.int64)
    tech = Technician("t", TimeWindow(8 * HOUR, 12 * HOUR), 0, 0,
                      breaks=(Break(TimeWindow(10 * HOUR, 10 * HOUR), 1800),))
    first = Visit("a", 1, 1800, (TimeWindow(9 * HOUR, 9 * HOUR),))
    problem = Problem(durations=durations, visits=[first], technicians=[tech])
    solution = solved(problem)
    visit = Visit("new", 2, 3600, ())
    reported = feasible_insertions(problem, solution, visit)
    assert reported, "an hour fits after lunch"
    assert all(i.start >= 10 * HOUR + 1800 for i in reported)
    assert check_against_brute_force(problem, solution, visit) == len(reported)


def test_nothing_goes_before_a_locked_chain() -> None:
    problem, visit = random_day(3)
    solution = solved(problem)
    route = max(solution.routes, key=lambda r: len(r.stops))
    chain = [s.visit for s in route.stops]
    free = {(i.technician, i.position)
            for i in feasible_insertions(problem, solution, visit)}
    kept = {(i.technician, i.position) for i in feasible_insertions(
        problem, solution, visit, locked={route.technician: chain})}
    assert kept == {(t, p) for t, p in free
                    if t != route.technician or p >= len(chain)}


def test_pinned_skills_and_routed_visits() -> None:
    problem, visit = random_day(11)
    solution = solved(problem)
    index = InsertionIndex(problem, solution)
    pinned = replace(visit, skills=frozenset(), pinned_technician="t1")
    assert {i.technician for i in index.insertions(pinned)} <= {"t1"}
    unskilled = replace(visit, skills=frozenset({"nobody has it"}))
    assert index.insertions(unskilled) == []
    routed = solution.routes[0].stops[0].visit
    with pytest.raises(ProblemError, match="already on a route"):
        index.insertions(replace(visit, id=routed))
    some = index.insertions(visit)[0]
    with pytest.raises(ProblemError, match="already on a route"):
        index.insert(replace(visit, id=routed), some)
    with pytest.raises(ProblemError, match="outside"):
        index.insertions(replace(visit, location=problem.num_locations))


def test_a_max_working_time_is_never_exceeded() -> None:
    # Held conservatively (the day ends that long after the shift start): few fit, none break it.
    total = 0
    for seed in range(5, 15):
        problem, visit = random_day(seed)
        limited = replace(problem, technicians=[replace(t, max_work_time=5 * HOUR)
                                                for t in problem.technicians])
        solution = solved(limited, limit=1)  # few solutions exist under the limit: stop at one
        for insertion in feasible_insertions(limited, solution, visit):
            verify(*insert_visit(limited, solution, visit, insertion))
            total += 1
    assert total > 0


def test_removing_visits_gives_a_verified_day_that_takes_them_back() -> None:
    for seed in (2, 4, 6):
        problem, _ = random_day(seed)
        solution = solved(problem)
        route = max(solution.routes, key=lambda r: len(r.stops))
        gone = route.stops[0].visit
        day, after = remove_visits(problem, solution, [gone])
        verify(day, after)
        assert gone not in {v.id for v in day.visits}
        visit = next(v for v in problem.visits if v.id == gone)
        back = {(i.technician, i.position) for i in feasible_insertions(day, after, visit)}
        assert (route.technician, 0) in back
