"""routeplan geocode: warm the geocode cache for a day's jobs and show the precision."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from rich.console import Console

from routing.cli.common import (
    StageReporter,
    add_geo_options,
    add_source_options,
    fetch_jobs,
    job_source,
    settings_from,
    zone,
)
from routing.cli.exits import OK, UNASSIGNED
from routing.geo import format_report, warm_cache

EXAMPLES_TEXT = """\
examples:
  routeplan geocode --date tomorrow
  routeplan geocode --date 2026-12-01 --source emulator --geocoder nominatim --geocoder gazetteer
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "geocode", help="geocode a day's job addresses into the cache", description=__doc__,
        epilog=EXAMPLES_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    add_geo_options(parser)
    parser.add_argument("--timezone", type=zone, default=ZoneInfo("UTC"), metavar="TZ",
                        help="IANA timezone of the day (default UTC)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 10 when any address cannot be placed")
    parser.set_defaults(run=run, quiet=False)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    console = Console(stderr=True)
    with job_source(args, settings) as source:
        jobs = fetch_jobs(source, args.date, args.timezone, StageReporter(console))
    items = [
        (job.service_job_id or f"job[{n}]", job.service_location.address)
        for n, job in enumerate(jobs)
        if job.service_location is not None and job.service_location.address is not None
    ]
    report = warm_cache(settings.geocoder(), items, progress=console.is_terminal)
    Console().print(format_report(report), highlight=False)
    return UNASSIGNED if args.strict and report.failures else OK
