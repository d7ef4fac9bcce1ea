"""routeplan geocode: warm the geocode cache for a day's jobs and show the precision."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
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
from routing.cli.exits import GEO, OK, UNASSIGNED
from routing.geo import format_report, warm_cache
from routing.planner import ProgressEvent, Stage

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
    report = StageReporter(Console(stderr=True))
    with job_source(args, settings) as source:
        jobs = fetch_jobs(source, args.date, args.timezone, report)
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
    Console().print(format_report(summary), highlight=False)
    code = UNASSIGNED if args.strict and summary.failures else OK
    return provider_outage(summary.unreachable, len(summary.failures), code)


def provider_outage(unreachable: Mapping[str, str], not_geocoded: int, code: int) -> int:
    """``code``, unless a geocoding provider was given up on: then a one-line summary on
    stderr and exit 5, once whatever could be written has been (``plan`` shares this)."""
    if not unreachable:
        return code
    print(f"routeplan: error: {'; '.join(unreachable.values())}: "
          f"{not_geocoded} job(s) not geocoded", file=sys.stderr)
    return GEO
