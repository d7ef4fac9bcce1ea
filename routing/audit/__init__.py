"""After fulfillment: audit technicians against the appointment windows and Amazon's metrics.

Inputs are plain records: Services API jobs (fetched ones kept in a :class:`JobHistory`),
the seller's visit log (:mod:`~routing.audit.visitlog`), what routeplan sent
(:class:`SentRecord`) and saved plans. :func:`audit_jobs` counts the metrics
(:func:`audit_shards` does it on every core), :func:`build_report` shapes the JSON report,
:func:`csv_rows` and :func:`render_html` write the other forms. Never imported by ``solver``.
"""

from routing.audit.csv_out import Grouping, csv_rows
from routing.audit.engine import AppointmentAudit, Audit, AuditSettings, audit_jobs
from routing.audit.history import HistoryError, JobHistory, Refresh, default_history_path
from routing.audit.html_out import render_html
from routing.audit.inputs import PlanIndex, PlannedStop, SentRecord, sent_records
from routing.audit.metrics import (
    AMAZON_THRESHOLDS,
    HEADLINE_METRICS,
    Metric,
    Polarity,
    Rate,
    Tally,
    ThresholdError,
    crosses,
    parse_thresholds,
)
from routing.audit.report import AuditReport, build_report
from routing.audit.shards import JobShard, audit_shards
from routing.audit.visitlog import (
    RowProblem,
    VisitLog,
    VisitLogError,
    VisitOutcome,
    VisitRow,
    parse_visit_log,
    read_visit_log,
)
from routing.audit.zones import JobZones

__all__ = [
    "AMAZON_THRESHOLDS",
    "HEADLINE_METRICS",
    "AppointmentAudit",
    "Audit",
    "AuditReport",
    "AuditSettings",
    "Grouping",
    "HistoryError",
    "JobHistory",
    "JobShard",
    "JobZones",
    "Metric",
    "PlanIndex",
    "PlannedStop",
    "Polarity",
    "Rate",
    "Refresh",
    "RowProblem",
    "SentRecord",
    "Tally",
    "ThresholdError",
    "VisitLog",
    "VisitLogError",
    "VisitOutcome",
    "VisitRow",
    "audit_jobs",
    "audit_shards",
    "build_report",
    "crosses",
    "csv_rows",
    "default_history_path",
    "parse_thresholds",
    "parse_visit_log",
    "read_visit_log",
    "render_html",
    "sent_records",
]
