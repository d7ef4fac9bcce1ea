"""routeplan audit: technicians against the appointment windows and Amazon's metrics.

The period's local dates are in the one timezone every command uses (``day_timezone``:
``--timezone``, else the roster's, else the emulator's example roster's, else UTC); a job
whose address can be placed is audited in its own timezone.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from routing.audit import (
    AMAZON_THRESHOLDS,
    HEADLINE_METRICS,
    AuditReport,
    AuditSettings,
    Grouping,
    Metric,
    SentRecord,
    ThresholdError,
    VisitLog,
    audit_jobs,
    audit_shards,
    build_report,
    crosses,
    csv_rows,
    parse_thresholds,
    read_visit_log,
    render_html,
    sent_records,
)
from routing.audit.csv_out import COLUMNS
from routing.audit.heap import without_cycle_collection
from routing.audit.history import JobHistory, default_history_path
from routing.cli.common import (
    day_timezone,
    job_source,
    parse_day,
    positive_int,
    settings_from,
    zone,
)
from routing.cli.exits import THRESHOLD_CROSSED
from routing.cli.tables import stdout_console
from routing.errors import RoutingError
from routing.export.common import write_csv_table, write_text
from routing.plan import Plan
from routing.roster import load_roster
from routing.sources import FileSource, SpApiSource
from routing.visits import day_bounds
from routing.writeback import Journal

EXAMPLES_TEXT = """\
examples (from the repository's root; a threshold crossed exits 12):
  routeplan audit --from 2026-11-27 --to 2026-12-01 --source examples/jobs.json \\
      --roster examples/roster.yaml --details
  routeplan audit --from 2026-11-27 --to 2026-12-01 --source emulator --json audit.json
  routeplan audit --from 2026-11-02 --to 2026-11-29 --source emulator \\
      --visits examples/visits.csv --html report.html          # the example month
  routeplan audit --from 2026-11-27 --to 2026-12-01 --source examples/jobs.json \\
      --roster examples/roster.yaml --html audit.html \\
      --fail-on 'late_start>10%,technician_no_show>70%'
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "audit", help="audit technicians: on-time arrival, late starts, no-shows, breaks",
        description=__doc__, epilog=EXAMPLES_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="start", type=parse_day, required=True, metavar="D",
                        help="first local date audited (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", type=parse_day, required=True, metavar="D",
                        help="last local date audited, included")
    parser.add_argument("--source", required=True, metavar="SOURCE",
                        help="spapi, sandbox, emulator (fetched into the --history store), or "
                             "saved service jobs (any shape `routeplan plan --source` reads)")
    parser.add_argument("--history", type=Path, metavar="FILE",
                        help="SQLite store of the jobs fetched so far, so that the next audit "
                             f"fetches only newer updates (default: {default_history_path()})")
    parser.add_argument("--seller", metavar="NAME",
                        help="whose history this is, when one store serves several sellers "
                             "(default: the --source name)")
    parser.add_argument("--lookback", type=int, default=90, metavar="DAYS",
                        help="fetch jobs last updated from this many days before --from "
                             "(default: 90)")
    parser.add_argument("--marketplace-id", help="Amazon marketplace id (default: US)")
    parser.add_argument("--config", type=Path, metavar="FILE", help="a routeplan.toml")
    parser.add_argument("--visits", type=Path, metavar="FILE",
                        help="the technician app's visit log, CSV or JSON lines")
    parser.add_argument("--plans", type=Path, nargs="+", default=[], metavar="FILE",
                        help="saved plans, for planned arrival, drive and shift")
    parser.add_argument("--journal", type=Path, nargs="+", default=[], metavar="FILE",
                        help="write-back journals (plan.json.journal.sqlite, written by `assign`): "
                             "the technicians and arrival estimates Amazon took")
    parser.add_argument("--roster", type=Path, metavar="FILE", help="gives the timezone")
    parser.add_argument("--timezone", type=zone, metavar="TZ",
                        help="for jobs whose address cannot be placed (default: the "
                             "roster's, else for --source emulator the example roster's, "
                             "else UTC)")
    parser.add_argument("--fail-on", type=_thresholds, metavar="RULES",
                        help="e.g. 'late_start>10%%,on_time_arrival<90%%': these replace "
                             f"Amazon's thresholds, and crossing one exits {THRESHOLD_CROSSED}")
    parser.add_argument("--by", type=Grouping, choices=list(Grouping),
                        default=Grouping.TECHNICIAN, help="grouping of the --csv rows")
    parser.add_argument("--details", action="store_true",
                        help="list the appointments behind each finding")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write rates as CSV")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the HTML report")
    parser.add_argument("--workers", type=positive_int, metavar="N",
                        help="processes sharing the jobs, from 10,000 jobs on (default: one "
                             "per core; 1 = this process alone)")
    parser.set_defaults(run=run)


def _sent(paths: list[Path]) -> list[SentRecord]:
    for path in paths:
        if not path.is_file():
            raise RoutingError(f"--journal {path}: no such file")
    journals = [Journal(path) for path in paths]
    try:
        return sent_records(journals)
    finally:
        for journal in journals:
            journal.close()


def _thresholds(text: str) -> dict[Metric, float]:
    try:
        return parse_thresholds(text)
    except ThresholdError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    if args.end < args.start:
        raise RoutingError(f"--to {args.end} is before --from {args.start}")
    tz = day_timezone(args, load_roster(args.roster) if args.roster else None).tz
    settings = AuditSettings(
        start=args.start, end=args.end, timezone=tz,
        thresholds=args.fail_on if args.fail_on is not None else dict(AMAZON_THRESHOLDS),
    )
    log = read_visit_log(args.visits) if args.visits is not None else VisitLog([], [])
    for row_problem in log.problems:
        print(f"routeplan: warning: {args.visits}: {row_problem} (row left out)", file=sys.stderr)
    plans = [_plan(p) for p in args.plans]
    sent, cores = _sent(args.journal), args.workers or os.cpu_count() or 1
    audit_all = partial(audit_shards, settings=settings, visits=log.rows, plans=plans, sent=sent)
    # the jobs are read one at a time (never all at once), shared among the cores; reading
    # them builds a record per line and job: no cycle collection while they pile up
    with job_source(args, settings_from(args)) as source, without_cycle_collection():
        if isinstance(source, FileSource):
            shards = source.shards(cores)
            audit = audit_all(shards)
            source.collect(shards)
        elif isinstance(source, SpApiSource):
            audit = audit_all(_from_history(args, source, tz).shards(cores))
        else:
            audit = audit_jobs(source.fetch(args.start, tz), settings, visits=log.rows,
                               plans=plans, sent=sent)
    for problem in audit.problems:
        print(f"routeplan: warning: {problem}", file=sys.stderr)
    report = build_report(audit)
    _print(report, args.details)
    if args.json is not None:
        write_text(args.json, report.to_json() + "\n")
    if args.csv is not None:
        write_csv_table(args.csv, COLUMNS, csv_rows(report, args.by))
    if args.html is not None:
        write_text(args.html, render_html(report))
    crossed = report.alerts(report.overall)
    if args.fail_on is not None and crossed:
        names = ", ".join(metric.value for metric in crossed)
        print(f"routeplan: threshold crossed: {names}", file=sys.stderr)
        return THRESHOLD_CROSSED
    return 0


def _from_history(args: argparse.Namespace, source: SpApiSource, tz: ZoneInfo) -> JobHistory:
    """The history store, after fetching what it lacks (updates since ``--lookback`` days
    before the period, up to now)."""
    history = JobHistory(args.history or default_history_path(),
                         seller=args.seller or args.source, marketplace_id=source.marketplace_id)
    since = day_bounds(args.start, tz).start - timedelta(days=args.lookback)
    refresh = history.refresh(source.client, since, datetime.now(UTC))
    for problem in refresh.rejected:
        print(f"routeplan: warning: {problem} (not stored)", file=sys.stderr)
    asked = "; ".join(f"{w.start:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC"
                      for w in refresh.windows) or "nothing new"
    print(f"history {history.path}: fetched {refresh.jobs} jobs updated {asked}",
          file=sys.stderr)
    return history


def _plan(path: Path) -> Plan:
    try:
        return Plan.from_json(path.read_bytes())
    except ValidationError as exc:
        raise RoutingError(f"{path}: not a routeplan plan ({exc.error_count()} errors)") from None


def _print(report: AuditReport, details: bool) -> None:
    console = stdout_console("table")
    table = Table(title=f"Audit {report.period.from_} to {report.period.to} "
                        f"({report.period.timezone}), worst first; ! = threshold crossed")
    table.add_column("technician")
    for metric in HEADLINE_METRICS:
        table.add_column(metric.value, justify="right")
    rows = [("(all)", report.overall)] + [
        (t.name or t.technician_id, t.metrics) for t in report.technicians
    ]
    for label, metrics in rows:
        cells = []
        for metric in HEADLINE_METRICS:
            value = metrics[metric]
            shown = "–" if value.rate is None else f"{100 * value.rate:.1f}%"
            mark = "!" if crosses(metric, value.rate, report.thresholds.get(metric)) else ""
            cells.append(f"{mark}{shown} ({value.numerator}/{value.denominator})")
        table.add_row(escape(label), *cells)
    console.print(table, highlight=False)
    if details:
        for a in report.appointments:
            if a.findings:
                console.print(escape(
                    f"{a.service_job_id} {a.appointment_id or '-'} {a.technician_id or '-'} "
                    f"{a.window_start:%Y-%m-%d %H:%M}: {', '.join(f.value for f in a.findings)}"
                ), highlight=False)
