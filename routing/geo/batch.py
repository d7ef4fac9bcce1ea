"""Geocoding a day's addresses at once: one failure never stops the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from routing.geo.chain import unreachable_providers
from routing.geo.errors import GeoError
from routing.geo.point import AddressLike, Geocoder, GeoPoint, normalize_address

__all__ = ["BatchProgress", "BatchResult", "geocode_batch"]

BatchProgress = Callable[[int, int], None]
"""Called after each address with ``(addresses done, addresses in all)``."""


@dataclass
class BatchResult:
    """Points by job id, for every job without one a sentence saying why, and the providers
    given up on during the batch (``{name: why}``: their circuit breaker opened)."""

    points: dict[str, GeoPoint] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    unreachable: dict[str, str] = field(default_factory=dict)


def geocode_batch(
    geocoder: Geocoder,
    items: Sequence[tuple[str, AddressLike]],
    *,
    progress: BatchProgress | None = None,
) -> BatchResult:
    """Geocode ``(job id, address)`` pairs, reporting each one done to ``progress``."""
    result = BatchResult()
    for done, (job_id, address) in enumerate(items, start=1):
        try:
            point = geocoder.geocode(address, job_id=job_id)
        except GeoError as error:
            result.failures[job_id] = f"Geocoding failed: {error}"
        else:
            if point is None:
                result.failures[job_id] = (
                    f"Not found by {geocoder.name}: {normalize_address(address)!r}"
                    " (an overrides file can place it by job id or address)."
                )
            else:
                result.points[job_id] = point
        if progress is not None:
            progress(done, len(items))
    result.unreachable = unreachable_providers(geocoder)
    return result
