"""``plan_day``: prepare the day, then solve it (the stages are in the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from routing.durations import DurationTable
from routing.geo import Geocoder, MatrixProvider
from routing.plan import Plan, PlanInputs
from routing.planner.options import PlanOptions
from routing.planner.prepare import prepare_day
from routing.planner.progress import ProgressCallback
from routing.planner.solve import solve_day
from routing.roster import Roster
from routing.spapi.models import ServiceJob
from routing.visits import Unassigned

__all__ = ["plan_day"]


def plan_day(
    jobs: Iterable[ServiceJob],
    roster: Roster,
    day: date,
    options: PlanOptions | None = None,
    *,
    geocoder: Geocoder | None = None,
    matrix: MatrixProvider | None = None,
    durations: DurationTable | None = None,
    inputs: PlanInputs | None = None,
    progress: ProgressCallback | None = None,
    rejected: Sequence[Unassigned] = (),
) -> Plan:
    """Plan ``day`` with ``options``: every job ends on a route or in ``Plan.unassigned``
    with a reason.

    Besides the options, the collaborators: ``geocoder`` (default: the offline chain,
    ``routing.geo.default_geocoder()``), ``matrix`` (default: haversine travel times),
    ``durations`` (default: the built-in table), ``inputs`` (what the caller records of
    the files and providers behind them, in ``Plan.settings``), a ``progress`` callback,
    and ``rejected``: jobs a source could not read (see ``routing.sources``), reported as
    unassigned too. Raises :class:`PlanningError` (see the module docstring).
    """
    prepared = prepare_day(jobs, roster, day, options, geocoder=geocoder, matrix=matrix,
                           durations=durations, inputs=inputs, progress=progress,
                           rejected=rejected)
    plan, _ = solve_day(prepared, progress=progress)
    return plan
