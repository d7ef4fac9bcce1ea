"""The HTML report's charts, drawn by matplotlib as inline SVG (no pyplot, no display).

Text is drawn as paths, so a label can neither inject markup nor depend on fonts of the
reader's machine; ``$`` is escaped so that matplotlib does not read a name as mathtext.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import matplotlib
from matplotlib.figure import Figure

from routing.audit.metrics import Metric
from routing.audit.report import AuditReport, weekly

__all__ = ["technician_chart", "technician_labels", "weekly_chart"]

_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
"""The XML declaration and DOCTYPE matplotlib writes before ``<svg``: not for inline use."""


def technician_chart(report: AuditReport) -> str:
    """Per technician, a bar per thresholded metric, the threshold a dashed line."""
    metrics = list(report.thresholds)
    names = [_label(label) for label in technician_labels(report)]
    figure = Figure(figsize=(8, 0.6 + 0.45 * max(1, len(names)) * max(1, len(metrics)) / 2))
    axes = figure.add_subplot()
    height = 0.8 / max(1, len(metrics))
    for offset, metric in enumerate(metrics):
        rates = [100 * (t.metrics[metric].rate or 0.0) for t in report.technicians]
        positions = [row + offset * height for row in range(len(names))]
        color = f"C{offset}"
        axes.barh(positions, rates, height=height, color=color, label=_label(metric.value))
        axes.axvline(100 * report.thresholds[metric], color=color, linestyle="--", linewidth=1)
    axes.set_yticks([row + 0.4 - height / 2 for row in range(len(names))], names)
    axes.invert_yaxis()
    axes.set_xlabel("% (dashed: Amazon's threshold)")
    axes.legend(loc="lower right", fontsize="small")
    return _svg(figure)


def technician_labels(report: AuditReport) -> list[str]:
    """The chart's row labels: each technician's name (a dispatcher knows the crew by name),
    with the id beside a name that is missing or that two technicians share."""
    counts = Counter(t.name for t in report.technicians)
    return [
        t.name if t.name and counts[t.name] == 1
        else f"{t.name} ({t.technician_id})" if t.name else t.technician_id
        for t in report.technicians
    ]


def weekly_chart(report: AuditReport) -> str:
    """Each thresholded metric per ISO week, with on-time arrival for context."""
    weeks = weekly(report)
    labels = list(weeks)
    figure = Figure(figsize=(8, 3.2))
    axes = figure.add_subplot()
    for metric in (*report.thresholds, Metric.ON_TIME_ARRIVAL):
        values = [weeks[w][metric].rate for w in labels]
        points = [100 * v if v is not None else float("nan") for v in values]
        axes.plot(labels, points, marker="o", label=_label(metric.value))
    axes.set_ylabel("%")
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper left", fontsize="small", ncol=3)
    return _svg(figure)


def _label(text: str) -> str:
    return text.replace("$", r"\$")


def _svg(figure: Figure) -> str:
    figure.tight_layout()
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "routeplan-audit"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _PROLOGUE.sub("", buffer.getvalue(), count=1)
