"""The IANA timezone of a point, offline (timezonefinder's bundled polygons)."""

from __future__ import annotations

from functools import cache

from timezonefinder import TimezoneFinder

from routing.geo.point import check_coordinates

__all__ = ["timezone_at"]


@cache
def _finder() -> TimezoneFinder:
    return TimezoneFinder()  # loads its data files: built once, on first use


def timezone_at(lat: float, lon: float) -> str | None:
    """IANA name such as "America/Los_Angeles"; ``None`` where no zone is known."""
    check_coordinates(lat, lon)
    name = _finder().timezone_at(lng=lon, lat=lat)
    return str(name) if name else None
