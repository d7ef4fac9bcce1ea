"""The days jobs can be booked into: one solved day per date, each able to take a visit.

A :class:`BookingDay` holds a day's solver problem and solution (the jobs already booked)
and, for every pending job that can be placed that day, its solver visit (a place in the
day's travel matrix). :func:`plan_horizon` makes them from service jobs and a roster: each
pending job is given the whole local day as its window, so that it is geocoded and in the
matrix, and is then taken out of the problem before the day is solved (or out of the saved
plan of that day): the day's plan is the booked jobs alone. A pending ONLINE job needs no
drive: its visit is placed where a technician has idle time in the day's routes, as the
planner anchors ONLINE jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo

import solver
from routing.booking.options import BookingError
from routing.plan import Plan
from routing.planner import (
    PlanContext,
    PlanningError,
    PlanOptions,
    plan_to_solution,
    prepare_day,
    solve_day,
)
from routing.planner.convert import to_plan
from routing.planner.online import anchors
from routing.planner.prepare import PreparedDay
from routing.roster import Roster
from routing.spapi.enums import AppointmentStatus, ServiceJobStatus
from routing.spapi.models import AppointmentTime, ServiceJob
from routing.visits import Unassigned, day_bounds

__all__ = ["BookingDay", "Horizon", "is_pending", "plan_horizon"]


@dataclass
class BookingDay:
    """One date: the solved day and the pending jobs' visits that could go into it."""

    day: date
    origin: datetime
    """The instant of solver second 0."""
    tz: tzinfo
    problem: solver.Problem
    solution: solver.Solution
    candidates: dict[str, solver.Visit]
    """Pending job id -> its visit on this day (the window is set per offered slot)."""
    unplaced: dict[str, Unassigned] = field(default_factory=dict)
    """Pending jobs that cannot be placed on this day at all, with the reason."""
    prepared: PreparedDay | None = None
    """The planner's day when made by :func:`plan_horizon` (to make a plan of it)."""

    def __post_init__(self) -> None:
        self.index = solver.InsertionIndex(self.problem, self.solution)
        self.empty = solver.InsertionIndex(
            replace(self.problem, visits=[]), solver.Solution((), (), 0, "empty", 0.0))
        """The same technicians with nothing booked: tells a full day from an impossible
        slot."""

    def seconds(self, moment: datetime) -> int:
        return round((moment - self.origin).total_seconds())

    def moment(self, seconds: int) -> datetime:
        return (self.origin + timedelta(seconds=seconds)).astimezone(self.tz)

    def commit(self, visit: solver.Visit, insertion: solver.Insertion) -> None:
        """Book ``visit`` as ``insertion`` says: the day's solution takes it (windows cut to
        the slot), so the next ranking sees it."""
        self.problem, self.solution = self.index.insert(visit, insertion)
        self.candidates.pop(visit.id, None)
        self.index = solver.InsertionIndex(self.problem, self.solution)

    def work(self) -> dict[str, int]:
        """Seconds of service and drive per technician of the day (0 without a route)."""
        busy = {r.technician: r.service_time + r.travel_time for r in self.solution.routes}
        return {t.id: busy.get(t.id, 0) for t in self.problem.technicians}

    def plan(self) -> Plan:
        """The day as a plan (only for a day made by :func:`plan_horizon`)."""
        if self.prepared is None:
            raise BookingError(f"{self.day} was not planned from jobs; it has no plan")
        self.prepared.problem = self.problem
        return to_plan(self.prepared, self.solution)


@dataclass
class Horizon:
    """The booking days by date, in the roster's timezone."""

    tz: tzinfo
    days: dict[date, BookingDay]

    def day_of(self, moment: datetime) -> BookingDay | None:
        return self.days.get(moment.astimezone(self.tz).date())


def is_pending(job: ServiceJob) -> bool:
    """A job to book: pending schedule, with no live appointment."""
    return job.service_job_status == ServiceJobStatus.PENDING_SCHEDULE and not any(
        a.appointment_status in (None, AppointmentStatus.ACTIVE) for a in job.appointments or ())


def plan_horizon(
    jobs: Iterable[ServiceJob],
    roster: Roster,
    first: date,
    days: int,
    options: PlanOptions | None = None,
    *,
    pending: Iterable[str] | None = None,
    saved: Mapping[date, Plan] | None = None,
    context: PlanContext | None = None,
) -> Horizon:
    """``days`` booking days from ``first``: each day the saved plan of ``saved`` if given,
    else the day planned now with ``options``, without the ``pending`` jobs (default:
    every pending-schedule job without a live appointment), which become its candidates;
    ``context`` is ``plan_day``'s.
    A day nobody works is left out. Raises :class:`BookingError` for a saved plan that
    does not fit its day, ``PlanningError`` for a day that cannot be planned."""
    if days < 1:
        raise BookingError(f"days must be at least 1, got {days}")
    job_list = list(jobs)
    to_book = set(pending) if pending is not None else {
        j.service_job_id for j in job_list if j.service_job_id and is_pending(j)}
    found: dict[date, BookingDay] = {}
    for offset in range(days):
        day = first + timedelta(days=offset)
        whole = day_bounds(day, roster.tz)
        dated = [_all_day(j, whole.start, whole.end) if j.service_job_id in to_book else j
                 for j in job_list]
        prepared = prepare_day(dated, roster, day, options, context)
        booking = _booking_day(prepared, to_book, (saved or {}).get(day))
        if booking is not None:
            found[day] = booking
    return Horizon(roster.tz, found)


def _all_day(job: ServiceJob, start: datetime, end: datetime) -> ServiceJob:
    minutes = round((end - start).total_seconds() / 60)
    return job.model_copy(update={"preferred_appointment_times": [
        AppointmentTime(start_time=start, duration_in_minutes=minutes)]})


def _booking_day(prepared: PreparedDay, to_book: set[str], saved: Plan | None) -> BookingDay | None:
    problem = prepared.problem
    if problem is None or not problem.technicians:
        return None
    candidates = {v.id: v for v in problem.visits if v.id in to_book}
    unplaced = {u.service_job_id: u for u in prepared.unplanned if u.service_job_id in to_book}
    online = [v for v in prepared.online if v.id in to_book]
    prepared.online = [v for v in prepared.online if v.id not in to_book]
    if saved is None:
        prepared.problem = replace(problem, visits=[v for v in problem.visits
                                                    if v.id not in to_book])
        _, solution = solve_day(prepared)
        solved = prepared.problem
        if solution is None:  # nothing to solve: no routes
            solution = solver.Solution((), (), 0, "trivial", 0.0)
    else:
        solved, solution = _from_saved(prepared, saved, to_book)
    if online:
        # As the planner does: an ONLINE job is done where a technician has idle time in
        # the day's routes (``routing.planner.online``); its slots are ranked from there.
        where = anchors(solved, solution, online)
        candidates.update({v.id: replace(v, location=where[v.id]) for v in online})
    return BookingDay(prepared.day, prepared.origin, prepared.tz, solved, solution,
                      candidates, unplaced, prepared)


def _from_saved(prepared: PreparedDay, saved: Plan,
                to_book: set[str]) -> tuple[solver.Problem, solver.Solution]:
    """The saved plan on today's problem, without the jobs to book (their stops removed and
    those routes re-timed)."""
    problem = prepared.problem
    assert problem is not None
    try:
        solution = plan_to_solution(saved, prepared)
    except (KeyError, StopIteration, PlanningError) as exc:
        raise BookingError(f"the saved plan of {saved.date} does not fit the day: {exc}") from exc
    listed = {s.visit for r in solution.routes for s in r.stops} | {
        u.visit for u in solution.unassigned}
    missing = tuple(solver.Unassigned(v.id, solver.ReasonCode.INSUFFICIENT_CAPACITY,
                                      "not in the saved plan")
                    for v in problem.visits if v.id not in listed)
    solution = replace(solution, unassigned=solution.unassigned + missing)
    try:
        solver.verify(problem, solution)
        return solver.remove_visits(problem, solution, to_book)
    except (solver.VerificationError, solver.ProblemError) as exc:
        raise BookingError(f"the saved plan of {saved.date} does not fit the day: {exc}") from exc
