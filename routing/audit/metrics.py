"""The audit's metric names, which way each one is good, thresholds, and additive counts.

Every metric is a ratio of two whole numbers. Counts are kept per technician and local day
(:class:`Tally`) and summed for any coarser grouping (a technician, a day, a week, the whole
period), so a rate is never averaged from rates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum

from routing.errors import RoutingError

__all__ = [
    "AMAZON_THRESHOLDS",
    "HEADLINE_METRICS",
    "Metric",
    "Polarity",
    "Rate",
    "Tally",
    "ThresholdError",
    "crosses",
    "parse_thresholds",
]


class Polarity(Enum):
    """Which way a metric is good: a high ``FAULT`` rate is bad, a low ``GOOD`` rate is bad."""

    FAULT = "fault"
    GOOD = "good"
    INFO = "info"
    """Neither: early arrivals, utilisation, drive and duration ratios."""


class Metric(StrEnum):
    """The metric keys of the audit's JSON, exactly as issue #11 names them.

    A key with a dot is a part of the metric before the dot (same denominator): the
    reschedule's attribution and the fulfillment break's causes.
    """

    ON_TIME_ARRIVAL = "on_time_arrival"
    EARLY_ARRIVAL = "early_arrival"
    LATE_START = "late_start"
    LATE_COMPLETION = "late_completion"
    COMPLETION_IN_WINDOW = "completion_in_window"
    TECHNICIAN_NO_SHOW = "technician_no_show"
    CUSTOMER_NO_SHOW = "customer_no_show"
    RESCHEDULE = "reschedule"
    RESCHEDULE_PROVIDER = "reschedule.provider"
    RESCHEDULE_UNATTRIBUTED = "reschedule.unattributed"
    CANCELLATION_AFTER_ASSIGNMENT = "cancellation_after_assignment"
    FULFILLMENT_BREAK = "fulfillment_break"
    BREAK_RESCHEDULED = "fulfillment_break.rescheduled"
    BREAK_CANCELLED = "fulfillment_break.cancelled"
    BREAK_SEVERAL_APPOINTMENTS = "fulfillment_break.several_appointments"
    BREAK_LATE_COMPLETION = "fulfillment_break.late_completion"
    BREAK_INCOMPLETE_FIRST_VISIT = "fulfillment_break.incomplete_first_visit"
    FIRST_VISIT_COMPLETION = "first_visit_completion"
    ETA_ACCURACY = "eta_accuracy"
    SCHEDULE_ADHERENCE = "schedule_adherence"
    UTILISATION = "utilisation"
    """On-site minutes ÷ shift minutes of the technician-days with a known shift."""
    PLANNED_DRIVE_PER_JOB = "planned_drive_per_job"
    """Planned drive minutes ÷ planned jobs: minutes per job, not a fraction."""
    DURATION_RATIO = "duration_ratio"
    """Actual ÷ planned service minutes, summed (median and P90 per skill come apart)."""

    @property
    def polarity(self) -> Polarity:
        return _POLARITY.get(self, Polarity.FAULT)


_POLARITY = {
    Metric.ON_TIME_ARRIVAL: Polarity.GOOD,
    Metric.COMPLETION_IN_WINDOW: Polarity.GOOD,
    Metric.FIRST_VISIT_COMPLETION: Polarity.GOOD,
    Metric.ETA_ACCURACY: Polarity.GOOD,
    Metric.SCHEDULE_ADHERENCE: Polarity.GOOD,
    Metric.EARLY_ARRIVAL: Polarity.INFO,
    Metric.UTILISATION: Polarity.INFO,
    Metric.PLANNED_DRIVE_PER_JOB: Polarity.INFO,
    Metric.DURATION_RATIO: Polarity.INFO,
}

AMAZON_THRESHOLDS: Mapping[Metric, float] = {
    Metric.LATE_START: 0.10,
    Metric.LATE_COMPLETION: 0.02,
    Metric.CANCELLATION_AFTER_ASSIGNMENT: 0.05,
    Metric.RESCHEDULE: 0.10,
}
"""Seller Central "Service Level Requirements and Metrics": alert above these rates."""

HEADLINE_METRICS = (
    Metric.LATE_START,
    Metric.LATE_COMPLETION,
    Metric.CANCELLATION_AFTER_ASSIGNMENT,
    Metric.RESCHEDULE,
    Metric.ON_TIME_ARRIVAL,
    Metric.TECHNICIAN_NO_SHOW,
    Metric.FULFILLMENT_BREAK,
)
"""The columns of a per-technician table: Amazon's four, then the guide's."""


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        """``None`` when nothing was counted: a rate of nothing is not zero."""
        return self.numerator / self.denominator if self.denominator else None


def crosses(metric: Metric, rate: float | None, threshold: float | None) -> bool:
    """Whether ``rate`` is worse than ``threshold``: above it for faults, below it otherwise."""
    if rate is None or threshold is None:
        return False
    return rate < threshold if metric.polarity is Polarity.GOOD else rate > threshold


class Tally:
    """Numerators and denominators per metric; additive."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts: dict[Metric, list[int]] = {}

    def count(self, metric: Metric, hit: bool) -> None:
        """One more in the denominator, and in the numerator when ``hit``."""
        counts = self._counts.get(metric)
        if counts is None:
            counts = self._counts[metric] = [0, 0]
        counts[0] += hit
        counts[1] += 1

    def add(self, metric: Metric, numerator: int, denominator: int) -> None:
        counts = self._counts.setdefault(metric, [0, 0])
        counts[0] += numerator
        counts[1] += denominator

    def merge(self, other: Tally) -> None:
        mine = self._counts
        for metric, (numerator, denominator) in other._counts.items():
            counts = mine.get(metric)
            if counts is None:
                mine[metric] = [numerator, denominator]
            else:
                counts[0] += numerator
                counts[1] += denominator

    def rate(self, metric: Metric) -> Rate:
        numerator, denominator = self._counts.get(metric, (0, 0))
        return Rate(numerator, denominator)

    def rates(self) -> dict[Metric, Rate]:
        """Every metric, in the order of :class:`Metric`, zeros included."""
        return {metric: self.rate(metric) for metric in Metric}

    @classmethod
    def total(cls, tallies: Iterable[Tally]) -> Tally:
        result = cls()
        for tally in tallies:
            result.merge(tally)
        return result


class ThresholdError(RoutingError):
    """A ``--fail-on`` text that cannot be read."""


_THRESHOLD = re.compile(r"^\s*([a-z_.]+)\s*([<>])\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


def parse_thresholds(text: str) -> dict[Metric, float]:
    """``"late_start>10%,on_time_arrival<90%"`` -> ``{LATE_START: 0.1, ON_TIME_ARRIVAL: 0.9}``.

    A fault metric takes ``>``, a good one ``<``; a number without ``%`` is a fraction.
    """
    thresholds: dict[Metric, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _THRESHOLD.match(part)
        if match is None:
            raise ThresholdError(f"cannot read threshold {part!r}: write e.g. late_start>10%")
        name, operator, number, percent = match.groups()
        try:
            metric = Metric(name)
        except ValueError:
            known = ", ".join(m.value for m in Metric)
            raise ThresholdError(f"unknown metric {name!r} (known: {known})") from None
        expected = "<" if metric.polarity is Polarity.GOOD else ">"
        if metric.polarity is Polarity.INFO or operator != expected:
            raise ThresholdError(
                f"{name} cannot take '{operator}': "
                + ("it is informational" if metric.polarity is Polarity.INFO
                   else f"write {name}{expected}{number}{percent}")
            )
        thresholds[metric] = float(number) / 100 if percent else float(number)
    return thresholds
