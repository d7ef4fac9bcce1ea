"""Stages 1–3 of ``plan_day``: the day's jobs and roster become a solver problem.

Rules first (:mod:`routing.visits`), then the jobs no technician could ever do, or none
working that day, are settled before geocoding; then the addresses are geocoded in one
batch and the travel matrix built (:mod:`routing.planner.problem`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import solver
from routing.durations import DurationTable
from routing.geo import (
    Geocoder,
    GeocodingError,
    GeoPoint,
    HaversineMatrix,
    MatrixProvider,
    default_geocoder,
    geocode_batch,
)
from routing.plan import GeoLocation, PlanInputs, PlanSettings
from routing.planner.context import PlanContext
from routing.planner.options import PlanningError, PlanOptions
from routing.planner.problem import build_problem, solver_windows
from routing.planner.progress import ProgressCallback, ProgressEvent, Stage, ignore
from routing.reasons import ReasonCode
from routing.roster import Location, Roster, TechnicianSpec
from routing.spapi.models import ServiceJob
from routing.visits import JobRules, JobVisit, Unassigned, jobs_to_visits

__all__ = ["PreparedDay", "ShiftTechnician", "geo_location", "job_rules", "prepare_day"]

Working = Sequence[tuple[TechnicianSpec, tuple[datetime, datetime]]]
"""The technicians on shift on the day, with their shift."""


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
    options: PlanOptions
    settings: PlanSettings
    technicians: list[ShiftTechnician]
    visits: dict[str, JobVisit]
    """Only the visits given to the solver, by service job id."""
    points: dict[str, GeoLocation]
    unplanned: list[Unassigned]
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


def prepare_day(
    jobs: Iterable[ServiceJob],
    roster: Roster,
    day: date,
    options: PlanOptions | None = None,
    context: PlanContext | None = None,
) -> PreparedDay:
    """Stages 1–3 of ``plan_day`` (same arguments): the solver problem, not yet solved."""
    options = options or PlanOptions()
    context = context or PlanContext()
    geocoder = context.geocoder if context.geocoder is not None else default_geocoder()
    matrix = context.matrix if context.matrix is not None else HaversineMatrix()
    durations, report = context.durations, context.progress or ignore
    working = [(t, s) for t in roster.technicians if (s := t.shift_on(day)) is not None]
    job_list = list(jobs)
    visits, unplanned = jobs_to_visits(job_list, job_rules(roster, day, options, durations))
    unplanned = [*context.rejected, *unplanned]
    visits = _settle_unskilled(visits, roster, working, day, unplanned)
    tz = roster.tz
    origin = min((s[0] for _, s in working), default=datetime.combine(day, datetime.min.time(), tz))
    prepared = PreparedDay(
        day=day, tz=tz, origin=origin.astimezone(UTC), options=options,
        settings=options.record(geocoder=geocoder.name, matrix=matrix.name,
                                inputs=_recorded(context.inputs, durations)),
        technicians=[], visits={}, points={}, unplanned=unplanned,
        job_count=len(job_list) + len(context.rejected), problem=None, statuses={
            job.service_job_id: str(job.service_job_status)
            for job in job_list if job.service_job_id and job.service_job_status
        },
    )
    if working:
        _place(prepared, visits, working, geocoder, matrix, report)
    else:
        unplanned += [Unassigned(v.service_job_id, ReasonCode.OUTSIDE_SHIFTS,
                                f"No technician works on {day}.") for v in visits]
    return prepared


def _place(prepared: PreparedDay, visits: list[JobVisit], working: Working, geocoder: Geocoder,
           matrix: MatrixProvider, report: ProgressCallback) -> None:
    """Stages 2 and 3 for a day with technicians: geocoding, then the solver problem."""
    visits = _settle_too_early(visits, prepared)
    if not visits:
        prepared.technicians = _shift_technicians(working, prepared.day, geocoder)
        return
    visits = _geocode(prepared, visits, working, geocoder, report)
    prepared.visits = {v.service_job_id: v for v in visits}
    if visits:
        prepared.problem, prepared.online = build_problem(prepared, matrix, report)


def job_rules(roster: Roster | None, day: date, options: PlanOptions,
              durations: DurationTable | None = None, tz: ZoneInfo | None = None) -> JobRules:
    """The rules jobs are read by on ``day`` (``routeplan jobs`` shows the same). Without a
    roster no pin can be checked, so assigned technicians are not kept (reassign)."""
    team = roster.technicians if roster is not None else []
    zone = tz or (roster.tz if roster is not None else ZoneInfo("UTC"))
    return JobRules(
        day=day, tz=zone, durations=durations or DurationTable.builtin(),
        roster=frozenset(t.id for t in team),
        on_shift=frozenset(t.id for t in team if t.shift_on(day) is not None),
        on_time=options.on_time, reassign=options.reassign or roster is None,
    )


def _recorded(inputs: PlanInputs | None, durations: DurationTable | None) -> PlanInputs:
    inputs = inputs or PlanInputs()
    if durations is None:
        return inputs.model_copy(update={"durations": DurationTable.builtin_record()})
    return inputs


def _settle_unskilled(visits: list[JobVisit], roster: Roster, working: Working, day: date,
                      unplanned: list[Unassigned]) -> list[JobVisit]:
    """Drop (with the reason) visits no roster technician, or none working today, can do."""
    kept: list[JobVisit] = []
    for visit in visits:
        skills = ", ".join(sorted(visit.skills))
        if not any(visit.skills <= t.skills for t in roster.technicians):
            unplanned.append(Unassigned(
                visit.service_job_id, ReasonCode.NO_SKILLED_TECHNICIAN,
                f"No technician in the roster has all of {skills}.",
            ))
        elif not any(visit.skills <= t.skills for t, _ in working):
            unplanned.append(Unassigned(
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
        if solver_windows(prepared, visit):
            kept.append(visit)
        else:
            prepared.unplanned.append(Unassigned(
                visit.service_job_id, ReasonCode.OUTSIDE_SHIFTS,
                "Its window ends before any technician's shift starts.",
            ))
    return kept


def _geocode(prepared: PreparedDay, visits: list[JobVisit], working: Working,
             geocoder: Geocoder, report: ProgressCallback) -> list[JobVisit]:
    """Place the technicians and, in one batch, the field jobs: a job whose address is not
    found is settled ``not_geocoded``. Returns the visits still to plan."""
    located = [v for v in visits if not v.online]
    report(ProgressEvent(Stage.GEOCODE, "start", f"{len(located)} addresses"))
    prepared.technicians = _shift_technicians(working, prepared.day, geocoder)
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
            prepared.unplanned.append(
                Unassigned(visit.service_job_id, ReasonCode.NOT_GEOCODED, sentence))
        else:
            prepared.points[visit.service_job_id] = geo_location(point)
    report(ProgressEvent(
        Stage.GEOCODE, "done",
        f"{len(prepared.points)} placed, {len(located) - len(prepared.points)} not found",
    ))
    return [v for v in visits if v.online or v.service_job_id in prepared.points]


def _shift_technicians(working: Working, day: date, geocoder: Geocoder) -> list[ShiftTechnician]:
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
    return geo_location(point)


def geo_location(point: GeoPoint) -> GeoLocation:
    return GeoLocation(
        lat=point.lat, lon=point.lon, precision=point.precision.value, source=point.source
    )
