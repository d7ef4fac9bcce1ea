"""routeplan demo: the whole pipeline on the example day, offline, no credentials.

Starts the local Services API emulator with examples/jobs.json, fetches the day through
the real client, geocodes with the offline gazetteer plus the example overrides, uses
haversine travel times, solves, prints the routes and writes every output, then says how to
book the day's pending jobs (`routeplan slots` / `routeplan book --source emulator`).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from routing.cli.common import (
    EXAMPLES,
    emulator_client,
    parse_day,
    positive_int,
    positive_seconds,
)
from routing.cli.plan_cmd import make_plan, show_and_write
from routing.cli.tables import add_format_options, stderr_console
from routing.config import ConfigError, Settings
from routing.plan import Plan
from routing.planner import PlanOptions
from routing.roster import load_roster
from routing.sources import SpApiSource
from routing.spapi.emulator import Emulator

DEMO_DAY = date(2026, 12, 1)
OUTPUT_FILES = {"out": "plan.json", "csv": "plan.csv", "geojson": "plan.geojson",
                "map": "map.html", "timeline": "timeline.svg"}
EXAMPLES_TEXT = """\
examples:
  routeplan demo
  routeplan demo --out-dir /tmp/demo --time-limit 5
  routeplan demo --json > plan.json
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo", help="plan the example day offline (no credentials, no internet)",
        description=__doc__, epilog=EXAMPLES_TEXT,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=Path("routeplan-demo"), metavar="DIR",
                        help="where the outputs go (default: ./routeplan-demo)")
    parser.add_argument("--date", type=parse_day, default=DEMO_DAY, metavar="D",
                        help=f"the example day (default {DEMO_DAY})")
    defaults = PlanOptions()
    parser.add_argument("--time-limit", type=positive_seconds, default=defaults.time_limit,
                        metavar="S", help="seconds the optimiser may search "
                        f"(default {defaults.time_limit:g})")
    parser.add_argument("--seed", type=int, default=defaults.seed,
                        help="random seed of the search")
    parser.add_argument("--workers", type=positive_int, default=defaults.workers, metavar="N",
                        help=f"parallel searches (default {defaults.workers})")
    parser.add_argument("--solution-limit", type=positive_int, metavar="N",
                        help="stop each search after N solutions (see plan --help)")
    add_format_options(parser, "the plan as JSON")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 10 when any job is unassigned")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not (EXAMPLES / "jobs.json").is_file():
        raise ConfigError(f"the example data is missing: {EXAMPLES} (run from a checkout)")
    settings = Settings(
        time_limit=args.time_limit, seed=args.seed, workers=args.workers,
        solution_limit=args.solution_limit, durations=EXAMPLES / "durations.yaml",
        overrides=EXAMPLES / "geocode_overrides.csv", no_cache=True,
    )
    roster = load_roster(EXAMPLES / "roster.yaml")
    with Emulator.from_file(EXAMPLES / "jobs.json") as emulator, \
            emulator_client(emulator) as client:
        source = SpApiSource(client, settings.marketplace_id)
        source.label = f"the local Services API emulator ({emulator.url})"
        plan = make_plan(args, settings, source, roster, settings.plan_context())
    for name, filename in OUTPUT_FILES.items():
        setattr(args, name, args.out_dir / filename)
    code = show_and_write(plan, args)
    if not args.quiet:
        _booking_hint(plan, args.date)
    return code


def _booking_hint(plan: Plan, day: date) -> None:
    """Pending jobs are planned into the buyer's times but have no appointment: say how to
    book them (offline, against the same emulator)."""
    pending = [s.service_job_id for r in plan.routes for s in r.stops if s.appointment_id is None]
    pending += [u.service_job_id for u in plan.unassigned if u.status == "PENDING_SCHEDULE"]
    if not pending:
        return
    stderr_console().print(
        f"{len(pending)} jobs wait for an appointment (PENDING_SCHEDULE). Their slots, ranked "
        f"by route: routeplan slots {pending[0]} --source emulator --date {day} --days 3; "
        f"book them all: routeplan book --source emulator --date {day} --days 3", highlight=False,
        markup=False)
