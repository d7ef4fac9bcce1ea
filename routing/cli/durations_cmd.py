"""routeplan durations learn: planning durations from the time technicians really spent."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.table import Table

from routing.audit.visitlog import VisitRow, read_visit_log
from routing.cli.common import job_source, positive_int, settings_from
from routing.cli.tables import stdout_console
from routing.durations import DurationTable, load_durations
from routing.durations_learn import (
    DEFAULT_MIN_SAMPLES,
    DEFAULT_PERCENTILE,
    Learned,
    learn_durations,
    samples_from_visits,
    to_yaml,
)
from routing.errors import RoutingError
from routing.export.common import write_text
from routing.sources import FileSource, SpApiSource
from routing.spapi import JobQuery
from routing.spapi.models import ServiceJob

EXAMPLES_TEXT = """\
examples:
  routeplan durations learn --visits examples/visits.csv --jobs examples/history.json \\
      --durations examples/durations.yaml --out durations.yaml
  routeplan durations learn --visits visits.csv --source spapi --durations durations.yaml \\
      --out durations.learned.yaml --percentile 80 --min-samples 10 --json
  routeplan plan --date tomorrow --roster roster.yaml --durations durations.learned.yaml

A skill or ASIN with fewer than --min-samples completed visits keeps its old value; the
default duration is always kept. With --source, the jobs are those created from 90 days
before the first visit on.
"""
#: How far before the first visit ``--source`` looks for the visits' jobs (by creation).
JOB_LOOKBACK = timedelta(days=90)
#: Bad visit-log rows named one by one; the rest are counted.
MAX_ROW_WARNINGS = 20


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "durations", help="learn planning durations from the visit log",
        description="Service durations: the table the planner reads (routing/durations.py).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    learn = actions.add_parser(
        "learn", help="a durations file from actual time on site",
        description=__doc__, epilog=EXAMPLES_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    learn.add_argument("--visits", type=Path, required=True, metavar="FILE",
                       help="the technician app's visit log, CSV or JSON lines")
    jobs = learn.add_mutually_exclusive_group(required=True)
    jobs.add_argument("--jobs", type=Path, metavar="FILE",
                      help="the visits' service jobs, saved (any shape `plan --source` reads)")
    jobs.add_argument("--source", metavar="SOURCE",
                      help="or fetch them: spapi, sandbox or emulator")
    learn.add_argument("--durations", type=Path, metavar="FILE",
                       help="the table now used, whose values are kept when there are too "
                            "few visits (default: the built-in table)")
    learn.add_argument("--out", type=Path, required=True, metavar="FILE",
                       help="where to write the learned table (YAML)")
    learn.add_argument("--force", action="store_true",
                       help="allow --out to replace the --durations file")
    learn.add_argument("--percentile", type=_percentile, default=DEFAULT_PERCENTILE,
                       metavar="P", help="planning duration = this percentile of the "
                                         f"visits' time on site (default {DEFAULT_PERCENTILE:g})")
    learn.add_argument("--min-samples", type=positive_int, default=DEFAULT_MIN_SAMPLES,
                       metavar="N", help="visits needed to change a value "
                                         f"(default {DEFAULT_MIN_SAMPLES})")
    learn.add_argument("--json", action="store_true",
                       help="print the changes as JSON instead of a table")
    learn.add_argument("--config", type=Path, metavar="FILE", help="a routeplan.toml")
    learn.add_argument("--marketplace-id", help="Amazon marketplace id (default: US)")
    learn.set_defaults(run=run)


def _percentile(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        value = -1.0
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"not a percentile between 0 and 100: {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    if args.durations is not None and _same_file(args.out, args.durations) and not args.force:
        raise RoutingError(
            f"--out {args.out} is the --durations file it learns from; write elsewhere and "
            "compare, or pass --force to replace it")
    old = load_durations(args.durations) if args.durations else DurationTable.builtin()
    log = read_visit_log(args.visits)
    if log.problems and not log.rows:
        raise RoutingError(f"{args.visits}: not one visit could be read ({log.problems[0]}); "
                           "is it the visit log?")
    for problem in log.problems[:MAX_ROW_WARNINGS]:
        print(f"routeplan: warning: {args.visits}: {problem} (row left out)", file=sys.stderr)
    if len(log.problems) > MAX_ROW_WARNINGS:
        print(f"routeplan: warning: {args.visits}: and {len(log.problems) - MAX_ROW_WARNINGS} "
              "more rows left out", file=sys.stderr)
    samples, problems = samples_from_visits(log.rows, _jobs(args, log.rows))
    for sentence in problems:
        print(f"routeplan: warning: {sentence}", file=sys.stderr)
    learned = learn_durations(samples, old, percentile=args.percentile,
                              min_samples=args.min_samples)
    write_text(args.out, to_yaml(learned, _header(args, len(samples))))
    if args.json:
        report = {"out": str(args.out), "percentile": learned.percentile,
                  "min_samples": learned.min_samples, "samples": len(samples),
                  "changes": [change.as_json() for change in learned.changes]}
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        stdout_console("table").print(_table(learned, args.out, len(samples)))
    return 0


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _jobs(args: argparse.Namespace, rows: list[VisitRow]) -> list[ServiceJob]:
    """The visits' jobs: a file's jobs whatever their date, or fetched by creation time."""
    anyday = date(2000, 1, 1)  # a file source returns every job, whatever the day
    if args.jobs is not None:
        return FileSource(args.jobs).fetch(anyday, ZoneInfo("UTC"))
    with job_source(args, settings_from(args)) as source:
        if not isinstance(source, SpApiSource):
            return source.fetch(anyday, ZoneInfo("UTC"))
        moments = [t for row in rows for t in (row.arrived_at, row.started_at, row.finished_at)
                   if t is not None]
        if not moments:
            return []
        query = JobQuery(source.marketplace_id, created_after=min(moments) - JOB_LOOKBACK)
        return list(source.client.iter_service_jobs(query))


def _header(args: argparse.Namespace, samples: int) -> str:
    return (f"Service durations learned by `routeplan durations learn` from {args.visits}\n"
            f"({samples} completed visits; P{args.percentile:g} of the time on site, at least "
            f"{args.min_samples} visits per entry,\nelse the value of "
            f"{args.durations or 'the built-in table'} is kept). Format: routing/durations.py.")


def _table(learned: Learned, out: Path, samples: int) -> Table:
    table = Table(title=f"Durations learned from {samples} visits: P{learned.percentile:g}, "
                        f"at least {learned.min_samples} visits each; written to {out}")
    for column in ("", "skill / ASIN", "old", "new", "visits"):
        table.add_column(column, justify="right" if column in ("old", "new", "visits") else
                         "left")
    for change in learned.changes:
        mark = "changed" if change.changed else ("same" if change.learned else "kept")
        table.add_row(mark, f"{change.kind.value} {change.key}", _text(change.old),
                      _text(change.new), str(change.samples))
    return table


def _text(value: timedelta | None) -> str:
    return "—" if value is None else f"{round(value.total_seconds() / 60)} min"
