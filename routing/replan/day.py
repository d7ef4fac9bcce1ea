"""``replan_day``: the rules of the package docstring, applied."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import solver
from routing.events import DayEvents
from routing.geo import HaversineMatrix
from routing.plan import Plan
from routing.planner import (
    PlanContext,
    PlanOptions,
    PreparedDay,
    plan_to_solution,
    prepare_day,
    solve_day,
)
from routing.replan.changes import Change, what_moved
from routing.replan.errors import ReplanError
from routing.replan.merge import check, merge
from routing.replan.now import Day
from routing.roster import Roster
from routing.spapi.models import ServiceJob

__all__ = ["Replan", "replan_day"]


@dataclass(frozen=True)
class Replan:
    """The re-planned day and what moved."""

    plan: Plan
    """The whole day: fixed stops, then the re-planned rest of each route."""
    changes: list[Change]
    now: datetime
    fixed: dict[str, list[str]]
    """Technician id -> service job ids kept fixed (completed or in progress), in order."""
    remaining: Plan
    """What the solver planned, from each technician's position at their availability."""
    prepared: PreparedDay
    """The problem ``remaining`` was solved from (``plan_to_solution`` + ``solver.verify``)."""
    warnings: list[str] = field(default_factory=list)

    def to_json(self, *, indent: int | None = 2) -> str:
        """``{"now", "changes", "fixed", "warnings", "plan"}`` as JSON."""
        data: dict[str, Any] = {
            "now": self.now.isoformat(),
            "changes": [c.model_dump(mode="json") for c in self.changes],
            "fixed": self.fixed,
            "warnings": self.warnings,
            "plan": json.loads(self.plan.to_json(indent=None)),
        }
        return json.dumps(data, indent=indent)


def replan_day(
    previous: Plan,
    jobs: Iterable[ServiceJob],
    roster: Roster,
    now: datetime,
    options: PlanOptions | None = None,
    *,
    events: DayEvents | None = None,
    context: PlanContext | None = None,
    moved_after: timedelta = timedelta(minutes=5),
    stable: bool = True,
) -> Replan:
    """Re-plan ``previous.date`` from ``now`` (see the module docstring for the rules).

    ``jobs`` are the day's jobs as fetched now; ``events`` what the dispatcher knows
    besides. ``options`` and ``context`` are ``plan_day``'s, but the on-time mode,
    objective and reassign flag are the previous plan's (``PlanOptions.ruled_by``).
    ``stable`` (default) first tries to keep open jobs with their technicians (see the
    module docstring); False lets the optimiser move anything from the start.
    Raises :class:`ReplanError` for a naive ``now``, a ``now`` off the plan date or an
    event naming an unknown job or technician; ``PlanningError`` as ``plan_day`` does.
    """
    day = Day.at(previous, jobs, roster, now, events or DayEvents())
    context = context or PlanContext()
    prepared = prepare_day(day.open_jobs, day.team, previous.date,
                           (options or PlanOptions()).ruled_by(previous.settings), context)
    prepared = _lengthened(prepared, day.lengthen)
    keep = {s.service_job_id: r.technician_id for r in previous.routes for s in r.stops
            if s.service_job_id not in day.fixed_ids}
    remaining, solution = solve_day(prepared, progress=context.progress,
                                    initial=_warm_start(previous, day.fixed_ids),
                                    prefer=keep if stable else None)
    if solution is not None and prepared.problem is not None:
        try:
            solver.verify(prepared.problem, plan_to_solution(remaining, prepared))
        except solver.VerificationError as exc:
            raise ReplanError(f"the re-planned routes break a constraint (a bug): {exc}") from exc
    plan = merge(previous, remaining, day, roster, context.matrix or HaversineMatrix())
    check(plan)
    return Replan(
        plan=plan, changes=what_moved(previous, plan, day.cancelled, moved_after), now=day.now,
        fixed={t: [s.service_job_id for s in st.stops] for t, st in day.states.items()
               if st.stops},
        remaining=remaining, prepared=prepared, warnings=day.warnings,
    )


def _lengthened(prepared: PreparedDay, extra: dict[str, timedelta]) -> PreparedDay:
    """The prepared day with the services of jobs running long ``extra`` longer."""
    if not extra or prepared.problem is None:
        return prepared

    def longer(visit: solver.Visit) -> solver.Visit:
        if visit.id not in extra:
            return visit
        return replace(visit, duration=visit.duration + round(extra[visit.id].total_seconds()))

    problem = prepared.problem
    return replace(prepared, problem=replace(problem, visits=[longer(v) for v in problem.visits]),
                   online=[longer(v) for v in prepared.online])


def _warm_start(previous: Plan, fixed: set[str]) -> solver.Solution:
    """The previous routes as a solver hint: only technicians and stop order are read."""
    routes = []
    for route in previous.routes:
        stops = tuple(
            solver.Stop(s.service_job_id, 0, 0, 0, 0, 0, 0, None)
            for s in route.stops if s.service_job_id not in fixed
        )
        if stops:
            routes.append(solver.Route(route.technician_id, stops, (), 0, 0, 0, None, 0, 0))
    return solver.Solution(tuple(routes), (), 0, "previous plan", 0.0)
