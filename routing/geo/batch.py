"""Geocoding a day's addresses at once: one failure never stops the others."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import Progress

from routing.geo.errors import GeoError
from routing.geo.point import AddressLike, Geocoder, GeoPoint, normalize_address


@dataclass
class BatchResult:
    """Points by job id, and for every job without one, a sentence saying why."""

    points: dict[str, GeoPoint] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def geocode_batch(
    geocoder: Geocoder,
    items: Sequence[tuple[str, AddressLike]],
    *,
    progress: bool = False,
) -> BatchResult:
    """Geocode ``(job id, address)`` pairs; the progress bar, when asked, goes to stderr and
    only if that is a terminal (so never into cron mail or piped output)."""
    result = BatchResult()
    show = progress and sys.stderr.isatty()
    with Progress(console=Console(stderr=True), disable=not show, transient=True) as bar:
        task = bar.add_task("Geocoding", total=len(items))
        for job_id, address in items:
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
            bar.advance(task)
    return result
