"""routeplan slots / book / reschedule: pending jobs into route-aware appointment slots.

Amazon's offered slots (getAppointmmentSlotsByJobId) over the horizon --date .. --days, each
intersected with the job's feasible insertions into that day's plan (a saved plan given
with --plan, else the day planned now) and scored: added drive plus the weighted terms of
routing.booking (the buyer's preferred times, earliness, slack kept, workload balance).

--source emulator plays the example day offline: the emulator and the client share a clock
set to the evening before --date (18:00 in the roster's timezone), so the example day's
slots are in the future whatever today is; without --roster it uses the example roster,
durations and geocode overrides.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from routing.booking import (
    Booking,
    BookingError,
    BookingOptions,
    Horizon,
    OfferedSlot,
    PendingJob,
    Ranking,
    SlotOption,
    book_jobs,
    is_pending,
    pending_job,
    plan_horizon,
    rank_slots,
)
from routing.cli.common import (
    EXAMPLES,
    StageReporter,
    add_geo_options,
    add_source_options,
    duration_text,
    emulator_client,
    fetch_jobs,
    positive_int,
    settings_from,
    spapi_client,
)
from routing.cli.emulator_cmd import fault_spec
from routing.cli.exits import OK, UNASSIGNED, WRITEBACK_FAILED
from routing.cli.plan_cmd import add_planning_options
from routing.cli.tables import add_format_options, stderr_console, stdout_console
from routing.config import ConfigError, Settings
from routing.plan import Plan
from routing.replan import Change, ChangeKind
from routing.roster import Roster, load_roster
from routing.sources import SpApiSource
from routing.spapi import ServiceJob, ServicesClient, SlotUnavailableError
from routing.spapi.emulator import Emulator
from routing.spapi.enums import AppointmentStatus, ServiceJobStatus
from routing.writeback import (
    DEFAULT_MARGIN,
    Journal,
    ResultStatus,
    WritebackError,
    load_plan,
    parse_margin,
)
from routing.writeback.booking import BookingRequest, BookingResult, BookingWriter

EMULATOR_EVENING = time(18)
"""--source emulator: "now" is this time on the day before --date (see the module doc)."""
DEFAULT_JOURNAL = Path("routeplan-booking.journal.sqlite")

SLOTS_EXAMPLES = """\
examples:
  routeplan slots SJ-9455356831 --source emulator --date 2026-12-01 --days 3
  routeplan slots SJ-9455356831 --source emulator --date 2026-12-01 --json
  routeplan slots SJ-123 --date tomorrow --days 5 --roster roster.yaml --plan plan.json

exit codes: 0 slots shown (even none), 3 bad option or input, 4 Services API unusable.
"""
BOOK_EXAMPLES = """\
examples:
  routeplan book --source emulator --date 2026-12-01 --days 3        # dry run
  routeplan book --source emulator --date 2026-12-01 --days 3 --apply --journal /tmp/b.sqlite
  routeplan book --date tomorrow --days 5 --roster roster.yaml --apply

exit codes: 0 done (or dry run), 10 some jobs found no slot (only with --strict), 11 some
bookings or their assignments or estimates failed (run the same command again: nothing
booked is booked twice), 3 bad option or input, 4 Services API unusable.
"""
RESCHEDULE_EXAMPLES = """\
examples:
  routeplan reschedule SJ-2271616155 --source emulator --date 2026-12-01 --days 2
  routeplan reschedule SJ-123 --date today --days 3 --roster roster.yaml --apply

--apply needs reschedule_reason_code set (in the config, or ROUTEPLAN_RESCHEDULE_REASON_CODE):
one of the reason codes Amazon agreed with the seller.

exit codes: 0 proposed (or booked), 3 bad option or input (no reason code, no active
appointment), 4 Services API unusable, 11 the reschedule or its writes failed.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    slots = _parser(commands, "slots", "rank a job's offered appointment slots by route",
                    SLOTS_EXAMPLES, "the ranking as JSON")
    slots.add_argument("job_id", metavar="JOB_ID", help="the service job id")
    slots.add_argument("--plan", dest="plans", type=Path, action="append", default=[],
                       metavar="FILE", help="a saved plan of a day of the horizon "
                       "(repeatable; other days are planned now)")
    slots.set_defaults(run=run_slots)
    book = _parser(commands, "book", "book every pending job of the horizon into the best slot",
                   BOOK_EXAMPLES, "one row per job (see the README)")
    _apply_options(book)
    book.add_argument("--strict", action="store_true",
                      help="exit with 10 when any job found no slot")
    book.set_defaults(run=run_book)
    move = _parser(commands, "reschedule", "propose (and book) a new slot for an appointment",
                   RESCHEDULE_EXAMPLES, "the proposal as JSON")
    move.add_argument("job_id", metavar="JOB_ID", help="the service job id")
    _apply_options(move)
    move.set_defaults(run=run_reschedule)


def _parser(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
            text: str, epilog: str, json_help: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=text, description=__doc__, epilog=epilog,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_source_options(parser)
    parser.add_argument("--days", type=positive_int, default=1, metavar="N",
                        help="the horizon: N days from --date (default 1)")
    parser.add_argument("--fault", dest="faults", action="append", default=[],
                        type=fault_spec, metavar="KIND:N[@OP]",
                        help="with --source emulator: inject a fault, e.g. slot-taken:1 (see "
                             "`routeplan emulator --help`)")
    add_planning_options(parser)
    add_geo_options(parser)
    add_format_options(parser, json_help)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    return parser


def _apply_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--apply", action="store_true",
                        help="book at Amazon, assign the technician, send the arrival estimate "
                             "(default: dry run, nothing is sent)")
    parser.add_argument("--journal", type=Path, default=DEFAULT_JOURNAL, metavar="FILE",
                        help=f"SQLite journal of the bookings (default: ./{DEFAULT_JOURNAL})")
    parser.add_argument("--eta-margin", type=_margin, default=DEFAULT_MARGIN, metavar="M",
                        help="arrival estimate = planned service start ± M (default 30m)")


def _margin(text: str) -> timedelta:
    try:
        return parse_margin(text)
    except WritebackError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# -- the session: Amazon, the jobs, the horizon ------------------------------------------------


@dataclass
class Session:
    """What every booking command works on."""

    args: argparse.Namespace
    settings: Settings
    roster: Roster
    client: ServicesClient
    jobs: dict[str, ServiceJob] = field(default_factory=dict)

    @property
    def tz(self) -> tzinfo:
        return self.roster.tz

    @property
    def first(self) -> date:
        day: date = self.args.date
        return day

    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(0), self.tz)
        return start, datetime.combine(self.first + timedelta(days=self.args.days), time(0),
                                       self.tz)

    def horizon(self, pending: Sequence[str], saved: dict[date, Plan] | None = None) -> Horizon:
        options = self.settings.plan_options(reassign=bool(self.args.reassign))
        return plan_horizon(
            [_as_pending(j) if j.service_job_id in pending else j for j in self.jobs.values()],
            self.roster, self.first, self.args.days, options, pending=pending, saved=saved,
            context=self.settings.plan_context())

    def pending(self, job: ServiceJob) -> PendingJob:
        return pending_job(_as_pending(job), self.settings.plan_options().on_time)

    def slots(self, job_id: str) -> list[OfferedSlot]:
        """Amazon's bookable slots of the job over the horizon, earliest first."""
        start, end = self.bounds()
        report = self.client.get_job_appointment_slots(job_id, self.settings.marketplace_id,
                                                       start, end)
        return [OfferedSlot(s.start_time, s.end_time) for s in report.bookable()
                if s.start_time is not None and s.end_time is not None]

    def read_job(self, job_id: str) -> ServiceJob:
        job = self.client.get_service_job(job_id)
        self.jobs[job_id] = job
        return job


def _as_pending(job: ServiceJob) -> ServiceJob:
    """The job as one waiting for a slot: no appointment (a reschedule looks for a new one)."""
    if is_pending(job):
        return job
    return job.model_copy(update={"appointments": [],
                                  "service_job_status": ServiceJobStatus.PENDING_SCHEDULE})


def example_emulator(clock: Callable[[], datetime],
                     faults: Sequence[str]) -> AbstractContextManager[Emulator]:
    """The emulator of --source emulator (tests swap in one they keep running)."""
    emulator = Emulator.from_file(EXAMPLES / "jobs.json", clock=clock)
    for spec in faults:
        emulator.faults.inject_spec(spec)
    return emulator


@contextmanager
def session(args: argparse.Namespace) -> Iterator[Session]:
    settings = settings_from(args)
    if args.source == "emulator":
        settings = settings.model_copy(update={
            "roster": settings.roster or EXAMPLES / "roster.yaml",
            "durations": settings.durations or EXAMPLES / "durations.yaml",
            "overrides": settings.overrides or EXAMPLES / "geocode_overrides.csv"})
    elif args.faults:
        raise ConfigError("--fault needs --source emulator")
    if settings.roster is None:
        raise ConfigError("a roster is needed: --roster FILE (or roster = in the config)")
    roster = load_roster(settings.roster)
    saved = {}
    for path in getattr(args, "plans", []):
        plan = load_plan(path)
        if not 0 <= (plan.date - args.date).days < args.days:
            raise BookingError(f"{path} plans {plan.date}, outside the horizon "
                               f"{args.date} + {args.days} day(s)")
        saved[plan.date] = plan
    args.saved = saved
    if args.source == "emulator":
        now = datetime.combine(args.date - timedelta(days=1), EMULATOR_EVENING, roster.tz)
        clock = lambda: now  # noqa: E731 - the fixed "now" both sides share
        with example_emulator(clock, args.faults) as emulator, \
                emulator_client(emulator, clock) as client:
            yield _fetched(Session(args, settings, roster, client))
        return
    if args.source not in ("spapi", "sandbox"):
        raise ConfigError(f"--source {args.source}: booking reads Amazon's slots; use spapi, "
                          "sandbox or emulator (or --endpoint URL)")
    with spapi_client(settings, sandbox=args.source == "sandbox") as client:
        yield _fetched(Session(args, settings, roster, client))


def _fetched(current: Session) -> Session:
    """The session with every job touching a day of the horizon."""
    args = current.args
    report = StageReporter(stderr_console(), quiet=args.quiet)
    source = SpApiSource(current.client, current.settings.marketplace_id)
    for offset in range(args.days):
        for job in fetch_jobs(source, args.date + timedelta(days=offset), current.roster.tz,
                              report):
            if job.service_job_id:
                current.jobs.setdefault(job.service_job_id, job)
    return current


# -- slots --------------------------------------------------------------------------------------


def run_slots(args: argparse.Namespace) -> int:
    with session(args) as current:
        job = current.jobs.get(args.job_id) or current.read_job(args.job_id)
        slots = current.slots(args.job_id)
        horizon = current.horizon([args.job_id], args.saved)
        ranking = rank_slots(current.pending(job), horizon, slots, BookingOptions())
    _show_ranking(args, ranking, horizon.tz, f"Slots for {args.job_id}")
    return OK


def _show_ranking(args: argparse.Namespace, ranking: Ranking, tz: tzinfo, title: str,
                  extra: dict[str, Any] | None = None) -> None:
    if args.format == "json":
        document = {"service_job_id": ranking.service_job_id, **(extra or {}),
                    "options": [_option_json(o, full=True) for o in ranking.options],
                    "excluded": [{**_slot_json(e.slot), "reason": e.reason.value,
                                  "sentence": e.sentence} for e in ranking.excluded]}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    console = stdout_console(args.format)
    console.print(_options_table(ranking, tz, title))
    if ranking.excluded:
        console.print(_excluded_table(ranking, tz))


def _options_table(ranking: Ranking, tz: tzinfo, title: str) -> Table:
    table = Table(title=f"{title}: {len(ranking.options)} bookable, best first (score: "
                        "seconds of drive, lower is better)", title_justify="left")
    for header in ("#", "date", "slot", "technician", "start", "added drive", "score"):
        table.add_column(header, no_wrap=True)
    table.add_column("why it ranks here", ratio=1)
    for number, option in enumerate(ranking.options, 1):
        table.add_row(str(number), f"{option.date:%a %d %b}", _slot_text(option.slot, tz),
                      option.technician_id, f"{option.start.astimezone(tz):%H:%M}",
                      duration_text(option.added_travel_s), f"{option.score:.0f}",
                      escape(why(option)))
    return table


def _excluded_table(ranking: Ranking, tz: tzinfo) -> Table:
    table = Table(title=f"Kept out ({len(ranking.excluded)})", title_justify="left")
    for header in ("date", "slot", "reason"):
        table.add_column(header, no_wrap=True)
    table.add_column("why", ratio=1)
    for item in sorted(ranking.excluded, key=lambda e: e.slot.start):
        table.add_row(f"{item.slot.start.astimezone(tz):%a %d %b}", _slot_text(item.slot, tz),
                      item.reason.value, escape(item.sentence))
    return table


_TERMS = {
    "preference": "not the buyer's time",
    "earliness": "later",
    "slack": "tight",
    "balance": "busy day",
}
"""How each score term reads in ``why`` (see ``routing.booking.options`` for the weights)."""


def why(option: SlotOption) -> str:
    """The score's terms in words, each with what it adds in minutes of drive: e.g.
    ``adds 20 min drive; not the buyer's time (+30 min); later (+12 min)``."""
    terms = dict(option.terms)
    parts = [f"adds {duration_text(option.added_travel_s)} drive"
             if option.added_travel_s >= 30 else "no added drive"]
    parts += [f"{_TERMS[name]} (+{duration_text(value)})" for name, value in terms.items()
              if name != "travel" and value >= 60]  # shown when a minute or more
    if terms.get("preference", 0) == 0:
        parts.append("the buyer's time")
    return "; ".join(parts)


def _slot_text(slot: OfferedSlot, tz: tzinfo) -> str:
    return f"{slot.start.astimezone(tz):%H:%M}–{slot.end.astimezone(tz):%H:%M}"


def _slot_json(slot: OfferedSlot) -> dict[str, str]:
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat()}


def _option_json(option: SlotOption, *, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {**_slot_json(option.slot), "technician_id": option.technician_id,
                            "added_travel_s": option.added_travel_s, "score": option.score}
    if full:
        data.update(date=option.date.isoformat(), service_start=option.start.isoformat(),
                    slack_s=option.slack_s, terms=dict(option.terms))
    return data


# -- book ---------------------------------------------------------------------------------------


@dataclass
class _Applied:
    """The Amazon side of ``book --apply``: per job, what was written, and the 422s met."""

    writer: BookingWriter
    current: Session
    horizon: Horizon
    results: dict[str, BookingResult] = field(default_factory=dict)
    taken: dict[str, int] = field(default_factory=dict)
    appointment: dict[str, str] = field(default_factory=dict)
    """Job -> the appointment moved (reschedule only)."""
    reason_code: str | None = None

    def choose(self, job: PendingJob, ranking: Ranking) -> SlotOption | None:
        """Book the best option Amazon still has; on a 422 the next, then the slots read
        again once (Amazon's capacity changed under us)."""
        tried: set[datetime] = set()
        for attempt in range(2):
            if attempt:
                ranking = rank_slots(job, self.horizon, self.current.slots(job.service_job_id))
            for option in ranking.options:
                if option.slot.start in tried:
                    continue
                tried.add(option.slot.start)
                try:
                    result = self.writer.book(self._request(job, option))
                except SlotUnavailableError:
                    self.taken[job.service_job_id] = self.taken.get(job.service_job_id, 0) + 1
                    continue
                self.results[job.service_job_id] = result
                return option if result.outcome is None or result.outcome.state.succeeded \
                    else None
            if not self.taken.get(job.service_job_id):
                break
        return None

    def _request(self, job: PendingJob, option: SlotOption) -> BookingRequest:
        return BookingRequest(job.service_job_id, option.slot.start, option.slot.end,
                              option.technician_id, option.start,
                              self.appointment.get(job.service_job_id), self.reason_code)


def run_book(args: argparse.Namespace) -> int:
    with session(args) as current:
        earlier: list[BookingResult] = []
        journal = Journal(args.journal) if args.apply else None
        try:
            if journal is not None:
                writer = BookingWriter(current.client, journal, margin=args.eta_margin)
                earlier = writer.settle()
                for result in earlier:  # settled ones are no longer pending
                    current.read_job(result.request.service_job_id)
            pending = sorted((j for j in current.jobs.values() if is_pending(j)), key=_order)
            ids = [j.service_job_id for j in pending if j.service_job_id]
            horizon = current.horizon(ids)
            slots = {job_id: current.slots(job_id) for job_id in ids}
            jobs = [current.pending(j) for j in pending]
            applied = None
            if journal is not None:
                applied = _Applied(writer, current, horizon)
                bookings = book_jobs(jobs, horizon, slots, BookingOptions(), applied.choose)
            else:
                bookings = book_jobs(jobs, horizon, slots, BookingOptions())
        finally:
            if journal is not None:
                journal.close()
    rows = [_row(b, applied) for b in bookings]
    _show_bookings(args, rows, bookings, horizon.tz, applied, earlier)
    if applied is not None and (any(r.failed for r in applied.results.values())
                                or any(r.failed for r in earlier)):
        return WRITEBACK_FAILED
    return UNASSIGNED if args.strict and any(b.decision == "no_slot" for b in bookings) else OK


def _order(job: ServiceJob) -> tuple[float, str]:
    """Jobs whose buyer asked for the earliest time go first (then by id, for a stable run)."""
    first = min((w.start.timestamp() for w in pending_job(job).preferred), default=float("inf"))
    return first, job.service_job_id or ""


def _row(booking: Booking, applied: _Applied | None) -> dict[str, Any]:
    """One job as ``book --json`` prints it."""
    option = booking.option
    reason = booking.reason.value if booking.reason else None
    if applied is not None and option is None:
        result = applied.results.get(booking.service_job_id)
        if result is not None:
            reason = "booking_failed"
        elif applied.taken.get(booking.service_job_id):
            reason = "slot_taken"
    return {
        "service_job_id": booking.service_job_id,
        "decision": "book" if option is not None else "no_slot",
        "slot": _slot_json(option.slot) if option else None,
        "technician_id": option.technician_id if option else None,
        "date": option.date.isoformat() if option else None,
        "added_travel_s": option.added_travel_s if option else None,
        "options": [_option_json(o) for o in booking.ranking.options],
        "reason": reason,
    }


_STYLE = {ResultStatus.OK: "green", ResultStatus.WARNING: "yellow",
          ResultStatus.FAILED: "bold red", ResultStatus.BLOCKED: "red",
          ResultStatus.DONE_EARLIER: "dim"}


def _show_bookings(args: argparse.Namespace, rows: list[dict[str, Any]],
                   bookings: list[Booking], tz: tzinfo, applied: _Applied | None,
                   earlier: list[BookingResult]) -> None:
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    console = stdout_console(args.format)
    if earlier:
        console.print(_writes_table("Left by an earlier run, settled now", earlier, tz))
    title = "Booked at Amazon" if applied is not None else "Dry run: what would be booked"
    table = Table(title=f"{title} ({len(bookings)} pending jobs, best option each, in turn)",
                  title_justify="left")
    for header in ("job", "decision", "date", "slot", "technician", "start", "added drive",
                   "score", "options"):
        table.add_column(header, no_wrap=True)
    if applied is not None:
        table.add_column("Amazon", no_wrap=True)
    table.add_column("why", ratio=1)
    for booking, row in zip(bookings, rows, strict=True):
        option = booking.option
        cells = [booking.service_job_id, row["decision"],
                 f"{option.date:%a %d %b}" if option else "—",
                 _slot_text(option.slot, tz) if option else "—",
                 option.technician_id if option else "—",
                 f"{option.start.astimezone(tz):%H:%M}" if option else "—",
                 duration_text(option.added_travel_s) if option else "—",
                 f"{option.score:.0f}" if option else "—", str(len(booking.ranking.options))]
        if applied is not None:
            cells.append(_amazon_text(booking.service_job_id, applied))
        cells.append(escape(why(option) if option else f"{row['reason']}: {booking.sentence}"))
        table.add_row(*cells)
    console.print(table)
    booked = sum(1 for row in rows if row["decision"] == "book")
    if applied is None:
        console.print(f"dry run: {booked} of {len(rows)} jobs would be booked, "
                      f"{len(rows) - booked} without a slot. Nothing was sent: add --apply.",
                      highlight=False)
        return
    results = list(applied.results.values())
    sent = sum(r.sent for r in [*results, *earlier])
    failed = sum(1 for r in [*results, *earlier] if r.failed)
    taken = sum(applied.taken.values())
    style = "bold red" if failed else "green"
    console.print(f"[{style}]{'incomplete' if failed else 'done'}:[/] {booked} booked, "
                  f"{len(rows) - booked} without a slot, {taken} slot(s) taken meanwhile "
                  f"(422, next option tried), {failed} failed; {sent} calls sent."
                  + (" Run the same command again to retry." if failed else ""),
                  highlight=False)
    console.print(f"journal: {escape(str(args.journal))}", style="dim", highlight=False)


def _amazon_text(job_id: str, applied: _Applied) -> str:
    result = applied.results.get(job_id)
    if result is None:
        return "—"
    if result.outcome is not None and not result.outcome.state.succeeded:
        return f"[bold red]failed[/] {escape(result.detail)}"
    statuses = " ".join(f"{w.action.kind.value} [{_STYLE[w.status]}]{w.status.value}[/]"
                        for w in result.writes)
    return f"{result.appointment_id or '?'} {statuses}".strip()


def _writes_table(title: str, results: list[BookingResult], tz: tzinfo) -> Table:
    table = Table(title=title, title_justify="left")
    for header in ("job", "slot", "technician", "appointment", "writes"):
        table.add_column(header, no_wrap=True)
    table.add_column("Amazon said", ratio=1)
    for result in results:
        request = result.request
        table.add_row(request.service_job_id,
                      f"{request.start.astimezone(tz):%a %d %b %H:%M}", request.technician_id,
                      result.appointment_id or "—",
                      " ".join(f"{w.action.kind.value} [{_STYLE[w.status]}]{w.status.value}[/]"
                               for w in result.writes) or "—",
                      escape(result.detail))
    return table


# -- reschedule ---------------------------------------------------------------------------------


def run_reschedule(args: argparse.Namespace) -> int:
    code = settings_from(args).reschedule_reason_code
    if args.apply and not code:  # before anything is read: a config mistake
        raise ConfigError("reschedule --apply needs reschedule_reason_code: set it in the "
                          "config (or ROUTEPLAN_RESCHEDULE_REASON_CODE) to one of the "
                          "reason codes Amazon agreed with you")
    with session(args) as current:
        job = current.read_job(args.job_id)
        appointment = next((a for a in job.appointments or ()
                            if a.appointment_status in (None, AppointmentStatus.ACTIVE)
                            and a.appointment_id), None)
        if appointment is None or appointment.appointment_id is None:
            raise BookingError(f"job {args.job_id} has no active appointment to move "
                               "(a pending job is booked with `routeplan book`)")
        moved = appointment.appointment_id
        now = appointment.appointment_time.start_time if appointment.appointment_time else None
        slots = [s for s in current.slots(args.job_id) if s.start != now]
        horizon = current.horizon([args.job_id])
        pending = current.pending(job)
        ranking = rank_slots(pending, horizon, slots, BookingOptions())
        result = None
        if args.apply:
            with Journal(args.journal) as journal:
                writer = BookingWriter(current.client, journal, margin=args.eta_margin)
                writer.settle()
                applied = _Applied(writer, current, horizon, appointment={args.job_id: moved},
                                   reason_code=code)
                chosen = applied.choose(pending, ranking)
                result = applied.results.get(args.job_id)
    extra = {"appointment_id": moved,
             "booked": None if result is None or chosen is None else {
                 "appointment_id": result.appointment_id, **_slot_json(chosen.slot),
                 "technician_id": chosen.technician_id}}
    _show_ranking(args, ranking, horizon.tz,
                  f"New slots for {args.job_id} (appointment {moved})", extra)
    if args.format != "json" and args.apply:
        console = stdout_console(args.format)
        console.print(f"rescheduled: {moved} → {result.appointment_id} "
                      f"({_amazon_text(args.job_id, applied)})" if result and chosen
                      else "not rescheduled: no slot could be booked", highlight=False)
    return WRITEBACK_FAILED if args.apply and (result is None or result.failed) else OK


# -- plan --replan --propose-reschedules ---------------------------------------------------------

PROPOSAL_DAYS = 3
"""``plan --propose-reschedules`` looks this many days ahead from --date."""


def propose_reschedules(args: argparse.Namespace, changes: Sequence[Change],
                        now: datetime) -> None:
    """For each appointment the re-plan leaves unserved (unreachable in its window, its
    technician gone, …), the best new slot after ``now`` over :data:`PROPOSAL_DAYS` days,
    ranked as ``routeplan reschedule`` ranks them; nothing is booked. The days are planned
    afresh from the jobs and the roster: the events of the re-plan (a technician gone) are
    not applied to them, so read the proposal before booking it."""
    wanted = [c for c in changes if c.kind is ChangeKind.UNASSIGNED and c.appointment_id]
    console = stderr_console() if args.format == "json" else stdout_console(args.format)
    if not wanted:
        console.print("No appointment left unserved: nothing to reschedule.", highlight=False)
        return
    args.days, args.faults = PROPOSAL_DAYS, []
    with session(args) as current:
        horizon = current.horizon([c.service_job_id for c in wanted])
        table = Table(title=f"Reschedule proposals ({len(wanted)}; book one with `routeplan "
                            f"reschedule JOB --date {args.date} --days {PROPOSAL_DAYS} --apply`)",
                      title_justify="left")
        for header in ("job", "appointment", "unserved because", "best new slot", "technician",
                       "added drive", "score"):
            table.add_column(header, no_wrap=True)
        table.add_column("why", ratio=1)
        for change in wanted:
            job = current.jobs.get(change.service_job_id) or current.read_job(
                change.service_job_id)
            slots = [s for s in current.slots(change.service_job_id) if s.start >= now]
            ranking = rank_slots(current.pending(job), horizon, slots, BookingOptions())
            reason = change.reason.value if change.reason else escape(change.sentence or "")
            best = ranking.options[0] if ranking.options else None
            if best is None:
                table.add_row(change.service_job_id, change.appointment_id, reason, "none", "—",
                              "—", "—", f"{len(ranking.excluded)} slot(s) offered, none "
                              "feasible" if ranking.excluded else "no slot offered")
                continue
            table.add_row(change.service_job_id, change.appointment_id, reason,
                          f"{best.date:%a %d %b} {_slot_text(best.slot, horizon.tz)}",
                          best.technician_id, duration_text(best.added_travel_s),
                          f"{best.score:.0f}", escape(why(best)))
    console.print(table)
