"""Slack induction by string removals (SISR, Christiaens & Vanden Berghe 2020), compiled
with numba: the engine that improves a start solution for most of a search's time before
OR-Tools polishes and re-times it.

Each step removes strings of consecutive visits from a few routes near a random seed visit
(sometimes keeping a run inside the string: a "split string"), then reinserts every free
visit, highest priority first, in a random / largest-demand / farthest / closest order, each
at its cheapest feasible position, every position skipped with a small probability
("blinks"). The step is kept under simulated annealing: fewer or lower-priority visits
unplaced always wins, never loses; at equal placement a cost increase is accepted with the
usual probability, the temperature falling geometrically from a multiple of the start
solution's mean arc cost. Insertion checks are O(1) from each route's earliest / latest
start times (several windows per visit, breaks as route elements taken where the technician
is, shift ends, a max working time as an earlier end, capacity, visit count, travel limit,
skills as an eligibility matrix), as in `construct.py`.

The engine covers the objectives whose cost is a sum over arcs and used technicians
("travel_time", "distance", with fixed costs); `applies` says when. Hourly costs, balance,
fewest technicians and locked chains stay with OR-Tools.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time as clock
from pathlib import Path
from typing import Any

import numpy as np

from solver.constants import (
    STRINGS_BATCH_SECONDS,
    STRINGS_GRANULAR,
    STRINGS_NEIGHBOURS,
    STRINGS_T_FIRST,
    STRINGS_T_LAST,
)
from solver.construct import NEVER, nearest, padded
from solver.model import ModelInput, drop_penalties
from solver.precheck import windows_of
from solver.problem import Break, Problem, Technician, TimeWindow, Visit

__all__ = ["applies", "improve", "load", "ready"]

_FIRST_BATCH = 50
"""Steps in the first batch of a timed search; later batches are sized from its speed."""


def applies(data: ModelInput) -> bool:
    """Whether the engine models this problem's objective exactly."""
    return (data.objective in ("travel_time", "distance") and not any(data.locked)
            and not any(t.cost_per_hour for t in data.problem.technicians))


def ready() -> bool:
    """Whether the compiled kernel is in numba's cache, so that loading it takes a second or
    two. Compiling it takes far longer (about 40 s on a busy 2-core machine), more than a
    search's time limit: on a cold cache this starts the compilation in a background process
    (once per process) for the searches to come, and says no."""
    return _cache_is_warm() or _compile_in_background()


@functools.cache
def _cache_is_warm() -> bool:
    from solver import _strings_kernel as kernel

    try:
        return all(f._cache._cache_file._load_index() for f in kernel.ENTRY_POINTS)
    except (AttributeError, OSError, ValueError):  # numba internals: assume the worst
        return False


@functools.cache
def _compile_in_background() -> bool:
    # This very package, however it was found (PYTHONPATH, sys.path, installed).
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    subprocess.Popen([sys.executable, "-c", "from solver import strings; strings.load()"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True, env={**os.environ, "PYTHONPATH": path})
    return False


def load() -> None:
    """Load numba and every compiled kernel (compiling what the cache lacks), by a few steps
    on a two-visit problem: called before the worker processes fork, so that they inherit
    the kernel instead of each loading it again."""
    lunch = Break(TimeWindow(0, 100), 10)
    tiny = Problem(durations=np.array([[0, 5, 5], [5, 0, 5], [5, 5, 0]]),
                   visits=[Visit("a", 1, 10, (TimeWindow(0, 50),)), Visit("b", 2, 10, ())],
                   technicians=[Technician("t", TimeWindow(0, 200), 0, 0, breaks=(lunch,))])
    improve(ModelInput(tiny, (0, 1), ((0,), (0,)), "travel_time", ((),)), ((0,), ()), 0,
            iterations=2)


def improve(data: ModelInput, start: tuple[tuple[int, ...], ...], seed: int, *,
            deadline: float | None = None, iterations: int | None = None
            ) -> tuple[tuple[int, ...], ...]:
    """Per technician, the visit nodes of the best routes found from `start` (per technician,
    visit nodes in order), searching until `deadline` (time.time()) or for `iterations`
    steps. With `iterations` the result depends on nothing but the arguments."""
    from solver import _strings_kernel as kernel  # numba loads only when the engine runs

    arrays = _Arrays(data)
    state = arrays.start(kernel, start)
    kernel.seed_rng(seed)
    rp, rs = state
    best_rp, best_rs = rp.copy(), rs.copy()
    best_value = np.array(kernel.value(rs, arrays.vk, arrays.route_of, arrays.penalty),
                          dtype=np.int64)
    placed = int(rs[:, kernel.NVIS].sum())
    arcs = placed + int((rs[:, kernel.NVIS] > 0).sum())
    mean_arc = max(1.0, float(rs[:, kernel.RCOST].sum()) / max(1, arcs))
    t_first, t_last = STRINGS_T_FIRST * mean_arc, STRINGS_T_LAST * mean_arc

    def run(steps: int, done: float, upto: float) -> None:
        """`steps` steps with the temperature of fractions `done` to `upto` of the run."""
        kernel.search(steps, t_first * (t_last / t_first) ** done,
                      t_first * (t_last / t_first) ** upto, rp, rs, arrays.vk,
                      arrays.route_of, arrays.elig, arrays.item_loc, arrays.item_dur,
                      arrays.opens, arrays.closes, arrays.dur, arrays.cost, arrays.demand,
                      arrays.penalty, arrays.rank, arrays.far, arrays.neighbours, arrays.near,
                      arrays.m, best_rp, best_rs, best_value)

    if iterations is not None:
        run(iterations, 0.0, 1.0)
    elif deadline is not None:
        began = clock.time()
        total = max(1e-6, deadline - began)
        steps = _FIRST_BATCH
        while (now := clock.time()) < deadline:
            done = (now - began) / total
            batch_began = now
            expected = min(STRINGS_BATCH_SECONDS, deadline - now)
            run(steps, done, min(1.0, done + expected / total))
            took = max(1e-6, clock.time() - batch_began)
            steps = max(1, int(steps * min(STRINGS_BATCH_SECONDS, deadline - clock.time())
                               / took))
    return arrays.routes(best_rp, best_rs)


class _Arrays:
    """The problem as the kernel's arrays (see `_strings_kernel` for their layout)."""

    def __init__(self, data: ModelInput) -> None:
        problem = data.problem
        visits = [problem.visits[i] for i in data.visits]
        techs = problem.technicians
        m = len(visits)
        self.m = m
        none_loc = problem.num_locations
        self.dur = padded(problem.durations)
        matrix = problem.distances if data.objective == "distance" else problem.durations
        self.cost = padded(matrix if matrix is not None else problem.durations)
        windows = [sorted(windows_of(v, problem.horizon), key=lambda w: w.start)
                   for v in visits]
        width = max([len(w) for w in windows] + [1])
        items = m + sum(2 + len(t.breaks) for t in techs)
        self.item_loc = np.full(items, -1, dtype=np.int64)
        self.item_dur = np.zeros(items, dtype=np.int64)
        self.opens = np.full((items, width), NEVER, dtype=np.int64)
        self.closes = np.full((items, width), -1, dtype=np.int64)
        for u, (v, ws) in enumerate(zip(visits, windows, strict=True)):
            self.item_loc[u] = v.location
            self.item_dur[u] = v.duration
            self.opens[u, : len(ws)] = [w.start for w in ws]
            self.closes[u, : len(ws)] = [w.end for w in ws]
        self.demand = np.array([v.demand for v in visits], dtype=np.int64)
        priorities = [v.priority for v in visits]
        self.penalty = np.array(drop_penalties(priorities, 1), dtype=np.int64)
        levels = sorted(set(priorities))
        self.rank = np.array([levels.index(p) for p in priorities], dtype=np.int64)
        unlimited = 2**62
        self.vk = np.zeros((len(techs), 5), dtype=np.int64)
        self.elig = np.zeros((len(techs), m), dtype=np.bool_)
        for u, allowed in enumerate(data.eligible):
            self.elig[list(allowed), u] = True
        self.empty: list[list[int]] = []
        item = m
        homes = []
        for k, tech in enumerate(techs):
            end = tech.shift.end
            if tech.max_work_time is not None:
                end = min(end, tech.shift.start + tech.max_work_time)
            self.vk[k] = (unlimited if tech.capacity is None else tech.capacity,
                          unlimited if tech.max_visits is None else tech.max_visits,
                          unlimited if tech.max_travel_time is None else tech.max_travel_time,
                          tech.fixed_cost, 1)
            home = none_loc if tech.start_location is None else tech.start_location
            finish = none_loc if tech.end_location is None else tech.end_location
            homes.append(home)
            first, last = item, item + 1
            self.item_loc[first], self.item_loc[last] = home, finish
            self.opens[first, 0] = self.closes[first, 0] = tech.shift.start
            self.opens[last, 0], self.closes[last, 0] = tech.shift.start, end
            row = [first]
            for b, brk in sorted(enumerate(tech.breaks), key=lambda e: e[1].window.start):
                it = item + 2 + b
                self.item_dur[it] = brk.duration
                self.opens[it, 0], self.closes[it, 0] = brk.window.start, brk.window.end
                # Same rule as construct.py: a break that cannot meet the day is left to
                # OR-Tools (taken before the route starts or after it ends).
                if brk.window.start + brk.duration <= end and brk.window.end >= tech.shift.start:
                    row.append(it)
            row.append(last)
            self.empty.append(row)
            item += 2 + len(tech.breaks)
        locations = self.item_loc[:m]
        self.far = self.dur[np.array(homes)][:, locations].mean(axis=0).astype(np.float64)
        self.neighbours = nearest(problem.durations, locations, min(m, STRINGS_NEIGHBOURS))
        self.near = np.zeros((m, none_loc + 1), dtype=np.bool_)
        self.near[:, list({*homes, *self.item_loc[m:][self.item_loc[m:] >= 0]})] = True
        grain = self.neighbours[:, : STRINGS_GRANULAR + 1]
        self.near[np.arange(m)[:, None], locations[grain]] = True
        self.route_of = np.full(m, -1, dtype=np.int64)
        self.width = 2 + m + max([len(t.breaks) for t in techs] + [0])

    def start(self, kernel: Any, start: tuple[tuple[int, ...], ...]
              ) -> tuple[np.ndarray, np.ndarray]:
        num = len(self.empty)
        rp = np.zeros((num, 4, self.width), dtype=np.int64)
        rs = np.zeros((num, 5), dtype=np.int64)
        for k, row in enumerate(self.empty):
            rp[k, kernel.IT, : len(row)] = row
            rs[k, kernel.LEN] = len(row)
            if not kernel.schedule(k, rp, rs, self.item_loc, self.item_dur, self.opens,
                                   self.closes, self.dur, self.cost, self.demand, self.m):
                self.vk[k, kernel.ENABLED] = 0  # a break cannot be held inside this day
        starts = np.full((num, max([len(r) for r in start] + [1])), -1, dtype=np.int64)
        for k, route in enumerate(start[:num]):
            starts[k, : len(route)] = route
        kernel.load_routes(starts, rp, rs, self.vk, self.route_of, self.elig, self.item_loc,
                           self.item_dur, self.opens, self.closes, self.dur, self.cost,
                           self.demand, self.m)
        return rp, rs

    def routes(self, rp: np.ndarray, rs: np.ndarray) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(int(u) for u in rp[k, 0, : rs[k, 0]] if u < self.m)
                     for k in range(rp.shape[0]))
