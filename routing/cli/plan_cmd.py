"""routeplan plan: the day's routes from the jobs, the roster and the settings."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from routing.cli.common import (
    StageReporter,
    add_geo_options,
    add_source_options,
    day_timezone,
    duration_text,
    fetch_jobs,
    job_source,
    local_time,
    positive_seconds,
    provider_outage,
    settings_from,
)
from routing.cli.exits import OK, UNASSIGNED
from routing.cli.outputs import WRITERS, add_output_options, check_outputs, write_outputs
from routing.cli.render import print_plan
from routing.cli.tables import add_format_options, stdout_console
from routing.config import ConfigError, Settings
from routing.durations import DurationTable, load_durations
from routing.events import load_events
from routing.geo import Geocoder, unreachable_providers
from routing.plan import Plan
from routing.planner import plan_day
from routing.reasons import ReasonCode
from routing.replan import Change, Replan, ReplanError, replan_day
from routing.roster import Roster, load_roster, parse_clock
from routing.sources import JobSource

EXAMPLES = """\
examples:
  routeplan plan --date tomorrow --roster roster.yaml --out plan.json --map plan.html
  routeplan plan --date 2026-12-01 --roster examples/roster.yaml --source saved-jobs.json \\
      --durations examples/durations.yaml --time-limit 30 --csv plan.csv
  routeplan plan --date 2026-12-01 --roster roster.yaml --source emulator --json > plan.json
  routeplan plan --date today --roster roster.yaml --replan plan.json --now 11:30 \
      --events events.yaml --out replanned.json
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "plan", help="plan a day's routes", description=__doc__, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    add_planning_options(parser)
    add_geo_options(parser)
    add_replan_options(parser)
    add_output_options(parser)
    add_format_options(parser, "the plan as JSON (what --out writes)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 10 when any job is unassigned")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(run=run)


def add_planning_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("planning")
    group.add_argument("--roster", type=Path, metavar="FILE",
                       help="technicians: YAML, TOML or JSON (see examples/roster.yaml)")
    group.add_argument("--durations", type=Path, metavar="FILE",
                       help="service durations by ASIN and skill (default: 60 min)")
    group.add_argument("--time-limit", type=positive_seconds, metavar="S",
                       help="seconds the optimiser may search (default 10)")
    group.add_argument("--on-time", choices=("arrive", "finish"),
                       help="arrive: start inside the window (default); finish: end inside it")
    group.add_argument("--objective",
                       choices=("travel_time", "distance", "balance", "fewest_technicians"),
                       help="what to minimise once every possible job is placed")
    group.add_argument("--reassign", action="store_true", default=None,
                       help="ignore technicians already assigned on appointments")
    group.add_argument("--seed", type=int, default=0, help="random seed of the search")


def add_replan_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "re-planning mid-day",
        "keep what is done or under way in a saved plan, re-plan the rest from --now")
    group.add_argument("--replan", type=Path, metavar="PLAN",
                       help="the day's plan as saved with --out (JSON)")
    group.add_argument("--now", metavar="HH:MM",
                       help="the local time to re-plan from (needs --replan)")
    group.add_argument("--events", type=Path, metavar="FILE",
                       help="YAML: job added / cancelled / running long, technician "
                            "unavailable from (see routing/events.py)")


def run(args: argparse.Namespace) -> int:
    check_outputs(args)
    settings = settings_from(args)
    if settings.roster is None:
        raise ConfigError("a roster is needed: --roster FILE (or roster = in the config)")
    if args.replan is None and (args.now is not None or args.events is not None):
        raise ConfigError("--now and --events re-plan a saved plan: add --replan PLAN.json")
    if args.replan is not None and args.now is None:
        raise ConfigError("--replan needs --now HH:MM, the time to re-plan from")
    roster = load_roster(settings.roster)
    durations = load_durations(settings.durations) if settings.durations else None
    geocoder = settings.geocoder()
    with job_source(args, settings) as source:
        if args.replan is not None:
            replanned = make_replan(args, settings, source, roster, durations, geocoder)
            return _outage(geocoder, replanned.plan,
                           show_and_write(replanned.plan, args, replanned))
        plan = make_plan(args, settings, source, roster, durations, geocoder)
    return _outage(geocoder, plan, show_and_write(plan, args))


def _outage(geocoder: Geocoder, plan: Plan, code: int) -> int:
    """Exit 5, the plan written, when a geocoding provider was given up on during it."""
    not_geocoded = plan.summary.unassigned_by_reason.get(ReasonCode.NOT_GEOCODED, 0)
    return provider_outage(unreachable_providers(geocoder), not_geocoded, code)


def make_plan(args: argparse.Namespace, settings: Settings, source: JobSource, roster: Roster,
              durations: DurationTable | None, geocoder: Geocoder | None = None) -> Plan:
    """Fetch, then plan, showing each stage on stderr."""
    report = StageReporter(Console(stderr=True), quiet=args.quiet)
    tz = day_timezone(args, roster).tz
    jobs = fetch_jobs(source, args.date, tz, report)
    return plan_day(
        jobs, roster, args.date, geocoder=geocoder or settings.geocoder(),
        matrix=settings.travel_matrix(),
        durations=durations, time_limit=settings.time_limit, on_time=settings.on_time,
        reassign=bool(getattr(args, "reassign", False)), objective=settings.objective,
        seed=args.seed, progress=report, rejected=source.rejected,
    )


def make_replan(args: argparse.Namespace, settings: Settings, source: JobSource,
                roster: Roster, durations: DurationTable | None,
                geocoder: Geocoder | None = None) -> Replan:
    """Read the saved plan and the events, fetch the jobs, re-plan from --now."""
    try:
        previous = Plan.from_json(args.replan.read_bytes())
    except ValidationError as exc:
        raise ReplanError(f"{args.replan}: not a routeplan plan: "
                          f"{exc.errors()[0]['msg']}") from None
    if previous.date != args.date:
        raise ReplanError(f"{args.replan} plans {previous.date}, not --date {args.date}")
    tz = ZoneInfo(previous.timezone)
    try:
        now = datetime.combine(args.date, parse_clock(args.now), tz)
    except ValueError as exc:
        raise ConfigError(f"--now: {exc}") from None
    events = load_events(args.events, args.date, tz) if args.events is not None else None
    report = StageReporter(Console(stderr=True), quiet=args.quiet)
    jobs = fetch_jobs(source, args.date, tz, report)
    return replan_day(
        previous, jobs, roster, now, events=events, geocoder=geocoder or settings.geocoder(),
        matrix=settings.travel_matrix(), durations=durations, time_limit=settings.time_limit,
        seed=args.seed, progress=report, rejected=source.rejected,
    )


def changes_table(changes: list[Change]) -> Table:
    """What moved: one row per job; "write" marks those Amazon has to be told about."""
    table = Table(title=f"Changes ({len(changes)})", title_justify="left")
    for header in ("job", "change", "technician", "arrival", "shift", "write", "why"):
        table.add_column(header, overflow="fold")
    for change in changes:
        old, new = change.old_technician or "—", change.new_technician or "—"
        shift = change.arrival_shift_s
        table.add_row(
            change.service_job_id, change.kind.value, old if old == new else f"{old} → {new}",
            f"{local_time(change.old_arrival)} → {local_time(change.new_arrival)}",
            "" if not shift else ("+" if shift > 0 else "-") + duration_text(abs(shift)),
            "yes" if change.write_back else "",
            change.reason.value if change.reason else escape(change.sentence or ""),
        )
    return table


def show_and_write(plan: Plan, args: argparse.Namespace, replanned: Replan | None = None) -> int:
    if args.format == "json":
        sys.stdout.write((replanned.to_json() if replanned else plan.to_json()) + "\n")
    else:
        console = stdout_console(args.format)
        print_plan(plan, console)
        if replanned is not None:
            console.print(changes_table(replanned.changes) if replanned.changes
                          else "No changes against the previous plan.")
    write_outputs(plan, {name: getattr(args, name) for name in WRITERS}, Console(stderr=True))
    return UNASSIGNED if args.strict and plan.unassigned else OK
