"""The day at ``now``: each technician's fixed stops, position and availability, the jobs
still open and the roster the solver sees (the rules are in ``routing.replan``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from routing.events import DayEvents
from routing.plan import GeoLocation, Plan, PlanBreak, PlanStop, TechnicianRoute
from routing.replan.errors import ReplanError
from routing.roster import Location, Roster, TimeRange
from routing.spapi.enums import ServiceJobStatus
from routing.spapi.models import ServiceJob

__all__ = ["Day", "State"]


@dataclass(frozen=True)
class State:
    """A technician at ``now``: fixed stops and breaks, where and from when they are free."""

    stops: list[PlanStop]
    breaks: list[PlanBreak]
    position: GeoLocation | None
    available: datetime


@dataclass(frozen=True)
class Day:
    """The day at ``now``: each technician's state, the jobs still open, the roster the
    solver sees, and what the events change."""

    now: datetime
    states: dict[str, State]
    fixed_ids: set[str]
    open_jobs: list[ServiceJob]
    team: Roster
    lengthen: dict[str, timedelta]
    """Jobs not started yet that will run long, and by how much."""
    cancelled: set[str]
    warnings: list[str]

    @classmethod
    def at(cls, previous: Plan, jobs: Iterable[ServiceJob], roster: Roster, now: datetime,
           events: DayEvents) -> Day:
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
           warnings: list[str]) -> State:
    stops = _fixed_stops(route, now, late, warnings)
    last_end = stops[-1].service_end if stops else None
    breaks = [
        b for b in route.breaks
        if b.start <= now and b.after_stop <= len(stops)
        and (b.after_stop < len(stops) or last_end is None or b.start >= last_end)
    ]
    located = [s.location for s in stops if s.location is not None]
    times = [now, route.shift.start, *(s.service_end for s in stops), *(b.end for b in breaks)]
    return State(stops, breaks, located[-1] if located else None, max(times))


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


def _remaining_roster(roster: Roster, day: date, now: datetime, states: dict[str, State],
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
