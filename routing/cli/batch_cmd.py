"""routeplan plan-batch: plan many territories × days at once, here or on a Ray cluster.

Every partition (a seller's territory on a date) is planned in a process of its own, as
`plan` would plan it; each seller's jobs are fetched once, by this process, and with
--apply written back by this process through one rate-limited, journaled queue per
seller. Files: DIR/<seller>/<territory>/<date>/plan.json (+ exports),
DIR/batch-report.json (every outcome), DIR/<seller>/journal.sqlite (with --apply).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from routing.batch import (
    EXPORTS,
    BatchError,
    BatchOptions,
    BatchReport,
    Limits,
    LocalExecutor,
    Manifest,
    Outcome,
    RayExecutor,
    TaskSpec,
    load_manifest,
    manifest_from_roster,
    plan_batch,
)
from routing.cli import common
from routing.cli.common import parse_day, positive_int, positive_seconds
from routing.cli.exits import INTERNAL, OK, PLANNING, UNASSIGNED, WRITEBACK_FAILED
from routing.cli.tables import stderr_console, stdout_console

EXAMPLES = """\
examples:
  routeplan plan-batch examples/batch.yaml --out batch-out
  routeplan plan-batch examples/batch.yaml --executor ray --workers 2 --out batch-out
  routeplan plan-batch nightly.yaml --executor ray --ray-address auto --apply --out /srv/plans
  routeplan plan-batch --territories roster.yaml --date tomorrow --days 7 --source spapi \\
      --out week
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "plan-batch", help="plan many territories × days in parallel (local or Ray)",
        description=__doc__, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest", nargs="?", type=Path, metavar="MANIFEST",
                        help="YAML/TOML/JSON: sellers, territories, dates, settings "
                             "(see examples/batch.yaml)")
    derived = parser.add_argument_group(
        "without a manifest", "one seller; territories from the roster's `territory` field")
    derived.add_argument("--territories", type=Path, metavar="ROSTER",
                         help="a roster whose technicians each name their territory")
    derived.add_argument("--date", type=parse_day, metavar="D",
                         help="the first day: YYYY-MM-DD, today or tomorrow")
    derived.add_argument("--days", type=positive_int, default=1, metavar="N",
                         help="days from --date (default 1)")
    derived.add_argument("--source", default="spapi", metavar="SOURCE",
                         help="spapi (default), sandbox, or a saved jobs file")
    derived.add_argument("--marketplace-id", help="Amazon marketplace id (default: US)")
    derived.add_argument("--region", choices=("na", "eu", "fe"), help="SP-API region")
    derived.add_argument("--endpoint", metavar="URL", help="any SP-API base URL")
    run_group = parser.add_argument_group("running")
    run_group.add_argument("--executor", choices=("local", "ray"), default="local",
                           help="local: processes on this machine (default); ray: a Ray "
                                "cluster (pip install 'routeplan[ray]')")
    run_group.add_argument("--workers", type=positive_int, metavar="N",
                           help="partitions at once (default: the cores, or the cluster's CPUs)")
    run_group.add_argument("--ray-address", metavar="ADDR",
                           help="join a running cluster: auto, or ray://HOST:10001 (default: "
                                "start a local one)")
    run_group.add_argument("--grace", type=positive_seconds, default=Limits().grace,
                           metavar="S", help="a partition is killed this long after its time "
                                             f"limit (default {Limits().grace:g})")
    run_group.add_argument("--retries", type=int, default=Limits().retries, metavar="N",
                           help="new attempts (next seed) for a worker that died (default "
                                f"{Limits().retries})")
    run_group.add_argument("--config", type=Path, metavar="FILE", help="a routeplan.toml")
    out = parser.add_argument_group("outputs")
    out.add_argument("--out", type=Path, default=Path("batch-out"), metavar="DIR",
                     help="where the plans and the report go (default batch-out)")
    out.add_argument("--export", dest="exports", action="append", choices=sorted(EXPORTS),
                     help="files beside each plan.json, repeatable (default: csv)")
    out.add_argument("--apply", action="store_true",
                     help="write every plan back to Amazon (per seller: one queue, one journal)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 10 when any partition leaves a job unassigned")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    manifest = _manifest(args)
    if args.retries < 0:
        raise BatchError(f"--retries {args.retries}: give 0 or more")
    options = BatchOptions(
        out=args.out, exports=tuple(args.exports or ("csv",)),
        limits=Limits(grace=args.grace, retries=args.retries), apply=args.apply,
        config=args.config, retry=common.SPAPI_RETRY, timeout=common.SPAPI_TIMEOUT)
    executor: LocalExecutor | RayExecutor
    if args.executor == "ray":
        executor = RayExecutor(args.workers, address=args.ray_address)
    else:
        if args.ray_address:
            raise BatchError("--ray-address needs --executor ray")
        executor = LocalExecutor(args.workers)
    progress = _Progress(stderr_console(), quiet=args.quiet)
    try:
        with progress:
            report = plan_batch(manifest, executor, options, on_ready=progress.ready,
                                on_start=progress.start, on_outcome=progress.outcome)
    finally:
        executor.close()
    args.out.mkdir(parents=True, exist_ok=True)
    report_path = args.out / "batch-report.json"
    report_path.write_text(report.to_json(), encoding="utf-8")
    stdout_console("table").print(_summary(report))
    _warn_left_out(report)
    if not args.quiet:
        stderr_console().print(f"report: {escape(str(report_path))}", highlight=False)
    return _exit_code(report, strict=args.strict)


def _manifest(args: argparse.Namespace) -> Manifest:
    if args.manifest is not None and args.territories is not None:
        raise BatchError("give a MANIFEST or --territories ROSTER, not both")
    if args.manifest is not None:
        return load_manifest(args.manifest)
    if args.territories is None:
        raise BatchError("give a MANIFEST (see examples/batch.yaml) or --territories ROSTER")
    if args.date is None:
        raise BatchError("--territories needs --date D (and --days N for more than one)")
    days = [args.date + timedelta(days=n) for n in range(args.days)]
    return manifest_from_roster(args.territories, days, source=args.source,
                                marketplace_id=args.marketplace_id, region=args.region,
                                endpoint=args.endpoint)


class _Progress:
    """Partitions done / running / failed, jobs placed, ETA: one live line on stderr (a
    line per partition when stderr is not a terminal, e.g. a cron log)."""

    def __init__(self, console: Console, *, quiet: bool) -> None:
        self.console = console
        self.quiet = quiet
        self.total = self.done = self.failed = self.placed = 0
        self.running: set[str] = set()
        self.began = time.monotonic()
        self._live: Live | None = None

    def __enter__(self) -> _Progress:
        if not self.quiet and self.console.is_terminal:
            self._live = Live(self._line(), console=self.console, refresh_per_second=4,
                              transient=True)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()

    def ready(self, specs: list[TaskSpec]) -> None:
        self.total = len(specs)
        self.began = time.monotonic()
        self._show()

    def start(self, spec: TaskSpec) -> None:
        self.running.add(spec.label)
        self._show()

    def outcome(self, outcome: Outcome) -> None:
        self.running.discard(outcome.label)
        self.done += 1
        self.failed += outcome.status in ("error", "timeout")
        self.placed += outcome.placed
        if self._live is None and not self.quiet:
            self.console.print(f"{self.done}/{self.total} {outcome.label}: {outcome.status} "
                               f"({outcome.wall_s:.1f} s)", highlight=False, markup=False)
        self._show()

    def _show(self) -> None:
        if self._live is not None:
            self._live.update(self._line())

    def _line(self) -> str:
        elapsed = time.monotonic() - self.began
        eta = "—"
        if self.done:
            eta = f"{elapsed / self.done * (self.total - self.done):.0f} s"
        return (f"partitions {self.done}/{self.total} done · {len(self.running)} running · "
                f"{self.failed} failed · {self.placed} jobs placed · ETA {eta}")


def _summary(report: BatchReport) -> Table:
    table = Table(title=f"Batch: {len(report.outcomes)} partitions in {report.wall_s:.1f} s",
                  title_justify="left")
    for header in ("seller", "territory", "date", "status", "jobs", "placed", "unassigned",
                   "attempts", "wall s", "note"):
        table.add_column(header, overflow="fold")
    colours = {"ok": "green", "unassigned": "yellow", "timeout": "red", "error": "red"}
    for o in sorted(report.outcomes, key=lambda o: (o.seller, o.territory, o.date)):
        table.add_row(o.seller, o.territory, o.date, f"[{colours[o.status]}]{o.status}[/]",
                      str(o.jobs), str(o.placed), str(o.unassigned), str(o.attempts),
                      f"{o.wall_s:.1f}", escape(o.error or ""))
    return table


def _warn_left_out(report: BatchReport) -> None:
    """Jobs in no partition (no territory to send them to, or unreadable) are in the report
    only: say so, with where to look."""
    for label, found in (("in no territory", report.unrouted),
                         ("unreadable", report.rejected)):
        count = sum(len(ids) for ids in found.values())
        if count:
            where = ", ".join(f"{key}: {', '.join(ids[:3])}{' …' * (len(ids) > 3)}"
                              for key, ids in found.items())
            print(f"routeplan: warning: {count} job(s) {label} ({where}); see "
                  "batch-report.json", file=sys.stderr)


def _exit_code(report: BatchReport, *, strict: bool) -> int:
    failed = [o for o in report.outcomes if o.status in ("error", "timeout")]
    if failed:
        first = failed[0]
        print(f"routeplan: error: {len(failed)} of {len(report.outcomes)} partitions failed "
              f"(first: {first.label}: {first.error})", file=sys.stderr)
        return PLANNING if first.status == "timeout" else (first.exit_code or INTERNAL)
    unwritten = [w for w in report.writeback if not w.succeeded]
    if unwritten:
        first_w = unwritten[0]
        print(f"routeplan: error: {len(unwritten)} plan(s) not fully written back (first: "
              f"{first_w.plan}: {first_w.error or f'{first_w.problems} problem(s)'}); "
              "re-run with --apply to retry them", file=sys.stderr)
        return WRITEBACK_FAILED
    left_out = any(o.unassigned for o in report.outcomes) or bool(report.unrouted)
    return UNASSIGNED if strict and left_out else OK
