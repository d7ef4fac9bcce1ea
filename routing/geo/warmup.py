"""What ``routeplan geocode`` runs: geocode a day's jobs (warming the cache) and summarise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.geo.batch import BatchProgress, geocode_batch
from routing.geo.point import AddressLike, Geocoder, Precision

__all__ = ["WarmupReport", "format_report", "warm_cache"]


@dataclass
class WarmupReport:
    """How many jobs were placed, at which precision and by which source, and which failed."""

    total: int
    by_precision: Counter[Precision] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)  # job id -> reason sentence
    unreachable: dict[str, str] = field(default_factory=dict)  # provider -> why given up on

    @property
    def found(self) -> int:
        return self.total - len(self.failures)


def warm_cache(
    geocoder: Geocoder,
    items: Sequence[tuple[str, AddressLike]],
    *,
    progress: BatchProgress | None = None,
) -> WarmupReport:
    """Geocode ``(job id, address)`` pairs through ``geocoder`` (and so fill its cache)."""
    batch = geocode_batch(geocoder, items, progress=progress)
    return WarmupReport(
        total=len(items),
        by_precision=Counter(point.precision for point in batch.points.values()),
        by_source=Counter(point.source for point in batch.points.values()),
        failures=batch.failures,
        unreachable=batch.unreachable,
    )


def format_report(report: WarmupReport) -> str:
    """A plain-text summary for the terminal: counts per precision and source, then failures."""
    lines = [f"Geocoded {report.found} of {report.total} jobs."]
    if report.found:
        lines.append("By precision:")
        lines += [
            f"  {precision.value:<12} {report.by_precision[precision]:>6}"
            for precision in Precision
            if report.by_precision[precision]
        ]
        lines.append("By source:")
        lines += [f"  {source:<12} {count:>6}" for source, count in report.by_source.most_common()]
    if report.failures:
        lines.append(f"Not geocoded ({len(report.failures)}):")
        lines += [f"  {job_id}: {reason}" for job_id, reason in sorted(report.failures.items())]
    return "\n".join(lines)
