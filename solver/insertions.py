"""Every feasible insertion of one more visit into a solved day, without re-solving.

A route is read as a chain of events — the technician's departure, the stops, the return —
with the breaks of the solution between the events they were taken between (a break stays
in its gap; a visit inserted into a gap may go before or after each of that gap's breaks).
For every event the earliest start (forward from the shift start) and the latest start
(backward from the shift end) are computed once per day (:class:`InsertionIndex`); a visit
can then be checked at every position of every route in O(1) each, vectorised with numpy
as in ``construct.py``: it fits after event g if it can start in a window once event g has
ended and the drive and the breaks before it are done, and end early enough for the drive
and the breaks after it to reach event g + 1 by its latest start.

The time model is ``verify``'s: in a gap the technician drives and takes the gap's breaks
in any interleaving (a break may interrupt a drive), each break starting in its window.
Also checked: skills, allowed and pinned technicians, locked chains (nothing goes before
the end of one), capacity, visit count and travel limits. A max working time is held
conservatively, as in ``construct.py``: the day must end that long after the shift start.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from solver.construct import NEVER, padded
from solver.errors import ProblemError
from solver.precheck import windows_of
from solver.problem import Problem, Technician, TimeWindow, Visit
from solver.solution import BreakPlacement, Route, Solution, Stop

__all__ = [
    "Insertion",
    "InsertionIndex",
    "InsertionTable",
    "feasible_insertions",
    "insert_visit",
    "remove_visits",
]

_Span = tuple[int, int]
"""An inclusive [start, end] in seconds."""
_Brk = tuple[int, int, int, int]
"""A break in a gap: (window start, window end, duration, technician's break index)."""


@dataclass(frozen=True)
class Insertion:
    """One feasible place for the visit: before stop ``position`` of ``technician``'s route
    (``position`` = number of stops before it; a technician without a route has position 0),
    starting inside candidate window ``window`` (its index; ``served`` is that window).

    ``start`` is its earliest service start there; ``start + slack`` the latest start in
    that window with every stop of the route still on time (before or after a break of the
    gap: not every start between the two need fit when the visit has several windows or
    only fits on one side of a break in part of that time); ``wait`` its wait before service at that
    start (``Stop.wait``: start − arrival); ``added_travel`` (seconds) and ``added_distance``
    (metres, None without a distance matrix) what the route's totals grow by.
    """

    technician: str
    position: int
    window: int
    served: TimeWindow
    start: int
    slack: int
    wait: int
    added_travel: int
    added_distance: int | None


@dataclass(frozen=True)
class InsertionTable:
    """Feasible insertions as columns, one entry per insertion (see :class:`Insertion`);
    ``tech`` indexes ``technicians``, ``window`` indexes ``served``."""

    technicians: tuple[str, ...]
    served: tuple[TimeWindow, ...]
    tech: np.ndarray
    position: np.ndarray
    window: np.ndarray
    start: np.ndarray
    slack: np.ndarray
    wait: np.ndarray
    added_travel: np.ndarray
    added_distance: np.ndarray | None

    @classmethod
    def empty(cls, technicians: tuple[str, ...], served: tuple[TimeWindow, ...],
              distances: bool) -> InsertionTable:
        none = np.zeros(0, dtype=np.int64)
        return cls(technicians, served, none, none, none, none, none, none, none,
                   none if distances else None)

    def __len__(self) -> int:
        return int(self.tech.size)

    def row(self, i: int) -> Insertion:
        more = self.added_distance
        return Insertion(self.technicians[int(self.tech[i])], int(self.position[i]),
                         int(self.window[i]), self.served[int(self.window[i])],
                         int(self.start[i]), int(self.slack[i]), int(self.wait[i]),
                         int(self.added_travel[i]), None if more is None else int(more[i]))

    def rows(self) -> list[Insertion]:
        """Every insertion, by added travel, then start."""
        order = np.lexsort((self.start, self.added_travel))
        return [self.row(i) for i in order.tolist()]


@dataclass
class _Chain:
    """One technician's day as events (0 = departure, last = return) and the gaps between."""

    tech: Technician
    k: int
    loc: list[int]
    dur: list[int]
    windows: list[tuple[_Span, ...]]
    gaps: list[list[_Brk]]
    earliest: list[int]
    latest: list[int]
    travel: list[int]
    """Per gap, the drive from its event to the next."""


class InsertionIndex:
    """A solved day prepared for insertion queries: build once, ask for many visits.

    ``locked`` is ``solve``'s: technician id -> visit ids that must open its route.
    """

    def __init__(self, problem: Problem, solution: Solution,
                 locked: Mapping[str, Sequence[str]] | None = None) -> None:
        self.problem = problem
        self.solution = solution
        # A technician without a start or end location starts or ends at an extra place at
        # zero travel from everywhere (as in construct.py); copying the matrices costs
        # milliseconds on a large day, so only when one is needed.
        open_ends = any(loc is None for t in problem.technicians
                        for loc in (t.start_location, t.end_location))
        self.durations = padded(problem.durations) if open_ends else problem.durations
        self.distances = problem.distances
        if open_ends and problem.distances is not None:
            self.distances = padded(problem.distances)
        self.none = problem.num_locations
        visits = {v.id: v for v in problem.visits}
        routes = {r.technician: r for r in solution.routes}
        self.routed = {s.visit for r in solution.routes for s in r.stops}
        rows: list[tuple[int, ...]] = []
        self.before: list[list[_Brk]] = []
        """Per candidate row, the breaks of its gap taken before the visit."""
        for k, tech in enumerate(problem.technicians):
            route = routes.get(tech.id)
            chain = self._chain(k, tech, route, visits)
            if chain is None:
                continue
            stops = route.stops if route else ()
            load = sum(visits[s.visit].demand for s in stops)
            travel = route.travel_time if route else 0
            first = len((locked or {}).get(tech.id, ()))
            for g in range(first, len(chain.loc) - 1):
                for split in range(len(chain.gaps[g]) + 1):
                    rows.append(self._row(chain, g, split, len(stops), load, travel))
                    self.before.append(chain.gaps[g][:split])
        columns = np.array(rows, dtype=np.int64).reshape(len(rows), 14).T
        (self.tech, self.position, self.prev, self.next, self.ready, self.before_end,
         self.before_paused, self.after_latest, self.after_paused, self.next_latest,
         self.room, self.visits_left, self.travel_left, self.split) = columns

    def _chain(self, k: int, tech: Technician, route: Route | None,
               visits: Mapping[str, Visit]) -> _Chain | None:
        """The technician's events with earliest and latest starts; None if no schedule of
        them fits (then nothing can be inserted: see the module docstring)."""
        end = tech.shift.end
        if tech.max_work_time is not None:
            end = min(end, tech.shift.start + tech.max_work_time)
        stops = [visits[s.visit] for s in route.stops] if route else []
        horizon = self.problem.horizon
        loc = [self._place(tech.start_location),
               *(v.location for v in stops), self._place(tech.end_location)]
        windows: list[tuple[_Span, ...]] = [((tech.shift.start, tech.shift.end),)]
        windows += [tuple((w.start, w.end) for w in windows_of(v, horizon)) for v in stops]
        windows.append(((tech.shift.start, end),))
        gaps: list[list[_Brk]] = [[] for _ in range(len(loc) - 1)]
        if route is None:
            gaps[0] = [(b.window.start, b.window.end, b.duration, i)
                       for i, b in sorted(enumerate(tech.breaks), key=lambda e: e[1].window.start)]
        else:
            placed = sorted(zip(route.breaks, tech.breaks, range(len(tech.breaks)),
                                strict=True), key=lambda e: e[0].start)
            for where, brk, i in placed:
                gaps[where.after_stop + 1].append(
                    (brk.window.start, brk.window.end, brk.duration, i))
        chain = _Chain(tech, k, loc, [0, *(v.duration for v in stops), 0], windows, gaps,
                       [], [], self._drives(loc))
        chain.earliest = self._forward(chain, tech.shift.start)
        chain.latest = self._backward(chain)
        if any(e > lt for e, lt in zip(chain.earliest, chain.latest, strict=True)):
            return None
        return chain

    def _place(self, location: int | None) -> int:
        return self.none if location is None else location

    def _drives(self, loc: list[int]) -> list[int]:
        places = np.array(loc)
        drives: list[int] = self.durations[places[:-1], places[1:]].tolist()
        return drives

    def _forward(self, c: _Chain, departure: int) -> list[int]:
        times = [departure]
        for i in range(len(c.loc) - 1):
            arrival = _gap_forward(times[i] + c.dur[i], c.travel[i], c.gaps[i])
            times.append(_first_start(arrival, c.windows[i + 1]))
        return times

    def _backward(self, c: _Chain) -> list[int]:
        times = [_last_start(NEVER, c.windows[-1])]
        for i in range(len(c.loc) - 2, -1, -1):
            ready = _gap_backward(times[-1], c.travel[i], c.gaps[i])
            times.append(_last_start(ready - c.dur[i], c.windows[i]))
        return times[::-1]

    def _row(self, c: _Chain, g: int, split: int, stops: int, load: int,
             travel: int) -> tuple[int, ...]:
        """One candidate: the visit after event g, after the gap's first `split` breaks."""
        tech = c.tech
        before, after = c.gaps[g][:split], c.gaps[g][split:]
        ready = c.earliest[g] + c.dur[g]
        big = NEVER
        return (
            c.k, g, c.loc[g], c.loc[g + 1], ready, _gap_forward(ready, 0, before),
            sum(b[2] for b in before), _gap_backward(c.latest[g + 1], 0, after),
            sum(b[2] for b in after), c.latest[g + 1],
            big if tech.capacity is None else tech.capacity - load,
            big if tech.max_visits is None else tech.max_visits - stops,
            big if tech.max_travel_time is None else tech.max_travel_time - travel,
            split,
        )

    def insertions(self, visit: Visit,
                   windows: Sequence[TimeWindow] | None = None) -> list[Insertion]:
        """Every feasible (technician, position, window) for ``visit``, one row each (the
        best place among the gap's breaks: the earliest start), ordered by added travel,
        then start. ``windows`` restricts the service start to these candidate windows
        (each intersected with the visit's own); without them each of the visit's windows
        is a candidate."""
        return self.table(visit, windows).rows()

    def table(self, visit: Visit,
              windows: Sequence[TimeWindow] | None = None) -> InsertionTable:
        """:meth:`insertions` as columns, for callers that score thousands of them."""
        if not 0 <= visit.location < self.problem.num_locations:
            raise ProblemError(f"visit {visit.id!r}: location {visit.location} outside the "
                               f"{self.problem.num_locations}×{self.problem.num_locations} matrix")
        if visit.id in self.routed:
            raise ProblemError(f"visit {visit.id!r} is already on a route")
        served = self._candidates(visit, windows)
        techs = tuple(t.id for t in self.problem.technicians)
        able = np.array([self.able(t, visit) for t in self.problem.technicians], dtype=bool)
        d, u = self.durations, visit.location
        rows = np.flatnonzero(able[self.tech] & (visit.demand <= self.room)
                              & (self.visits_left >= 1)) if self.tech.size else self.tech
        added = d[self.prev[rows], u] + d[u, self.next[rows]] - d[self.prev[rows],
                                                                   self.next[rows]]
        keep = added <= self.travel_left[rows]
        rows, added = rows[keep], added[keep]
        if rows.size == 0 or not served:
            return InsertionTable.empty(techs, served, self.distances is not None)
        opens, closes = _pieces(visit, served, self._horizon(visit))
        there = d[self.prev[rows], u]
        arrival = np.maximum(self.ready[rows] + there + self.before_paused[rows],
                             self.before_end[rows])
        fits = closes[None] >= arrival[:, None, None]
        begin = np.maximum(arrival[:, None, None], opens[None])
        start = np.where(fits, begin, NEVER).min(axis=2)
        finish_by = np.minimum(self.next_latest[rows] - d[u, self.next[rows]]
                               - self.after_paused[rows], self.after_latest[rows])
        last = (finish_by - visit.duration)[:, None, None]
        latest = np.where(opens[None] <= last, np.minimum(last, closes[None]), -NEVER).max(axis=2)
        at, w = np.nonzero((start < NEVER) & (start <= latest))
        if at.size == 0:
            return InsertionTable.empty(techs, served, self.distances is not None)
        row = rows[at]
        # Stable: of the places among a gap's breaks with the same start, the first.
        order = np.lexsort((start[at, w], w, self.position[row], self.tech[row]))
        at, row, w = at[order], row[order], w[order]
        key = np.stack([self.tech[row], self.position[row], w])
        first = np.ones(row.size, dtype=bool)
        first[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
        groups = np.flatnonzero(first)
        last_start = np.maximum.reduceat(latest[at, w], groups)
        at, row, w = at[groups], row[groups], w[groups]
        begun = start[at, w]
        wait = begun - (self.ready[row] + there[at] + self.before_paused[row])
        for i in np.flatnonzero(self.position[row] == 0).tolist():
            # The first stop: the technician leaves as late as it allows (see insert).
            r = int(row[i])
            shift = self.problem.technicians[int(self.tech[r])].shift.start
            leave = max(shift, _gap_backward(int(begun[i]), int(there[at[i]]), self.before[r]))
            wait[i] = begun[i] - (leave + there[at[i]] + self.before_paused[r])
        more = None
        if self.distances is not None:
            dist = self.distances
            a, b = self.prev[row], self.next[row]
            more = dist[a, u] + dist[u, b] - dist[a, b]
        return InsertionTable(techs, served, self.tech[row], self.position[row], w, begun,
                              last_start - begun, wait, added[at], more)

    def _candidates(self, visit: Visit,
                    windows: Sequence[TimeWindow] | None) -> tuple[TimeWindow, ...]:
        if windows is not None:
            return tuple(windows)
        return windows_of(visit, self._horizon(visit))

    def _horizon(self, visit: Visit) -> int:
        """The horizon of the problem once the visit is in it."""
        return max([self.problem.horizon, *(w.end for w in visit.windows)])

    @staticmethod
    def able(tech: Technician, visit: Visit) -> bool:
        """Whether the technician may do the visit at all (skills, allowed, pinned)."""
        return (visit.skills <= tech.skills
                and (visit.allowed_technicians is None or tech.id in visit.allowed_technicians)
                and visit.pinned_technician in (None, tech.id))

    def insert(self, visit: Visit, insertion: Insertion) -> tuple[Problem, Solution]:
        """The day with ``visit`` served as ``insertion`` says: the problem with the visit
        (its windows cut to the served window) and the solution with that route re-timed
        (earliest starts; the departure as late as the first stop allows). Raises
        ``ProblemError`` if the insertion is not feasible on this day."""
        if visit.id in self.routed:
            raise ProblemError(f"visit {visit.id!r} is already on a route")
        windows = _intersection(windows_of(visit, self._horizon(visit)), insertion.served)
        booked = replace(visit, windows=tuple(TimeWindow(a, b) for a, b in windows))
        problem = self.problem
        index = {t.id: k for k, t in enumerate(problem.technicians)}
        k = index.get(insertion.technician)
        if k is None:
            raise ProblemError(f"unknown technician {insertion.technician!r}")
        tech = problem.technicians[k]
        routes = list(self.solution.routes)
        at = next((i for i, r in enumerate(routes) if r.technician == tech.id), None)
        route = None if at is None else routes[at]
        visits = {v.id: v for v in problem.visits}
        visits[visit.id] = booked
        new_problem = replace(problem, visits=[v for v in problem.visits if v.id != visit.id]
                              + [booked])
        stops = [] if route is None else [s.visit for s in route.stops]
        order = [*stops[: insertion.position], visit.id, *stops[insertion.position:]]
        chain = self._chain(k, tech, route, visits)
        if chain is None or not 0 <= insertion.position < len(chain.loc) - 1:
            raise ProblemError(f"no insertion of {visit.id!r} at position {insertion.position} "
                               f"of {tech.id!r}'s route")
        g = insertion.position
        options = []
        for split in range(len(chain.gaps[g]) + 1):
            trial = replace(
                chain, loc=[*chain.loc[: g + 1], booked.location, *chain.loc[g + 1:]],
                dur=[*chain.dur[: g + 1], booked.duration, *chain.dur[g + 1:]],
                windows=[*chain.windows[: g + 1], windows, *chain.windows[g + 1:]],
                gaps=[*chain.gaps[:g], chain.gaps[g][:split], chain.gaps[g][split:],
                      *chain.gaps[g + 1:]],
            )
            trial.travel = self._drives(trial.loc)
            trial.earliest = self._forward(trial, tech.shift.start)
            trial.latest = self._backward(trial)
            if all(e <= lt for e, lt in zip(trial.earliest, trial.latest, strict=True)):
                options.append(trial)
        if not options:
            raise ProblemError(f"{visit.id!r} cannot be inserted at position {g} of "
                               f"{tech.id!r}'s route")
        best = min(options, key=lambda c: c.earliest[g + 1])  # the first of equals, as there
        new_route = self._route(best, [visits[v] for v in order])
        if at is None:
            routes.append(new_route)
        else:
            routes[at] = new_route
        unassigned = tuple(u for u in self.solution.unassigned if u.visit != visit.id)
        solution = replace(self.solution, routes=tuple(routes), unassigned=unassigned)
        return new_problem, solution

    def remove(self, ids: Collection[str]) -> tuple[Problem, Solution]:
        """The day without the visits ``ids`` (out of the problem, the routes and the
        unassigned list); each route that lost a stop is re-timed as by :meth:`insert`, its
        breaks kept after the stops they followed. Raises ``ProblemError`` if a shortened
        route no longer fits (a travel matrix where a detour is quicker)."""
        gone = set(ids)
        problem = self.problem
        visits = {v.id: v for v in problem.visits}
        routes = []
        for route in self.solution.routes:
            kept = [s for s in route.stops if s.visit not in gone]
            if len(kept) == len(route.stops):
                routes.append(route)
                continue
            if not kept:
                continue
            shift = [sum(1 for s in route.stops[: b.after_stop + 1] if s.visit not in gone) - 1
                     for b in route.breaks]
            shorter = replace(route, stops=tuple(kept), breaks=tuple(
                replace(b, after_stop=a) for b, a in zip(route.breaks, shift, strict=True)))
            k = next(i for i, t in enumerate(problem.technicians) if t.id == route.technician)
            chain = self._chain(k, problem.technicians[k], shorter, visits)
            if chain is None:
                raise ProblemError(f"{route.technician!r}'s route no longer fits without "
                                   f"{sorted(gone & {s.visit for s in route.stops})}")
            routes.append(self._route(chain, [visits[s.visit] for s in kept]))
        solution = replace(self.solution, routes=tuple(routes), unassigned=tuple(
            u for u in self.solution.unassigned if u.visit not in gone))
        return replace(problem, visits=[v for v in problem.visits if v.id not in gone]), solution

    def _route(self, c: _Chain, stops: list[Visit]) -> Route:
        """The route of chain ``c`` at its earliest starts, leaving as late as the first stop
        allows."""
        d = self.durations
        times = c.earliest
        tech = c.tech
        departure = max(tech.shift.start, _gap_backward(times[1], c.travel[0], c.gaps[0]))
        times = [departure, *times[1:]]
        placed: dict[int, BreakPlacement] = {}
        made: list[Stop] = []
        previous: int | None = tech.start_location
        for i in range(len(c.loc) - 1):
            free = times[i] + c.dur[i]
            for a, _, length, b in c.gaps[i]:
                free = max(free, a)
                placed[b] = BreakPlacement(free, free + length, i - 1)
                free += length
            if i + 1 < len(c.loc) - 1:
                visit = stops[i]
                travel = 0 if previous is None else int(d[previous, visit.location])
                distance = None
                if self.distances is not None:
                    distance = 0 if previous is None else int(
                        self.distances[previous, visit.location])
                arrival = times[i] + c.dur[i] + travel + sum(b[2] for b in c.gaps[i])
                made.append(Stop(visit.id, visit.location, arrival, times[i + 1] - arrival,
                                 times[i + 1], times[i + 1] + visit.duration, travel, distance))
                previous = visit.location
        back = back_distance = 0
        if tech.end_location is not None and previous is not None:
            back = int(d[previous, tech.end_location])
            if self.distances is not None:
                back_distance = int(self.distances[previous, tech.end_location])
        return Route(
            technician=tech.id, stops=tuple(made),
            breaks=tuple(placed[b] for b in range(len(tech.breaks))),
            start_time=departure, end_time=times[-1],
            travel_time=sum(s.travel_time for s in made) + back,
            distance=None if self.distances is None else sum(s.distance or 0 for s in made)
            + back_distance,
            service_time=sum(s.end - s.start for s in made),
            wait_time=sum(s.wait for s in made),
        )


def feasible_insertions(problem: Problem, solution: Solution, visit: Visit, *,
                        windows: Sequence[TimeWindow] | None = None,
                        locked: Mapping[str, Sequence[str]] | None = None) -> list[Insertion]:
    """Every feasible insertion of ``visit`` into the solved day (see
    :meth:`InsertionIndex.insertions`; build an :class:`InsertionIndex` to ask for many
    visits)."""
    return InsertionIndex(problem, solution, locked).insertions(visit, windows)


def insert_visit(problem: Problem, solution: Solution, visit: Visit,
                 insertion: Insertion) -> tuple[Problem, Solution]:
    """The day with ``visit`` inserted (see :meth:`InsertionIndex.insert`)."""
    return InsertionIndex(problem, solution).insert(visit, insertion)


def remove_visits(problem: Problem, solution: Solution,
                  ids: Collection[str]) -> tuple[Problem, Solution]:
    """The day without the visits ``ids`` (see :meth:`InsertionIndex.remove`)."""
    return InsertionIndex(problem, solution).remove(ids)


def _gap_forward(ready: int, travel: int, breaks: Sequence[_Brk]) -> int:
    """Earliest arrival at the next event, leaving at ``ready``: the drive and the breaks
    share the gap, each break starting in its window (NEVER if one cannot)."""
    if not breaks:
        return ready + travel
    free = ready
    for a, b, length, _ in breaks:
        begin = max(free, a)
        if begin > b:
            return NEVER
        free = begin + length
    return max(ready + travel + sum(b[2] for b in breaks), free)


def _gap_backward(due: int, travel: int, breaks: Sequence[_Brk]) -> int:
    """Latest time to leave so as to reach the next event by ``due`` (-NEVER if none)."""
    if not breaks:
        return due - travel
    latest = due
    for a, b, length, _ in reversed(breaks):
        begin = min(latest - length, b)
        if begin < a:
            return -NEVER
        latest = begin
    return min(due - travel - sum(b[2] for b in breaks), latest)


def _first_start(arrival: int, windows: Sequence[_Span]) -> int:
    return min((max(arrival, a) for a, b in windows if b >= arrival), default=NEVER)


def _last_start(bound: int, windows: Sequence[_Span]) -> int:
    return max((min(bound, b) for a, b in windows if a <= bound), default=-NEVER)


def _intersection(windows: Sequence[TimeWindow], within: TimeWindow) -> tuple[_Span, ...]:
    spans = ((max(w.start, within.start), min(w.end, within.end)) for w in windows)
    return tuple((a, b) for a, b in spans if a <= b)


def _pieces(visit: Visit, served: Sequence[TimeWindow],
            horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate window, the visit's windows cut to it, as (opens, closes) arrays of
    shape (candidates, pieces); missing pieces never open."""
    own = windows_of(visit, horizon)
    opens = np.full((len(served), len(own)), NEVER, dtype=np.int64)
    closes = np.full((len(served), len(own)), -1, dtype=np.int64)
    for c, window in enumerate(served):
        for p, (a, b) in enumerate(_intersection(own, window)):
            opens[c, p], closes[c, p] = a, b
    return opens, closes
