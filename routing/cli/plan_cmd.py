"""routeplan plan: the day's routes from the jobs, the roster and the settings."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
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
    positive_int,
    positive_seconds,
    provider_outage,
    settings_from,
)
from routing.cli.exits import OK, UNASSIGNED
from routing.cli.outputs import WRITERS, add_output_options, check_outputs, write_outputs
from routing.cli.render import print_plan
from routing.cli.tables import add_format_options, stderr_console, stdout_console
from routing.config import ConfigError, Settings, record_file
from routing.durations import BUILTIN, DurationTable
from routing.events import load_events
from routing.geo import Geocoder, unreachable_providers
from routing.plan import Plan, PlanInputs, RecordedFile, TravelSettings
from routing.planner import OBJECTIVES, PlanContext, PlanOptions, plan_day
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
    defaults = PlanOptions()
    group = parser.add_argument_group("planning")
    group.add_argument("--roster", type=Path, metavar="FILE",
                       help="technicians: YAML, TOML or JSON (see examples/roster.yaml)")
    group.add_argument("--durations", type=Path, metavar="FILE",
                       help="service durations by ASIN and skill (default: the built-in "
                            f"table: {DurationTable.builtin().describe()})")
    group.add_argument("--time-limit", type=positive_seconds, metavar="S",
                       help="seconds the optimiser may search, every search round of "
                            f"the plan together (default {defaults.time_limit:g})")
    group.add_argument("--on-time", choices=("arrive", "finish"),
                       help="arrive: start inside the window (default); finish: end inside it")
    group.add_argument("--objective", choices=OBJECTIVES,
                       help="what to minimise once every possible job is placed")
    group.add_argument("--reassign", action="store_true", default=None,
                       help="ignore technicians already assigned on appointments")
    group.add_argument("--seed", type=int, metavar="N",
                       help="chooses each search's configuration and random steps "
                            f"(default {defaults.seed})")
    group.add_argument("--workers", type=positive_int, metavar="N",
                       help=f"parallel searches, the best kept (default {defaults.workers}; "
                            "1 on a single core)")
    group.add_argument("--solution-limit", type=positive_int, metavar="N",
                       help="stop each search after N solutions. A search stopped by the "
                            "time limit depends on the machine's speed and load, whatever "
                            "the seed: for the same plan on every run use --workers 1 and a "
                            "solution limit reached before the time limit")


def add_replan_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "re-planning mid-day",
        "keep what is done or under way in a saved plan, re-plan the rest from --now")
    group.add_argument("--replan", type=Path, metavar="PLAN",
                       help="the day's plan as saved with --out (JSON); its recorded settings "
                            "(durations, overrides, geocoders, travel times, time limit, seed, "
                            "workers, solution limit) are reused unless a flag is given")
    group.add_argument("--now", metavar="HH:MM",
                       help="the local time to re-plan from (needs --replan)")
    group.add_argument("--events", type=Path, metavar="FILE",
                       help="YAML: job added / cancelled / running long, technician "
                            "unavailable from (see routing/events.py)")
    group.add_argument("--propose-reschedules", action="store_true",
                       help="for each appointment the re-plan leaves unserved, the best new "
                            "slot Amazon offers after --now over 3 days, the days planned "
                            "afresh (see `routeplan reschedule`)")


def run(args: argparse.Namespace) -> int:
    check_outputs(args)
    settings = settings_from(args)
    if settings.roster is None:
        raise ConfigError("a roster is needed: --roster FILE (or roster = in the config)")
    if args.replan is None and (args.now is not None or args.events is not None):
        raise ConfigError("--now and --events re-plan a saved plan: add --replan PLAN.json")
    if args.replan is None and args.propose_reschedules:
        raise ConfigError("--propose-reschedules proposes for a re-plan: add --replan PLAN.json")
    if args.replan is not None and args.now is None:
        raise ConfigError("--replan needs --now HH:MM, the time to re-plan from")
    roster = load_roster(settings.roster)
    previous = read_plan(args) if args.replan is not None else None
    if previous is not None:
        settings = reuse_settings(args, settings, previous, stderr_console())
    geocoder = settings.geocoder()  # asked afterwards which providers it gave up on
    context = settings.plan_context(geocoder)
    with job_source(args, settings) as source:
        if previous is not None:
            replanned = make_replan(args, settings, source, roster, context, previous)
            code = show_and_write(replanned.plan, args, replanned)
            if args.propose_reschedules:
                from routing.cli.booking_cmd import propose_reschedules  # it imports this
                propose_reschedules(args, replanned.changes, replanned.now)
            return _outage(geocoder, replanned.plan, code)
        plan = make_plan(args, settings, source, roster, context)
    return _outage(geocoder, plan, show_and_write(plan, args))


def _outage(geocoder: Geocoder, plan: Plan, code: int) -> int:
    """Exit 5, the plan written, when a geocoding provider was given up on during it."""
    not_geocoded = plan.summary.unassigned_by_reason.get(ReasonCode.NOT_GEOCODED, 0)
    return provider_outage(unreachable_providers(geocoder), not_geocoded, code)


def make_plan(args: argparse.Namespace, settings: Settings, source: JobSource, roster: Roster,
              context: PlanContext) -> Plan:
    """Fetch, then plan, showing each stage on stderr."""
    report = StageReporter(stderr_console(), quiet=args.quiet)
    tz = day_timezone(args, roster).tz
    jobs = fetch_jobs(source, args.date, tz, report)
    options = settings.plan_options(reassign=bool(getattr(args, "reassign", False)))
    return plan_day(jobs, roster, args.date, options,
                    replace(context, progress=report, rejected=source.rejected))


def read_plan(args: argparse.Namespace) -> Plan:
    """The saved plan of ``--replan``, for ``--date``."""
    try:
        previous = Plan.from_json(args.replan.read_bytes())
    except OSError as exc:
        raise ConfigError(f"{args.replan}: cannot read: {exc.strerror or exc}") from None
    except ValidationError as exc:
        raise ReplanError(f"{args.replan}: not a routeplan plan: "
                          f"{exc.errors()[0]['msg']}") from None
    if previous.date != args.date:
        raise ReplanError(f"{args.replan} plans {previous.date}, not --date {args.date}")
    return previous


def reuse_settings(args: argparse.Namespace, settings: Settings, previous: Plan,
                   console: Console) -> Settings:
    """The settings ``previous`` was made with, except those given as flags now.

    A re-plan should change what happened, not how jobs are planned: the recorded
    durations table, overrides, geocoders, travel times, time limit, seed, workers and
    solution limit win over the environment and the config file; only a command-line flag
    beats them (the on-time rule, objective and reassign are always the plan's). Says on
    stderr what it reused and what a flag overrode, and warns when a recorded file's
    content changed since.
    """
    recorded, inputs = previous.settings, previous.settings.inputs
    # setting name -> (the flags that override it, the recorded value, how to say it)
    reusable: dict[str, tuple[tuple[str, ...], Any, str]] = {
        "time_limit": (("time_limit",), recorded.time_limit_s, f"{recorded.time_limit_s:g} s"),
        "seed": (("seed",), recorded.seed, str(recorded.seed)),
    }
    if recorded.workers is not None:  # recorded since these were (solution_limit too)
        reusable["workers"] = (("workers",), recorded.workers, str(recorded.workers))
        reusable["solution_limit"] = (("solution_limit",), recorded.solution_limit,
                                      str(recorded.solution_limit or "none"))
    if inputs is not None and inputs.durations is not None:
        table = inputs.durations
        path = None if table.path == BUILTIN else Path(table.path)
        reusable["durations"] = (("durations",), path, table.path)
    if inputs is not None:
        reusable["overrides"] = (("overrides",), _path(inputs.overrides),
                                 inputs.overrides.path if inputs.overrides else "none")
    if inputs is not None and inputs.geocoders is not None:
        reusable["geocoders"] = (("geocoders",), inputs.geocoders, ", ".join(inputs.geocoders))
    if inputs is not None and inputs.travel is not None:
        travel = inputs.travel
        reusable["travel"] = (("matrix", "osrm_url", "speed_kmh"), travel, _travel_text(travel))
    update: dict[str, Any] = {}
    reused, overridden = [], []
    for name, (flags, value, text) in reusable.items():
        label = name.replace("_", " ")
        given = [f for f in flags if getattr(args, f, None) is not None]
        if given:
            overridden.append(", ".join("--" + f.replace("_", "-") for f in given))
            continue
        reused.append(f"{label} {text}")
        if isinstance(value, TravelSettings):
            update.update(matrix=value.provider, speed_kmh=value.speed_kmh,
                          circuity=value.circuity)
            if value.provider == "osrm":
                update.update(osrm_url=value.osrm_url, osrm_profile=value.osrm_profile)
        else:
            update[name] = value
    if not args.quiet:
        said = f"reusing from {args.replan}: {'; '.join(reused) or 'nothing recorded'}"
        if overridden:
            said += f"; {', '.join(overridden)} overridden by the flag"
        console.print(escape(said), highlight=False)
    for line in _changed_files(inputs, update, args.replan):
        console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False)
    merged = settings.model_copy(update=update)
    return Settings.model_validate(merged.model_dump())


def _path(recorded: RecordedFile | None) -> Path | None:
    return None if recorded is None else Path(recorded.path)


def _travel_text(travel: TravelSettings) -> str:
    if travel.provider == "osrm":
        return f"osrm {travel.osrm_url} ({travel.osrm_profile})"
    return f"haversine {travel.speed_kmh:g} km/h × {travel.circuity:g}"


def _changed_files(inputs: PlanInputs | None, update: dict[str, Any],
                   plan: Path) -> list[str]:
    """Warnings for the recorded files reused whose content is no longer what it was."""
    warnings = []
    for name in ("durations", "overrides"):
        was = getattr(inputs, name, None) if inputs is not None else None
        if was is None or name not in update:
            continue
        path = update[name]
        if path is None:
            now = DurationTable.builtin_record()
        elif not path.is_file():
            raise ConfigError(f"{path}: the {name} file recorded in {plan} is gone; "
                              f"give --{name} FILE")
        else:
            now = record_file(path)
        if now.sha256 != was.sha256:
            warnings.append(f"{was.path} changed since {plan} was made (its sha256 differs): "
                            f"the re-plan uses its current content")
    return warnings


def make_replan(args: argparse.Namespace, settings: Settings, source: JobSource,
                roster: Roster, context: PlanContext, previous: Plan) -> Replan:
    """Read the events, fetch the jobs, re-plan ``previous`` from --now."""
    tz = ZoneInfo(previous.timezone)
    try:
        now = datetime.combine(args.date, parse_clock(args.now), tz)
    except ValueError as exc:
        raise ConfigError(f"--now: {exc}") from None
    events = load_events(args.events, args.date, tz) if args.events is not None else None
    report = StageReporter(stderr_console(), quiet=args.quiet)
    jobs = fetch_jobs(source, args.date, tz, report)
    return replan_day(previous, jobs, roster, now, settings.plan_options(), events=events,
                      context=replace(context, progress=report, rejected=source.rejected))


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
    write_outputs(plan, {name: getattr(args, name) for name in WRITERS}, stderr_console())
    return UNASSIGNED if args.strict and plan.unassigned else OK
