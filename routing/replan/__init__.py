"""Mid-day re-planning: the morning's plan, what happened since, and ``now`` in; the rest of
the day re-planned, and the list of what moved, out.

The rules, applied to each technician's route of the previous plan at ``now``:

- **Fixed stops.** A stop is *completed* when its service end ≤ ``now`` and *in progress*
  when its arrival ≤ ``now`` < its service end (the technician is there, waiting or
  working). Walking the route in order, every stop whose arrival ≤ ``now`` is fixed, up to
  and including the first one still in progress. Fixed stops keep their technician, order
  and times, whatever the solver does; they are kept out of the solver problem and merged
  back in front of the re-planned stops. A stop the technician is driving to at ``now``
  is not fixed (it is re-planned like any open job). Breaks that started by ``now`` after a
  fixed stop stay too, and then the lunch counts as taken.
- **Position.** A technician's current position is the place of their last fixed stop
  with a location (an ONLINE stop has none, so the stop before it counts), or their start
  location when nothing is fixed. They are available from the latest of ``now``, their
  shift start, the end of their last fixed stop and the end of a fixed break. The solver
  sees each technician as a shift that starts then and there and ends at the usual time
  and place (a technician driving at ``now`` is taken as still at the last stop).
- **Warm start, stability first.** The previous plan's routes, restricted to the visits
  still open, seed the search (``solver.solve(initial=...)``). A first round (half the
  time limit) keeps every open job with its previous technician, when that technician
  is still on shift; new and previously unassigned jobs, and those of a technician gone
  for the day, may go anywhere. Only if a kept job cannot be placed that way does a
  second round (the time left, warm-started from the first) let the optimiser move
  anything. So a re-plan after a small event moves few appointments (fewer write-backs)
  and a big one still gets a full re-optimisation. Jobs already assigned on Amazon stay
  pinned as in a normal plan.
- **Jobs.** Jobs fetched now but not in the previous plan are planned like any other;
  jobs whose status is now CANCELLED (on Amazon or in the events file) come out of the
  routes and stay in ``unassigned`` as ``not_plannable_status``. A job of the previous
  plan missing from the fetched jobs is reported ``removed``. A cancelled or running-long
  event for a fixed stop that already ended changes nothing (it is history; a warning
  says so).
- **Running long.** ``until`` (the new service end) or ``extra`` (added to the planned
  end) for a stop in progress: it stays fixed with its new end, and the technician is
  available later, which pushes the rest of their day (later arrivals, or jobs moved to
  others). Any stop after a running-long stop is re-planned, even if the old plan said it
  had begun. For a stop not started yet only ``extra`` makes sense: its service lasts that
  much longer.
- **Technician unavailable from HH:MM.** Their shift ends then: nothing new starts after
  it (fixed stops stay, including one in progress). Their remaining stops go to others or
  are reported unassigned with the solver's reason. Jobs *pinned* to them (assigned on
  Amazon) are released: anyone able may take them, since the assignment has to change
  anyway; they are reported ``moved`` when someone does.
- **Changes.** Against the previous plan: ``added`` (a new job now on a route),
  ``assigned`` (was unassigned, now on a route), ``moved`` (another technician),
  ``retimed`` (same technician, arrival moved by more than ``moved_after``),
  ``unassigned`` (with the reason), ``cancelled`` and ``removed``. ``write_back`` marks the
  ones Amazon has to hear about (a technician or an arrival estimate to set); everything
  else is unchanged and need not be written again.

The solved part is verified with ``solver.verify`` (in ``solve_day`` and again after its
conversion to a plan: drives, waits, windows, breaks); the fixed part is the previous
plan's. The merged plan is checked for what the solver cannot see: stops numbered in
order, times that never go back from one stop to the next, every job once. A failure
there is a bug: :class:`ReplanError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import solver
from routing.durations import DurationTable
from routing.events import DayEvents
from routing.geo import Geocoder, HaversineMatrix, MatrixProvider
from routing.plan import Plan, PlanInputs
from routing.planner import (
    PlanOptions,
    PreparedDay,
    ProgressCallback,
    plan_to_solution,
    prepare_day,
    solve_day,
)
from routing.replan.changes import Change, ChangeKind, what_moved
from routing.replan.errors import ReplanError
from routing.replan.merge import check, merge
from routing.replan.now import Day
from routing.roster import Roster
from routing.spapi.models import ServiceJob
from routing.visits import Unplanned

__all__ = ["Change", "ChangeKind", "Replan", "ReplanError", "replan_day"]


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
    geocoder: Geocoder | None = None,
    matrix: MatrixProvider | None = None,
    durations: DurationTable | None = None,
    inputs: PlanInputs | None = None,
    progress: ProgressCallback | None = None,
    rejected: Sequence[Unplanned] = (),
    moved_after: timedelta = timedelta(minutes=5),
    stable: bool = True,
) -> Replan:
    """Re-plan ``previous.date`` from ``now`` (see the module docstring for the rules).

    ``jobs`` are the day's jobs as fetched now; ``events`` what the dispatcher knows
    besides. ``options`` and the collaborators are ``plan_day``'s, but the on-time mode,
    objective and reassign flag are the previous plan's (``PlanOptions.ruled_by``).
    ``stable`` (default) first tries to keep open jobs with their technicians (see the
    module docstring); False lets the optimiser move anything from the start.
    Raises :class:`ReplanError` for a naive ``now``, a ``now`` off the plan date or an
    event naming an unknown job or technician; ``PlanningError`` as ``plan_day`` does.
    """
    day = Day.at(previous, jobs, roster, now, events or DayEvents())
    prepared = prepare_day(
        day.open_jobs, day.team, previous.date,
        (options or PlanOptions()).ruled_by(previous.settings), geocoder=geocoder,
        matrix=matrix, durations=durations, inputs=inputs, progress=progress,
        rejected=rejected,
    )
    prepared = _lengthened(prepared, day.lengthen)
    keep = {s.service_job_id: r.technician_id for r in previous.routes for s in r.stops
            if s.service_job_id not in day.fixed_ids}
    remaining, solution = solve_day(prepared, progress=progress,
                                    initial=_warm_start(previous, day.fixed_ids),
                                    prefer=keep if stable else None)
    if solution is not None and prepared.problem is not None:
        try:
            solver.verify(prepared.problem, plan_to_solution(remaining, prepared))
        except solver.VerificationError as exc:
            raise ReplanError(f"the re-planned routes break a constraint (a bug): {exc}") from exc
    plan = merge(previous, remaining, day, roster, matrix or HaversineMatrix())
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
