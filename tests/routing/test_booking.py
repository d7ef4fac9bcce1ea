"""routing.booking on small deterministic days (one worker, a solution limit).

Every booking is checked by ``solver.verify`` on the day it went into.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

import solver
from routing.booking import (
    BookingError,
    BookingOptions,
    Horizon,
    OfferedSlot,
    book_jobs,
    pending_job,
    plan_horizon,
    rank_slots,
)
from routing.planner import PlanOptions, plan_day
from routing.reasons import ReasonCode
from routing.roster import Roster
from routing.spapi.models import ServiceJob
from tests.routing.planning_helpers import DOWNTOWN, TACOMA, job, roster, technician
from tests.routing.test_planner import DAY, LA, TOOLS, window

OPTIONS = PlanOptions(workers=1, time_limit=60.0, solution_limit=5)


def at(hour: int, day: date = DAY, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LA)


def slot(hour: int, hours: int = 2, day: date = DAY) -> OfferedSlot:
    return OfferedSlot(at(hour, day), at(hour + hours, day))


def pending(job_id: str, line1: str | None, preferred: list[tuple[int, int]] | None = None,
            **kwargs: Any) -> ServiceJob:
    """A pending-schedule job; ``preferred`` as (local hour, hours) on DAY."""
    times = [(at(h).astimezone(LA).strftime("%Y-%m-%dT%H:%M:%S%z"), n * 60)
             for h, n in preferred or []]
    return job(job_id, "PENDING_SCHEDULE", preferred=times, line1=line1, **kwargs)


def horizon_of(jobs: list[ServiceJob], team: Roster, days: int = 1, **kw: Any) -> Horizon:
    return plan_horizon(jobs, team, DAY, days, OPTIONS, context=TOOLS, **kw)


def verified(horizon: Horizon) -> None:
    for day in horizon.days.values():
        solver.verify(day.problem, day.solution)


def booked_day() -> list[ServiceJob]:
    """One technician's day: Tacoma in the morning, Bellevue in the afternoon."""
    return [job("tac", appointments=window(9, 2), line1="4 Tacoma Ave"),
            job("bel", appointments=window(14, 2), line1="2 Bellevue Way")]


def test_the_slot_beside_the_route_ranks_first_and_books_verified() -> None:
    team = roster(technician("T1", home=DOWNTOWN))
    jobs = [*booked_day(), pending("p", "2 Bellevue Way")]
    horizon = horizon_of(jobs, team)
    day = horizon.days[DAY]
    assert "p" in day.candidates and {v.id for v in day.problem.visits} == {"tac", "bel"}
    ranking = rank_slots(pending_job(jobs[-1]), horizon, [slot(8), slot(14)])
    assert [o.slot for o in ranking.options] == [slot(14), slot(8)]
    afternoon, morning = ranking.options
    assert afternoon.added_travel_s < morning.added_travel_s
    assert afternoon.technician_id == "T1" and afternoon.start >= at(14)
    assert dict(afternoon.terms)["travel"] == afternoon.added_travel_s
    assert dict(afternoon.terms)["preference"] == 0  # no preferred time: nothing to miss
    assert afternoon.score == pytest.approx(sum(v for _, v in afternoon.terms), abs=0.1)
    [done] = book_jobs([pending_job(jobs[-1])], horizon, {"p": [slot(8), slot(14)]})
    assert done.decision == "book" and done.option == afternoon
    verified(horizon)
    stop = next(s for r in day.solution.routes for s in r.stops if s.visit == "p")
    assert stop.start == afternoon.insertion.start
    assert "p" not in day.candidates


def test_slots_that_cannot_be_served_are_kept_out_with_their_reason() -> None:
    team = roster(technician("T1", home=DOWNTOWN, shift="08:00-17:00", max_jobs=2))
    jobs = [*booked_day(), pending("p", "1 Pike St"),
            pending("plumb", "1 Pike St", skills=["PLUMBING"]),
            pending("nogeo", "99 Nowhere Rd")]
    horizon = horizon_of(jobs, team, days=2)
    tomorrow = DAY + timedelta(days=1)
    offered = [slot(9), slot(19), slot(9, day=DAY + timedelta(days=5)), slot(9, day=tomorrow)]
    ranking = rank_slots(pending_job(jobs[2]), horizon, offered)
    why = {(e.slot.start, e.reason) for e in ranking.excluded}
    assert why == {
        (at(9), ReasonCode.INSUFFICIENT_CAPACITY),  # two jobs already: max_jobs=2
        (at(19), ReasonCode.OUTSIDE_SHIFTS),
        (at(9, DAY + timedelta(days=5)), ReasonCode.OUTSIDE_SHIFTS),  # not in the horizon
    }
    assert [o.date for o in ranking.options] == [tomorrow]
    assert all(e.sentence.endswith(".") for e in ranking.excluded)
    plumb = rank_slots(pending_job(jobs[3]), horizon, [slot(9, day=tomorrow)])
    assert [e.reason for e in plumb.excluded] == [ReasonCode.NO_SKILLED_TECHNICIAN]
    nogeo = rank_slots(pending_job(jobs[4]), horizon, [slot(9, day=tomorrow)])
    assert [e.reason for e in nogeo.excluded] == [ReasonCode.NOT_GEOCODED]
    done = book_jobs([pending_job(j) for j in jobs[3:]], horizon,
                     {"plumb": [slot(9, day=tomorrow)], "nogeo": [slot(9, day=tomorrow)]})
    assert [(b.decision, b.reason) for b in done] == [
        ("no_slot", ReasonCode.NO_SKILLED_TECHNICIAN), ("no_slot", ReasonCode.NOT_GEOCODED)]


def test_a_pending_online_job_is_booked_where_a_technician_has_time() -> None:
    team = roster(technician("T1", home=DOWNTOWN))
    jobs = [*booked_day(), pending("web", None, location_type="ONLINE")]
    horizon = horizon_of(jobs, team)
    day = horizon.days[DAY]
    assert "web" in day.candidates and "web" not in day.unplaced
    ranking = rank_slots(pending_job(jobs[-1]), horizon, [slot(11), slot(19)])
    [option] = ranking.options
    assert option.slot == slot(11) and option.technician_id == "T1"
    assert [e.reason for e in ranking.excluded] == [ReasonCode.OUTSIDE_SHIFTS]
    [done] = book_jobs([pending_job(jobs[-1])], horizon, {"web": [slot(11), slot(19)]})
    assert done.decision == "book"
    verified(horizon)
    [stop] = [s for r in day.plan().routes for s in r.stops if s.service_job_id == "web"]
    assert stop.location is None and at(11) <= stop.arrival  # done from where T1 is


def test_unreachable_in_the_slot_even_on_an_empty_day() -> None:
    team = roster(technician("T1", home=DOWNTOWN, shift="08:00-17:00"))
    jobs = [pending("far", "4 Tacoma Ave")]
    horizon = horizon_of(jobs, team)
    ranking = rank_slots(pending_job(jobs[0]), horizon,
                         [OfferedSlot(at(8), at(8, minute=10))])
    assert [e.reason for e in ranking.excluded] == [ReasonCode.UNREACHABLE_IN_WINDOW]


def test_a_buyer_preference_is_honoured_when_it_costs_little() -> None:
    team = roster(technician("T1", home=DOWNTOWN, shift="08:00-18:00"))
    near = pending("near", "1 Pike St", preferred=[(15, 2)])
    horizon = horizon_of([near], team)
    job_ = pending_job(near)
    ranking = rank_slots(job_, horizon, [slot(9), slot(15)])
    # the same drive either way: the preferred afternoon wins despite being later
    assert [o.slot for o in ranking.options] == [slot(15), slot(9)]
    assert dict(ranking.options[1].terms)["preference"] == BookingOptions().preference_miss_s
    # a preference worth less than the earliness of the later slot (6 hours) loses
    cheap = BookingOptions(preference_miss_s=60.0, earliness_s_per_hour=30.0)
    assert rank_slots(job_, horizon, [slot(9), slot(15)], cheap).options[0].slot == slot(9)


def test_a_preference_is_honoured_only_while_it_costs_less_drive_than_its_weight() -> None:
    team = roster(technician("T1", home=DOWNTOWN))
    jobs = [*booked_day(), pending("p", "2 Bellevue Way", preferred=[(8, 2)])]
    horizon = horizon_of(jobs, team)
    job_ = pending_job(jobs[-1])
    drive_only = {"earliness_s_per_hour": 0.0, "slack_weight": 0.0, "balance_weight": 0.0}
    ranking = rank_slots(job_, horizon, [slot(8), slot(14)], BookingOptions(**drive_only))
    afternoon, morning = ranking.options  # the preference is worth 15 minutes of driving
    extra = morning.added_travel_s - afternoon.added_travel_s  # the morning's detour to Tacoma
    assert afternoon.slot == slot(14) and extra > BookingOptions().preference_miss_s
    assert dict(afternoon.terms)["preference"] > 0 and dict(morning.terms)["preference"] == 0
    # worth more than that drive, the preference wins
    dear = BookingOptions(preference_miss_s=extra + 60, **drive_only)
    assert rank_slots(job_, horizon, [slot(8), slot(14)], dear).options[0].slot == slot(8)


def test_each_booking_is_seen_by_the_next_job() -> None:
    team = roster(technician("T1", home=DOWNTOWN, max_jobs=1),
                  technician("T2", home=TACOMA, max_jobs=1))
    jobs = [pending("a", "1 Pike St"), pending("b", "1 Pike St"), pending("c", "1 Pike St")]
    horizon = horizon_of(jobs, team)
    offered = {j.service_job_id: [slot(10)] for j in jobs}
    done = book_jobs([pending_job(j) for j in jobs], horizon, offered)
    assert [(b.decision, b.option.technician_id if b.option else None) for b in done] == [
        ("book", "T1"), ("book", "T2"), ("no_slot", None)]
    assert done[2].reason == ReasonCode.INSUFFICIENT_CAPACITY
    assert done[1].option is not None and done[1].option.added_travel_s > 0
    verified(horizon)
    plan = horizon.days[DAY].plan()
    assert {s.service_job_id for r in plan.routes for s in r.stops} == {"a", "b"}


def test_a_saved_plan_is_the_day_without_the_jobs_to_book() -> None:
    team = roster(technician("T1", home=DOWNTOWN))
    jobs = [*booked_day(), pending("p", "1 Pike St", preferred=[(11, 2)])]
    saved = plan_day(jobs, team, DAY, OPTIONS, TOOLS)
    assert "p" in {s.service_job_id for r in saved.routes for s in r.stops}
    horizon = horizon_of(jobs, team, saved={DAY: saved})
    day = horizon.days[DAY]
    assert {s.visit for r in day.solution.routes for s in r.stops} == {"tac", "bel"}
    verified(horizon)
    [done] = book_jobs([pending_job(jobs[-1])], horizon, {"p": [slot(11)]})
    assert done.decision == "book"
    verified(horizon)
    other = roster(technician("T9", home=DOWNTOWN))
    with pytest.raises(BookingError, match="saved plan"):
        horizon_of(jobs, other, saved={DAY: saved})


def test_bad_input_is_a_booking_error() -> None:
    with pytest.raises(BookingError, match="timezone"):
        OfferedSlot(datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 11))
    with pytest.raises(BookingError, match="before it starts"):
        OfferedSlot(at(11), at(9))
    with pytest.raises(BookingError, match="non-negative"):
        BookingOptions(slack_weight=-1)
    with pytest.raises(BookingError, match="not pending"):
        pending_job(job("x", appointments=window(9)))
