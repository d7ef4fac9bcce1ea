"""``plan_day``: prepare the day, then solve it (the stages are in the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from routing.plan import Plan
from routing.planner.context import PlanContext
from routing.planner.options import PlanOptions
from routing.planner.prepare import prepare_day
from routing.planner.solve import solve_day
from routing.roster import Roster
from routing.spapi.models import ServiceJob

__all__ = ["plan_day"]


def plan_day(
    jobs: Iterable[ServiceJob],
    roster: Roster,
    day: date,
    options: PlanOptions | None = None,
    context: PlanContext | None = None,
) -> Plan:
    """Plan ``day`` with ``options``: every job ends on a route or in ``Plan.unassigned``
    with a reason.

    ``context`` holds the collaborators (geocoder, travel matrix, durations, progress
    callback, ...; see :class:`PlanContext` for their defaults). Raises
    :class:`PlanningError` (see the module docstring).
    """
    context = context or PlanContext()
    prepared = prepare_day(jobs, roster, day, options, context)
    plan, _ = solve_day(prepared, progress=context.progress)
    return plan
