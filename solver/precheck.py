"""Exact reasons, found before solving, why a visit cannot be served by anyone.

Every check is a necessary condition on a technician serving the visit alone in their day,
so a visit rejected here can never be placed; the technicians that pass every check are the
only ones the optimiser may give the visit to.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.problem import Problem, Technician, TimeWindow, Visit
from solver.solution import ReasonCode, Unassigned

__all__ = ["Eligibility", "check", "windows_of"]


@dataclass(frozen=True)
class Eligibility:
    """`eligible[i]` lists technician indices that may serve visit i (empty if rejected)."""

    eligible: tuple[tuple[int, ...], ...]
    rejected: tuple[Unassigned, ...]


def windows_of(visit: Visit, horizon: int) -> tuple[TimeWindow, ...]:
    """The visit's start-of-service windows; no window means the whole horizon."""
    return visit.windows or (TimeWindow(0, horizon),)


def check(problem: Problem) -> Eligibility:
    eligible: list[tuple[int, ...]] = []
    rejected: list[Unassigned] = []
    tech_index = {t.id: k for k, t in enumerate(problem.technicians)}
    for visit in problem.visits:
        techs, reason, detail = _eligible_technicians(problem, visit, tech_index)
        eligible.append(techs)
        if reason is not None:
            rejected.append(Unassigned(visit.id, reason, detail))
    return Eligibility(tuple(eligible), tuple(rejected))


def _eligible_technicians(
    problem: Problem, visit: Visit, tech_index: dict[str, int]
) -> tuple[tuple[int, ...], ReasonCode | None, str]:
    techs = problem.technicians
    if visit.pinned_technician is not None:
        k = tech_index.get(visit.pinned_technician)
        if k is None:
            return (), ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE, (
                f"pinned technician {visit.pinned_technician!r} is not working"
            )
        candidates = [k]
    else:
        candidates = list(range(len(techs)))
    skilled = [k for k in candidates if _qualified(visit, techs[k])]
    if not skilled:
        if visit.pinned_technician is not None:
            return (), ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE, (
                f"pinned technician {visit.pinned_technician!r} lacks skills "
                f"{sorted(visit.skills - techs[candidates[0]].skills)} or is not allowed"
            )
        return (), ReasonCode.NO_SKILLED_TECHNICIAN, (
            f"no allowed technician has all of {sorted(visit.skills)}"
        )
    windows = windows_of(visit, problem.horizon)
    in_shift = [k for k in skilled if any(_overlap(w, techs[k].shift) for w in windows)]
    if not in_shift:
        return _fail(visit, ReasonCode.OUTSIDE_SHIFTS, "no skilled technician's shift overlaps "
                     "any of its windows")
    reachable = [k for k in in_shift if _reachable(problem, visit, techs[k])]
    if not reachable:
        return _fail(visit, ReasonCode.UNREACHABLE_IN_WINDOW, "no skilled technician can start it "
                     "inside a window and be back by the end of their shift and limits, "
                     "even with nothing else to do")
    roomy = [k for k in reachable if _has_room(visit, techs[k])]
    if not roomy:
        return _fail(visit, ReasonCode.INSUFFICIENT_CAPACITY, f"demand {visit.demand} exceeds the "
                     "capacity of every technician who could reach it")
    return tuple(roomy), None, ""


def _fail(visit: Visit, reason: ReasonCode, detail: str) -> tuple[tuple[int, ...], ReasonCode, str]:
    if visit.pinned_technician is not None:
        return (), ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE, (
            f"pinned technician {visit.pinned_technician!r}: {reason.value}: {detail}"
        )
    return (), reason, detail


def _qualified(visit: Visit, tech: Technician) -> bool:
    allowed = visit.allowed_technicians is None or tech.id in visit.allowed_technicians
    return allowed and visit.skills <= tech.skills


def _overlap(a: TimeWindow, b: TimeWindow) -> bool:
    return a.start <= b.end and b.start <= a.end


def _reachable(problem: Problem, visit: Visit, tech: Technician) -> bool:
    d = problem.durations
    to = 0 if tech.start_location is None else int(d[tech.start_location, visit.location])
    back = 0 if tech.end_location is None else int(d[visit.location, tech.end_location])
    if tech.max_work_time is not None and to + visit.duration + back > tech.max_work_time:
        return False
    if tech.max_travel_time is not None and to + back > tech.max_travel_time:
        return False
    if tech.max_visits is not None and tech.max_visits < 1:
        return False
    earliest = tech.shift.start + to
    latest = tech.shift.end - visit.duration - back
    return any(
        max(earliest, w.start) <= min(latest, w.end)
        for w in windows_of(visit, problem.horizon)
    )


def _has_room(visit: Visit, tech: Technician) -> bool:
    return tech.capacity is None or visit.demand <= tech.capacity
