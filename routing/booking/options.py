"""How options are scored: :class:`BookingOptions`, the weights of every term, and the
error for input that cannot be booked at all.

An option's score is in seconds of driving: the drive it adds, plus each term below turned
into seconds by its weight. Lower is better. The defaults make the drive dominate: a
buyer's preferred time is worth a quarter of an hour of driving, a day later two minutes.
They were chosen on ``python -m benchmarks.booking`` (benchmarks/README.md): heavier
earliness, slack and balance weights (30 s an hour, 0.25, 0.1) added half again as much
drive and honoured fewer preferences.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from routing.errors import RoutingError

__all__ = ["BookingError", "BookingOptions"]


class BookingError(RoutingError):
    """Input that cannot be booked at all (a slot without a timezone, a bad weight, a saved
    plan that does not match its day)."""


@dataclass(frozen=True, kw_only=True)
class BookingOptions:
    """Weights of the score terms (each non-negative; 0 switches a term off)."""

    preference_miss_s: float = 900.0
    """Added when the service would start outside every time the buyer preferred (jobs
    without preferred times never pay it): a preference is honoured when it costs less
    than this much more driving."""
    earliness_s_per_hour: float = 5.0
    """Added per hour between the earliest offered slot and this option's slot: sooner is
    better for the buyer (a day later costs 2 minutes of driving)."""
    slack_target_s: int = 3600
    """Slack an option should leave: how much later the visit could start and the whole
    day still be on time (``solver.Insertion.slack``)."""
    slack_weight: float = 0.05
    """Added per second of slack short of ``slack_target_s``: a day kept loose absorbs a
    late job or a long service."""
    balance_weight: float = 0.02
    """Added per second by which the technician's day (service and drive, with this visit)
    would exceed the mean day of that date's technicians (with this visit too)."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not value >= 0:
                raise BookingError(f"{field.name} must be non-negative, got {value}")
