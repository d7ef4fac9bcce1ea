"""Why a job is not in the plan: the stable reason codes and their sentences.

The codes are part of the plan's public contract (JSON, CSV, scripts matching on them):
never rename one. The five the optimiser produces share their values with
``solver.ReasonCode``; :func:`from_solver` maps one onto the other by value, so the solver
never has to import ``routing``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ReasonCode", "default_sentence", "from_solver"]


class ReasonCode(StrEnum):
    """Stable code of an unassigned job. The first four come from the job rules, the rest
    from the optimiser (or from the planner's cheap checks before it)."""

    NOT_PLANNABLE_STATUS = "not_plannable_status"
    """The job's status is neither NOT_SERVICED nor PENDING_SCHEDULE."""
    NO_WINDOW_ON_DATE = "no_window_on_date"
    """No active appointment (or, when pending, no preferred time) on the plan date."""
    NOT_GEOCODED = "not_geocoded"
    """The service address is missing or could not be placed on the map."""
    INVALID_JOB = "invalid_job"
    """The job record itself is malformed (a source rejected it; see ``sources``)."""
    NO_SKILLED_TECHNICIAN = "no_skilled_technician"
    """No technician in the roster has every required skill."""
    OUTSIDE_SHIFTS = "outside_shifts"
    """No able technician works during the job's window(s) on the date."""
    UNREACHABLE_IN_WINDOW = "unreachable_in_window"
    """An able technician works then, but cannot get there (or finish) inside a window."""
    PINNED_TECHNICIAN_UNAVAILABLE = "pinned_technician_unavailable"
    """The technician already assigned on the appointment cannot take it."""
    INSUFFICIENT_CAPACITY = "insufficient_capacity"
    """It could be done alone, but the optimiser could not fit it with the other jobs."""


def from_solver(reason: str) -> ReasonCode:
    """The routing code of a ``solver.ReasonCode`` (a StrEnum with the same values)."""
    try:
        return ReasonCode(str(reason))
    except ValueError:
        # A reason the solver added after this table was written: the job still could not
        # be fitted, which is what the catch-all code says.
        return ReasonCode.INSUFFICIENT_CAPACITY


_SENTENCES = {
    ReasonCode.NOT_PLANNABLE_STATUS: "The job's status is not plannable.",
    ReasonCode.NO_WINDOW_ON_DATE: "The job has no window on the plan date.",
    ReasonCode.NOT_GEOCODED: "The service address could not be placed on the map.",
    ReasonCode.INVALID_JOB: "The job record is malformed.",
    ReasonCode.NO_SKILLED_TECHNICIAN: "No technician has every skill the job requires.",
    ReasonCode.OUTSIDE_SHIFTS: "No able technician works during the job's window.",
    ReasonCode.UNREACHABLE_IN_WINDOW: "No able technician can be there on time.",
    ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE: "The assigned technician cannot take the job.",
    ReasonCode.INSUFFICIENT_CAPACITY: "The job did not fit in any route with the other jobs.",
}


def default_sentence(code: ReasonCode) -> str:
    """A generic sentence for ``code``, used when nothing more specific is known."""
    return _SENTENCES[code]
