"""routeplan jobs: the day's jobs at a glance, with what each one needs."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
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
    local_time,
    settings_from,
)
from routing.cli.tables import add_format_options, is_full, stderr_console, stdout_console
from routing.durations import DurationTable
from routing.geo import Geocoder, GeocodingError
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

FLAGS = {
    "needs_technician": "active appointment with no technician assigned",
    "pending_schedule": "waiting for an appointment (buyer's preferred times)",
    "rescheduled": "the appointment replaces an earlier one",
    "not_geocodable": "the address cannot be placed on the map",
    "not_plannable": "cannot be planned on this date (see reason)",
}


@dataclass(frozen=True)
class JobLine:
    """One job as ``--json`` prints it; ``window`` is for people, ``windows`` for programs."""

    service_job_id: str
    status: str
    window: str
    technicians: list[str]
    address: str
    flags: list[str]
    reason: str | None
    window_start: str | None = None
    window_end: str | None = None
    windows: list[dict[str, str]] = field(default_factory=list)


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
    ids = frozenset(t.id for t in roster.technicians) if roster else frozenset()
    on_shift = frozenset(t.id for t in roster.technicians if t.shift_on(args.date)) \
        if roster else frozenset()
    rules = JobRules(day=args.date, tz=tz, durations=DurationTable.builtin(), roster=ids,
                     on_shift=on_shift, reassign=roster is None)
    lines = [describe(job, rules, geocoder) for job in jobs]
    lines += [JobLine(r.service_job_id, "unreadable", "—", [], "—", ["not_plannable"],
                      f"{r.reason.value}: {r.sentence}") for r in source.rejected]
    if args.format == "json":
        for line in lines:
            sys.stdout.write(json.dumps(asdict(line)) + "\n")
    else:
        console = stdout_console(args.format)
        console.print(_table(lines, f"Jobs on {args.date.isoformat()} ({day_zone}): {len(lines)}",
                             full=is_full(console)))
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
    spans = [(w.start.astimezone(rules.tz), w.end.astimezone(rules.tz))
             for w in outcome.windows] if isinstance(outcome, JobVisit) else []
    window = ", ".join(f"{local_time(start)}–{local_time(end)}" for start, end in spans) or "—"
    windows = [{"start": start.isoformat(), "end": end.isoformat()} for start, end in spans]
    technicians = [t.technician_id or "?" for t in
                   (appointment.assigned_technicians or [])] if appointment else []
    where = "online" if online else (
        f"{address.address_line1}, {address.city or ''} {address.postal_code or ''}".strip()
        if address else "—")
    return JobLine(job.service_job_id or "?", str(job.service_job_status or "—"), window,
                   technicians, where, flags, reason,
                   window_start=windows[0]["start"] if windows else None,
                   window_end=windows[0]["end"] if windows else None, windows=windows)


def _geocodable(job: ServiceJob, geocoder: Geocoder) -> bool:
    location = job.service_location
    if location is None or location.address is None:
        return False
    try:
        return geocoder.geocode(location.address, job_id=job.service_job_id) is not None
    except GeocodingError:
        return False


def _table(lines: list[JobLine], title: str, *, full: bool) -> Table:
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
