"""Overrides, then each provider in turn (through the cache), keeping the most precise point."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from routing.geo.cache import GeocodeCache
from routing.geo.errors import GeocodingError
from routing.geo.gazetteer import Gazetteer
from routing.geo.overrides import OverrideGeocoder
from routing.geo.point import AddressLike, Geocoder, GeoPoint, Precision, normalize_address

__all__ = [
    "GeocoderChain",
    "best_precision",
    "default_geocoder",
    "unreachable_providers",
]


def unreachable_providers(geocoder: Geocoder) -> dict[str, str]:
    """``{provider name: why}`` for the providers ``geocoder`` has given up on in this run."""
    return dict(getattr(geocoder, "unreachable", {}))


def best_precision(geocoder: Geocoder) -> Precision:
    """The best precision ``geocoder`` can return (rooftop unless it says otherwise)."""
    return Precision(getattr(geocoder, "best_precision", Precision.ROOFTOP))


class GeocoderChain:
    """A :class:`Geocoder` made of others.

    An override answers alone. Otherwise providers are asked in order, each through the
    cache (one entry per address and provider, so adding a provider later asks it without
    paying again for the others), until a point is found that no later provider could
    better. A provider that fails is skipped; if none then finds the address, the chain
    raises :class:`GeocodingError` rather than claim "not found". A provider whose circuit
    breaker has opened still answers from the cache; :attr:`unreachable` names it.
    """

    def __init__(
        self,
        providers: Sequence[Geocoder],
        *,
        overrides: OverrideGeocoder | None = None,
        cache: GeocodeCache | None = None,
    ) -> None:
        self.providers = list(providers)
        self.name = "+".join(provider.name for provider in self.providers) or "no provider"
        self.overrides = overrides
        self.cache = cache

    @property
    def unreachable(self) -> dict[str, str]:
        """``{provider name: why}`` for the providers given up on in this run."""
        return {name: why for p in self.providers for name, why in unreachable_providers(p).items()}

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        if self.overrides and (point := self.overrides.geocode(address, job_id=job_id)):
            return point
        key = normalize_address(address)
        best: GeoPoint | None = None
        failures: list[str] = []
        for provider in self.providers:
            if best and not best_precision(provider).better_than(best.precision):
                continue
            try:
                point = self._ask(provider, key, address, job_id)
            except GeocodingError as error:
                failures.append(str(error))
                continue
            if point and (best is None or point.precision.better_than(best.precision)):
                best = point
        if best is None and failures:
            raise GeocodingError("; ".join(failures))
        return best

    def _ask(
        self, provider: Geocoder, key: str, address: AddressLike, job_id: str | None
    ) -> GeoPoint | None:
        cache = self.cache if getattr(provider, "cacheable", True) else None
        if cache and (cached := cache.get(key, provider.name)):
            return cached.point
        point = provider.geocode(address, job_id=job_id)
        if cache:
            cache.put(key, provider.name, point)
        return point


def default_geocoder(
    *, overrides: Path | None = None, cache: GeocodeCache | None = None,
    postal_file: Path | None = None,
) -> GeocoderChain:
    """The offline default: optional overrides, then the gazetteer (no network, no account)."""
    return GeocoderChain(
        [Gazetteer(postal_file)],
        overrides=OverrideGeocoder.from_file(overrides) if overrides else None,
        cache=cache,
    )
