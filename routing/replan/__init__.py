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

from routing.replan.changes import Change, ChangeKind
from routing.replan.day import Replan, replan_day
from routing.replan.errors import ReplanError

__all__ = ["Change", "ChangeKind", "Replan", "ReplanError", "replan_day"]
