"""Where a technician does an ONLINE job: a place of their route where they have time.

ONLINE jobs need no travel: the technician does them wherever they are. A matrix cannot
say "wherever" (a place at zero travel from everywhere lets the optimiser skip the drive
between the two stops around it), so they are placed in two steps: the field jobs are
solved first; each ONLINE job is then anchored where a technician has idle time in that
solution, and a second search, warm-started from the first, places everything with real
drives only (``routing.planner.solve``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import solver

__all__ = ["anchors"]


class _Idle(NamedTuple):
    """A technician waiting at a place from ``begin`` until ``until`` (solver seconds)."""

    begin: int
    until: int
    location: int
    technician: solver.Technician


def anchors(
    problem: solver.Problem, solution: solver.Solution, online: Sequence[solver.Visit]
) -> dict[str, int]:
    """Where to do each ONLINE job: the place with the most idle time inside its windows.

    Idle places in the field-job solution: waiting at a stop before service, at the start
    before leaving, at the end after returning (an unused technician is idle at the start
    all day). Only technicians able to do the job (skills, pinning) count. A job whose
    windows meet no idle time goes to the longest idle place anyway: the second search may
    still make room, or reports it unassigned. The anchor is not a pin: another technician
    may do the job there if that is better (it never skips a drive).
    """
    idle = _idle_places(problem, solution)

    def room(place: _Idle, visit: solver.Visit) -> int:
        latest = place.until - visit.duration
        return max(min(latest, w.end) - max(place.begin, w.start) for w in visit.windows)

    found = {}
    for visit in online:
        able = [p for p in idle if _able(p.technician, visit)] or idle
        best = max(able, key=lambda place: room(place, visit))
        if room(best, visit) < 0:
            best = max(able, key=lambda place: place.until - place.begin)
        found[visit.id] = best.location
    return found


def _idle_places(problem: solver.Problem, solution: solver.Solution) -> list[_Idle]:
    # Technicians built by the planner always have both a start and an end location.
    idle: list[_Idle] = []
    routes = {r.technician: r for r in solution.routes}
    for tech in problem.technicians:
        start, end = tech.start_location or 0, tech.end_location or 0
        route = routes.get(tech.id)
        if route is None:
            idle.append(_Idle(tech.shift.start, tech.shift.end, start, tech))
            continue
        idle.append(_Idle(tech.shift.start, route.start_time, start, tech))
        idle.extend(_Idle(s.arrival, s.start, s.location, tech) for s in route.stops)
        idle.append(_Idle(route.end_time, tech.shift.end, end, tech))
    return idle


def _able(tech: solver.Technician, visit: solver.Visit) -> bool:
    return (
        visit.skills <= tech.skills
        and visit.pinned_technician in (None, tech.id)
        and (visit.allowed_technicians is None or tech.id in visit.allowed_technicians)
    )
