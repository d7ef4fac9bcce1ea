"""routeplan plan: the day's routes from the jobs, the roster and the settings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from routing.cli.common import (
    StageReporter,
    add_geo_options,
    add_source_options,
    fetch_jobs,
    job_source,
    positive_seconds,
    settings_from,
)
from routing.cli.exits import OK, UNASSIGNED
from routing.cli.outputs import WRITERS, add_output_options, write_outputs
from routing.cli.render import print_plan
from routing.config import ConfigError, Settings
from routing.durations import DurationTable, load_durations
from routing.plan import Plan
from routing.planner import plan_day
from routing.roster import Roster, load_roster
from routing.sources import JobSource

EXAMPLES = """\
examples:
  routeplan plan --date tomorrow --roster roster.yaml --out plan.json --map plan.html
  routeplan plan --date 2026-12-01 --roster examples/roster.yaml --source saved-jobs.json \\
      --durations examples/durations.yaml --time-limit 30 --csv plan.csv
  routeplan plan --date 2026-12-01 --roster roster.yaml --source emulator --json > plan.json
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "plan", help="plan a day's routes", description=__doc__, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    add_planning_options(parser)
    add_geo_options(parser)
    add_output_options(parser)
    parser.add_argument("--json", action="store_true",
                        help="print the plan as JSON on stdout instead of tables")
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


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.roster is None:
        raise ConfigError("a roster is needed: --roster FILE (or roster = in the config)")
    with job_source(args, settings) as source:
        plan = make_plan(args, settings, source, load_roster(settings.roster),
                         load_durations(settings.durations) if settings.durations else None)
    return show_and_write(plan, args)


def make_plan(args: argparse.Namespace, settings: Settings, source: JobSource, roster: Roster,
              durations: DurationTable | None) -> Plan:
    """Fetch, then plan, showing each stage on stderr."""
    report = StageReporter(Console(stderr=True), quiet=args.quiet)
    tz = ZoneInfo(roster.timezone) if roster.timezone else roster.technicians[0].tz
    jobs = fetch_jobs(source, args.date, tz, report)
    return plan_day(
        jobs, roster, args.date, geocoder=settings.geocoder(), matrix=settings.travel_matrix(),
        durations=durations, time_limit=settings.time_limit, on_time=settings.on_time,
        reassign=bool(getattr(args, "reassign", False)), objective=settings.objective,
        seed=args.seed, progress=report, rejected=source.rejected,
    )


def show_and_write(plan: Plan, args: argparse.Namespace) -> int:
    if args.json:
        sys.stdout.write(plan.to_json() + "\n")
    else:
        print_plan(plan, Console())
    write_outputs(plan, {name: getattr(args, name) for name in WRITERS}, Console(stderr=True))
    return UNASSIGNED if args.strict and plan.unassigned else OK
