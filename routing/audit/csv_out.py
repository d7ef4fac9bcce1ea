"""The audit as CSV: one row per group and metric, grouped by technician, day or week."""

from __future__ import annotations

import csv
import io
import re
from enum import StrEnum

from routing.audit.metrics import crosses
from routing.audit.report import AuditReport, Metrics, weekly

__all__ = ["Grouping", "csv_cell", "csv_text"]

COLUMNS = ("group", "name", "metric", "numerator", "denominator", "rate", "threshold", "alert")


class Grouping(StrEnum):
    TECHNICIAN = "technician"
    DAY = "day"
    WEEK = "week"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_cell(value: str) -> str:
    """``value`` as a cell no spreadsheet runs as a formula (OWASP "CSV Injection").

    A cell starting with ``= + - @``, a tab or a CR gets a leading single quote, except a
    plain decimal number, which cannot be a formula.
    """
    if value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(report: AuditReport, by: Grouping) -> str:
    """The report's rates per group as CSV text (``\\r\\n`` line ends), every cell safe."""
    groups: list[tuple[str, str, Metrics]]
    if by is Grouping.TECHNICIAN:
        groups = [(t.technician_id, t.name or "", t.metrics) for t in report.technicians]
    elif by is Grouping.DAY:
        groups = [(d.date.isoformat(), "", d.metrics) for d in report.days]
    else:
        groups = [(week, "", metrics) for week, metrics in weekly(report).items()]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for group, name, metrics in groups:
        for metric, value in metrics.items():
            threshold = report.thresholds.get(metric)
            alert = crosses(metric, value.rate, threshold)
            row = (
                group, name, metric.value, str(value.numerator), str(value.denominator),
                "" if value.rate is None else f"{value.rate:.4f}",
                "" if threshold is None else f"{threshold:g}",
                "yes" if alert else "",
            )
            writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
