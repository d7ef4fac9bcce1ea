"""The routing problem: integers only (seconds from the horizon start, metres, location indices)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from solver.errors import ProblemError

__all__ = [
    "Break",
    "Problem",
    "Technician",
    "TimeWindow",
    "Visit",
]


@dataclass(frozen=True)
class TimeWindow:
    """Inclusive interval [start, end] in seconds from the horizon start."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ProblemError(f"time window starts after it ends: {self.start} > {self.end}")

    def contains(self, t: int) -> bool:
        return self.start <= t <= self.end


@dataclass(frozen=True)
class Break:
    """A break of `duration` seconds that must START inside `window`, taken wherever the
    technician is: between two services, interrupting a travel, or at home before leaving
    or after coming back (the route then starts or ends with it)."""

    window: TimeWindow
    duration: int


@dataclass(frozen=True)
class Visit:
    """A job at `location`; service must start inside one of `windows` (empty = any time)."""

    id: str
    location: int
    duration: int
    windows: tuple[TimeWindow, ...]
    skills: frozenset[str] = frozenset()
    demand: int = 0
    priority: int = 1
    allowed_technicians: frozenset[str] | None = None
    pinned_technician: str | None = None


@dataclass(frozen=True)
class Technician:
    """A technician's day. A missing start or end location makes the route open at that end."""

    id: str
    shift: TimeWindow
    start_location: int | None
    end_location: int | None
    skills: frozenset[str] = frozenset()
    capacity: int | None = None
    max_visits: int | None = None
    max_work_time: int | None = None
    max_travel_time: int | None = None
    breaks: tuple[Break, ...] = ()
    fixed_cost: int = 0
    cost_per_hour: int = 0


@dataclass(frozen=True)
class Problem:
    """Travel `durations` (n×n seconds, asymmetric allowed), optional `distances` (metres),
    the visits and the technicians. Validated on construction (`ProblemError`)."""

    durations: np.ndarray
    visits: Sequence[Visit]
    technicians: Sequence[Technician]
    distances: np.ndarray | None = None
    horizon: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "durations", _matrix(self.durations, "durations"))
        if self.distances is not None:
            object.__setattr__(self, "distances", _matrix(self.distances, "distances"))
            if self.distances.shape != self.durations.shape:
                raise ProblemError(
                    f"distances shape {self.distances.shape} differs from durations "
                    f"shape {self.durations.shape}"
                )
        object.__setattr__(self, "visits", tuple(self.visits))
        object.__setattr__(self, "technicians", tuple(self.technicians))
        n = self.durations.shape[0]
        _check_unique([v.id for v in self.visits], "visit")
        _check_unique([t.id for t in self.technicians], "technician")
        for visit in self.visits:
            _check_visit(visit, n)
        for tech in self.technicians:
            _check_technician(tech, n)
        ends = [t.shift.end for t in self.technicians]
        ends += [w.end for v in self.visits for w in v.windows]
        object.__setattr__(self, "horizon", max(ends, default=0))

    @property
    def num_locations(self) -> int:
        return int(self.durations.shape[0])


def _matrix(value: object, name: str) -> np.ndarray:
    try:
        matrix = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"{name} is not a matrix: {exc}") from exc
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ProblemError(f"{name} must be a non-empty square matrix, got shape {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.integer):
        raise ProblemError(f"{name} must hold integers, got dtype {matrix.dtype}")
    if (matrix < 0).any():
        raise ProblemError(f"{name} holds negative values")
    return matrix.astype(np.int64, copy=False)


def _check_unique(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if not item:
            raise ProblemError(f"a {kind} has an empty id")
        if item in seen:
            raise ProblemError(f"duplicate {kind} id {item!r}")
        seen.add(item)


def _check_location(location: int, n: int, owner: str) -> None:
    if not 0 <= location < n:
        raise ProblemError(f"{owner}: location {location} outside the {n}×{n} matrix")


def _check_visit(visit: Visit, n: int) -> None:
    owner = f"visit {visit.id!r}"
    _check_location(visit.location, n, owner)
    if visit.duration < 0:
        raise ProblemError(f"{owner}: negative duration {visit.duration}")
    if visit.demand < 0:
        raise ProblemError(f"{owner}: negative demand {visit.demand}")
    if visit.priority < 0:
        raise ProblemError(f"{owner}: negative priority {visit.priority}")
    if any(w.start < 0 for w in visit.windows):
        raise ProblemError(f"{owner}: window starts before the horizon (negative time)")


def _check_technician(tech: Technician, n: int) -> None:
    owner = f"technician {tech.id!r}"
    for location in (tech.start_location, tech.end_location):
        if location is not None:
            _check_location(location, n, owner)
    if tech.shift.start < 0:
        raise ProblemError(f"{owner}: shift starts before the horizon (negative time)")
    limits = {
        "capacity": tech.capacity,
        "max_visits": tech.max_visits,
        "max_work_time": tech.max_work_time,
        "max_travel_time": tech.max_travel_time,
    }
    for name, limit in limits.items():
        if limit is not None and limit < 0:
            raise ProblemError(f"{owner}: negative {name} {limit}")
    if tech.fixed_cost < 0 or tech.cost_per_hour < 0:
        raise ProblemError(f"{owner}: negative cost")
    for brk in tech.breaks:
        if brk.duration < 0:
            raise ProblemError(f"{owner}: break with negative duration")
        if brk.window.start < tech.shift.start or brk.window.end + brk.duration > tech.shift.end:
            raise ProblemError(
                f"{owner}: break window [{brk.window.start}, {brk.window.end}] + "
                f"{brk.duration}s does not fit in the shift "
                f"[{tech.shift.start}, {tech.shift.end}]"
            )
