"""A geocoder whose answers are scripted, counting how often it is asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from routing.geo import AddressLike, GeocodingError, GeoPoint, Precision


@dataclass
class ScriptedGeocoder:
    name: str
    answer: GeoPoint | None = None
    fails: bool = False
    best_precision: Precision = Precision.ROOFTOP
    calls: list[str | None] = field(default_factory=list)

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        self.calls.append(job_id)
        if self.fails:
            raise GeocodingError(f"{self.name} is down")
        return self.answer


def point(precision: Precision, source: str, lat: float = 47.6) -> GeoPoint:
    return GeoPoint(lat, -122.3, precision, source)
