"""The audit as one self-contained HTML page: no script, no CDN, nothing fetched.

Built from text by :func:`el`, which escapes every value that is not already
:class:`Markup`; the only markup not built here is matplotlib's SVG (text drawn as paths).
The page is also well-formed XML, which the tests check.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime

from routing.audit.metrics import HEADLINE_METRICS, Metric, crosses
from routing.audit.report import AuditReport, Metrics, RateValue

__all__ = ["Markup", "el", "render_html"]

FINDINGS_SHOWN = 2000
"""Rows of the findings table; the JSON and CSV have them all."""

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.alert { background: #fde2e1; color: #a40000; font-weight: bold; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
"""


class Markup(str):
    """Text that is already HTML: :func:`el` does not escape it again."""


def el(tag: str, *children: str | None, **attributes: str) -> Markup:
    """``<tag attr="...">children</tag>``; plain-string children and attributes escaped.

    ``class_`` gives the ``class`` attribute; ``None`` children are skipped.
    """
    attrs = "".join(
        f' {name.rstrip("_")}="{html.escape(value, quote=True)}"'
        for name, value in attributes.items()
    )
    inner = "".join(
        child if isinstance(child, Markup) else html.escape(child)
        for child in children
        if child is not None
    )
    return Markup(f"<{tag}{attrs}>{inner}</{tag}>")


def render_html(report: AuditReport) -> str:
    # here, not at the top: matplotlib takes half a second to import, and most audits
    # write no HTML
    from routing.audit.charts import technician_chart, weekly_chart

    period = report.period
    title = f"Technician audit {period.from_} to {period.to}"
    body = [
        el("h1", title),
        el("p", f"Times in {period.timezone}. Rates are numerator / denominator; "
                "a red cell is worse than its threshold (Amazon's by default)."),
        el("h2", "Overall"),
        _overall_table(report),
        el("h2", "Technicians, worst first"),
        _technician_table(report),
        _figure(technician_chart(report), "Rates per technician against the thresholds"),
        el("h2", "Weekly trend"),
        _figure(weekly_chart(report), "Rates per ISO week"),
        el("h2", "Findings"),
        _findings_table(report),
    ]
    head = el("head", Markup('<meta charset="utf-8"/>'), el("title", title), el("style", _STYLE))
    return "<!DOCTYPE html>\n" + el("html", head, el("body", *body), lang="en") + "\n"


def _figure(svg: str, caption: str) -> Markup:
    return el("figure", Markup(svg), el("figcaption", caption))


def _rate_cell(metric: Metric, value: RateValue, threshold: float | None) -> Markup:
    text = "–" if value.rate is None else f"{100 * value.rate:.1f} %"
    shown = f"{text} ({value.numerator}/{value.denominator})"
    alert = crosses(metric, value.rate, threshold)
    return el("td", shown, class_="num alert" if alert else "num")


def _overall_table(report: AuditReport) -> Markup:
    rows = [el("tr", el("th", "metric"), el("th", "rate"), el("th", "threshold"))]
    for metric, value in report.overall.items():
        threshold = report.thresholds.get(metric)
        rows.append(el(
            "tr", el("td", metric.value), _rate_cell(metric, value, threshold),
            el("td", "" if threshold is None else f"{100 * threshold:g} %", class_="num"),
        ))
    return el("table", *rows)


def _technician_table(report: AuditReport) -> Markup:
    header = el("tr", el("th", "technician"), el("th", "name"),
                *(el("th", m.value) for m in HEADLINE_METRICS))
    rows = [
        el("tr", el("td", t.technician_id), el("td", t.name or ""),
           *_rate_cells(report, t.metrics))
        for t in report.technicians
    ]
    return el("table", header, *rows)


def _rate_cells(report: AuditReport, metrics: Metrics) -> Iterable[Markup]:
    return (_rate_cell(m, metrics[m], report.thresholds.get(m)) for m in HEADLINE_METRICS)


def _findings_table(report: AuditReport) -> Markup:
    found = [a for a in report.appointments if a.findings]
    header = el("tr", *(el("th", name) for name in (
        "job", "appointment", "technician", "window", "arrived", "finished", "findings")))
    rows = [
        el("tr", el("td", a.service_job_id), el("td", a.appointment_id or ""),
           el("td", a.technician_id or ""),
           el("td", f"{_time(a.window_start)} – {_time(a.window_end)}"),
           el("td", _time(a.arrived_at)), el("td", _time(a.finished_at)),
           el("td", ", ".join(f.value for f in a.findings)))
        for a in found[:FINDINGS_SHOWN]
    ]
    more = len(found) - FINDINGS_SHOWN
    note = el("p", f"{more} more findings are in the JSON and CSV output.") if more > 0 else None
    return Markup(el("p", f"{len(found)} appointments with findings.") + el("table", header, *rows)
                  + (note or ""))


def _time(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")
