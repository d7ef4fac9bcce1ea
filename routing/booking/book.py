"""Book pending jobs one by one: each booking goes into its day's solution, so the next
job is ranked against the days as they are then (the multi-day horizon)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from routing.booking.horizon import Horizon
from routing.booking.options import BookingOptions
from routing.booking.rank import Ranking, SlotOption, rank_slots
from routing.booking.slots import OfferedSlot, PendingJob
from routing.reasons import ReasonCode

__all__ = ["Booking", "Chooser", "best_option", "book_jobs"]

Chooser = Callable[[PendingJob, Ranking], SlotOption | None]
"""Picks the option to book from a ranking (None: book nothing)."""


@dataclass(frozen=True)
class Booking:
    """What was decided for one job: the option booked, or why none."""

    service_job_id: str
    decision: Literal["book", "no_slot"]
    option: SlotOption | None
    ranking: Ranking
    reason: ReasonCode | None
    sentence: str


def best_option(job: PendingJob, ranking: Ranking) -> SlotOption | None:
    """The route-aware choice: the best-scored option."""
    return ranking.options[0] if ranking.options else None


def book_jobs(jobs: Sequence[PendingJob], horizon: Horizon,
              slots: Mapping[str, Sequence[OfferedSlot]],
              options: BookingOptions | None = None,
              choose: Chooser = best_option) -> list[Booking]:
    """Rank and book each job in turn (``slots`` by job id; a job without any is
    ``no_slot``). The chosen option is inserted into its day, which every later job then
    sees. Without an option the reason is the one most slots were kept out for."""
    done = []
    for job in jobs:
        ranking = rank_slots(job, horizon, slots.get(job.service_job_id, ()), options)
        chosen = choose(job, ranking)
        if chosen is not None:
            horizon.days[chosen.date].commit(chosen.visit, chosen.insertion)
            done.append(Booking(job.service_job_id, "book", chosen, ranking, None,
                                f"Booked {chosen.slot.start:%Y-%m-%d %H:%M} with "
                                f"{chosen.technician_id}."))
            continue
        reason, sentence = _reason(ranking)
        done.append(Booking(job.service_job_id, "no_slot", None, ranking, reason, sentence))
    return done


def _reason(ranking: Ranking) -> tuple[ReasonCode, str]:
    if not ranking.excluded:
        return ReasonCode.NO_WINDOW_ON_DATE, "No slot was offered for the job."
    counts: dict[ReasonCode, int] = {}
    for item in ranking.excluded:
        counts[item.reason] = counts.get(item.reason, 0) + 1
    reason = max(counts, key=lambda r: counts[r])
    sentence = next(e.sentence for e in ranking.excluded if e.reason == reason)
    return reason, sentence
