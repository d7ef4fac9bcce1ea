"""The audit report: the JSON shape of issue #11, its committed schema, and its building.

The JSON form is a public contract like the plan's: its schema is committed as
``routing/audit/audit.schema.json`` and a test keeps the two in sync. Regenerate it after
a deliberate change with ``python3 -m routing.audit.report > routing/audit/audit.schema.json``.

Rates are fractions (0.1 is 10 %), ``null`` when the denominator is 0; thresholds too.
Times are in the period's timezone, with their offset.

``appointments`` lists every appointment audited, ``findings: []`` for a clean one: the
issue's shape puts the findings inside each appointment rather than filtering the list, a
reader checking a rate needs its denominator's appointments too, and leaving the clean
ones out would not make a large audit fast (most time goes to reading the jobs). The
terminal's ``--details`` and the HTML page show only those with findings.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, with_config

from routing.audit.engine import Audit
from routing.audit.heap import without_cycle_collection
from routing.audit.metrics import Metric, Polarity, Rate, Tally, crosses

__all__ = [
    "AppointmentFindings",
    "AuditReport",
    "DayMetrics",
    "DurationRatio",
    "Period",
    "RateValue",
    "TechnicianMetrics",
    "build_report",
    "schema_text",
    "weekly",
]


class _ReportModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class RateValue(_ReportModel):
    numerator: int
    denominator: int
    rate: float | None = Field(description="numerator / denominator; null when it is 0")


Metrics = dict[Metric, RateValue]


class Period(_ReportModel):
    from_: dt.date = Field(alias="from")
    to: dt.date = Field(description="last day audited, included")
    timezone: str


class TechnicianMetrics(_ReportModel):
    technician_id: str
    name: str | None
    metrics: Metrics


class DayMetrics(_ReportModel):
    date: dt.date
    metrics: Metrics


# A plain dataclass, not a model: a report lists every appointment audited (100,000 in the
# benchmark), and pydantic builds a model about ten times slower, validated or not; pydantic
# still validates, serialises and describes this one like a model.
@with_config(ConfigDict(extra="forbid"))
@dataclass(slots=True)
class AppointmentFindings:
    """One audited appointment and the metrics it fails."""

    service_job_id: str
    appointment_id: str | None
    technician_id: str | None
    window_start: AwareDatetime
    window_end: AwareDatetime
    arrived_at: AwareDatetime | None
    finished_at: AwareDatetime | None
    findings: Annotated[list[Metric], Field(description="the metrics this appointment fails")]


class DurationRatio(_ReportModel):
    """Actual ÷ planned service minutes of one skill's completed appointments."""

    skill: str
    samples: int
    median: float
    p90: float


class AuditReport(_ReportModel):
    period: Period
    thresholds: dict[Metric, float]
    overall: Metrics
    technicians: list[TechnicianMetrics] = Field(description="worst first")
    days: list[DayMetrics]
    appointments: list[AppointmentFindings]
    duration_ratio_by_skill: list[DurationRatio] = []

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        schema = cls.model_json_schema(mode="serialization", by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        return schema

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True)

    def alerts(self, metrics: Metrics) -> list[Metric]:
        """The metrics whose rate is worse than its threshold."""
        return [
            metric
            for metric, threshold in self.thresholds.items()
            if metric in metrics and crosses(metric, metrics[metric].rate, threshold)
        ]


def build_report(audit: Audit) -> AuditReport:
    with without_cycle_collection():
        return _build_report(audit)


def _build_report(audit: Audit) -> AuditReport:
    settings = audit.settings
    zone = settings.timezone
    days = audit.by_day()
    technicians = [
        TechnicianMetrics(
            technician_id=technician, name=audit.names.get(technician), metrics=_metrics(tally)
        )
        for technician, tally in audit.by_technician().items()
    ]
    report = AuditReport(
        period=Period(from_=settings.start, to=settings.end, timezone=str(zone.key)),
        thresholds=dict(settings.thresholds),
        overall=_metrics(Tally.total(days.values())),
        technicians=technicians,
        days=[DayMetrics(date=day, metrics=_metrics(t)) for day, t in days.items()],
        appointments=[
            AppointmentFindings(  # their times are in the period's timezone already
                a.service_job_id, a.appointment_id, a.technician_id, a.window.start,
                a.window.end, a.arrived_at, a.finished_at, a.findings,
            )
            for a in audit.appointments
        ],
        duration_ratio_by_skill=[
            DurationRatio(
                skill=skill, samples=len(ratios), median=round(statistics.median(ratios), 3),
                p90=round(_percentile(ratios, 0.9), 3),
            )
            for skill, ratios in sorted(audit.duration_samples.items())
        ],
    )
    worst_first = sorted(report.technicians, key=lambda t: _badness(report, t))
    return report.model_copy(update={"technicians": worst_first})


def weekly(report: AuditReport) -> dict[str, Metrics]:
    """The days' counts summed per ISO week (``2026-W10``); rates recomputed, not averaged."""
    sums: dict[str, dict[Metric, list[int]]] = {}
    for day in report.days:
        week = "{}-W{:02d}".format(*day.date.isocalendar()[:2])
        counts = sums.setdefault(week, {})
        for metric, value in day.metrics.items():
            total = counts.setdefault(metric, [0, 0])
            total[0] += value.numerator
            total[1] += value.denominator
    return {
        week: {m: _rate_value(Rate(n, d)) for m, (n, d) in counts.items()}
        for week, counts in sums.items()
    }


def _rate_value(rate: Rate) -> RateValue:
    return RateValue.model_construct(
        numerator=rate.numerator, denominator=rate.denominator, rate=rate.rate
    )


def _metrics(tally: Tally) -> Metrics:
    return {metric: _rate_value(rate) for metric, rate in tally.rates().items()}


def _badness(report: AuditReport, technician: TechnicianMetrics) -> tuple[int, float, str]:
    """Sort key: more alerts first, then the higher sum of thresholded fault rates."""
    metrics = technician.metrics
    faults = sum(
        metrics[m].rate or 0.0 for m in report.thresholds if m.polarity is Polarity.FAULT
    )
    return -len(report.alerts(metrics)), -faults, technician.technician_id


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (a value that occurred)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * fraction)) - 1]


def schema_text() -> str:
    """The committed schema file's exact content."""
    return json.dumps(AuditReport.json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
