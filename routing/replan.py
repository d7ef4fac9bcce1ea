"""Mid-day re-planning: the morning's plan, what happened since, and ``now`` in; the rest of
the day re-planned, and the list of what moved, out.

The rules, applied to each technician's route of the previous plan at ``now``:

- **Fixed stops.** A stop is *completed* when its service end ≤ ``now`` and *in progress*
  when its arrival ≤ ``now`` < its service end (the technician is there, waiting or
  working). Walking the route in order, every stop whose arrival ≤ ``now`` is fixed, up to
  and including the first one still in progress. Fixed stops keep their technician, order
  and times, whatever the solver does; they are kept out of the solver problem and merged
  back in front of the re-planned stops. A stop the technician is driving to at ``now``
  is not fixed (it is re-planned like any open job). Breaks that started by ``now`` after a
  fixed stop stay too, and then the lunch counts as taken.
- **Position.** A technician's current position is the place of their last fixed stop
  with a location (an ONLINE stop has none, so the stop before it counts), or their start
  location when nothing is fixed. They are available from the latest of ``now``, their
  shift start, the end of their last fixed stop and the end of a fixed break. The solver
  sees each technician as a shift that starts then and there and ends at the usual time
  and place (a technician driving at ``now`` is taken as still at the last stop).
- **Warm start, stability first.** The previous plan's routes, restricted to the visits
  still open, seed the search (``solver.solve(initial=...)``). A first round (half the
  time limit) keeps every open job with its previous technician, when that technician
  is still on shift; new and previously unassigned jobs, and those of a technician gone
  for the day, may go anywhere. Only if a kept job cannot be placed that way does a
  second round (the time left, warm-started from the first) let the optimiser move
  anything. So a re-plan after a small event moves few appointments (fewer write-backs)
  and a big one still gets a full re-optimisation. Jobs already assigned on Amazon stay
  pinned as in a normal plan.
- **Jobs.** Jobs fetched now but not in the previous plan are planned like any other;
  jobs whose status is now CANCELLED (on Amazon or in the events file) come out of the
  routes and stay in ``unassigned`` as ``not_plannable_status``. A job of the previous
  plan missing from the fetched jobs is reported ``removed``. A cancelled or running-long
  event for a fixed stop that already ended changes nothing (it is history; a warning
  says so).
- **Running long.** ``until`` (the new service end) or ``extra`` (added to the planned
  end) for a stop in progress: it stays fixed with its new end, and the technician is
  available later, which pushes the rest of their day (later arrivals, or jobs moved to
  others). Any stop after a running-long stop is re-planned, even if the old plan said it
  had begun. For a stop not started yet only ``extra`` makes sense: its service lasts that
  much longer.
- **Technician unavailable from HH:MM.** Their shift ends then: nothing new starts after
  it (fixed stops stay, including one in progress). Their remaining stops go to others or
  are reported unassigned with the solver's reason. Jobs *pinned* to them (assigned on
  Amazon) are released: anyone able may take them, since the assignment has to change
  anyway; they are reported ``moved`` when someone does.
- **Changes.** Against the previous plan: ``added`` (a new job now on a route),
  ``assigned`` (was unassigned, now on a route), ``moved`` (another technician),
  ``retimed`` (same technician, arrival moved by more than ``moved_after``),
  ``unassigned`` (with the reason), ``cancelled`` and ``removed``. ``write_back`` marks the
  ones Amazon has to hear about (a technician or an arrival estimate to set); everything
  else is unchanged and need not be written again.

The solved part is verified with ``solver.verify`` (in ``solve_day`` and again after its
conversion to a plan: drives, waits, windows, breaks); the fixed part is the previous
plan's. The merged plan is checked for what the solver cannot see: stops numbered in
order, times that never go back from one stop to the next, every job once. A failure
there is a bug: :class:`ReplanError`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

import solver
from routing.durations import DurationTable
from routing.errors import RoutingError
from routing.events import DayEvents
from routing.geo import Geocoder, HaversineMatrix, MatrixProvider
from routing.plan import (
    GeoLocation,
    Plan,
    PlanBreak,
    PlanInputs,
    PlanStop,
    PlanSummary,
    RouteTotals,
    TechnicianRoute,
    TimeSpan,
    UnassignedJob,
)
from routing.planner import (
    PlanOptions,
    PreparedDay,
    ProgressCallback,
    plan_to_solution,
    prepare_day,
    solve_day,
)
from routing.reasons import ReasonCode
from routing.roster import Location, Roster, TechnicianSpec, TimeRange
from routing.spapi.enums import ServiceJobStatus
from routing.spapi.models import ServiceJob
from routing.visits import Unplanned

__all__ = ["Change", "ChangeKind", "Replan", "ReplanError", "replan_day"]


class ReplanError(RoutingError):
    """A re-plan that cannot be made (bad time, unknown ids in events) or is inconsistent."""


class ChangeKind(StrEnum):
    ADDED = "added"
    ASSIGNED = "assigned"
    MOVED = "moved"
    RETIMED = "retimed"
    UNASSIGNED = "unassigned"
    CANCELLED = "cancelled"
    REMOVED = "removed"


_WRITE_BACK = frozenset({ChangeKind.ADDED, ChangeKind.ASSIGNED, ChangeKind.MOVED,
                         ChangeKind.RETIMED})


class Change(BaseModel):
    """One job that is not where or when the previous plan had it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ChangeKind
    service_job_id: str
    appointment_id: str | None
    old_technician: str | None
    new_technician: str | None
    old_arrival: AwareDatetime | None
    new_arrival: AwareDatetime | None
    arrival_shift_s: int | None
    """new - old arrival in seconds, when the job is on a route in both plans."""
    write_back: bool
    """True when Amazon needs a new technician assignment or arrival estimate."""
    reason: ReasonCode | None = None
    sentence: str | None = None


@dataclass(frozen=True)
class Replan:
    """The re-planned day and what moved."""

    plan: Plan
    """The whole day: fixed stops, then the re-planned rest of each route."""
    changes: list[Change]
    now: datetime
    fixed: dict[str, list[str]]
    """Technician id -> service job ids kept fixed (completed or in progress), in order."""
    remaining: Plan
    """What the solver planned, from each technician's position at their availability."""
    prepared: PreparedDay
    """The problem ``remaining`` was solved from (``plan_to_solution`` + ``solver.verify``)."""
    warnings: list[str] = field(default_factory=list)

    def to_json(self, *, indent: int | None = 2) -> str:
        """``{"now", "changes", "fixed", "warnings", "plan"}`` as JSON."""
        data: dict[str, Any] = {
            "now": self.now.isoformat(),
            "changes": [c.model_dump(mode="json") for c in self.changes],
            "fixed": self.fixed,
            "warnings": self.warnings,
            "plan": json.loads(self.plan.to_json(indent=None)),
        }
        return json.dumps(data, indent=indent)


@dataclass(frozen=True)
class _State:
    """A technician at ``now``: fixed stops and breaks, where and from when they are free."""

    stops: list[PlanStop]
    breaks: list[PlanBreak]
    position: GeoLocation | None
    available: datetime


def replan_day(
    previous: Plan,
    jobs: Iterable[ServiceJob],
    roster: Roster,
    now: datetime,
    options: PlanOptions | None = None,
    *,
    events: DayEvents | None = None,
    geocoder: Geocoder | None = None,
    matrix: MatrixProvider | None = None,
    durations: DurationTable | None = None,
    inputs: PlanInputs | None = None,
    progress: ProgressCallback | None = None,
    rejected: Sequence[Unplanned] = (),
    moved_after: timedelta = timedelta(minutes=5),
    stable: bool = True,
) -> Replan:
    """Re-plan ``previous.date`` from ``now`` (see the module docstring for the rules).

    ``jobs`` are the day's jobs as fetched now; ``events`` what the dispatcher knows
    besides. ``options`` and the collaborators are ``plan_day``'s, but the on-time mode,
    objective and reassign flag are the previous plan's (``PlanOptions.ruled_by``).
    ``stable`` (default) first tries to keep open jobs with their technicians (see the
    module docstring); False lets the optimiser move anything from the start.
    Raises :class:`ReplanError` for a naive ``now``, a ``now`` off the plan date or an
    event naming an unknown job or technician; ``PlanningError`` as ``plan_day`` does.
    """
    day = _Day.at(previous, jobs, roster, now, events or DayEvents())
    prepared = prepare_day(
        day.open_jobs, day.team, previous.date,
        (options or PlanOptions()).ruled_by(previous.settings), geocoder=geocoder,
        matrix=matrix, durations=durations, inputs=inputs, progress=progress,
        rejected=rejected,
    )
    prepared = _lengthened(prepared, day.lengthen)
    keep = {s.service_job_id: r.technician_id for r in previous.routes for s in r.stops
            if s.service_job_id not in day.fixed_ids}
    remaining, solution = solve_day(prepared, progress=progress,
                                    initial=_warm_start(previous, day.fixed_ids),
                                    prefer=keep if stable else None)
    if solution is not None and prepared.problem is not None:
        try:
            solver.verify(prepared.problem, plan_to_solution(remaining, prepared))
        except solver.VerificationError as exc:
            raise ReplanError(f"the re-planned routes break a constraint (a bug): {exc}") from exc
    plan = _merge(previous, remaining, day, roster, matrix or HaversineMatrix())
    _check(plan)
    return Replan(
        plan=plan, changes=_changes(previous, plan, day.cancelled, moved_after), now=day.now,
        fixed={t: [s.service_job_id for s in st.stops] for t, st in day.states.items()
               if st.stops},
        remaining=remaining, prepared=prepared, warnings=day.warnings,
    )


@dataclass(frozen=True)
class _Day:
    """The day at ``now``: each technician's state, the jobs still open, the roster the
    solver sees, and what the events change."""

    now: datetime
    states: dict[str, _State]
    fixed_ids: set[str]
    open_jobs: list[ServiceJob]
    team: Roster
    lengthen: dict[str, timedelta]
    """Jobs not started yet that will run long, and by how much."""
    cancelled: set[str]
    warnings: list[str]

    @classmethod
    def at(cls, previous: Plan, jobs: Iterable[ServiceJob], roster: Roster, now: datetime,
           events: DayEvents) -> _Day:
        if now.tzinfo is None:
            raise ReplanError("now must be an aware datetime (with a timezone)")
        day, tz = previous.date, ZoneInfo(previous.timezone)
        now = _whole_second(now.astimezone(tz))
        if now.date() != day:
            raise ReplanError(f"now ({now:%Y-%m-%d %H:%M}) is not on the plan date {day}")
        warnings: list[str] = []
        job_list = _jobs_now(previous, jobs, events, roster, warnings)
        planned = {s.service_job_id: s for r in previous.routes for s in r.stops}
        extra = _running_long(events, planned, day, tz)
        states = {r.technician_id: _state(r, now, extra, warnings) for r in previous.routes}
        fixed_ids = {s.service_job_id for st in states.values() for s in st.stops}
        for job_id in sorted(events.cancelled & fixed_ids):
            warnings.append(f"{job_id} was cancelled but had already started at {now:%H:%M}; "
                            "it stays on its route")
        return cls(
            now=now, states=states, fixed_ids=fixed_ids,
            open_jobs=[_release(j, set(events.unavailable)) for j in job_list
                       if j.service_job_id not in fixed_ids],
            team=_remaining_roster(roster, day, now, states, events),
            lengthen=_lengthen_open(extra, fixed_ids, now),
            cancelled={j.service_job_id or "" for j in job_list
                       if j.service_job_status == ServiceJobStatus.CANCELLED},
            warnings=warnings,
        )


def _whole_second(moment: datetime) -> datetime:
    """Rounded up: solver times are whole seconds, and nothing may start before ``now``."""
    if moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


# -- the jobs and events -----------------------------------------------------------------


def _jobs_now(previous: Plan, jobs: Iterable[ServiceJob], events: DayEvents, roster: Roster,
              warnings: list[str]) -> list[ServiceJob]:
    """The fetched jobs plus the added ones (they win on the same id), cancellations
    applied as a CANCELLED status; unknown ids in the events are refused."""
    by_id: dict[str, ServiceJob] = {}
    for job in [*jobs, *events.added]:
        if job.service_job_id:
            by_id[job.service_job_id] = job
    known = set(by_id) | {s.service_job_id for r in previous.routes for s in r.stops}
    known |= {u.service_job_id for u in previous.unassigned}
    if unknown := events.cancelled - known:
        raise ReplanError(f"job cancelled: unknown job {', '.join(sorted(unknown))} "
                          "(in neither the plan nor the jobs)")
    team = {t.id for t in roster.technicians}
    if unknown := set(events.unavailable) - team:
        raise ReplanError(f"technician unavailable: {', '.join(sorted(unknown))} "
                          "not in the roster")
    for job_id in sorted(events.cancelled - set(by_id)):
        warnings.append(f"{job_id} was cancelled and is no longer among the jobs")
    return [
        job.model_copy(update={"service_job_status": ServiceJobStatus.CANCELLED})
        if job_id in events.cancelled else job
        for job_id, job in by_id.items()
    ]


@dataclass(frozen=True)
class _Late:
    until: datetime | None
    extra: timedelta | None


def _running_long(events: DayEvents, planned: dict[str, PlanStop], day: date,
                  tz: ZoneInfo) -> dict[str, _Late]:
    out = {}
    for job_id, late in events.running_long.items():
        stop = planned.get(job_id)
        if stop is None:
            raise ReplanError(f"job running long: {job_id} is on no route of the plan")
        until = datetime.combine(day, late.until, tz) if late.until is not None else None
        if until is not None and until < stop.service_start:
            raise ReplanError(f"job running long: {job_id} cannot end at {until:%H:%M}, "
                              f"before its service starts ({stop.service_start:%H:%M})")
        out[job_id] = _Late(until, late.extra)
    return out


def _release(job: ServiceJob, technicians: set[str]) -> ServiceJob:
    """The job without ``technicians`` among its appointments' assignees (unpinned)."""
    if not technicians or not any(
        t.technician_id in technicians
        for a in job.appointments or () for t in a.assigned_technicians or ()
    ):
        return job
    appointments = [
        a.model_copy(update={"assigned_technicians": [
            t for t in a.assigned_technicians or () if t.technician_id not in technicians
        ] or None})
        for a in job.appointments or ()
    ]
    return job.model_copy(update={"appointments": appointments})


# -- each technician at now ----------------------------------------------------------------


def _state(route: TechnicianRoute, now: datetime, late: dict[str, _Late],
           warnings: list[str]) -> _State:
    stops = _fixed_stops(route, now, late, warnings)
    last_end = stops[-1].service_end if stops else None
    breaks = [
        b for b in route.breaks
        if b.start <= now and b.after_stop <= len(stops)
        and (b.after_stop < len(stops) or last_end is None or b.start >= last_end)
    ]
    located = [s.location for s in stops if s.location is not None]
    times = [now, route.shift.start, *(s.service_end for s in stops), *(b.end for b in breaks)]
    return _State(stops, breaks, located[-1] if located else None, max(times))


def _fixed_stops(route: TechnicianRoute, now: datetime, late: dict[str, _Late],
                 warnings: list[str]) -> list[PlanStop]:
    """The route's stops reached by ``now``, up to the first one still in progress (or
    running long), with their service end moved by a running-long event."""
    stops: list[PlanStop] = []
    for stop in route.stops:
        if stop.arrival > now:
            break
        event = late.get(stop.service_job_id)
        end = stop.service_end
        if event is not None:
            end = event.until or stop.service_end + (event.extra or timedelta())
            if end <= now and stop.service_end <= now:
                warnings.append(f"{stop.service_job_id} running long: it had already ended "
                                f"by {now:%H:%M}; nothing changes")
                end, event = stop.service_end, None
            else:
                stop = stop.model_copy(update={"service_end": end})
        stops.append(stop)
        if end > now or event is not None:
            break
    return stops


def _remaining_roster(roster: Roster, day: date, now: datetime, states: dict[str, _State],
                      events: DayEvents) -> Roster:
    """Each working technician as a shift from their availability at their position."""
    technicians = []
    for spec in roster.technicians:
        shift = spec.shift_on(day)
        if shift is None:
            technicians.append(spec)
            continue
        state = states.get(spec.id)
        until = shift[1]
        if spec.id in events.unavailable:
            until = min(until, datetime.combine(day, events.unavailable[spec.id], spec.tz))
        available = max(now, shift[0]) if state is None else state.available
        update: dict[str, Any] = {"end": spec.end_location}
        if available >= until:
            update["dates"] = {**spec.dates, day: None}
        else:
            update["dates"] = {**spec.dates, day: TimeRange(
                start=available.astimezone(spec.tz).time(), end=until.astimezone(spec.tz).time(),
            )}
        if state is not None and state.position is not None:
            update["start"] = Location(lat=state.position.lat, lon=state.position.lon)
        if state is not None and state.breaks:
            update["lunch"] = None
        technicians.append(spec.model_copy(update=update))
    return roster.model_copy(update={"technicians": technicians})


def _lengthen_open(extra: dict[str, _Late], fixed: set[str],
                   now: datetime) -> dict[str, timedelta]:
    """Running-long events for jobs not started yet: only ``extra`` makes sense there."""
    for job_id, late in extra.items():
        if job_id not in fixed and late.until is not None:
            raise ReplanError(f"job running long: {job_id} has not started at {now:%H:%M}; "
                              "give extra (e.g. 30m) instead of until")
    return {job_id: late.extra for job_id, late in extra.items()
            if job_id not in fixed and late.extra is not None}


def _lengthened(prepared: PreparedDay, extra: dict[str, timedelta]) -> PreparedDay:
    """The prepared day with the services of jobs running long ``extra`` longer."""
    if not extra or prepared.problem is None:
        return prepared

    def longer(visit: solver.Visit) -> solver.Visit:
        if visit.id not in extra:
            return visit
        return replace(visit, duration=visit.duration + round(extra[visit.id].total_seconds()))

    problem = prepared.problem
    return replace(prepared, problem=replace(problem, visits=[longer(v) for v in problem.visits]),
                   online=[longer(v) for v in prepared.online])


def _warm_start(previous: Plan, fixed: set[str]) -> solver.Solution:
    """The previous routes as a solver hint: only technicians and stop order are read."""
    routes = []
    for route in previous.routes:
        stops = tuple(
            solver.Stop(s.service_job_id, 0, 0, 0, 0, 0, 0, None)
            for s in route.stops if s.service_job_id not in fixed
        )
        if stops:
            routes.append(solver.Route(route.technician_id, stops, (), 0, 0, 0, None, 0, 0))
    return solver.Solution(tuple(routes), (), 0, "previous plan", 0.0)


# -- the merged day ------------------------------------------------------------------------


def _merge(previous: Plan, remaining: Plan, day: _Day, roster: Roster,
           matrix: MatrixProvider) -> Plan:
    before = {r.technician_id: r for r in previous.routes}
    after = {r.technician_id: r for r in remaining.routes}
    specs = {t.id: t for t in roster.technicians}
    order = [*before, *(t for t in after if t not in before)]
    routes = [
        _merged_route(before.get(t), after.get(t), day.states.get(t), specs.get(t),
                      previous.date, matrix)
        for t in order
    ]
    unassigned = list(remaining.unassigned)
    return Plan(
        date=previous.date, timezone=previous.timezone,
        generated_at=datetime.now(UTC).astimezone(ZoneInfo(previous.timezone)).replace(
            microsecond=0),
        settings=remaining.settings, solver=remaining.solver, routes=routes,
        unassigned=unassigned,
        summary=PlanSummary.of(remaining.summary.jobs + len(day.fixed_ids), routes, unassigned),
        warnings=[*remaining.warnings, *day.warnings],
    )


def _merged_route(old: TechnicianRoute | None, new: TechnicianRoute | None,
                  state: _State | None, spec: TechnicianSpec | None, day: date,
                  matrix: MatrixProvider) -> TechnicianRoute:
    base = old or new
    assert base is not None  # one of the two exists by construction
    fixed = state or _State([], [], None, base.shift.start)
    shift_times = spec.shift_on(day) if spec is not None else None
    shift = TimeSpan(start=shift_times[0], end=shift_times[1]) if shift_times else base.shift
    k = len(fixed.stops)
    stops = [*fixed.stops, *(s.model_copy(update={"sequence": s.sequence + k})
                             for s in (new.stops if new is not None else ()))]
    breaks = [*fixed.breaks, *(
        b.model_copy(update={"after_stop": b.after_stop + k}) for b in (new.breaks if new else ())
    )]
    start, end, travel, distance = _ends(old, new, fixed, matrix)
    return TechnicianRoute(
        technician_id=base.technician_id, name=base.name, timezone=base.timezone, shift=shift,
        start_location=base.start_location, end_location=base.end_location,
        start=start, end=end, stops=stops, breaks=breaks,
        totals=RouteTotals.measure(stops, breaks, shift, travel, distance),
    )


def _ends(old: TechnicianRoute | None, new: TechnicianRoute | None, fixed: _State,
          matrix: MatrixProvider) -> tuple[datetime | None, datetime | None, int, int | None]:
    """The merged route's start and end, and its whole drive (seconds, metres)."""
    travel = sum(s.travel_time_s for s in fixed.stops)
    distances: list[int | None] = [s.distance_m for s in fixed.stops]
    # A kept stop or break is history, and so is the route's start: the solver opens a
    # route with a break taken at home before leaving, and the re-planned part (which
    # starts after that break) must not move the start past it.
    history = old if old is not None and (fixed.stops or fixed.breaks) else None
    start: datetime | None = None
    end: datetime | None = None
    if new is not None and new.stops:
        start, end = history.start if history is not None else new.start, new.end
        travel += new.totals.travel_time_s
        distances.append(new.totals.distance_m)
    elif history is not None:
        seconds, metres = _drive_home(fixed.stops, history.end_location, matrix)
        start, end = history.start, _last_end(fixed) + timedelta(seconds=seconds)
        travel += seconds
        distances.append(metres)
    return start, end, travel, None if None in distances else sum(d or 0 for d in distances)


def _last_end(fixed: _State) -> datetime:
    return max([*(s.service_end for s in fixed.stops[-1:]), *(b.end for b in fixed.breaks)])


def _drive_home(fixed: list[PlanStop], home: GeoLocation,
                matrix: MatrixProvider) -> tuple[int, int]:
    """Seconds and metres from the last fixed stop with a place to ``home``."""
    located = [s.location for s in fixed if s.location is not None]
    if not located:
        return 0, 0
    here = located[-1]
    travel = matrix.matrix([(here.lat, here.lon), (home.lat, home.lon)])
    return int(travel.durations[0, 1]), int(travel.distances[0, 1])


def _check(plan: Plan) -> None:
    """What ``solver.verify`` cannot see of the merged plan (it checked the re-planned part;
    the fixed part is the previous plan's): stops numbered in order, times that never go
    back, the route's end after its last stop, every job once. A violation is a bug in the
    merge."""
    problems: list[str] = []
    for route in plan.routes:
        problems += _route_problems(route)
    seen = Counter([*(s.service_job_id for r in plan.routes for s in r.stops),
                    *(u.service_job_id for u in plan.unassigned)])
    problems += [f"{job} appears {n} times" for job, n in seen.items() if n > 1]
    if problems:
        raise ReplanError("the merged plan is inconsistent (a bug): " + "; ".join(problems))


def _route_problems(route: TechnicianRoute) -> list[str]:
    who, problems = route.technician_id, []
    previous_end = route.start
    for number, stop in enumerate(route.stops, start=1):
        if stop.sequence != number:
            problems.append(f"{who}: stop {stop.service_job_id} numbered {stop.sequence}")
        if not stop.arrival <= stop.service_start <= stop.service_end or (
                previous_end is not None and stop.arrival < previous_end):
            problems.append(f"{who}: {stop.service_job_id} times out of order")
        previous_end = stop.service_end
    if route.stops and (route.end is None or route.end < route.stops[-1].service_end):
        problems.append(f"{who}: the route ends before its last stop")
    if route.start is not None and any(b.start < route.start for b in route.breaks):
        problems.append(f"{who}: a break before the route starts")
    return problems


# -- what moved ----------------------------------------------------------------------------


def _changes(previous: Plan, plan: Plan, cancelled: set[str],
             moved_after: timedelta) -> list[Change]:
    old = {s.service_job_id: (r.technician_id, s) for r in previous.routes for s in r.stops}
    new = {s.service_job_id: (r.technician_id, s) for r in plan.routes for s in r.stops}
    was_unassigned = {u.service_job_id: u for u in previous.unassigned}
    now_unassigned = {u.service_job_id: u for u in plan.unassigned}
    changes = []
    for job_id in sorted({*old, *new, *was_unassigned, *now_unassigned}):
        before, after = old.get(job_id), new.get(job_id)
        if after is not None:
            kind = _kind_on_route(before, after, job_id in was_unassigned, moved_after)
        else:
            kind = _kind_off_route(before is not None, was_unassigned.get(job_id),
                                   job_id in now_unassigned, job_id in cancelled)
        if kind is not None:
            changes.append(_change(kind, job_id, before, after, now_unassigned.get(job_id)))
    rank = list(ChangeKind)
    return sorted(changes, key=lambda c: (rank.index(c.kind), c.service_job_id))


def _kind_on_route(before: tuple[str, PlanStop] | None, after: tuple[str, PlanStop],
                   was_unassigned: bool, moved_after: timedelta) -> ChangeKind | None:
    """What changed for a job on a route now."""
    if before is None:
        return ChangeKind.ASSIGNED if was_unassigned else ChangeKind.ADDED
    if before[0] != after[0]:
        return ChangeKind.MOVED
    if abs(after[1].arrival - before[1].arrival) > moved_after:
        return ChangeKind.RETIMED
    return None


def _kind_off_route(was_on_route: bool, was_unassigned: UnassignedJob | None,
                    now_unassigned: bool, cancelled: bool) -> ChangeKind | None:
    """What changed for a job on no route now: nothing for one already left out (or
    already cancelled) before."""
    if cancelled:
        if was_on_route or (was_unassigned is not None and was_unassigned.status != "CANCELLED"):
            return ChangeKind.CANCELLED
        return None
    if was_on_route or (now_unassigned and was_unassigned is None):
        return ChangeKind.UNASSIGNED if now_unassigned else ChangeKind.REMOVED
    return None


def _change(kind: ChangeKind, job_id: str, before: tuple[str, PlanStop] | None,
            after: tuple[str, PlanStop] | None, unassigned: UnassignedJob | None) -> Change:
    shift = None
    if before is not None and after is not None:
        shift = round((after[1].arrival - before[1].arrival).total_seconds())
    stop = after[1] if after is not None else before[1] if before is not None else None
    sentence = unassigned.sentence if unassigned is not None else None
    if kind == ChangeKind.REMOVED:
        sentence = "No longer among the jobs fetched."
    return Change(
        kind=kind, service_job_id=job_id,
        appointment_id=stop.appointment_id if stop is not None else None,
        old_technician=before[0] if before else None, new_technician=after[0] if after else None,
        old_arrival=before[1].arrival if before else None,
        new_arrival=after[1].arrival if after else None,
        arrival_shift_s=shift, write_back=kind in _WRITE_BACK,
        reason=unassigned.reason if unassigned is not None and kind != ChangeKind.CANCELLED
        else None,
        sentence=sentence,
    )
