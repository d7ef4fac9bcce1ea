"""Route-aware booking of pending jobs over a multi-day horizon, against two baselines.

    python -m benchmarks.booking            # 5 days, 40 technicians, 200 pending jobs
    python -m benchmarks.booking --quick    # 2 days, 10 technicians, 30 pending jobs
    python -m benchmarks.booking --day 1000 # solver.feasible_insertions on one solved day

Days of the generated technician day (`_technician_data`), the same technicians every day,
are filled with booked jobs and solved; then pending jobs arrive one by one, each offered
2-hour slots over the horizon, and each is booked three ways: route-aware
(`routing.booking`: the best-scored option, inserted into its day so the next job sees it),
the first offered slot, and the slot of the buyer's first preferred time. Reported: the
time to rank one job's options (p50, p95; no Amazon call), then, after every day is
re-solved from scratch with the booked slots as windows (same technicians, time limit and
seed for the three), the total drive and the jobs left without a served appointment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np

from benchmarks._technician_data import HOUR, generate
from routing.booking import (
    BookingDay,
    Horizon,
    OfferedSlot,
    PendingJob,
    Ranking,
    SlotOption,
    rank_slots,
)
from routing.visits import Window
from solver import InsertionIndex, Problem, Solution, TimeWindow, Visit, solve, verify

FIRST = date(2026, 3, 9)
SLOT_HOURS = (8, 10, 12, 14, 16)
"""Offered slots start at these hours (2 hours each), every day of the horizon."""


@dataclass(frozen=True)
class Size:
    days: int
    technicians: int
    pending: int
    booked_per_day: int
    time_limit: float


FULL = Size(days=5, technicians=40, pending=200, booked_per_day=320, time_limit=20.0)
QUICK = Size(days=2, technicians=10, pending=30, booked_per_day=70, time_limit=3.0)


@dataclass
class World:
    """The horizon's problems (one matrix for all), the pending jobs and their slots."""

    days: list[Problem]
    pending: list[PendingJob]
    visits: dict[str, Visit]
    """Each pending job's visit (no window: the slot gives it)."""
    slots: dict[str, list[OfferedSlot]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small size for a smoke check")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, help="seconds per day solve")
    parser.add_argument("--day", type=int, metavar="VISITS",
                        help="only time feasible insertions into one solved day this large")
    args = parser.parse_args(argv)
    if args.day:
        insertion_timing(args.day, args.seed, args.time_limit or 60.0)
        return
    size = QUICK if args.quick else FULL
    if args.time_limit:
        size = replace(size, time_limit=args.time_limit)
    print(f"{size.days} days, {size.technicians} technicians, {size.booked_per_day} booked "
          f"jobs a day, {size.pending} pending; solves of {size.time_limit:g} s; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    world = make_world(size, args.seed)
    began = time.perf_counter()
    solved = [_solve(p, size) for p in world.days]
    busy = sum(_work(p, s) for p, s in zip(world.days, solved, strict=True))
    shifts = sum(t.shift.end - t.shift.start for p in world.days for t in p.technicians)
    print(f"days solved in {time.perf_counter() - began:.0f} s: {busy / shifts:.0%} of shift "
          f"time in service, drive and lunch; {sum(len(s.unassigned) for s in solved)} booked "
          f"jobs not placed", flush=True)

    policies: dict[str, Callable[[PendingJob, Ranking | None], OfferedSlot | None]] = {
        "route-aware": lambda job, ranking: ranking.options[0].slot
        if ranking and ranking.options else None,
        "first offered slot": lambda job, _: world.slots[job.service_job_id][0],
        "buyer's first preference": lambda job, _: _preferred_slot(job, world),
    }
    base_drive = sum(_travel(s) for s in solved)
    results = {}
    for name, policy in policies.items():
        aware = name == "route-aware"
        horizon = _horizon(world, solved) if aware else None
        chosen: dict[str, OfferedSlot | None] = {}
        timings = []
        estimated = 0
        for job in world.pending:
            ranking = None
            if horizon is not None:
                tick = time.perf_counter()
                ranking = rank_slots(job, horizon, world.slots[job.service_job_id])
                timings.append(time.perf_counter() - tick)
                best: SlotOption | None = ranking.options[0] if ranking.options else None
                if best is not None:
                    horizon.days[best.date].commit(best.visit, best.insertion)
                    estimated += best.added_travel_s
            chosen[job.service_job_id] = policy(job, ranking)
        if timings:
            ms = sorted(t * 1000 for t in timings)
            print(f"rank one job's options: p50 {statistics.median(ms):.1f} ms, "
                  f"p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms "
                  f"({len(ms)} jobs, {sum(len(s) for s in world.slots.values()) // len(ms)} "
                  f"slots each; load {os.getloadavg()[0]:.1f}); added drive as booked, "
                  f"before re-solving: {estimated / HOUR:.1f} h", flush=True)
        results[name] = _resolve(world, chosen, size)
        drive, unserved, no_slot = results[name]
        liked = sum(1 for job in world.pending if (s := chosen[job.service_job_id])
                    and any(w.start <= s.start <= w.end for w in job.preferred))
        served = size.pending - unserved - no_slot
        print(f"{name}: drive {drive / HOUR:.1f} h after re-solving ("
              f"{(drive - base_drive) / max(served, 1) / 60:.1f} min more a pending job served), "
              f"{no_slot} jobs without a slot, {unserved} booked jobs not served, "
              f"{liked} slots inside a preferred time", flush=True)
    aware_drive, aware_unserved, aware_none = results["route-aware"]
    for name, (drive, unserved, none) in results.items():
        if name == "route-aware":
            continue
        cut = (drive - aware_drive) / max(drive - base_drive, 1)
        print(f"against {name}: added drive {(aware_drive - base_drive) / HOUR:.1f} h vs "
              f"{(drive - base_drive) / HOUR:.1f} h (reduction {cut:.0%}; negative: more); "
              f"jobs left unbookable {aware_unserved + aware_none} vs {unserved + none}")


def insertion_timing(visits: int, seed: int, time_limit: float) -> None:
    """Solve a generated day of ``visits`` (80 technicians) without its last 100 visits, then
    time the index of the solved day and the feasible insertions of each of those 100."""
    problem = generate(visits, 80, seed)
    held = problem.visits[-100:]
    day = replace(problem, visits=problem.visits[:-100])
    solution = solve(day, time_limit=time_limit, workers=2)
    print(f"solved {len(day.visits)} visits in {solution.wall_time:.0f} s, "
          f"{sum(len(r.stops) for r in solution.routes)} placed; load "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    tick = time.perf_counter()
    index = InsertionIndex(day, solution)
    built = time.perf_counter() - tick
    timings, found = [], 0
    for visit in held:
        tick = time.perf_counter()
        found += len(index.insertions(visit))
        timings.append((time.perf_counter() - tick) * 1000)
    ms = sorted(timings)
    print(f"index of the day: {built * 1000:.0f} ms; insertions of one visit: p50 "
          f"{statistics.median(ms):.2f} ms, p95 {ms[94]:.2f} ms, max {ms[-1]:.2f} ms "
          f"({found / len(held):.0f} feasible per visit; load {os.getloadavg()[0]:.1f})")


def make_world(size: Size, seed: int) -> World:
    total = size.days * size.booked_per_day + size.pending
    base = generate(total, size.technicians, seed)
    rng = np.random.default_rng(seed + 1)
    days = [replace(base, visits=base.visits[d * size.booked_per_day:
                                              (d + 1) * size.booked_per_day])
            for d in range(size.days)]
    pending, visits, slots = [], {}, {}
    for visit in base.visits[size.days * size.booked_per_day:]:
        job_id = f"P-{visit.id}"
        visits[job_id] = replace(visit, id=job_id, windows=(), priority=1)
        preferred = []
        for _ in range(int(rng.integers(1, 4))):
            day = int(rng.integers(size.days))
            begin = int(rng.choice(SLOT_HOURS))
            preferred.append(Window(_at(day, begin * HOUR), _at(day, (begin + 3) * HOUR)))
        pending.append(PendingJob(job_id, tuple(preferred)))
        offered = [OfferedSlot(_at(d, h * HOUR), _at(d, (h + 2) * HOUR))
                   for d in range(size.days) for h in SLOT_HOURS if rng.random() < 0.8]
        slots[job_id] = offered or [OfferedSlot(_at(0, 8 * HOUR), _at(0, 10 * HOUR))]
    return World(days, pending, visits, slots)


def _at(day: int, seconds: int) -> datetime:
    return datetime.combine(FIRST + timedelta(days=day), datetime.min.time(), UTC) + timedelta(
        seconds=seconds)


def _solve(problem: Problem, size: Size) -> Solution:
    solution = solve(problem, time_limit=size.time_limit, workers=1)
    verify(problem, solution)
    return solution


def _horizon(world: World, solved: Sequence[Solution]) -> Horizon:
    days = {}
    for d, (problem, solution) in enumerate(zip(world.days, solved, strict=True)):
        when = FIRST + timedelta(days=d)
        days[when] = BookingDay(when, _at(d, 0), UTC, problem, solution, dict(world.visits))
    return Horizon(UTC, days)


def _preferred_slot(job: PendingJob, world: World) -> OfferedSlot:
    """The first offered slot that starts inside the buyer's first preferred time, else
    the first offered slot."""
    offered = world.slots[job.service_job_id]
    first = job.preferred[0]
    return next((s for s in offered if first.start <= s.start <= first.end), offered[0])


def _resolve(world: World, chosen: dict[str, OfferedSlot | None],
             size: Size) -> tuple[int, int, int]:
    """Every day re-solved with its booked slots as windows: (drive, booked jobs not
    served, jobs without a slot)."""
    drive = unserved = 0
    for d, problem in enumerate(world.days):
        extra = []
        for job_id, slot in chosen.items():
            if slot is not None and slot.start.date() == FIRST + timedelta(days=d):
                start = round((slot.start - _at(d, 0)).total_seconds())
                end = round((slot.end - _at(d, 0)).total_seconds())
                extra.append(replace(world.visits[job_id], windows=(TimeWindow(start, end),)))
        day = replace(problem, visits=[*problem.visits, *extra])
        solution = _solve(day, size)
        drive += _travel(solution)
        ids = {v.id for v in extra}
        unserved += sum(1 for u in solution.unassigned if u.visit in ids)
    return drive, unserved, sum(1 for s in chosen.values() if s is None)


def _travel(solution: Solution) -> int:
    return sum(r.travel_time for r in solution.routes)


def _work(problem: Problem, solution: Solution) -> int:
    lunches = {t.id: sum(b.duration for b in t.breaks) for t in problem.technicians}
    return sum(r.service_time + r.travel_time + lunches[r.technician] for r in solution.routes)


if __name__ == "__main__":
    main()
