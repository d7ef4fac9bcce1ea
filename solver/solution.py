"""The solver's answer: per-technician routes with a full schedule, and unassigned visits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "BreakPlacement",
    "ReasonCode",
    "Route",
    "Solution",
    "Stop",
    "Unassigned",
]


class ReasonCode(StrEnum):
    """Stable codes for why a visit is not in any route."""

    NO_SKILLED_TECHNICIAN = "no_skilled_technician"
    OUTSIDE_SHIFTS = "outside_shifts"
    UNREACHABLE_IN_WINDOW = "unreachable_in_window"
    PINNED_TECHNICIAN_UNAVAILABLE = "pinned_technician_unavailable"
    INSUFFICIENT_CAPACITY = "insufficient_capacity"


@dataclass(frozen=True)
class Stop:
    """One served visit. `travel_time`/`distance` are from the previous stop or route start;
    `arrival` = previous end + travel + breaks taken in between; `wait` = start - arrival."""

    visit: str
    location: int
    arrival: int
    wait: int
    start: int
    end: int
    travel_time: int
    distance: int | None


@dataclass(frozen=True)
class BreakPlacement:
    """A break taken in [start, end), after stop `after_stop` (-1 = before the first stop)."""

    start: int
    end: int
    after_stop: int


@dataclass(frozen=True)
class Route:
    technician: str
    stops: tuple[Stop, ...]
    breaks: tuple[BreakPlacement, ...]
    start_time: int
    end_time: int
    travel_time: int
    distance: int | None
    service_time: int
    wait_time: int


@dataclass(frozen=True)
class Unassigned:
    visit: str
    reason: ReasonCode
    detail: str


@dataclass(frozen=True)
class Solution:
    """`routes` holds only technicians with at least one stop. `objective` is the optimiser's
    cost (travel cost, technician costs and drop penalties; lower is better)."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int
    status: str
    wall_time: float
