"""A fast insertion construction for large problems, improved by ruin and recreate, handed
to OR-Tools as its start.

OR-Tools' own first-solution heuristics check every insertion through its filters (time
windows, breaks): on 1000 visits × 80 technicians they took about a minute before the
first solution, and each of OR-Tools' ruin-and-recreate steps takes seconds at that size.
Here visits go in one at a time, highest priority level first, the visit with the best
blend of regret (second-cheapest route minus cheapest) and cheapness first, at its
cheapest feasible position. Feasibility is checked in O(1) per position from each route's
earliest and latest start times, vectorised with numpy over all open visits, so a ruin
(a visit and its nearest placed neighbours removed) and recreate (every free visit
reinserted) step takes milliseconds; a step is kept if no worse (fewer or lower-priority
visits unplaced first, then routing cost).

Each route is kept as a witness schedule: start, visits, breaks, end. A break is an
element of the route taken where the technician is (its location is that of the element
before it); a break whose window cannot meet the shift is left out (OR-Tools places it
before the route starts or after it ends). Shift, windows (several per visit), breaks,
capacity, visit count and travel limits are respected; a max working time is respected by
ending the witness day that long after the shift start. OR-Tools then re-times the routes
itself (it only receives the visit order).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field, replace

import numpy as np

from solver.constants import DELAY_WEIGHT, REGRET_CAP, REGRET_WEIGHT, RUIN_MAX, smallest_ruin
from solver.model import ModelInput, drop_penalties
from solver.precheck import windows_of
from solver.problem import Technician, TimeWindow

__all__ = ["NEVER", "insertion_routes", "nearest", "padded"]

NEVER = np.iinfo(np.int64).max // 4
"""A time no element reaches (and, negated, one before every element)."""
_ENDS = -1
"""Node of a route's start and end elements (visits are nodes 0, 1, ...)."""


def _break_node(b: int) -> int:
    """Node of the technician's break b: negative, below `_ENDS`."""
    return -2 - b


def _is_break(node: int) -> bool:
    return node <= _break_node(0)


@dataclass
class _Route:
    tech: Technician
    end: int
    """Latest arrival at the end (shift end, or earlier under a max working time)."""
    loc: list[int] = field(default_factory=list)
    """Per element, its location (a padded zero-travel location where there is none)."""
    node: list[int] = field(default_factory=list)
    """Per element, the visit node, `_ENDS` for start / end, `_break_node(b)` for break b."""
    windows: list[tuple[TimeWindow, ...]] = field(default_factory=list)
    duration: list[int] = field(default_factory=list)
    earliest: list[int] = field(default_factory=list)
    latest: list[int] = field(default_factory=list)
    load: int = 0
    travel: int = 0
    visits: int = 0


def insertion_routes(data: ModelInput, improve_until: float | None = None,
                     seed: int = 0, ruin_size: int = RUIN_MAX) -> tuple[tuple[int, ...], ...]:
    """Per technician, the visit nodes of its route. With `improve_until` (time.time()),
    the construction is then improved by ruin and recreate until that time, each step
    removing at most `ruin_size` visits."""
    construction = _Construction(data)
    construction.construct()
    if improve_until is not None:
        construction.improve(improve_until, seed, ruin_size)
    return construction.routes_found()


class _Construction:
    def __init__(self, data: ModelInput) -> None:
        problem = data.problem
        visits = [problem.visits[i] for i in data.visits]
        m = len(visits)
        n = problem.num_locations
        self.none_loc = n
        self.durations = padded(problem.durations)
        cost = problem.distances if data.objective == "distance" else problem.durations
        self.cost = padded(cost if cost is not None else problem.durations)
        self.location = np.array([v.location for v in visits], dtype=np.int64)
        self.duration = np.array([v.duration for v in visits], dtype=np.int64)
        self.demand = np.array([v.demand for v in visits], dtype=np.int64)
        self.priority = np.array([v.priority for v in visits], dtype=np.int64)
        self.visit_windows = [tuple(sorted(windows_of(v, problem.horizon),
                                           key=lambda w: w.start)) for v in visits]
        width = max(len(w) for w in self.visit_windows)
        self.opens = np.full((m, width), NEVER, dtype=np.int64)
        self.closes = np.full((m, width), -1, dtype=np.int64)
        for node, ws in enumerate(self.visit_windows):
            self.opens[node, : len(ws)] = [w.start for w in ws]
            self.closes[node, : len(ws)] = [w.end for w in ws]
        techs = problem.technicians
        self.eligible = np.zeros((len(techs), m), dtype=bool)
        for node, allowed in enumerate(data.eligible):
            self.eligible[list(allowed), node] = True
        self.free = np.ones(m, dtype=bool)
        self.penalty = np.array(drop_penalties(self.priority.tolist(), 1), dtype=np.int64)
        self.saved: dict[int, _Route] = {}
        self.routes = [self._empty_route(t) for t in techs]
        self.best_cost = np.full((len(techs), m), NEVER, dtype=np.int64)
        self.best_gap = np.zeros((len(techs), m), dtype=np.int64)

    def _empty_route(self, tech: Technician) -> _Route:
        end = tech.shift.end
        if tech.max_work_time is not None:
            end = min(end, tech.shift.start + tech.max_work_time)
        home = self.none_loc if tech.start_location is None else tech.start_location
        finish = self.none_loc if tech.end_location is None else tech.end_location
        route = _Route(tech, end, travel=int(self.durations[home, finish]))
        route.loc.append(home)
        route.node.append(_ENDS)
        route.windows.append((TimeWindow(tech.shift.start, tech.shift.start),))
        route.duration.append(0)
        for b, brk in sorted(enumerate(tech.breaks), key=lambda e: e[1].window.start):
            if brk.window.start + brk.duration <= end and brk.window.end >= tech.shift.start:
                route.loc.append(home)
                route.node.append(_break_node(b))
                route.windows.append((brk.window,))
                route.duration.append(brk.duration)
        route.loc.append(finish)
        route.node.append(_ENDS)
        route.windows.append((TimeWindow(tech.shift.start, end),))
        route.duration.append(0)
        if not self._schedule(route):
            # A break cannot be held inside this technician's day: give them nothing.
            route.end = -1
        return route

    def _schedule(self, route: _Route) -> bool:
        """Recompute earliest / latest starts; False if the route is infeasible."""
        d = self.durations
        k = len(route.loc)
        earliest = [0] * k
        t = route.windows[0][0].start
        earliest[0] = t
        for i in range(1, k):
            arrival = t + route.duration[i - 1] + int(d[route.loc[i - 1], route.loc[i]])
            t = min((max(arrival, w.start) for w in route.windows[i] if w.end >= arrival),
                    default=NEVER)
            if t >= NEVER:
                return False
            earliest[i] = t
        latest = [0] * k
        t = route.end
        latest[-1] = t
        for i in range(k - 2, -1, -1):
            bound = t - route.duration[i] - int(d[route.loc[i], route.loc[i + 1]])
            t = max((min(bound, w.end) for w in route.windows[i] if w.start <= bound),
                    default=-NEVER)
            latest[i] = t
        route.earliest, route.latest = earliest, latest
        return all(e <= lt for e, lt in zip(earliest, latest, strict=True))

    def _evaluate(self, k: int, nodes: np.ndarray | None = None) -> None:
        """Cheapest feasible insertion into route k of every free visit (of `nodes`)."""
        route = self.routes[k]
        if nodes is None:
            self.best_cost[k] = NEVER
            cand = np.flatnonzero(self.free & self.eligible[k])
        else:
            self.best_cost[k, nodes] = NEVER
            cand = nodes[self.free[nodes] & self.eligible[k, nodes]]
        tech = route.tech
        if route.end < 0 or cand.size == 0:
            return
        if tech.max_visits is not None and route.visits >= tech.max_visits:
            return
        if tech.capacity is not None:
            cand = cand[route.load + self.demand[cand] <= tech.capacity]
        # Gap g inserts after element g; the next real element follows at most one break.
        gaps, nexts, brks = [], [], []
        size = len(route.loc)
        for g in range(size - 1):
            nxt = g + 1
            brk = -1
            if _is_break(route.node[nxt]):
                brk, nxt = nxt, nxt + 1
                if _is_break(route.node[nxt]):
                    continue
            gaps.append(g)
            nexts.append(nxt)
            brks.append(brk)
        if not gaps or cand.size == 0:
            return
        g_arr, n_arr, b_arr = np.array(gaps), np.array(nexts), np.array(brks)
        loc = np.array(route.loc)
        earliest, latest = np.array(route.earliest), np.array(route.latest)
        dur = np.array(route.duration)
        before, after = loc[g_arr][:, None], loc[n_arr][:, None]
        u = self.location[cand][None, :]
        arrival = (earliest[g_arr] + dur[g_arr])[:, None] + self.durations[before, u]
        fits = self.closes[cand][None, :, :] >= arrival[:, :, None]
        begin = np.maximum(arrival[:, :, None], self.opens[cand][None, :, :])
        start = np.where(fits, begin, NEVER).min(axis=2)
        done = start + self.duration[cand][None, :]
        has_break = b_arr >= 0
        if has_break.any():
            b_safe = np.where(has_break, b_arr, 0)
            b_open = np.array([route.windows[b][0].start for b in b_safe])[:, None]
            b_close = np.array([route.windows[b][0].end for b in b_safe])[:, None]
            b_start = np.maximum(done, b_open)
            ok_break = b_start <= b_close
            paused = np.where(ok_break, b_start + dur[b_safe][:, None], NEVER)
            done = np.where(has_break[:, None], paused, done)
        back = self.durations[u, after]
        ok = (start < NEVER) & (done < NEVER) & (done + back <= latest[n_arr][:, None])
        delta = (self.cost[before, u] + self.cost[u, after] - self.cost[before, after])
        push = done + back - earliest[n_arr][:, None]
        delta = delta + (DELAY_WEIGHT * np.maximum(push, 0)).astype(np.int64)
        if tech.max_travel_time is not None:
            extra = (self.durations[before, u] + back - self.durations[before, after])
            ok &= route.travel + extra <= tech.max_travel_time
        delta = np.where(ok, delta, NEVER)
        best = delta.argmin(axis=0)
        self.best_cost[k, cand] = delta[best, np.arange(cand.size)]
        self.best_gap[k, cand] = g_arr[best]

    def _insert(self, k: int, node: int) -> None:
        self._save(k)
        route = self.routes[k]
        g = int(self.best_gap[k, node])
        loc = int(self.location[node])
        nxt = g + 1
        real_next = nxt + 1 if _is_break(route.node[nxt]) else nxt
        route.travel += int(self.durations[route.loc[g], loc]
                            + self.durations[loc, route.loc[real_next]]
                            - self.durations[route.loc[g], route.loc[real_next]])
        route.loc.insert(nxt, loc)
        route.node.insert(nxt, node)
        route.windows.insert(nxt, self.visit_windows[node])
        route.duration.insert(nxt, int(self.duration[node]))
        if _is_break(route.node[nxt + 1]):
            route.loc[nxt + 1] = loc  # the following break is now taken here
        route.load += int(self.demand[node])
        route.visits += 1
        self.free[node] = False
        feasible = self._schedule(route)
        assert feasible, "insertion check admitted an infeasible position"

    def _save(self, k: int) -> None:
        """Keep route k as it was before this ruin-and-recreate step (once per step)."""
        if k not in self.saved:
            r = self.routes[k]
            self.saved[k] = replace(r, loc=list(r.loc), node=list(r.node),
                                    windows=list(r.windows), duration=list(r.duration),
                                    earliest=list(r.earliest), latest=list(r.latest))

    def construct(self) -> None:
        for k in range(len(self.routes)):
            self._evaluate(k)
        self._recreate()

    def routes_found(self) -> tuple[tuple[int, ...], ...]:
        return tuple(tuple(n for n in r.node if n >= 0) for r in self.routes)

    def _value(self) -> tuple[int, int]:
        """(penalty of the unplaced visits, routing cost): lower is better."""
        cost = sum(int(self.cost[r.loc[:-1], r.loc[1:]].sum()) for r in self.routes)
        return int(self.penalty[self.free].sum()), cost

    def improve(self, deadline: float, seed: int, ruin_size: int) -> None:
        """Ruin and recreate until `deadline` (time.time()): remove a random visit and its
        nearest placed neighbours, reinsert every free visit, keep if no worse."""
        rng = np.random.default_rng(seed)
        neighbours = nearest(self.durations, self.location, ruin_size)
        current = self._value()
        while clock.time() < deadline:
            placed = np.flatnonzero(~self.free)
            if placed.size == 0:
                return
            size = int(rng.integers(smallest_ruin(ruin_size), ruin_size + 1))
            near = neighbours[int(rng.choice(placed))]
            removed = near[~self.free[near]][:size]
            self.saved = {}
            best_cost, best_gap = self.best_cost.copy(), self.best_gap.copy()
            if self._ruin(set(removed.tolist())):
                self._recreate()
                value = self._value()
                if value <= current:
                    current = value
                    continue
            for k, route in self.saved.items():
                self.routes[k] = route
            self.free[:] = True
            for route in self.routes:
                self.free[[n for n in route.node if n >= 0]] = False
            self.best_cost, self.best_gap = best_cost, best_gap

    def _ruin(self, removed: set[int]) -> bool:
        touched = [k for k, r in enumerate(self.routes) if removed.intersection(r.node)]
        for k in touched:
            self._save(k)
            r = self.routes[k]
            keep = [i for i, n in enumerate(r.node) if n not in removed]
            r.loc = [r.loc[i] for i in keep]
            r.node = [r.node[i] for i in keep]
            r.windows = [r.windows[i] for i in keep]
            r.duration = [r.duration[i] for i in keep]
            for i in range(1, len(r.node) - 1):
                if _is_break(r.node[i]):
                    r.loc[i] = r.loc[i - 1]
            nodes = [n for n in r.node if n >= 0]
            r.load = int(self.demand[nodes].sum())
            r.visits = len(nodes)
            r.travel = int(self.durations[r.loc[:-1], r.loc[1:]].sum())
            if not self._schedule(r):
                return False
        self.free[list(removed)] = True
        for k in touched:
            self._evaluate(k)
        others = np.array(sorted(removed))
        for k in range(len(self.routes)):
            if k not in touched:
                self._evaluate(k, others)
        return True

    def _recreate(self) -> None:
        for level in sorted(set(self.priority.tolist()), reverse=True):
            in_level = self.priority == level
            while True:
                open_ = np.flatnonzero(self.free & in_level)
                if open_.size == 0:
                    break
                costs = self.best_cost[:, open_]
                if costs.shape[0] > 1:
                    two = np.partition(costs, 1, axis=0)[:2]
                    first, second = two[0], two[1]
                else:
                    first, second = costs[0], np.full(open_.size, NEVER)
                placeable = first < NEVER
                if not placeable.any():
                    break
                regret = np.minimum(second - first, REGRET_CAP)
                score = np.where(placeable, REGRET_WEIGHT * regret - first, -np.inf)
                pick = int(score.argmax())
                node = int(open_[pick])
                k = int(costs[:, pick].argmin())
                self._insert(k, node)
                self._evaluate(k)
                self.best_cost[:, node] = NEVER


def nearest(durations: np.ndarray, location: np.ndarray, k: int) -> np.ndarray:
    """Per visit node (at `location[node]`), the k nodes nearest to it (itself first), by
    travel time both ways."""
    travel = durations[np.ix_(location, location)]
    travel = travel + travel.T
    np.fill_diagonal(travel, -1)
    k = min(k, len(location))
    nearest = np.argpartition(travel, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(travel, nearest, axis=1).argsort(axis=1)
    return np.take_along_axis(nearest, order, axis=1)


def padded(matrix: np.ndarray) -> np.ndarray:
    """The matrix with one more location at zero distance from everything."""
    n = matrix.shape[0]
    out = np.zeros((n + 1, n + 1), dtype=np.int64)
    out[:n, :n] = matrix
    return out
