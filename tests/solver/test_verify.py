"""The verifier catches hand-made violations of every kind."""

from collections.abc import Callable
from dataclasses import replace

import pytest

from solver import (
    Break,
    Problem,
    ReasonCode,
    Solution,
    TimeWindow,
    Unassigned,
    VerificationError,
    solve,
    verify,
)
from tests.solver._make import problem, tech, visit

HOUR = 3600


@pytest.fixture(scope="module")
def case() -> tuple[Problem, Solution]:
    lunch = Break(TimeWindow(2 * HOUR, 3 * HOUR), 1800)
    visits = [
        visit("a", 1, windows=[(0, 2 * HOUR)], demand=2),
        visit("b", 2, duration=HOUR, skills=frozenset({"gas"}), demand=2),
        visit("c", 3, windows=[(HOUR, 5 * HOUR)], demand=2),
    ]
    techs = [tech("t", skills=frozenset({"gas"}), capacity=6, breaks=(lunch,)), tech("u")]
    p = problem(visits, techs)
    s = solve(p, time_limit=2, workers=1, solution_limit=50)
    verify(p, s)
    assert len(s.routes) == 1 and s.routes[0].technician == "t"
    return p, s


def with_stop(s: Solution, k: int, **changes: object) -> Solution:
    route = s.routes[0]
    stops = list(route.stops)
    stops[k] = replace(stops[k], **changes)  # type: ignore[arg-type]
    return replace(s, routes=(replace(route, stops=tuple(stops)),))


def with_route(s: Solution, **changes: object) -> Solution:
    return replace(s, routes=(replace(s.routes[0], **changes),))  # type: ignore[arg-type]


def shift_all(s: Solution, delta: int) -> Solution:
    route = s.routes[0]
    stops = tuple(replace(st, arrival=st.arrival + delta, start=st.start + delta,
                          end=st.end + delta) for st in route.stops)
    breaks = tuple(replace(b, start=b.start + delta, end=b.end + delta) for b in route.breaks)
    return with_route(s, stops=stops, breaks=breaks, start_time=route.start_time + delta,
                      end_time=route.end_time + delta)


MUTATIONS: dict[str, Callable[[Solution], Solution]] = {
    "start moved before arrival": lambda s: with_stop(
        s, 1, start=s.routes[0].stops[1].arrival - 1, end=s.routes[0].stops[1].end - 1),
    "wrong travel": lambda s: with_stop(s, 0, travel_time=s.routes[0].stops[0].travel_time + 1),
    "wrong end": lambda s: with_stop(s, 0, end=s.routes[0].stops[0].end + 5),
    "visit missing": lambda s: replace(s, routes=(), unassigned=s.unassigned[:-1]),
    "visit twice": lambda s: replace(
        s, unassigned=(Unassigned("a", ReasonCode.OUTSIDE_SHIFTS, ""),)),
    "unknown visit": lambda s: replace(
        s, unassigned=(*s.unassigned, Unassigned("zz", ReasonCode.OUTSIDE_SHIFTS, ""))),
    "wrong technician": lambda s: with_route(s, technician="u"),
    "unknown technician": lambda s: with_route(s, technician="nobody"),
    "break dropped": lambda s: with_route(s, breaks=()),
    "break moved out of window": lambda s: with_route(s, breaks=(replace(
        s.routes[0].breaks[0], start=HOUR, end=HOUR + 1800),)),
    "totals wrong": lambda s: with_route(s, travel_time=s.routes[0].travel_time - 1),
    "route outside shift": lambda s: shift_all(s, 8 * HOUR),
    "route ends too early": lambda s: with_route(s, end_time=s.routes[0].stops[-1].end),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_verifier_catches(case: tuple[Problem, Solution], name: str) -> None:
    p, s = case
    broken = MUTATIONS[name](s)
    assert broken != s
    with pytest.raises(VerificationError) as info:
        verify(p, broken)
    assert info.value.violations


def test_verifier_catches_window_capacity_and_limits(case: tuple[Problem, Solution]) -> None:
    p, s = case
    order = [st.visit for st in s.routes[0].stops]
    tight = [replace(v, windows=(TimeWindow(0, 1),)) if v.id == order[-1] else v
             for v in p.visits]
    with pytest.raises(VerificationError, match="outside its windows"):
        verify(replace(p, visits=tight), s)
    small = [replace(t, capacity=5, max_visits=2, max_work_time=HOUR, max_travel_time=60)
             if t.id == "t" else t for t in p.technicians]
    with pytest.raises(VerificationError) as info:
        verify(replace(p, technicians=small), s)
    text = str(info.value)
    for limit in ("capacity", "max_visits", "max_work_time", "max_travel_time"):
        assert limit in text


def test_verifier_catches_break_overlapping_a_service(case: tuple[Problem, Solution]) -> None:
    p, s = case
    stop = s.routes[0].stops[1]
    placed = replace(s.routes[0].breaks[0], start=stop.start, end=stop.start + 1800)
    with pytest.raises(VerificationError, match="break"):
        verify(p, with_route(s, breaks=(placed,)))


def test_verifier_accepts_the_untouched_solution(case: tuple[Problem, Solution]) -> None:
    p, s = case
    verify(p, s)
