"""routeplan jobs: the day's jobs at a glance, with what each one needs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from routing.cli.common import (
    StageReporter,
    add_geo_options,
    add_source_options,
    fetch_jobs,
    job_source,
    local_time,
    settings_from,
    zone,
)
from routing.durations import DurationTable
from routing.geo import Geocoder, GeocodingError, timezone_at
from routing.roster import load_roster
from routing.spapi.models import ServiceJob, ServiceJobStatus, ServiceLocationType
from routing.visits import (
    JobRules,
    JobVisit,
    active_appointment,
    day_bounds,
    is_rescheduled,
    job_to_visit,
)

EXAMPLES_TEXT = """\
examples:
  routeplan jobs --date tomorrow
  routeplan jobs --date 2026-12-01 --source emulator --roster examples/roster.yaml
  routeplan jobs --date 2026-12-01 --source saved-jobs.json --json | jq '.[] | select(.flags != [])'
"""

FLAGS = {
    "needs_technician": "active appointment with no technician assigned",
    "pending_schedule": "waiting for an appointment (buyer's preferred times)",
    "rescheduled": "the appointment replaces an earlier one",
    "not_geocodable": "the address cannot be placed on the map",
    "not_plannable": "cannot be planned on this date (see reason)",
}


@dataclass(frozen=True)
class JobLine:
    service_job_id: str
    status: str
    window: str
    technicians: list[str]
    address: str
    flags: list[str]
    reason: str | None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    flags = "\n".join(f"  {name:<17} {text}" for name, text in FLAGS.items())
    parser = commands.add_parser(
        "jobs", help="list a day's jobs and what each needs", description=__doc__,
        epilog=f"flags:\n{flags}\n\n{EXAMPLES_TEXT}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    add_geo_options(parser)
    parser.add_argument("--roster", type=Path, metavar="FILE",
                        help="checks assigned technicians against it; gives the timezone")
    parser.add_argument("--timezone", type=zone, metavar="TZ",
                        help="IANA timezone of the day (default: the roster's, else the "
                             "first job's location)")
    parser.add_argument("--json", action="store_true", help="JSON lines for scripts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    roster = load_roster(settings.roster) if settings.roster else None
    tz: ZoneInfo | None = args.timezone
    if tz is None and roster is not None:
        tz = ZoneInfo(roster.timezone) if roster.timezone else roster.technicians[0].tz
    geocoder = settings.geocoder()
    console = Console(stderr=True)
    with job_source(args, settings) as source:
        jobs = fetch_jobs(source, args.date, tz or ZoneInfo("UTC"), StageReporter(console))
    tz = tz or _zone_of_first_job(jobs, geocoder) or ZoneInfo("UTC")
    ids = frozenset(t.id for t in roster.technicians) if roster else frozenset()
    on_shift = frozenset(t.id for t in roster.technicians if t.shift_on(args.date)) \
        if roster else frozenset()
    rules = JobRules(day=args.date, tz=tz, durations=DurationTable.builtin(), roster=ids,
                     on_shift=on_shift, reassign=roster is None)
    lines = [describe(job, rules, geocoder) for job in jobs]
    lines += [JobLine(r.service_job_id, "unreadable", "—", [], "—", ["not_plannable"],
                      f"{r.reason.value}: {r.sentence}") for r in source.rejected]
    if args.json:
        for line in lines:
            sys.stdout.write(json.dumps(asdict(line)) + "\n")
    else:
        Console().print(_table(lines, args.date.isoformat(), str(tz)))
    return 0


def describe(job: ServiceJob, rules: JobRules, geocoder: Geocoder) -> JobLine:
    """One job's line: its window on the day, its technicians and its flags."""
    appointment = active_appointment(job, day_bounds(rules.day, rules.tz))
    outcome = job_to_visit(job, rules)
    flags: list[str] = []
    if appointment is not None and not appointment.assigned_technicians:
        flags.append("needs_technician")
    if job.service_job_status == ServiceJobStatus.PENDING_SCHEDULE:
        flags.append("pending_schedule")
    if appointment is not None and is_rescheduled(job, appointment):
        flags.append("rescheduled")
    location = job.service_location
    address = location.address if location is not None else None
    online = location is not None and location.service_location_type == ServiceLocationType.ONLINE
    if not online and not _geocodable(job, geocoder):
        flags.append("not_geocodable")
    reason = None
    if not isinstance(outcome, JobVisit):
        flags.append("not_plannable")
        reason = f"{outcome.reason.value}: {outcome.sentence}"
    if isinstance(outcome, JobVisit):
        window = ", ".join(f"{local_time(w.start.astimezone(rules.tz))}–"
                           f"{local_time(w.end.astimezone(rules.tz))}" for w in outcome.windows)
    else:
        window = "—"
    technicians = [t.technician_id or "?" for t in
                   (appointment.assigned_technicians or [])] if appointment else []
    where = "online" if online else (
        f"{address.address_line1}, {address.city or ''} {address.postal_code or ''}".strip()
        if address else "—")
    return JobLine(job.service_job_id or "?", str(job.service_job_status or "—"), window,
                   technicians, where, flags, reason)


def _geocodable(job: ServiceJob, geocoder: Geocoder) -> bool:
    location = job.service_location
    if location is None or location.address is None:
        return False
    try:
        return geocoder.geocode(location.address, job_id=job.service_job_id) is not None
    except GeocodingError:
        return False


def _zone_of_first_job(jobs: Sequence[ServiceJob], geocoder: Geocoder) -> ZoneInfo | None:
    for job in jobs:
        address = job.service_location.address if job.service_location else None
        if address is None:
            continue
        try:
            point = geocoder.geocode(address, job_id=job.service_job_id)
        except GeocodingError:
            continue
        if point is not None and (name := timezone_at(point.lat, point.lon)):
            return ZoneInfo(name)
    return None


def _table(lines: list[JobLine], day: str, tz: str) -> Table:
    table = Table(title=f"Jobs on {day} ({tz}): {len(lines)}", title_justify="left")
    for header in ("job", "status", "window", "technician", "address"):
        table.add_column(header, no_wrap=header in ("job", "window"))
    table.add_column("flags", min_width=16)
    table.add_column("reason", overflow="fold")
    for line in lines:
        code = line.reason.split(":")[0] if line.reason else ""
        windows = line.window.split(", ")
        shown = windows[0] + (f" (+{len(windows) - 1})" if len(windows) > 1 else "")
        table.add_row(line.service_job_id, line.status, shown,
                      ", ".join(line.technicians) or "—", escape(line.address.split(",")[0]),
                      "\n".join(line.flags), code)
    return table
