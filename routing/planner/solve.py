"""Stage 4 of ``plan_day``: search, verify, convert back to a plan.

One time limit covers every search a plan makes. :class:`TimeBudget` divides it, here
and nowhere else: a day with ONLINE jobs searches the field jobs first (two thirds of
what its round may take), then everything with the ONLINE jobs anchored (what is left);
a stable re-plan (``prefer``) first keeps jobs with their technicians (half of the
limit), and only if one is left out frees them all (what is left). A round that stops
early, at its solution limit, leaves its time to the next.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import solver
from routing.plan import Plan
from routing.planner.convert import to_plan
from routing.planner.online import anchors
from routing.planner.options import PlanningError, PlanOptions
from routing.planner.prepare import PreparedDay
from routing.planner.progress import ProgressCallback, ProgressEvent, Stage, ignore

__all__ = ["TimeBudget", "solve_day"]

FIELD_FIRST = 2 / 3
"""Share of a round's time for the field jobs when ONLINE jobs wait to be anchored."""
KEEP_FIRST = 1 / 2
"""Share of the time limit for a stable re-plan's first round (jobs kept with their
technicians)."""
FLOOR = 0.05
"""A search never gets less than this share of the limit, so that it can find a first
solution even when earlier rounds ran over."""


class TimeBudget:
    """Seconds a search may still take; a part of it is a budget whose spending counts on
    its parent too, so searches never add up to more than the whole (but the floor)."""

    def __init__(self, seconds: float, parent: TimeBudget | None = None,
                 floor: float | None = None) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.parent = parent
        self.floor = seconds * FLOOR if floor is None else floor

    def left(self) -> float:
        return max(self.seconds - self.spent, self.floor)

    def part(self, share: float) -> TimeBudget:
        return TimeBudget(self.left() * share, self, self.floor)

    def spend(self, seconds: float) -> None:
        self.spent += seconds
        if self.parent is not None:
            self.parent.spend(seconds)


def solve_day(
    prepared: PreparedDay,
    *,
    progress: ProgressCallback | None = None,
    initial: solver.Solution | None = None,
    prefer: Mapping[str, str] | None = None,
) -> tuple[Plan, solver.Solution | None]:
    """Stage 4: solve, verify, convert. The solution is None when nothing was solved.

    ``initial`` warm-starts the search (``solver.solve``): only its routes' technicians
    and stop order are read, and visits or technicians not in the problem are ignored.
    ``prefer`` (visit id -> technician id) asks for stability: a first round keeps each
    such visit with that technician where they can do it; only if one of them is left out
    does a second round (warm-started from the first) free them all. The stage is reported
    once, however many rounds it takes; ``prepared.problem`` becomes the problem solved.
    """
    report = progress or ignore
    problem = prepared.problem
    if problem is None:
        return to_plan(prepared, None), None
    options = prepared.options
    report(ProgressEvent(
        Stage.SOLVE, "start",
        f"{len(problem.visits)} visits, {len(problem.technicians)} technicians, "
        f"up to {options.time_limit:g} s",
    ))
    started = clock.perf_counter()
    search = _Search(options, prepared.online)
    try:
        if not prefer:
            solved, solution = search.round(problem, search.budget, initial)
        else:
            solved, solution = search.stable(problem, prefer, initial)
        solver.verify(solved, solution)
    except solver.VerificationError as exc:
        raise PlanningError(f"the optimiser's routes break a constraint (a bug): {exc}") from exc
    except solver.SolverError as exc:
        raise PlanningError(f"the optimiser failed: {exc}") from exc
    prepared.problem = solved
    stage = clock.perf_counter() - started
    report(ProgressEvent(
        Stage.SOLVE, "done",
        f"{sum(len(r.stops) for r in solution.routes)} assigned, "
        f"{len(solution.unassigned)} not, searched {search.budget.spent:.1f} s",
    ))
    return to_plan(prepared, solution, search.budget.spent, stage), solution


class _Search:
    """The search rounds of one solve stage, within one :class:`TimeBudget`."""

    def __init__(self, options: PlanOptions, online: Sequence[solver.Visit]) -> None:
        self.options = options
        self.online = online
        self.budget = TimeBudget(options.time_limit)

    def stable(self, problem: solver.Problem, prefer: Mapping[str, str],
               initial: solver.Solution | None) -> tuple[solver.Problem, solver.Solution]:
        """Jobs kept with their preferred technicians first; all free if one is left out."""
        kept = _preferred(problem, prefer)
        restricted = replace(problem, visits=[kept(v) for v in problem.visits])
        solved, solution = self.round(restricted, self.budget.part(KEEP_FIRST), initial,
                                      [kept(v) for v in self.online])
        if {u.visit for u in solution.unassigned} & set(prefer):
            solved, solution = self.round(problem, self.budget, solution)
        return solved, solution

    def round(self, problem: solver.Problem, budget: TimeBudget,
              initial: solver.Solution | None,
              online: Sequence[solver.Visit] | None = None,
              ) -> tuple[solver.Problem, solver.Solution]:
        """One search of ``problem`` (the field jobs) and the ONLINE jobs; ONLINE jobs take
        two searches (see the module docstring). Returns the problem solved and its
        solution."""
        online = self.online if online is None else online
        if not online:
            return problem, self._solve(problem, budget, initial)
        first = (
            self._solve(problem, budget.part(FIELD_FIRST), initial) if problem.visits
            else solver.Solution((), (), 0, "trivial", 0.0)
        )
        where = anchors(problem, first, online)
        solved = replace(problem, visits=[
            *problem.visits, *(replace(v, location=where[v.id]) for v in online)])
        return solved, self._solve(solved, budget, first)

    def _solve(self, problem: solver.Problem, budget: TimeBudget,
               initial: solver.Solution | None) -> solver.Solution:
        """``solver.solve`` with the plan's options (a warm start that no longer fits is
        dropped by the solver itself)."""
        options = self.options
        solution = solver.solve(
            problem, time_limit=budget.left(), seed=options.seed, objective=options.objective,
            workers=options.workers, initial=initial, solution_limit=options.solution_limit,
        )
        budget.spend(solution.wall_time)
        return solution


def _preferred(problem: solver.Problem,
               prefer: Mapping[str, str]) -> Callable[[solver.Visit], solver.Visit]:
    """A visit restricted to its preferred technician, when that one is on shift, able and
    not excluded by a pin or an allowed set; otherwise unchanged."""
    able = {t.id for t in problem.technicians}

    def kept(visit: solver.Visit) -> solver.Visit:
        tech = prefer.get(visit.id)
        if tech is None or tech not in able or visit.pinned_technician is not None or (
                visit.allowed_technicians is not None and tech not in visit.allowed_technicians):
            return visit
        return replace(visit, allowed_technicians=frozenset({tech}))

    return kept
