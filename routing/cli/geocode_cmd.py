"""routeplan geocode: warm the geocode cache for a day's jobs and show the precision."""

from __future__ import annotations

import argparse
from pathlib import Path

from routing.cli.common import (
    StageReporter,
    add_geocoding_options,
    add_source_options,
    add_timezone_option,
    day_timezone,
    fetch_jobs,
    job_source,
    provider_outage,
    settings_from,
)
from routing.cli.exits import OK, UNASSIGNED
from routing.cli.tables import stderr_console, stdout_console
from routing.geo import format_report, warm_cache
from routing.planner import ProgressEvent, Stage
from routing.roster import load_roster

EXAMPLES_TEXT = """\
examples:
  routeplan geocode --date tomorrow --roster roster.yaml
  routeplan geocode --date 2026-12-01 --source emulator --geocoder nominatim --geocoder gazetteer
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "geocode", help="geocode a day's job addresses into the cache", description=__doc__,
        epilog=EXAMPLES_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    add_geocoding_options(parser)
    parser.add_argument("--roster", type=Path, metavar="FILE", help="gives the timezone")
    add_timezone_option(parser)
    parser.add_argument("--strict", action="store_true",
                        help="exit with 10 when any address cannot be placed")
    parser.set_defaults(run=run, quiet=False)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    report = StageReporter(stderr_console())
    day_zone = day_timezone(args, load_roster(settings.roster) if settings.roster else None)
    with job_source(args, settings) as source:
        jobs = fetch_jobs(source, args.date, day_zone.tz, report)
    out = stdout_console("table")
    out.print(f"Jobs on {args.date} ({day_zone}): {len(jobs)}", highlight=False)
    items = [
        (job.service_job_id or f"job[{n}]", job.service_location.address)
        for n, job in enumerate(jobs)
        if job.service_location is not None and job.service_location.address is not None
    ]
    report(ProgressEvent(Stage.GEOCODE, "start", f"{len(items)} addresses"))
    summary = warm_cache(settings.geocoder(), items, progress=lambda done, total: report(
        ProgressEvent(Stage.GEOCODE, "advance", f"{done} of {total} addresses", done, total)))
    report(ProgressEvent(Stage.GEOCODE, "done",
                         f"{summary.found} placed, {len(summary.failures)} not placed"))
    out.print(format_report(summary), highlight=False)
    code = UNASSIGNED if args.strict and summary.failures else OK
    return provider_outage(summary.unreachable, len(summary.failures), code)
