# mypy: disable-error-code="no-untyped-def"
# (numba types the kernels from the arrays they are called with; see strings.py)
"""The numba kernel of `solver.strings` (imported lazily: numba is only loaded, and its
compiled code read from the cache, when a search uses the engine).

A route is a row of elements: its start, visits and breaks, its end. Elements are "items":
items 0..m-1 are the visits, then each technician's start, end and breaks. A break's
location is that of the element before it (the technician takes it where they are), so
`item_loc` is -1 for breaks. Per route and position the state holds the item, its location,
and the earliest and latest feasible start of the element (forward / backward passes over
the windows), which make an insertion check O(1). Per route it holds its length, load,
number of visits, travel time and arc cost. See `strings.py` for the algorithm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = [
    "ENTRY_POINTS",
    "best_position",
    "earliest_start",
    "insert",
    "insertion_cost",
    "load_routes",
    "route_accepts",
    "schedule",
    "search",
    "seed_rng",
    "value",
]

NEVER = np.iinfo(np.int64).max // 4

# Rows of the per-position state `rp[k, row, p]`.
IT, LOC, EARLY, LATE = 0, 1, 2, 3
# Columns of the per-route state `rs[k, col]`.
LEN, LOAD, NVIS, TRAVEL, RCOST = 0, 1, 2, 3, 4
# Columns of the per-technician limits `vk[k, col]`.
CAP, MAXV, MAXTRAVEL, FIXED, ENABLED = 0, 1, 2, 3, 4

STRING_AVG_REMOVED = 10.0
"""SISR's c̄: average number of visits removed per step (Christiaens & Vanden Berghe)."""
STRING_MAX_LEN = 10.0
"""SISR's L^max: longest string removed from one route."""
SPLIT_RATE = 0.5
"""Share of string removals that keep a run of visits inside the string (split string)."""
SPLIT_DEPTH = 0.01
"""SISR's β: the kept run grows while a uniform draw exceeds this."""
BLINK_RATE = 0.01
"""Each insertion position is skipped with this probability (blink)."""
FREE_TRIES = 3
"""Besides the removed visits and the free ones near the seed visit, a step tries to insert
this many free visits drawn at random (all of them every step is too slow at 1000 visits)."""


@njit(cache=True)
def seed_rng(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True, inline="always")
def earliest_start(it, arrival, opens, closes):
    """The earliest start of item `it` reached at `arrival`: in the first of its windows
    still open then (waiting for it to open); NEVER if all have closed."""
    t = NEVER
    for w in range(opens.shape[1]):
        if closes[it, w] >= arrival:
            c = max(arrival, opens[it, w])
            if c < t:
                t = c
    return t


@njit(cache=True)
def schedule(k, rp, rs, item_loc, item_dur, opens, closes, dur, cost, demand, m):
    """Recompute route k's derived state; False if it is infeasible."""
    n = rs[k, LEN]
    travel = 0
    rcost = 0
    load = 0
    nvis = 0
    for p in range(n):
        it = rp[k, IT, p]
        loc = item_loc[it]
        if loc < 0:
            loc = rp[k, LOC, p - 1]
        rp[k, LOC, p] = loc
        if it < m:
            load += demand[it]
            nvis += 1
        if p > 0:
            a = rp[k, LOC, p - 1]
            travel += dur[a, loc]
            rcost += cost[a, loc]
    rs[k, LOAD] = load
    rs[k, NVIS] = nvis
    rs[k, TRAVEL] = travel
    rs[k, RCOST] = rcost
    width = opens.shape[1]
    t = opens[rp[k, IT, 0], 0]
    rp[k, EARLY, 0] = t
    for p in range(1, n):
        prev = rp[k, IT, p - 1]
        it = rp[k, IT, p]
        arrival = t + item_dur[prev] + dur[rp[k, LOC, p - 1], rp[k, LOC, p]]
        t = earliest_start(it, arrival, opens, closes)
        if t >= NEVER:
            return False
        rp[k, EARLY, p] = t
    bound = NEVER
    for p in range(n - 1, -1, -1):
        it = rp[k, IT, p]
        if p < n - 1:
            bound = rp[k, LATE, p + 1] - item_dur[it] - dur[rp[k, LOC, p], rp[k, LOC, p + 1]]
        t = -NEVER
        for w in range(width):
            if opens[it, w] <= bound:
                c = min(bound, closes[it, w])
                if c > t:
                    t = c
        rp[k, LATE, p] = t
        if t < rp[k, EARLY, p]:
            return False
    return True


@njit(cache=True, inline="always")
def insertion_cost(u, k, g, rp, rs, vk, item_loc, item_dur, opens, closes, dur, cost, m):
    """Cost of inserting visit u into route k after element g; NEVER if infeasible.
    Route-level limits (eligibility, capacity, visit count) are the caller's."""
    nxt = g + 1
    brk = -1
    it_next = rp[k, IT, nxt]
    if it_next >= m and item_loc[it_next] < 0:
        brk = nxt
        nxt += 1
        it_next = rp[k, IT, nxt]
        if it_next >= m and item_loc[it_next] < 0:
            return NEVER
    lg = rp[k, LOC, g]
    lu = item_loc[u]
    ln = rp[k, LOC, nxt]
    arrival = rp[k, EARLY, g] + item_dur[rp[k, IT, g]] + dur[lg, lu]
    start = earliest_start(u, arrival, opens, closes)
    if start >= NEVER:
        return NEVER
    done = start + item_dur[u]
    if brk >= 0:
        b = rp[k, IT, brk]
        bs = max(done, opens[b, 0])
        if bs > closes[b, 0]:
            return NEVER
        done = bs + item_dur[b]
    back = dur[lu, ln]
    if done + back > rp[k, LATE, nxt]:
        return NEVER
    if rs[k, TRAVEL] + dur[lg, lu] + back - dur[lg, ln] > vk[k, MAXTRAVEL]:
        return NEVER
    delta = cost[lg, lu] + cost[lu, ln] - cost[lg, ln]
    if rs[k, NVIS] == 0:
        delta += vk[k, FIXED]
    return delta


@njit(cache=True, inline="always")
def route_accepts(u, k, rs, vk, elig, demand):
    return (vk[k, ENABLED] == 1 and elig[k, u] and rs[k, LOAD] + demand[u] <= vk[k, CAP]
            and rs[k, NVIS] + 1 <= vk[k, MAXV])


@njit(cache=True)
def insert(u, k, g, rp, rs, route_of, item_loc, item_dur, opens, closes, dur, cost, demand, m):
    n = rs[k, LEN]
    for p in range(n, g + 1, -1):
        rp[k, IT, p] = rp[k, IT, p - 1]
    rp[k, IT, g + 1] = u
    rs[k, LEN] = n + 1
    route_of[u] = k
    return schedule(k, rp, rs, item_loc, item_dur, opens, closes, dur, cost, demand, m)


@njit(cache=True)
def best_position(u, rp, rs, vk, elig, item_loc, item_dur, opens, closes, dur, cost, demand,
                  m, blink, near):
    """Cheapest feasible (route, gap) for visit u, each position skipped with probability
    `blink`, only next to a location of `near[u]` (granular insertion). (-1, -1) if there
    is none. Earliest and latest starts grow along a route, so the scan skips the gaps that
    end before u's first window opens and stops once u's last window has closed."""
    first_done = NEVER
    last_close = -1
    for w in range(opens.shape[1]):
        if closes[u, w] >= 0:
            first_done = min(first_done, opens[u, w] + item_dur[u])
            last_close = max(last_close, closes[u, w])
    best = NEVER
    best_k = -1
    best_g = -1
    for k in range(rs.shape[0]):
        if not route_accepts(u, k, rs, vk, elig, demand):
            continue
        for g in range(rs[k, LEN] - 1):
            if rp[k, EARLY, g] > last_close:
                break
            if rp[k, LATE, g + 1] < first_done:
                continue
            if not (near[u, rp[k, LOC, g]] or near[u, rp[k, LOC, g + 1]]):
                continue
            if blink > 0.0 and np.random.random() < blink:
                continue
            c = insertion_cost(u, k, g, rp, rs, vk, item_loc, item_dur, opens, closes, dur,
                               cost, m)
            if c < best:
                best, best_k, best_g = c, k, g
    return best_k, best_g


@njit(cache=True)
def load_routes(starts, rp, rs, vk, route_of, elig, item_loc, item_dur, opens, closes, dur,
                cost, demand, m):
    """Place the visits of `starts` (-1 padded rows, one per technician) in their order,
    each after the previous one (before or after the breaks that follow it); visits that
    do not fit there stay free."""
    for k in range(starts.shape[0]):
        if vk[k, ENABLED] == 0:
            continue
        last = 0
        for j in range(starts.shape[1]):
            u = starts[k, j]
            if u < 0:
                break
            if not route_accepts(u, k, rs, vk, elig, demand):
                continue
            best = NEVER
            best_g = -1
            for g in range(last, rs[k, LEN] - 1):
                c = insertion_cost(u, k, g, rp, rs, vk, item_loc, item_dur, opens, closes,
                                   dur, cost, m)
                if c < best:
                    best, best_g = c, g
            if best_g >= 0:
                insert(u, k, best_g, rp, rs, route_of, item_loc, item_dur, opens, closes,
                       dur, cost, demand, m)
                last = best_g + 1


@njit(cache=True)
def _save(k, touched, saved_rp, saved_rs, rp, rs, touched_list, n_touched):
    if touched[k]:
        return n_touched
    touched[k] = True
    n = rs[k, LEN]
    saved_rp[k, :, :n] = rp[k, :, :n]
    saved_rs[k, :] = rs[k, :]
    touched_list[n_touched] = k
    return n_touched + 1


@njit(cache=True)
def value(rs, vk, route_of, penalty):
    pen = 0
    for u in range(route_of.shape[0]):
        if route_of[u] < 0:
            pen += penalty[u]
    c = 0
    for k in range(rs.shape[0]):
        c += rs[k, RCOST]
        if rs[k, NVIS] > 0:
            c += vk[k, FIXED]
    return pen, c


@njit(cache=True)
def search(iterations, t_first, t_last, rp, rs, vk, route_of, elig, item_loc, item_dur, opens,
           closes, dur, cost, demand, penalty, rank, far, neighbours, near, m, best_rp,
           best_rs, best_value):
    """`iterations` SISR steps, the temperature going geometrically from `t_first` to
    `t_last`. The current solution stays in (rp, rs, route_of); the best found is copied
    to (best_rp, best_rs) and best_value = (penalty, cost)."""
    num_routes = rs.shape[0]
    touched = np.zeros(num_routes, dtype=np.bool_)
    touched_list = np.zeros(num_routes, dtype=np.int64)
    saved_rp = np.empty_like(rp)
    saved_rs = np.empty_like(rs)
    removed = np.zeros(m, dtype=np.bool_)
    queued = np.zeros(m, dtype=np.bool_)
    changed = np.zeros(m, dtype=np.int64)
    changed_from = np.zeros(m, dtype=np.int64)
    order = np.zeros(m, dtype=np.int64)
    keys = np.zeros(m, dtype=np.float64)
    visit_pos = np.zeros(m + 2, dtype=np.int64)
    cur_pen, cur_cost = value(rs, vk, route_of, penalty)
    ratio = t_last / t_first if t_first > 0 else 1.0
    for step in range(iterations):
        temperature = t_first * ratio ** (step / max(1, iterations))
        n_touched = 0
        n_changed = 0
        feasible = True
        # -- ruin: strings from routes near a seed visit --------------------------------
        placed = 0
        used = 0
        for k in range(num_routes):
            if rs[k, NVIS] > 0:
                placed += rs[k, NVIS]
                used += 1
        seed = np.random.randint(m)
        if placed > 0:
            avg = placed / used
            l_max = min(STRING_MAX_LEN, avg)
            k_max = 4.0 * STRING_AVG_REMOVED / (1.0 + l_max) - 1.0
            strings = int(np.random.uniform(1.0, k_max + 1.0))
            while route_of[seed] < 0:
                seed = np.random.randint(m)
            done_strings = 0
            for j in range(neighbours.shape[1]):
                if done_strings >= strings:
                    break
                c = neighbours[seed, j]
                k = route_of[c]
                if k < 0 or touched[k]:
                    continue
                n_touched = _save(k, touched, saved_rp, saved_rs, rp, rs, touched_list,
                                  n_touched)
                done_strings += 1
                # visit positions of route k, and c's index among them
                nv = 0
                idx = 0
                for p in range(rs[k, LEN]):
                    if rp[k, IT, p] < m:
                        if rp[k, IT, p] == c:
                            idx = nv
                        visit_pos[nv] = p
                        nv += 1
                length = int(np.random.uniform(1.0, min(float(nv), l_max) + 1.0))
                length = max(1, min(length, nv))
                keep_run = 0
                if length < nv and np.random.random() < SPLIT_RATE:
                    keep_run = 1
                    while keep_run < nv - length and np.random.random() > SPLIT_DEPTH:
                        keep_run += 1
                total = length + keep_run
                lo = max(0, idx - total + 1)
                hi = min(idx, nv - total)
                first = np.random.randint(lo, hi + 1)
                keep_from = -1
                if keep_run > 0:
                    keep_from = first + np.random.randint(0, length + 1)
                for s in range(first, first + total):
                    if keep_from <= s < keep_from + keep_run:
                        continue
                    u = rp[k, IT, visit_pos[s]]
                    removed[u] = True
                    changed[n_changed] = u
                    changed_from[n_changed] = k
                    n_changed += 1
                w = 0
                for p in range(rs[k, LEN]):
                    it = rp[k, IT, p]
                    if it < m and removed[it]:
                        continue
                    rp[k, IT, w] = it
                    w += 1
                rs[k, LEN] = w
                # Without the triangle inequality, a shorter route can be late.
                if not schedule(k, rp, rs, item_loc, item_dur, opens, closes, dur, cost,
                                demand, m):
                    feasible = False
        n_removed = n_changed
        for j in range(n_removed):
            route_of[changed[j]] = -1
        # -- recreate: removed and free visits, blink-greedy ----------------------------
        if feasible:
            count = 0
            for j in range(n_removed):
                order[count] = changed[j]
                queued[changed[j]] = True
                count += 1
            n_free = 0
            for u in range(m):
                if route_of[u] < 0 and not queued[u]:
                    n_free += 1
            for j in range(neighbours.shape[1]):
                u = neighbours[seed, j]
                if route_of[u] < 0 and not queued[u]:
                    order[count] = u
                    queued[u] = True
                    count += 1
            for _ in range(min(FREE_TRIES, n_free)):
                pick = np.random.randint(n_free)
                for u in range(m):
                    if route_of[u] < 0 and not removed[u]:
                        if pick == 0:
                            if not queued[u]:
                                order[count] = u
                                queued[u] = True
                                count += 1
                            break
                        pick -= 1
            kind = np.random.randint(11)
            for j in range(count):
                u = order[j]
                if kind < 4:
                    keys[j] = np.random.random()
                elif kind < 8:
                    keys[j] = -float(demand[u])
                elif kind < 10:
                    keys[j] = -far[u]
                else:
                    keys[j] = far[u]
            sub = np.argsort(keys[:count])
            ranked = np.empty(count, dtype=np.int64)
            for j in range(count):
                ranked[j] = order[sub[j]]
            prio = np.empty(count, dtype=np.int64)
            for j in range(count):
                prio[j] = -rank[ranked[j]]
            final = np.argsort(prio, kind="mergesort")
            for j in range(count):
                u = ranked[final[j]]
                k, g = best_position(u, rp, rs, vk, elig, item_loc, item_dur, opens, closes,
                                     dur, cost, demand, m, BLINK_RATE, near)
                if k < 0:
                    continue
                n_touched = _save(k, touched, saved_rp, saved_rs, rp, rs, touched_list,
                                  n_touched)
                if not removed[u]:
                    changed[n_changed] = u
                    changed_from[n_changed] = -1
                    n_changed += 1
                insert(u, k, g, rp, rs, route_of, item_loc, item_dur, opens, closes, dur, cost,
                       demand, m)
            for j in range(count):
                queued[order[j]] = False
            pen, c = value(rs, vk, route_of, penalty)
            if pen < cur_pen or (pen == cur_pen and
                                 c < cur_cost - temperature * np.log(np.random.random())):
                cur_pen, cur_cost = pen, c
            else:
                feasible = False
        if not feasible:
            for t in range(n_touched):
                k = touched_list[t]
                n = saved_rs[k, LEN]
                rp[k, :, :n] = saved_rp[k, :, :n]
                rs[k, :] = saved_rs[k, :]
            for j in range(n_changed):
                route_of[changed[j]] = changed_from[j]
        for t in range(n_touched):
            touched[touched_list[t]] = False
        for j in range(n_removed):
            removed[changed[j]] = False
        if cur_pen < best_value[0] or (cur_pen == best_value[0] and cur_cost < best_value[1]):
            best_value[0] = cur_pen
            best_value[1] = cur_cost
            for k in range(num_routes):
                n = rs[k, LEN]
                best_rp[k, IT, :n] = rp[k, IT, :n]
                best_rs[k, :] = rs[k, :]


ENTRY_POINTS: tuple[Any, ...] = (seed_rng, schedule, load_routes, search, value)
"""The kernels Python calls (the others are compiled into them)."""
