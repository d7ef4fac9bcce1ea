"""``plan_day``: the day's jobs and the roster in, a :class:`~routing.plan.Plan` out.

The stages, each reported to the optional progress callback (:mod:`.progress`):

1. **rules** — :mod:`routing.visits` turns each job into a visit or a reason; jobs that no
   technician of the roster could ever do (``no_skilled_technician``) or that only
   technicians off that day could do (``outside_shifts``) are settled before geocoding;
2. **geocode** — job addresses through the geocoder (``not_geocoded`` on failure);
   technicians' homes from their lat/lon, else their address. A technician whose start or
   end cannot be placed is a roster problem: :class:`PlanningError`;
3. **matrix** — one travel matrix over the unique points (job addresses, technicians'
   starts and ends) (:mod:`.prepare`, :mod:`.problem`);
4. **solve** — ``solver.solve`` and, always, ``solver.verify`` on its answer; then the
   integers become aware datetimes in each technician's timezone (:mod:`.solve`,
   :mod:`.convert`). ONLINE jobs are anchored at a place of a route where a technician
   has time (:mod:`.online`).

Times inside the solver are seconds from the *origin*: the earliest shift start of the day
(UTC). A day with no technician on shift, or nothing to plan, still gives a valid plan in
which every job is unassigned with its reason; :class:`PlanningError` is kept for input
that cannot be planned at all (an unknown setting, a technician home that cannot be
placed, a solver failure).
"""

from routing.planner.context import PlanContext
from routing.planner.convert import address_line, plan_to_solution
from routing.planner.day import plan_day
from routing.planner.options import OBJECTIVES, PlanningError, PlanOptions
from routing.planner.prepare import PreparedDay, job_rules, prepare_day
from routing.planner.progress import ProgressCallback, ProgressEvent, Stage
from routing.planner.solve import solve_day

__all__ = [
    "OBJECTIVES",
    "PlanContext",
    "PlanOptions",
    "PlanningError",
    "PreparedDay",
    "ProgressCallback",
    "ProgressEvent",
    "Stage",
    "address_line",
    "job_rules",
    "plan_day",
    "plan_to_solution",
    "prepare_day",
    "solve_day",
]
