"""routeplan jobs: the day's jobs at a glance, with what each one needs."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from routing.cli.common import (
    StageReporter,
    add_geocoding_options,
    add_source_options,
    add_timezone_option,
    day_timezone,
    fetch_jobs,
    job_source,
    settings_from,
)
from routing.cli.tables import add_format_options, is_full, stderr_console, stdout_console
from routing.diagnosis import FLAGS, JobDiagnosis, diagnose
from routing.roster import load_roster

EXAMPLES_TEXT = """\
examples:
  routeplan jobs --date tomorrow --roster roster.yaml
  routeplan jobs --date 2026-12-01 --source emulator --roster examples/roster.yaml
  routeplan jobs --date 2026-12-01 --source examples/jobs.json --roster examples/roster.yaml \\
      --format plain | grep NOT_SERVICED
  routeplan jobs --date 2026-12-01 --source examples/jobs.json --roster examples/roster.yaml \\
      --json | jq -c 'select(.flags != []) | {service_job_id, window_start, flags}'

--json prints JSON lines: one object per job (jq reads them one by one; jq -s makes an
array). Fields: service_job_id, status, window (display text), window_start and window_end
(ISO 8601 with the offset, the first window; null without one), windows (every window as
{start, end}), technicians, address, flags, reason (null or "code: sentence").
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    flags = "\n".join(f"  {name:<17} {text}" for name, text in FLAGS.items())
    parser = commands.add_parser(
        "jobs", help="list a day's jobs and what each needs", description=__doc__,
        epilog=f"flags:\n{flags}\n\n{EXAMPLES_TEXT}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    add_geocoding_options(parser)
    parser.add_argument("--roster", type=Path, metavar="FILE",
                        help="checks assigned technicians against it; gives the timezone")
    add_timezone_option(parser)
    add_format_options(parser, "JSON lines, one object per job (see below)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    roster = load_roster(settings.roster) if settings.roster else None
    day_zone = day_timezone(args, roster)
    tz = day_zone.tz
    geocoder = settings.geocoder()
    with job_source(args, settings) as source:
        jobs = fetch_jobs(source, args.date, tz, StageReporter(stderr_console()))
    lines = diagnose(jobs, roster, args.date, tz, geocoder, source.rejected)
    if args.format == "json":
        for line in lines:
            sys.stdout.write(json.dumps(asdict(line)) + "\n")
    else:
        console = stdout_console(args.format)
        console.print(_table(lines, f"Jobs on {args.date.isoformat()} ({day_zone}): {len(lines)}",
                             full=is_full(console)))
    return 0


def _table(lines: list[JobDiagnosis], title: str, *, full: bool) -> Table:
    """The jobs as a table; ``full`` shows whole addresses, windows and reasons (no screen
    to fit), otherwise the street, the first window and the reason's code."""
    table = Table(title=title, title_justify="left")
    for header in ("job", "status", "window", "technician", "address"):
        table.add_column(header, no_wrap=header in ("job", "window"))
    table.add_column("flags", min_width=16)
    table.add_column("reason", overflow="fold")
    for line in lines:
        reason = line.reason or ""
        address = line.address
        windows = line.window.split(", ")
        shown = "\n".join(windows)
        if not full:
            reason, address = reason.split(":")[0], address.split(",")[0]
            shown = windows[0] + (f" (+{len(windows) - 1})" if len(windows) > 1 else "")
        table.add_row(line.service_job_id, line.status, shown,
                      ", ".join(line.technicians) or "—", escape(address),
                      "\n".join(line.flags), escape(reason))
    return table
