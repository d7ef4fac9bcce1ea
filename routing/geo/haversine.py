"""The offline default travel matrix: great-circle distance, stretched by a circuity factor."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from routing.geo.errors import MatrixError
from routing.geo.matrix import TravelMatrix, as_lat_lon_array

__all__ = [
    "EARTH_RADIUS_M",
    "HaversineMatrix",
    "great_circle_m",
    "unit_vectors",
]

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
_BLOCK_CELLS = 1 << 21  # rows are processed in blocks of about this many cells (16 MB a temporary)


def unit_vectors(coords: np.ndarray) -> np.ndarray:
    """(lat, lon) degree rows as points on the unit sphere (x, y, z)."""
    lat, lon = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def great_circle_m(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Metres from every unit vector row of ``origins`` to every row of ``destinations``.

    Through the chord: exact 0 for equal points, well conditioned for near ones, and only
    one arcsin per cell (the haversine formula needs three trigonometric calls).
    """
    chord2 = np.zeros((len(origins), len(destinations)))
    for axis in range(3):
        chord2 += np.subtract.outer(origins[:, axis], destinations[:, axis]) ** 2
    np.sqrt(chord2, out=chord2)
    chord2 *= 0.5
    np.clip(chord2, 0.0, 1.0, out=chord2)
    return 2 * EARTH_RADIUS_M * np.arcsin(chord2, out=chord2)


class HaversineMatrix:
    """Road distance ≈ great-circle × ``circuity``; time = that ÷ ``speed_kmh``.

    Distinct places are at least ``min_travel_s`` apart (parking, walking to the door);
    two jobs at the very same point are 0 s apart.
    """

    name = "haversine"

    def __init__(
        self, speed_kmh: float = 40.0, circuity: float = 1.3, min_travel_s: int = 60
    ) -> None:
        if not speed_kmh > 0 or not circuity >= 1 or min_travel_s < 0:
            raise MatrixError(
                f"haversine needs speed_kmh > 0, circuity >= 1 and min_travel_s >= 0 "
                f"(got {speed_kmh}, {circuity}, {min_travel_s})"
            )
        self.speed_kmh = speed_kmh
        self.circuity = circuity
        self.min_travel_s = min_travel_s

    def matrix(self, points: Sequence[tuple[float, float]]) -> TravelMatrix:
        coords = unit_vectors(as_lat_lon_array(points))
        n = len(coords)
        durations = np.empty((n, n), dtype=np.int64)
        distances = np.empty((n, n), dtype=np.int64)
        rows = max(1, _BLOCK_CELLS // max(n, 1))
        for start in range(0, n, rows):
            block = slice(start, start + rows)
            durations[block], distances[block] = self.between(coords[block], coords)
        return TravelMatrix(durations, distances)

    def between(
        self, origins: np.ndarray, destinations: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and metres (int64) from each row of ``origins`` to each of
        ``destinations`` (rows of :func:`unit_vectors`): an (m, k) block of the matrix."""
        road_m = great_circle_m(origins, destinations)
        road_m *= self.circuity
        seconds = np.rint(road_m * (3.6 / self.speed_kmh))
        np.maximum(seconds, np.where(road_m > 0, self.min_travel_s, 0), out=seconds)
        return seconds.astype(np.int64), np.rint(road_m).astype(np.int64)
