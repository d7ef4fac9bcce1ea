"""The IANA timezone of a point, offline (timezonefinder's bundled polygons)."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

from routing.geo.point import check_coordinates

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

__all__ = ["timezone_at"]


@cache
def _finder() -> TimezoneFinder:
    """timezonefinder's finder, built once, on first use (it loads its data files).

    timezonefinder runs its point-in-polygon test on numba when it can import numba, else
    in its own compiled C extension, which answers as fast. numba is installed for the
    solver, and importing it costs about a second, in every process that places an
    address: so unless numba is loaded already, timezonefinder is imported with numba
    hidden (a None in ``sys.modules`` makes an import fail, by Python's import rules).
    """
    hide = "numba" not in sys.modules
    if hide:
        sys.modules["numba"] = None  # type: ignore[assignment]
    try:
        from timezonefinder import TimezoneFinder
    finally:
        if hide:
            del sys.modules["numba"]
    return TimezoneFinder()


def timezone_at(lat: float, lon: float) -> str | None:
    """IANA name such as "America/Los_Angeles"; ``None`` where no zone is known."""
    check_coordinates(lat, lon)
    name = _finder().timezone_at(lng=lon, lat=lat)
    return str(name) if name else None
