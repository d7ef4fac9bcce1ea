"""In-memory centroids of postal codes and cities, built from gazetteer rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from routing.geo.point import normalize_text

__all__ = ["CentroidIndex"]


class _Mean:
    __slots__ = ("count", "lat", "lon")

    def __init__(self) -> None:
        self.lat = self.lon = 0.0
        self.count = 0

    def add(self, lat: float, lon: float) -> None:
        self.lat += lat
        self.lon += lon
        self.count += 1

    def value(self) -> tuple[float, float]:
        return self.lat / self.count, self.lon / self.count


class CentroidIndex:
    """Mean coordinates per postal code and per city (and region), within one country.

    A city is indexed under each of its region names (state code, state name, …) and under
    no region at all; city and region keys are compared after :func:`normalize_text`.
    """

    def __init__(self) -> None:
        self._postal: defaultdict[str, _Mean] = defaultdict(_Mean)
        self._city: defaultdict[tuple[str, str], _Mean] = defaultdict(_Mean)

    def add(self, postal: str, city: str, regions: Iterable[str], lat: float, lon: float) -> None:
        if postal:
            self._postal[postal].add(lat, lon)
        if city:
            city_key = normalize_text(city)
            for region in {"", *(normalize_text(r) for r in regions)}:
                self._city[city_key, region].add(lat, lon)

    def postal(self, postal: str) -> tuple[float, float] | None:
        mean = self._postal.get(postal)
        return mean.value() if mean else None

    def city(self, city: str, region: str = "") -> tuple[float, float] | None:
        """Centroid of ``city`` in ``region`` (both normalised); ``""`` means any region."""
        mean = self._city.get((city, region))
        return mean.value() if mean else None
