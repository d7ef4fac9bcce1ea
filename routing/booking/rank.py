"""Rank the offered slots of one pending job by what each does to its day's routes.

Each slot is intersected with the feasible insertions of the job into its day
(``solver.InsertionIndex``); the best insertion of a slot is its option, scored by
:class:`~routing.booking.options.BookingOptions` (lower is better). A slot with no feasible
insertion is kept out with a reason code of ``routing.reasons``:

- ``outside_shifts``: no day of the horizon on that date, or no able technician works then;
- ``no_skilled_technician``: nobody working that day has the skills (or may take the job);
- ``unreachable_in_window``: able technicians work then, but none could be there on time
  even with an empty day (or the service cannot finish inside the slot);
- ``insufficient_capacity``: it would fit an empty day, but not beside the jobs booked;
- any reason the job cannot be placed on that day at all (``not_geocoded``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

import solver
from routing.booking.horizon import BookingDay, Horizon
from routing.booking.options import BookingOptions
from routing.booking.slots import OfferedSlot, PendingJob
from routing.reasons import ReasonCode

__all__ = ["ExcludedSlot", "Ranking", "SlotOption", "rank_slots"]

HOUR = 3600.0


@dataclass(frozen=True)
class SlotOption:
    """A slot that can be booked, with where the job would go and why it scores so."""

    slot: OfferedSlot
    date: date
    technician_id: str
    start: datetime
    """Earliest service start, in the day's timezone."""
    added_travel_s: int
    added_distance_m: int | None
    slack_s: int
    wait_s: int
    score: float
    terms: tuple[tuple[str, float], ...]
    """The score's terms in seconds: travel, preference, earliness, slack, balance."""
    visit: solver.Visit
    insertion: solver.Insertion


@dataclass(frozen=True)
class ExcludedSlot:
    slot: OfferedSlot
    reason: ReasonCode
    sentence: str


@dataclass(frozen=True)
class Ranking:
    """A job's options, best first, and the slots kept out."""

    service_job_id: str
    options: tuple[SlotOption, ...]
    excluded: tuple[ExcludedSlot, ...]


def rank_slots(job: PendingJob, horizon: Horizon, slots: Sequence[OfferedSlot],
               options: BookingOptions | None = None) -> Ranking:
    """Every offered slot of ``job`` as an option or an excluded slot (see the module
    docstring); one option per slot, the best insertion into that slot's day."""
    options = options or BookingOptions()
    found: list[SlotOption] = []
    excluded: list[ExcludedSlot] = []
    first = min((s.start for s in slots), default=None)
    by_day: dict[date, list[OfferedSlot]] = {}
    for slot in slots:
        day = horizon.day_of(slot.start)
        if day is None:
            when = slot.start.astimezone(horizon.tz).date()
            excluded.append(ExcludedSlot(slot, ReasonCode.OUTSIDE_SHIFTS,
                                         f"No technician works on {when} in the horizon."))
        else:
            by_day.setdefault(day.day, []).append(slot)
    for when, day_slots in by_day.items():
        assert first is not None
        _rank_day(job, horizon.days[when], day_slots, first, options, found, excluded)
    found.sort(key=lambda o: (o.score, o.start))
    return Ranking(job.service_job_id, tuple(found), tuple(excluded))


def _rank_day(job: PendingJob, day: BookingDay, slots: list[OfferedSlot], first: datetime,
              options: BookingOptions, found: list[SlotOption],
              excluded: list[ExcludedSlot]) -> None:
    visit = day.candidates.get(job.service_job_id)
    if visit is None:
        known = day.unplaced.get(job.service_job_id)
        reason = known.reason if known else ReasonCode.NOT_GEOCODED
        sentence = known.sentence if known else f"The job has no place on {day.day}."
        excluded.extend(ExcludedSlot(s, reason, sentence) for s in slots)
        return
    windows: list[solver.TimeWindow] = []
    offered: list[OfferedSlot] = []
    for slot in slots:
        span = job.start_window(slot, timedelta(seconds=visit.duration))
        begin, end = (day.seconds(span.start), day.seconds(span.end)) if span else (0, -1)
        if end < max(begin, 0):
            excluded.append(ExcludedSlot(slot, ReasonCode.UNREACHABLE_IN_WINDOW,
                                         "The service cannot be on time for this slot."))
            continue
        windows.append(solver.TimeWindow(max(begin, 0), end))
        offered.append(slot)
    table = day.index.table(visit, windows)
    work = np.array(list(day.work().values()), dtype=np.float64)  # technicians' order
    added = visit.duration + table.added_travel
    busy = work[table.tech] + added - added / work.size  # above the mean with the visit
    honoured = np.full(len(table), not job.preferred)  # no preferred time: nothing to miss
    for liked in job.preferred:
        honoured |= ((day.seconds(liked.start) <= table.start)
                     & (table.start <= day.seconds(liked.end)))
    earliness = np.array([(s.start - first).total_seconds() / HOUR for s in offered])
    terms = {
        "travel": table.added_travel.astype(np.float64),
        "preference": np.where(honoured, 0.0, options.preference_miss_s),
        "earliness": options.earliness_s_per_hour * earliness[table.window],
        "slack": options.slack_weight * np.maximum(0, options.slack_target_s - table.slack),
        "balance": options.balance_weight * np.maximum(0.0, busy - work.mean()),
    }
    score = np.round(sum(terms.values()), 1)
    # Each slot's best insertion (then the earliest start) becomes its option.
    order = np.lexsort((table.start, score, table.window))
    first_of = np.ones(order.size, dtype=bool)
    first_of[1:] = table.window[order][1:] != table.window[order][:-1]
    best: dict[int, solver.Insertion] = {}
    for i in order[first_of].tolist():
        chosen = table.row(i)
        best[chosen.window] = chosen
        found.append(SlotOption(
            offered[chosen.window], day.day, chosen.technician, day.moment(chosen.start),
            chosen.added_travel, chosen.added_distance, chosen.slack, chosen.wait,
            float(score[i]), tuple((name, float(v[i])) for name, v in terms.items()),
            visit, chosen))
    for k, slot in enumerate(offered):
        if k not in best:
            excluded.append(_why(day, visit, slot, windows[k]))


def _why(day: BookingDay, visit: solver.Visit, slot: OfferedSlot,
         window: solver.TimeWindow) -> ExcludedSlot:
    """Why no insertion serves ``window``: nobody able, nobody working then, nobody in
    time even on an empty day, or a day too full."""
    techs = day.problem.technicians
    able = [t for t in techs if solver.InsertionIndex.able(t, visit)]
    if not able:
        return ExcludedSlot(slot, ReasonCode.NO_SKILLED_TECHNICIAN,
                            f"No technician working on {day.day} may do this job.")
    if not any(t.shift.start <= window.end and window.start <= t.shift.end for t in able):
        return ExcludedSlot(slot, ReasonCode.OUTSIDE_SHIFTS,
                            "No able technician works during this slot.")
    if day.empty.insertions(visit, [window]):
        return ExcludedSlot(slot, ReasonCode.INSUFFICIENT_CAPACITY,
                            "The able technicians' days are too full for this slot.")
    return ExcludedSlot(slot, ReasonCode.UNREACHABLE_IN_WINDOW,
                        "No able technician can be there on time for this slot.")
