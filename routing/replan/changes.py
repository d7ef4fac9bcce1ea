"""What moved between the previous plan and the re-planned day (see ``routing.replan``)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from routing.plan import Plan, PlanStop, UnassignedJob
from routing.reasons import ReasonCode

__all__ = ["Change", "ChangeKind", "what_moved"]


class ChangeKind(StrEnum):
    ADDED = "added"
    ASSIGNED = "assigned"
    MOVED = "moved"
    RETIMED = "retimed"
    UNASSIGNED = "unassigned"
    CANCELLED = "cancelled"
    REMOVED = "removed"


_WRITE_BACK = frozenset({ChangeKind.ADDED, ChangeKind.ASSIGNED, ChangeKind.MOVED,
                         ChangeKind.RETIMED})


class Change(BaseModel):
    """One job that is not where or when the previous plan had it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ChangeKind
    service_job_id: str
    appointment_id: str | None
    old_technician: str | None
    new_technician: str | None
    old_arrival: AwareDatetime | None
    new_arrival: AwareDatetime | None
    arrival_shift_s: int | None
    """new - old arrival in seconds, when the job is on a route in both plans."""
    write_back: bool
    """True when Amazon needs a new technician assignment or arrival estimate."""
    reason: ReasonCode | None = None
    sentence: str | None = None



def what_moved(previous: Plan, plan: Plan, cancelled: set[str],
             moved_after: timedelta) -> list[Change]:
    old = {s.service_job_id: (r.technician_id, s) for r in previous.routes for s in r.stops}
    new = {s.service_job_id: (r.technician_id, s) for r in plan.routes for s in r.stops}
    was_unassigned = {u.service_job_id: u for u in previous.unassigned}
    now_unassigned = {u.service_job_id: u for u in plan.unassigned}
    changes = []
    for job_id in sorted({*old, *new, *was_unassigned, *now_unassigned}):
        before, after = old.get(job_id), new.get(job_id)
        if after is not None:
            kind = _kind_on_route(before, after, job_id in was_unassigned, moved_after)
        else:
            kind = _kind_off_route(before is not None, was_unassigned.get(job_id),
                                   job_id in now_unassigned, job_id in cancelled)
        if kind is not None:
            changes.append(_change(kind, job_id, before, after, now_unassigned.get(job_id)))
    rank = list(ChangeKind)
    return sorted(changes, key=lambda c: (rank.index(c.kind), c.service_job_id))


def _kind_on_route(before: tuple[str, PlanStop] | None, after: tuple[str, PlanStop],
                   was_unassigned: bool, moved_after: timedelta) -> ChangeKind | None:
    """What changed for a job on a route now."""
    if before is None:
        return ChangeKind.ASSIGNED if was_unassigned else ChangeKind.ADDED
    if before[0] != after[0]:
        return ChangeKind.MOVED
    if abs(after[1].arrival - before[1].arrival) > moved_after:
        return ChangeKind.RETIMED
    return None


def _kind_off_route(was_on_route: bool, was_unassigned: UnassignedJob | None,
                    now_unassigned: bool, cancelled: bool) -> ChangeKind | None:
    """What changed for a job on no route now: nothing for one already left out (or
    already cancelled) before."""
    if cancelled:
        if was_on_route or (was_unassigned is not None and was_unassigned.status != "CANCELLED"):
            return ChangeKind.CANCELLED
        return None
    if was_on_route or (now_unassigned and was_unassigned is None):
        return ChangeKind.UNASSIGNED if now_unassigned else ChangeKind.REMOVED
    return None


def _change(kind: ChangeKind, job_id: str, before: tuple[str, PlanStop] | None,
            after: tuple[str, PlanStop] | None, unassigned: UnassignedJob | None) -> Change:
    shift = None
    if before is not None and after is not None:
        shift = round((after[1].arrival - before[1].arrival).total_seconds())
    stop = after[1] if after is not None else before[1] if before is not None else None
    sentence = unassigned.sentence if unassigned is not None else None
    if kind == ChangeKind.REMOVED:
        sentence = "No longer among the jobs fetched."
    return Change(
        kind=kind, service_job_id=job_id,
        appointment_id=stop.appointment_id if stop is not None else None,
        old_technician=before[0] if before else None, new_technician=after[0] if after else None,
        old_arrival=before[1].arrival if before else None,
        new_arrival=after[1].arrival if after else None,
        arrival_shift_s=shift, write_back=kind in _WRITE_BACK,
        reason=unassigned.reason if unassigned is not None and kind != ChangeKind.CANCELLED
        else None,
        sentence=sentence,
    )
