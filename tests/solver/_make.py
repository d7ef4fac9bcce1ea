"""Small crafted problems for the solver tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver import Problem, Technician, TimeWindow, Visit

DAY = TimeWindow(0, 8 * 3600)


def line(positions: Sequence[int], minute: int = 60) -> np.ndarray:
    """Travel matrix of places on a line: |x_i - x_j| minutes."""
    x = np.array(positions, dtype=np.int64)
    return np.abs(x[:, None] - x[None, :]) * minute


def visit(id: str, location: int, duration: int = 600,
          windows: Sequence[tuple[int, int]] = (), **kw: object) -> Visit:
    return Visit(id=id, location=location, duration=duration,
                 windows=tuple(TimeWindow(a, b) for a, b in windows), **kw)  # type: ignore[arg-type]


def tech(id: str, home: int | None = 0, shift: TimeWindow = DAY, **kw: object) -> Technician:
    end = kw.pop("end_location", home)
    return Technician(id=id, shift=shift, start_location=home, end_location=end,  # type: ignore[arg-type]
                      **kw)  # type: ignore[arg-type]


def problem(visits: Sequence[Visit], techs: Sequence[Technician],
            positions: Sequence[int] = (0, 10, 20, 30, 40, 50), **kw: object) -> Problem:
    return Problem(durations=line(positions), visits=visits, technicians=techs,
                   **kw)  # type: ignore[arg-type]
