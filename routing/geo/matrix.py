"""Travel matrices: what every provider returns, and the interface they share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from routing.geo.errors import MatrixError

__all__ = ["MatrixProvider", "TravelMatrix", "as_lat_lon_array"]


@dataclass(frozen=True)
class TravelMatrix:
    """n×n int64 seconds and metres, row = from, column = to; zero on the diagonal.

    ``fallback_cells`` counts the cells a road-network provider could not route and filled
    with the haversine estimate instead.
    """

    durations: np.ndarray
    distances: np.ndarray
    fallback_cells: int = 0


class MatrixProvider(Protocol):
    name: str

    def matrix(self, points: Sequence[tuple[float, float]]) -> TravelMatrix: ...


def as_lat_lon_array(points: Sequence[tuple[float, float]]) -> np.ndarray:
    """``points`` as an (n, 2) float array of (lat, lon), checked to be WGS84 degrees."""
    try:
        array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    except (TypeError, ValueError) as error:
        raise MatrixError(f"points must be (lat, lon) pairs of numbers: {error}") from None
    if len(array) != len(points):
        raise MatrixError("points must be (lat, lon) pairs")
    lat, lon = array[:, 0], array[:, 1]
    bad = ~(np.isfinite(array).all(axis=1) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        first = int(np.argmax(bad))
        raise MatrixError(f"point {first} is not (lat, lon) in degrees: {tuple(array[first])}")
    return array
