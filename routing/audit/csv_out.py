"""The audit as CSV: one row per group and metric, grouped by technician, day or week."""

from __future__ import annotations

from enum import StrEnum

from routing.audit.metrics import crosses
from routing.audit.report import AuditReport, Metrics, weekly

__all__ = ["COLUMNS", "Grouping", "csv_rows"]

COLUMNS = ("group", "name", "metric", "numerator", "denominator", "rate", "threshold", "alert")


class Grouping(StrEnum):
    TECHNICIAN = "technician"
    DAY = "day"
    WEEK = "week"


def csv_rows(report: AuditReport, by: Grouping) -> list[dict[str, str]]:
    """The report's rates, one row (keys :data:`COLUMNS`) per group and metric.

    Write them with :func:`routing.export.common.write_csv_table`, which makes every cell
    safe from spreadsheet formulas.
    """
    groups: list[tuple[str, str, Metrics]]
    if by is Grouping.TECHNICIAN:
        groups = [(t.technician_id, t.name or "", t.metrics) for t in report.technicians]
    elif by is Grouping.DAY:
        groups = [(d.date.isoformat(), "", d.metrics) for d in report.days]
    else:
        groups = [(week, "", metrics) for week, metrics in weekly(report).items()]
    rows = []
    for group, name, metrics in groups:
        for metric, value in metrics.items():
            threshold = report.thresholds.get(metric)
            cells = (
                group, name, metric.value, str(value.numerator), str(value.denominator),
                "" if value.rate is None else f"{value.rate:.4f}",
                "" if threshold is None else f"{threshold:g}",
                "yes" if crosses(metric, value.rate, threshold) else "",
            )
            rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows
