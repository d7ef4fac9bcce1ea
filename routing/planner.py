"""``plan_day``: the day's jobs and the roster in, a :class:`~routing.plan.Plan` out.

The stages, each reported to the optional progress callback:

1. **rules** — :mod:`routing.visits` turns each job into a visit or a reason; jobs that no
   technician of the roster could ever do (``no_skilled_technician``) or that only
   technicians off that day could do (``outside_shifts``) are settled before geocoding;
2. **geocode** — job addresses through the geocoder (``not_geocoded`` on failure);
   technicians' homes from their lat/lon, else their address. A technician whose start or
   end cannot be placed is a roster problem: :class:`PlanningError`;
3. **matrix** — one travel matrix over the unique points (job addresses, technicians'
   starts and ends);
4. **solve** — ``solver.solve`` and, always, ``solver.verify`` on its answer; then the
   integers become aware datetimes in each technician's timezone.

ONLINE jobs need no travel: the technician does them wherever they are. A matrix cannot
say "wherever" (a place at zero travel from everywhere lets the optimiser skip the drive
between the two stops around it), so they are placed in two steps: the field jobs are
solved first (two thirds of the time limit); each ONLINE job is then anchored where a
technician has idle time in that solution (waiting at a stop, at home before leaving or
after returning), and a second search, warm-started from the first, places everything
with real drives only. The plan shows ONLINE stops without a location and without travel:
the drive to where the technician does one (a place of their route) counts on the next
stop with a place, or on the drive home.

Times inside the solver are seconds from the *origin*: the earliest shift start of the day
(UTC). A day with no technician on shift, or nothing to plan, still gives a valid plan in
which every job is unassigned with its reason; :class:`PlanningError` is kept for input
that cannot be planned at all (an unknown setting, a technician home that cannot be
placed, a solver failure).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

import solver
from routing.durations import DurationTable
from routing.errors import RoutingError
from routing.geo import (
    Geocoder,
    GeocodingError,
    GeoPoint,
    HaversineMatrix,
    MatrixProvider,
    default_geocoder,
    geocode_batch,
)
from routing.plan import (
    GeoLocation,
    Plan,
    PlanBreak,
    PlanInputs,
    PlanSettings,
    PlanStop,
    PlanSummary,
    RouteTotals,
    SolverInfo,
    TechnicianRoute,
    TimeSpan,
    UnassignedJob,
)
from routing.reasons import ReasonCode, default_sentence, from_solver
from routing.roster import Location, Roster, TechnicianSpec
from routing.spapi.models import Address, ServiceJob
from routing.visits import JobRules, JobVisit, OnTime, Unplanned, Window, jobs_to_visits

__all__ = [
    "OBJECTIVES",
    "PlanningError",
    "PreparedDay",
    "ProgressCallback",
    "ProgressEvent",
    "Stage",
    "address_line",
    "plan_day",
    "plan_summary",
    "plan_to_solution",
    "prepare_day",
    "solve_day",
]

OBJECTIVES = ("travel_time", "distance", "balance", "fewest_technicians")


class PlanningError(RoutingError):
    """The day cannot be planned at all (bad settings, roster locations, solver failure)."""


class Stage(StrEnum):
    FETCH = "fetch"
    """Reserved for callers that fetch jobs (the CLI); ``plan_day`` never sends it."""
    GEOCODE = "geocode"
    MATRIX = "matrix"
    SOLVE = "solve"


@dataclass(frozen=True)
class ProgressEvent:
    stage: Stage
    state: Literal["start", "advance", "done"]
    detail: str
    """e.g. "42 addresses" at start, "40 placed, 2 not found" when done."""
    done: int = 0
    total: int = 0
    """How far a stage that counts its items has got ("advance" events, e.g. geocoding)."""


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class ShiftTechnician:
    """A technician working on the day, with the locations the solver uses."""

    spec: TechnicianSpec
    shift: tuple[datetime, datetime]
    lunch: tuple[datetime, datetime, timedelta] | None
    start: GeoLocation
    end: GeoLocation


@dataclass
class PreparedDay:
    """Everything between the jobs and the solver: the problem and the way back to a plan."""

    day: date
    tz: ZoneInfo
    origin: datetime
    """UTC instant of solver time 0."""
    settings: PlanSettings
    technicians: list[ShiftTechnician]
    visits: dict[str, JobVisit]
    """Only the visits given to the solver, by service job id."""
    points: dict[str, GeoLocation]
    unplanned: list[Unplanned]
    job_count: int
    problem: solver.Problem | None
    """The field jobs' problem; after ``solve_day``, the one solved (with the anchored
    ONLINE jobs). None when there is nothing for the solver (no visit or no technician)."""
    online: list[solver.Visit] = field(default_factory=list)
    """ONLINE jobs, not yet anchored (their ``location`` is meaningless until then)."""
    warnings: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    """Every job's serviceJobStatus by id, for the unassigned list."""

    def seconds(self, moment: datetime) -> int:
        return round((moment - self.origin).total_seconds())

    def moment(self, seconds: int, tz: ZoneInfo) -> datetime:
        return (self.origin + timedelta(seconds=seconds)).astimezone(tz)


def plan_day(
    jobs: Iterable[ServiceJob],
    roster: Roster,
    day: date,
    *,
    geocoder: Geocoder | None = None,
    matrix: MatrixProvider | None = None,
    durations: DurationTable | None = None,
    time_limit: float = 10.0,
    on_time: OnTime | str = OnTime.ARRIVE,
    reassign: bool = False,
    objective: str = "travel_time",
    seed: int = 0,
    progress: ProgressCallback | None = None,
    rejected: Sequence[Unplanned] = (),
    workers: int = 2,
    solution_limit: int | None = None,
    inputs: PlanInputs | None = None,
) -> Plan:
    """Plan ``day``: every job ends on a route or in ``Plan.unassigned`` with a reason.

    ``rejected`` are jobs a source could not read (see ``routing.sources``); they are
    reported as unassigned too. ``workers`` parallel searches run (``solver.solve``; use 1
    on a single core). Reproducible plans: ``workers=1`` and a ``solution_limit`` reached
    before ``time_limit`` (a search stopped by the clock depends on the machine's speed,
    whatever the seed). ``inputs`` describes the files and providers behind ``durations``,
    ``geocoder`` and ``matrix`` for the plan's settings. Defaults: the offline geocoder
    chain (``routing.geo.default_geocoder()``), haversine travel times, the built-in
    duration table. Raises :class:`PlanningError` (see the module docstring).
    """
    prepared = prepare_day(
        jobs, roster, day, geocoder=geocoder, matrix=matrix, durations=durations,
        time_limit=time_limit, on_time=on_time, reassign=reassign, objective=objective,
        seed=seed, progress=progress, rejected=rejected, solution_limit=solution_limit,
        inputs=inputs,
    )
    plan, _ = solve_day(prepared, progress=progress, workers=workers)
    return plan


# -- preparation ---------------------------------------------------------------------------


def prepare_day(
    jobs: Iterable[ServiceJob],
    roster: Roster,
    day: date,
    *,
    geocoder: Geocoder | None = None,
    matrix: MatrixProvider | None = None,
    durations: DurationTable | None = None,
    time_limit: float = 10.0,
    on_time: OnTime | str = OnTime.ARRIVE,
    reassign: bool = False,
    objective: str = "travel_time",
    seed: int = 0,
    progress: ProgressCallback | None = None,
    rejected: Sequence[Unplanned] = (),
    solution_limit: int | None = None,
    inputs: PlanInputs | None = None,
) -> PreparedDay:
    """Stages 1–3 of the module docstring: the solver problem, not yet solved.

    Without ``durations`` the built-in table is used and recorded as such in the
    settings' ``inputs``, whatever ``inputs`` says about it.
    """
    mode = _on_time(on_time)
    if objective not in OBJECTIVES:
        raise PlanningError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    if not time_limit > 0:
        raise PlanningError(f"time limit must be positive, got {time_limit}")
    if solution_limit is not None and solution_limit < 1:
        raise PlanningError(f"solution limit must be at least 1, got {solution_limit}")
    inputs = inputs or PlanInputs()
    if durations is None:
        inputs = inputs.model_copy(update={"durations": DurationTable.builtin_record()})
    geocoder = geocoder if geocoder is not None else default_geocoder()
    matrix = matrix if matrix is not None else HaversineMatrix()
    report = progress or (lambda event: None)

    tz = ZoneInfo(roster.timezone) if roster.timezone else roster.technicians[0].tz
    working = [(t, s) for t in roster.technicians if (s := t.shift_on(day)) is not None]
    rules = JobRules(
        day=day, tz=tz, durations=durations or DurationTable.builtin(),
        roster=frozenset(t.id for t in roster.technicians),
        on_shift=frozenset(t.id for t, _ in working), on_time=mode, reassign=reassign,
    )
    job_list = list(jobs)
    visits, unplanned = jobs_to_visits(job_list, rules)
    unplanned = [*rejected, *unplanned]
    visits = _settle_unskilled(visits, roster, working, day, unplanned)
    settings = PlanSettings(
        on_time=mode.value, objective=objective, time_limit_s=time_limit, seed=seed,
        reassign=reassign, geocoder=geocoder.name, matrix=matrix.name,
        solution_limit=solution_limit, inputs=inputs,
    )
    origin = min((s[0] for _, s in working), default=datetime.combine(day, datetime.min.time(), tz))
    prepared = PreparedDay(
        day=day, tz=tz, origin=origin.astimezone(UTC), settings=settings, technicians=[],
        visits={}, points={}, unplanned=unplanned, job_count=len(job_list) + len(rejected),
        problem=None, statuses={
            job.service_job_id: str(job.service_job_status)
            for job in job_list if job.service_job_id and job.service_job_status
        },
    )
    if not working:
        for visit in visits:
            unplanned.append(
                Unplanned(visit.service_job_id, ReasonCode.OUTSIDE_SHIFTS,
                          f"No technician works on {day}.")
            )
        return prepared
    visits = _settle_too_early(visits, prepared)
    if not visits:
        prepared.technicians = _shift_technicians(working, day, geocoder)
        return prepared

    located = [v for v in visits if not v.online]
    report(ProgressEvent(Stage.GEOCODE, "start", f"{len(located)} addresses"))
    prepared.technicians = _shift_technicians(working, day, geocoder)
    batch = geocode_batch(
        geocoder, [(v.service_job_id, v.address) for v in located if v.address is not None],
        progress=lambda done, total: report(ProgressEvent(
            Stage.GEOCODE, "advance", f"{done} of {total} addresses", done, total)),
    )
    prepared.warnings += [f"Geocoding: {why}." for why in batch.unreachable.values()]
    for visit in located:
        point = batch.points.get(visit.service_job_id)
        if point is None:
            sentence = batch.failures.get(visit.service_job_id, "The address was not found.")
            unplanned.append(Unplanned(visit.service_job_id, ReasonCode.NOT_GEOCODED, sentence))
        else:
            prepared.points[visit.service_job_id] = _geo_location(point)
    visits = [v for v in visits if v.online or v.service_job_id in prepared.points]
    report(ProgressEvent(
        Stage.GEOCODE, "done",
        f"{len(prepared.points)} placed, {len(located) - len(prepared.points)} not found",
    ))
    prepared.visits = {v.service_job_id: v for v in visits}
    if visits:
        prepared.problem = _build_problem(prepared, matrix, report)
    return prepared


def _on_time(value: OnTime | str) -> OnTime:
    try:
        return OnTime(value)
    except ValueError:
        raise PlanningError(f"unknown on-time mode {value!r}; use 'arrive' or 'finish'") from None


def _settle_unskilled(
    visits: list[JobVisit],
    roster: Roster,
    working: Sequence[tuple[TechnicianSpec, tuple[datetime, datetime]]],
    day: date,
    unplanned: list[Unplanned],
) -> list[JobVisit]:
    """Drop (with the reason) visits no roster technician, or none working today, can do."""
    kept: list[JobVisit] = []
    for visit in visits:
        skills = ", ".join(sorted(visit.skills))
        if not any(visit.skills <= t.skills for t in roster.technicians):
            unplanned.append(Unplanned(
                visit.service_job_id, ReasonCode.NO_SKILLED_TECHNICIAN,
                f"No technician in the roster has all of {skills}.",
            ))
        elif not any(visit.skills <= t.skills for t, _ in working):
            unplanned.append(Unplanned(
                visit.service_job_id, ReasonCode.OUTSIDE_SHIFTS,
                f"No technician with {skills} works on {day}.",
            ))
        else:
            kept.append(visit)
    return kept


def _settle_too_early(visits: list[JobVisit], prepared: PreparedDay) -> list[JobVisit]:
    """Drop visits whose every window ends before the first shift of the day starts.

    (They have no solver window left, and an empty tuple would mean "any time".)
    """
    kept = []
    for visit in visits:
        if _solver_windows(prepared, visit):
            kept.append(visit)
        else:
            prepared.unplanned.append(Unplanned(
                visit.service_job_id, ReasonCode.OUTSIDE_SHIFTS,
                "Its window ends before any technician's shift starts.",
            ))
    return kept


def _shift_technicians(
    working: Sequence[tuple[TechnicianSpec, tuple[datetime, datetime]]],
    day: date,
    geocoder: Geocoder,
) -> list[ShiftTechnician]:
    return [
        ShiftTechnician(
            spec=spec, shift=shift, lunch=spec.lunch_on(day),
            start=_technician_point(spec, spec.start, "start", geocoder),
            end=_technician_point(spec, spec.end_location, "end", geocoder),
        )
        for spec, shift in working
    ]


def _technician_point(
    spec: TechnicianSpec, location: Location, which: str, geocoder: Geocoder
) -> GeoLocation:
    if location.lat is not None and location.lon is not None:
        return GeoLocation(lat=location.lat, lon=location.lon, precision=None, source="roster")
    address = location.as_address(spec.name)
    where = f"technician {spec.id!r}: {which} location"
    try:
        point = geocoder.geocode(address) if address is not None else None
    except GeocodingError as exc:
        raise PlanningError(f"{where}: geocoding failed: {exc}") from exc
    if point is None:
        raise PlanningError(f"{where}: address not found; give lat/lon in the roster")
    return _geo_location(point)


def _geo_location(point: GeoPoint) -> GeoLocation:
    return GeoLocation(
        lat=point.lat, lon=point.lon, precision=point.precision.value, source=point.source
    )


def _build_problem(
    prepared: PreparedDay, provider: MatrixProvider, report: ProgressCallback
) -> solver.Problem:
    index: dict[tuple[float, float], int] = {}

    def locate(point: GeoLocation) -> int:
        return index.setdefault((point.lat, point.lon), len(index))

    technician_locations = [(locate(t.start), locate(t.end)) for t in prepared.technicians]
    visit_locations = {job_id: locate(p) for job_id, p in prepared.points.items()}
    report(ProgressEvent(Stage.MATRIX, "start", f"{len(index)} points"))
    travel = provider.matrix(list(index))
    detail = f"{len(index)}×{len(index)}"
    if travel.fallback_cells:
        detail += f", {travel.fallback_cells} cells estimated"
        prepared.warnings.append(
            f"{travel.fallback_cells} travel-matrix cells were estimated by the fallback"
        )
    report(ProgressEvent(Stage.MATRIX, "done", detail))
    technicians = [
        _solver_technician(prepared, t, start, end)
        for t, (start, end) in zip(prepared.technicians, technician_locations, strict=True)
    ]
    on_shift = {t.spec.id for t in prepared.technicians}
    visits = [
        _solver_visit(prepared, v, visit_locations.get(job_id, 0), on_shift)
        for job_id, v in prepared.visits.items()
    ]
    prepared.online = [v for v in visits if prepared.visits[v.id].online]
    try:
        return solver.Problem(
            durations=travel.durations, distances=travel.distances, technicians=technicians,
            visits=[v for v in visits if not prepared.visits[v.id].online],
        )
    except solver.ProblemError as exc:
        raise PlanningError(f"cannot build the routing problem: {exc}") from exc


def _solver_technician(
    prepared: PreparedDay, tech: ShiftTechnician, start: int, end: int
) -> solver.Technician:
    spec = tech.spec
    breaks: tuple[solver.Break, ...] = ()
    if tech.lunch is not None:
        earliest, latest, length = tech.lunch
        window = solver.TimeWindow(prepared.seconds(earliest), prepared.seconds(latest))
        breaks = (solver.Break(window, round(length.total_seconds())),)
    return solver.Technician(
        id=spec.id,
        shift=solver.TimeWindow(prepared.seconds(tech.shift[0]), prepared.seconds(tech.shift[1])),
        start_location=start,
        end_location=end,
        skills=spec.skills,
        max_visits=spec.max_jobs,
        breaks=breaks,
        fixed_cost=round(spec.fixed_cost),
        cost_per_hour=round(spec.cost_per_hour),
    )


def _solver_windows(prepared: PreparedDay, visit: JobVisit) -> tuple[solver.TimeWindow, ...]:
    """The start windows in solver seconds, clipped to the origin (a window that ends
    before every shift starts is left out)."""
    windows = []
    for window in visit.start_windows:
        start, end = prepared.seconds(window.start), prepared.seconds(window.end)
        if end >= 0:
            windows.append(solver.TimeWindow(max(start, 0), end))
    return tuple(windows)


def _solver_visit(
    prepared: PreparedDay, visit: JobVisit, location: int, on_shift: set[str]
) -> solver.Visit:
    pinned = allowed = None
    if visit.technicians is not None:
        available = visit.technicians & on_shift
        if len(available) == 1:
            (pinned,) = available
        else:
            allowed = frozenset(available)
    return solver.Visit(
        id=visit.service_job_id,
        location=location,
        duration=round(visit.duration.total_seconds()),
        windows=_solver_windows(prepared, visit),
        skills=visit.skills,
        priority=visit.priority,
        allowed_technicians=allowed,
        pinned_technician=pinned,
    )


# -- solving and the way back ---------------------------------------------------------------


def solve_day(
    prepared: PreparedDay,
    *,
    progress: ProgressCallback | None = None,
    workers: int = 2,
    initial: solver.Solution | None = None,
    prefer: Mapping[str, str] | None = None,
) -> tuple[Plan, solver.Solution | None]:
    """Stage 4: solve, verify, convert. The solution is None when nothing was solved.

    ``workers`` parallel searches run (recorded in the plan's settings). ``initial``
    warm-starts the search (``solver.solve``): only its routes' technicians and stop order
    are read, and visits or technicians not in the problem are ignored. ``prefer`` (visit
    id -> technician id) asks for stability: a first round of half the time limit keeps
    each such visit with that technician where they can do it; only if one of them is left
    out does a second round (the other half, warm-started from the first) free them all.
    The stage is reported once, however many rounds it takes.
    """
    report = progress or (lambda event: None)
    prepared.settings = prepared.settings.model_copy(update={"workers": workers})
    problem = prepared.problem
    if problem is None:
        return _to_plan(prepared, None), None
    settings = prepared.settings
    report(ProgressEvent(
        Stage.SOLVE, "start",
        f"{len(problem.visits)} visits, {len(problem.technicians)} technicians, "
        f"up to {settings.time_limit_s:g} s",
    ))
    started = clock.perf_counter()
    limit = settings.time_limit_s
    searched = _Searched(settings, workers)
    try:
        if not prefer:
            solution = searched.round(prepared, problem, prepared.online, limit, initial)
        else:
            kept = _preferred(problem, prefer)
            solution = searched.round(prepared, replace(problem, visits=[
                kept(v) for v in problem.visits]), [kept(v) for v in prepared.online],
                limit / 2, initial)
            if {u.visit for u in solution.unassigned} & set(prefer):
                solution = searched.round(prepared, problem, prepared.online, limit / 2,
                                          solution)
        assert prepared.problem is not None  # the round stored the problem it solved
        solver.verify(prepared.problem, solution)
    except solver.VerificationError as exc:
        raise PlanningError(f"the optimiser's routes break a constraint (a bug): {exc}") from exc
    except solver.SolverError as exc:
        raise PlanningError(f"the optimiser failed: {exc}") from exc
    stage = clock.perf_counter() - started
    report(ProgressEvent(
        Stage.SOLVE, "done",
        f"{sum(len(r.stops) for r in solution.routes)} assigned, "
        f"{len(solution.unassigned)} not, searched {searched.seconds:.1f} s",
    ))
    return _to_plan(prepared, solution, searched.seconds, stage), solution


def _preferred(problem: solver.Problem,
               prefer: Mapping[str, str]) -> Callable[[solver.Visit], solver.Visit]:
    """A visit restricted to its preferred technician, when that one is on shift, able and
    not excluded by a pin or an allowed set; otherwise unchanged."""
    able = {t.id for t in problem.technicians}

    def kept(visit: solver.Visit) -> solver.Visit:
        tech = prefer.get(visit.id)
        if tech is None or tech not in able or visit.pinned_technician is not None or (
                visit.allowed_technicians is not None and tech not in visit.allowed_technicians):
            return visit
        return replace(visit, allowed_technicians=frozenset({tech}))

    return kept


class _Searched:
    """The search rounds of one solve stage, and the seconds they took altogether."""

    def __init__(self, settings: PlanSettings, workers: int) -> None:
        self.settings = settings
        self.workers = workers
        self.seconds = 0.0

    def round(self, prepared: PreparedDay, problem: solver.Problem,
              online: Sequence[solver.Visit], limit: float,
              initial: solver.Solution | None) -> solver.Solution:
        """One search of ``problem`` (the field jobs) and ``online``; ``prepared.problem``
        becomes what was solved. ONLINE jobs take two searches: the field jobs first (two
        thirds of ``limit``), then everything with the ONLINE jobs anchored (see the module
        docstring), warm-started from the first."""
        if not online:
            prepared.problem = problem
            return self._solve(problem, limit, initial)
        first = (
            self._solve(problem, limit * 2 / 3, initial) if problem.visits
            else solver.Solution((), (), 0, "trivial", 0.0)
        )
        anchors = _anchors(problem, first, online)
        anchored = [replace(v, location=anchors[v.id]) for v in online]
        prepared.problem = replace(problem, visits=[*problem.visits, *anchored])
        return self._solve(prepared.problem, max(limit / 3, 0.5), first)

    def _solve(self, problem: solver.Problem, time_limit: float,
               initial: solver.Solution | None) -> solver.Solution:
        """``solver.solve`` with the plan's settings (a warm start that no longer fits is
        dropped by the solver itself)."""
        settings = self.settings
        solution = solver.solve(
            problem, time_limit=time_limit, seed=settings.seed,
            objective=settings.objective,  # type: ignore[arg-type]  # checked in prepare_day
            workers=self.workers, initial=initial, solution_limit=settings.solution_limit,
        )
        self.seconds += solution.wall_time
        return solution


class _Idle(NamedTuple):
    """A technician waiting at a place from ``begin`` until ``until`` (solver seconds)."""

    begin: int
    until: int
    location: int
    technician: solver.Technician


def _anchors(
    problem: solver.Problem, solution: solver.Solution, online: Sequence[solver.Visit]
) -> dict[str, int]:
    """Where to do each ONLINE job: the place with the most idle time inside its windows.

    Idle places in the field-job solution: waiting at a stop before service, at the start
    before leaving, at the end after returning (an unused technician is idle at the start
    all day). Only technicians able to do the job (skills, pinning) count. A job whose
    windows meet no idle time goes to the longest idle place anyway: the second search may
    still make room, or reports it unassigned. The anchor is not a pin: another technician
    may do the job there if that is better (it never skips a drive).
    """
    # Technicians built by this module always have both a start and an end location.
    idle: list[_Idle] = []
    routes = {r.technician: r for r in solution.routes}
    for tech in problem.technicians:
        start, end = tech.start_location or 0, tech.end_location or 0
        route = routes.get(tech.id)
        if route is None:
            idle.append(_Idle(tech.shift.start, tech.shift.end, start, tech))
            continue
        idle.append(_Idle(tech.shift.start, route.start_time, start, tech))
        idle.extend(_Idle(s.arrival, s.start, s.location, tech) for s in route.stops)
        idle.append(_Idle(route.end_time, tech.shift.end, end, tech))

    def room(place: _Idle, visit: solver.Visit) -> int:
        latest = place.until - visit.duration
        return max(min(latest, w.end) - max(place.begin, w.start) for w in visit.windows)

    anchors = {}
    for visit in online:
        able = [p for p in idle if _able(p.technician, visit)] or idle
        best = max(able, key=lambda place: room(place, visit))
        if room(best, visit) < 0:
            best = max(able, key=lambda place: place.until - place.begin)
        anchors[visit.id] = best.location
    return anchors


def _able(tech: solver.Technician, visit: solver.Visit) -> bool:
    return (
        visit.skills <= tech.skills
        and visit.pinned_technician in (None, tech.id)
        and (visit.allowed_technicians is None or tech.id in visit.allowed_technicians)
    )


def _to_plan(prepared: PreparedDay, solution: solver.Solution | None, searched: float = 0.0,
             stage: float = 0.0) -> Plan:
    routes_by_tech = {r.technician: r for r in solution.routes} if solution else {}
    routes = [_route(prepared, t, routes_by_tech.get(t.spec.id)) for t in prepared.technicians]
    unplanned = list(prepared.unplanned)
    for item in solution.unassigned if solution else ():
        code = from_solver(item.reason)
        unplanned.append(Unplanned(item.visit, code, _sentence(item.detail, code)))
    unassigned = [_unassigned(prepared, u) for u in unplanned]
    summary = plan_summary(prepared.job_count, routes, unassigned)
    return Plan(
        date=prepared.day,
        timezone=str(prepared.tz.key),
        generated_at=datetime.now(UTC).astimezone(prepared.tz).replace(microsecond=0),
        settings=prepared.settings,
        solver=SolverInfo(
            status=solution.status, objective=solution.objective,
            search_time_s=round(searched, 3), solve_stage_s=round(stage, 3),
        ) if solution else None,
        routes=routes,
        unassigned=unassigned,
        summary=summary,
        warnings=prepared.warnings,
    )


def plan_summary(
    job_count: int, routes: Sequence[TechnicianRoute], unassigned: Sequence[UnassignedJob]
) -> PlanSummary:
    """The plan's totals, from its routes and unassigned jobs."""
    by_reason: dict[ReasonCode, int] = {}
    for job in unassigned:
        by_reason[job.reason] = by_reason.get(job.reason, 0) + 1
    distances = [r.totals.distance_m for r in routes]
    return PlanSummary(
        jobs=job_count,
        assigned=sum(r.totals.stops for r in routes),
        unassigned=len(unassigned),
        unassigned_by_reason=dict(sorted(by_reason.items())),
        technicians_on_shift=len(routes),
        technicians_used=sum(1 for r in routes if r.stops),
        travel_time_s=sum(r.totals.travel_time_s for r in routes),
        distance_m=None if None in distances else sum(d or 0 for d in distances),
        service_time_s=sum(r.totals.service_time_s for r in routes),
        utilisation={r.technician_id: r.totals.utilisation for r in routes},
    )


def _sentence(detail: str, code: ReasonCode) -> str:
    detail = detail.strip()
    if not detail:
        return default_sentence(code)
    return detail[0].upper() + detail[1:] + ("" if detail.endswith(".") else ".")


def _route(
    prepared: PreparedDay, tech: ShiftTechnician, route: solver.Route | None
) -> TechnicianRoute:
    tz = tech.spec.tz
    shift = TimeSpan(start=tech.shift[0], end=tech.shift[1])
    shift_s = max(1, prepared.seconds(tech.shift[1]) - prepared.seconds(tech.shift[0]))
    stops = _stops(prepared, route, tz) if route else []
    breaks = [
        PlanBreak(
            start=prepared.moment(b.start, tz), end=prepared.moment(b.end, tz),
            after_stop=b.after_stop + 1,
        )
        for b in (route.breaks if route else ())
    ]
    totals = RouteTotals(
        stops=len(stops),
        travel_time_s=route.travel_time if route else 0,
        distance_m=route.distance if route else 0,
        service_time_s=route.service_time if route else 0,
        wait_time_s=route.wait_time if route else 0,
        break_time_s=sum(b.end - b.start for b in route.breaks) if route else 0,
        utilisation=round((route.service_time + route.travel_time) / shift_s, 4) if route else 0.0,
    )
    return TechnicianRoute(
        technician_id=tech.spec.id, name=tech.spec.name, timezone=tech.spec.timezone,
        shift=shift, start_location=tech.start, end_location=tech.end,
        start=prepared.moment(route.start_time, tz) if route else None,
        end=prepared.moment(route.end_time, tz) if route else None,
        stops=stops, breaks=breaks, totals=totals,
    )


def _stops(prepared: PreparedDay, route: solver.Route, tz: ZoneInfo) -> list[PlanStop]:
    """The route's stops; an ONLINE stop shows no drive (it needs none): the drive to
    where the technician does it is added to the next stop with a place, or is part of
    the drive home. ``plan_to_solution`` undoes this."""
    stops = []
    carried_s = carried_m = 0
    for position, stop in enumerate(route.stops):
        if prepared.visits[stop.visit].online:
            carried_s, carried_m = carried_s + stop.travel_time, carried_m + (stop.distance or 0)
            stop = replace(stop, travel_time=0, distance=None if stop.distance is None else 0)
        elif carried_s or carried_m:
            stop = replace(stop, travel_time=stop.travel_time + carried_s,
                           distance=None if stop.distance is None else stop.distance + carried_m)
            carried_s = carried_m = 0
        stops.append(_stop(prepared, stop, position, tz))
    return stops


def _stop(prepared: PreparedDay, stop: solver.Stop, position: int, tz: ZoneInfo) -> PlanStop:
    visit = prepared.visits[stop.visit]
    job = visit.job
    return PlanStop(
        sequence=position + 1,
        service_job_id=visit.service_job_id,
        appointment_id=visit.appointment_id,
        status=str(job.service_job_status),
        location_type=str(visit.location_type),
        address=address_line(visit.address) if visit.address is not None else None,
        location=prepared.points.get(visit.service_job_id),
        required_skills=sorted(visit.skills),
        windows=_spans(visit.windows, tz),
        pinned=visit.technicians is not None,
        arrival=prepared.moment(stop.arrival, tz),
        service_start=prepared.moment(stop.start, tz),
        service_end=prepared.moment(stop.end, tz),
        travel_time_s=stop.travel_time,
        distance_m=stop.distance,
        wait_s=stop.wait,
    )


def _spans(windows: Iterable[Window], tz: ZoneInfo) -> list[TimeSpan]:
    return [TimeSpan(start=w.start.astimezone(tz), end=w.end.astimezone(tz)) for w in windows]


def _unassigned(prepared: PreparedDay, item: Unplanned) -> UnassignedJob:
    visit = prepared.visits.get(item.service_job_id)
    if visit is None:
        return UnassignedJob(
            service_job_id=item.service_job_id, status=prepared.statuses.get(item.service_job_id),
            reason=item.reason,
            sentence=item.sentence,
        )
    return UnassignedJob(
        service_job_id=item.service_job_id,
        status=str(visit.job.service_job_status),
        reason=item.reason,
        sentence=item.sentence,
        address=address_line(visit.address) if visit.address is not None else None,
        location=prepared.points.get(item.service_job_id),
        windows=_spans(visit.windows, prepared.tz),
    )


def address_line(address: Address) -> str:
    """One display line, without the name and phone the model also carries (privacy)."""
    region = " ".join(p for p in (address.state_or_region, address.postal_code) if p)
    parts = (
        address.address_line1, address.address_line2, address.address_line3, address.city,
        region, address.country_code,
    )
    return ", ".join(p.strip() for p in parts if p and p.strip())


def plan_to_solution(plan: Plan, prepared: PreparedDay) -> solver.Solution:
    """The plan back in solver integers, to check it with ``solver.verify``.

    Exact for any plan ``solve_day`` produced from ``prepared``: every datetime lands back
    on the whole second it came from.
    """
    problem = prepared.problem
    if problem is None:
        raise PlanningError("this day had nothing to solve; there is no solution to rebuild")
    location = {v.id: v.location for v in problem.visits}
    starts = {t.id: t.start_location for t in problem.technicians}
    routes = []
    for route in plan.routes:
        if not route.stops or route.start is None or route.end is None:
            continue
        here, stops = starts[route.technician_id], []
        carried_s = carried_m = 0
        for s in route.stops:
            there = location[s.service_job_id]
            travel, distance = s.travel_time_s, s.distance_m
            if prepared.visits[s.service_job_id].online:  # the drive _stops moved on
                travel = 0 if here is None else int(problem.durations[here, there])
                if problem.distances is not None:
                    distance = 0 if here is None else int(problem.distances[here, there])
                carried_s, carried_m = carried_s + travel, carried_m + (distance or 0)
            else:
                travel -= carried_s
                distance = None if distance is None else distance - carried_m
                carried_s = carried_m = 0
            stops.append(solver.Stop(
                visit=s.service_job_id, location=there,
                arrival=prepared.seconds(s.arrival), wait=s.wait_s,
                start=prepared.seconds(s.service_start), end=prepared.seconds(s.service_end),
                travel_time=travel, distance=distance,
            ))
            here = there
        breaks = tuple(
            solver.BreakPlacement(
                start=prepared.seconds(b.start), end=prepared.seconds(b.end),
                after_stop=b.after_stop - 1,
            )
            for b in route.breaks
        )
        totals = route.totals
        routes.append(solver.Route(
            technician=route.technician_id, stops=tuple(stops), breaks=breaks,
            start_time=prepared.seconds(route.start), end_time=prepared.seconds(route.end),
            travel_time=totals.travel_time_s, distance=totals.distance_m,
            service_time=totals.service_time_s, wait_time=totals.wait_time_s,
        ))
    unassigned = tuple(
        solver.Unassigned(u.service_job_id, solver.Reason(u.reason.value), u.sentence)
        for u in plan.unassigned
        if u.service_job_id in location
    )
    info = plan.solver
    return solver.Solution(
        routes=tuple(routes), unassigned=unassigned,
        objective=info.objective if info else 0, status=info.status if info else "",
        wall_time=info.search_time_s if info else 0.0,
    )
