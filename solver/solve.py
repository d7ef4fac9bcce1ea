"""`solve()`: pre-checks, model, parallel searches (best kept), schedule and reasons."""

from __future__ import annotations

import multiprocessing
import time as clock
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from solver import precheck, strings
from solver.constants import SEED_STRIDE
from solver.errors import ProblemError, SolverError
from solver.model import OBJECTIVES, ModelInput, Objective
from solver.problem import Problem
from solver.schedule import route_of
from solver.search import CONFIGS, RawSolution, SearchTask, run, uses_strings
from solver.solution import ReasonCode, Solution, Unassigned

__all__ = ["solve"]


def solve(
    problem: Problem,
    *,
    time_limit: float,
    seed: int = 0,
    objective: Objective = "travel_time",
    initial: Solution | None = None,
    locked: Mapping[str, Sequence[str]] | None = None,
    workers: int = 2,
    solution_limit: int | None = None,
) -> Solution:
    """Place as many visits as possible (higher priority first), then minimise `objective`.

    `workers` independent searches run in parallel (the first in this process), each with a
    different configuration and random seed chosen by `seed`; the best is kept. With
    `workers=1` and a `solution_limit` the result is deterministic (OR-Tools' construction
    and guided local search only). Without one, searches of the "travel_time" and
    "distance" objectives spend most of their time in the string-removal engine
    (`solver.strings`), whose result depends on how many steps fit in the time: the same
    `seed` gives the same sequence of steps, not the same result. `initial` warm-starts
    every search; `locked` maps a technician id to the visit ids that must open its route,
    in order.
    """
    began = clock.perf_counter()
    if time_limit <= 0:
        raise ProblemError(f"time_limit must be positive, got {time_limit}")
    if objective not in OBJECTIVES:
        raise ProblemError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if workers < 1:
        raise ProblemError(f"workers must be at least 1, got {workers}")
    if solution_limit is not None and solution_limit < 1:
        raise ProblemError(f"solution_limit must be at least 1, got {solution_limit}")
    if objective == "distance" and problem.distances is None:
        raise ProblemError('objective "distance" needs a distances matrix')
    deadline = clock.time() + time_limit
    checked = precheck.check(problem)
    modelled = tuple(i for i, techs in enumerate(checked.eligible) if techs)
    node_of = {problem.visits[i].id: node for node, i in enumerate(modelled)}
    chains = _locked_chains(problem, checked, node_of, locked or {})
    data = ModelInput(problem, modelled, tuple(checked.eligible[i] for i in modelled),
                      objective, chains)
    if not modelled:
        return Solution((), checked.rejected, 0, "trivial", clock.perf_counter() - began)
    start = None if initial is None else _initial_routes(problem, data, node_of, initial)
    tasks = [
        SearchTask(data, CONFIGS[(seed + k) % len(CONFIGS)], seed * SEED_STRIDE + k, deadline,
                   solution_limit, start)
        for k in range(workers)
    ]
    if len(tasks) > 1 and any(uses_strings(t) for t in tasks):
        strings.load()
    best = _best(_run_all(tasks))
    if best is None:
        why = ("the locked stops cannot be kept feasibly" if any(chains)
               else f"none within the time limit of {time_limit:g} s: allow more time")
        raise SolverError(f"no solution found: {why}")
    routes = tuple(route_of(problem, modelled, raw) for raw in best.routes)
    placed = {node for raw in best.routes for node in raw.nodes}
    dropped = tuple(
        Unassigned(problem.visits[i].id, ReasonCode.INSUFFICIENT_CAPACITY,
                   "eligible technicians exist, but the optimiser could not fit it into "
                   "their days alongside the visits it placed")
        for node, i in enumerate(modelled) if node not in placed
    )
    return Solution(routes, checked.rejected + dropped, best.objective, best.status,
                    clock.perf_counter() - began)


def _run_all(tasks: list[SearchTask]) -> list[RawSolution | None]:
    """Task 0 runs here; the others in child processes at the same time.

    Children are forked where the platform can: a spawned child re-imports the caller's
    ``__main__``, which breaks scripts without an ``if __name__ == "__main__"`` guard and
    costs a second import of OR-Tools. The pool is created before this process runs any
    search, so nothing of OR-Tools is mid-flight when it forks.
    """
    if len(tasks) == 1:
        return [run(tasks[0])]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=len(tasks) - 1, mp_context=context) as pool:
        futures: list[Future[RawSolution | None]] = [pool.submit(run, t) for t in tasks[1:]]
        results = [run(tasks[0])]
        for future in futures:
            try:
                results.append(future.result())
            except BrokenProcessPool:
                results.append(None)
    return results


def _best(results: list[RawSolution | None]) -> RawSolution | None:
    found = [r for r in results if r is not None]
    return min(found, key=lambda r: r.objective, default=None)


def _locked_chains(
    problem: Problem,
    checked: precheck.Eligibility,
    node_of: dict[str, int],
    locked: Mapping[str, Sequence[str]],
) -> tuple[tuple[int, ...], ...]:
    tech_index = {t.id: k for k, t in enumerate(problem.technicians)}
    rejected = {u.visit: u for u in checked.rejected}
    visit_index = {v.id: i for i, v in enumerate(problem.visits)}
    chains: list[tuple[int, ...]] = [() for _ in problem.technicians]
    seen: set[str] = set()
    for tech_id, visit_ids in locked.items():
        if tech_id not in tech_index:
            raise ProblemError(f"locked stops for unknown technician {tech_id!r}")
        k = tech_index[tech_id]
        for visit_id in visit_ids:
            if visit_id in seen:
                raise ProblemError(f"visit {visit_id!r} is locked twice")
            seen.add(visit_id)
            if visit_id not in visit_index:
                raise ProblemError(f"locked visit {visit_id!r} is not in the problem")
            if visit_id in rejected:
                raise ProblemError(f"locked visit {visit_id!r} cannot be served: "
                                   f"{rejected[visit_id].reason}: {rejected[visit_id].detail}")
            if k not in checked.eligible[visit_index[visit_id]]:
                raise ProblemError(f"locked visit {visit_id!r} cannot be served by {tech_id!r}")
        chains[k] = tuple(node_of[v] for v in visit_ids)
    return tuple(chains)


def _initial_routes(
    problem: Problem, data: ModelInput, node_of: dict[str, int], initial: Solution
) -> tuple[tuple[int, ...], ...]:
    """The previous solution's routes on today's model: unknown or no longer eligible
    visits are left out, and locked chains are moved to the front of their routes."""
    tech_index = {t.id: k for k, t in enumerate(problem.technicians)}
    locked = {node for chain in data.locked for node in chain}
    routes: list[list[int]] = [list(chain) for chain in data.locked]
    used: set[int] = set(locked)
    for route in initial.routes:
        k = tech_index.get(route.technician)
        if k is None:
            continue
        for stop in route.stops:
            node = node_of.get(stop.visit)
            if node is not None and node not in used and k in data.eligible[node]:
                routes[k].append(node)
                used.add(node)
    return tuple(tuple(r) for r in routes)
