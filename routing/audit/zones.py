"""The local timezone of a job: its address, placed by the offline gazetteer, then
timezonefinder; the roster's (or the audit's) timezone when the address cannot be placed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from routing.geo import Gazetteer, timezone_at
from routing.spapi.models import ServiceJob

__all__ = ["JobZones"]


class JobZones:
    """Callable ``job -> ZoneInfo``, cached per (country, postal code, state, city)."""

    def __init__(self, default: ZoneInfo, gazetteer: Gazetteer | None = None) -> None:
        self.default = default
        self._gazetteer = gazetteer or Gazetteer()
        self._cache: dict[tuple[str | None, ...], ZoneInfo] = {}

    def __call__(self, job: ServiceJob) -> ZoneInfo:
        location = job.service_location
        address = location.address if location is not None else None
        if address is None:
            return self.default
        key = (address.country_code, address.postal_code, address.state_or_region, address.city)
        zone = self._cache.get(key)
        if zone is None:
            point = self._gazetteer.geocode(address)
            name = timezone_at(point.lat, point.lon) if point is not None else None
            zone = self._cache[key] = ZoneInfo(name) if name else self.default
        return zone
