"""The solver's tuning numbers, each named once with why it has its value.

Times are seconds, costs are the model's integer cost units. The numbers tuned on the
benchmarks say so (benchmarks/README.md has the runs); the others follow from OR-Tools or
from int64 arithmetic. Search configurations (`search.SearchConfig`) take their defaults
from here.
"""

from __future__ import annotations

__all__ = [
    "BALANCE_COEFFICIENT",
    "DELAY_WEIGHT",
    "FALLBACK_SEARCH_SHARE",
    "GREEDY_ONLY_MAX",
    "GREEDY_START_MIN",
    "MAX_COST",
    "MAX_RESTORE_FAILURES",
    "MIN_SEARCH_SECONDS",
    "REGRET_CAP",
    "REGRET_WEIGHT",
    "RESTORE_SEARCH_FACTOR",
    "RUIN_MAX",
    "SECONDS_PER_HOUR",
    "SEED_STRIDE",
    "STRINGS_BATCH_SECONDS",
    "STRINGS_GRANULAR",
    "STRINGS_MIN_SECONDS",
    "STRINGS_NEIGHBOURS",
    "STRINGS_POLISH_SHARE",
    "STRINGS_SMALL_POLISH_SHARE",
    "STRINGS_T_FIRST",
    "STRINGS_T_LAST",
    "smallest_ruin",
]

# -- search.py: one search run --------------------------------------------------------------

MIN_SEARCH_SECONDS = 0.01
"""No OR-Tools search is started with less time left than this: it could not find anything."""

FALLBACK_SEARCH_SHARE = 0.9
"""Share of the time left given to guided local search once restores keep failing; the rest
reads the routes back before the deadline."""

MAX_RESTORE_FAILURES = 3
"""Ruin-and-recreate steps whose restore fails in a row before the loop gives up on them
(seen on large models with breaks) and spends the rest of the time in guided local search."""

RESTORE_SEARCH_FACTOR = 2
"""A search from a restored assignment restores it again first: it starts only with at least
this many times the restore's duration left, and gets at least that much time to search."""

RUIN_MAX = 18
"""At most this many visits removed per ruin step (OR-Tools' loop and the numpy one alike):
18 beat 12 and 8 on the Solomon instances (benchmarks/README.md)."""


def smallest_ruin(largest: int) -> int:
    """Fewest visits a ruin step removes when it may remove `largest`: half, so that step
    sizes vary while every step still moves a neighbourhood, not a single visit."""
    return largest // 2


GREEDY_START_MIN = 200
"""From this many visits on, searches start from `construct.insertion_routes` instead of an
OR-Tools first-solution heuristic (too slow on large problems with windows and breaks)."""

GREEDY_ONLY_MAX = 3
"""Up to this many visits, greedy descent replaces guided local search: its moves reach
every arrangement of so few visits, and guided local search, finding no new solutions,
would never reach a solution limit and always spend the whole time limit instead."""

# -- solve.py: parallel searches ------------------------------------------------------------

SEED_STRIDE = 1000
"""Worker k of a run with seed s searches with seed s × SEED_STRIDE + k: runs with different
seeds share no worker seed for up to SEED_STRIDE workers."""

# -- model.py: costs --------------------------------------------------------------------------

SECONDS_PER_HOUR = 3600
"""Hourly costs are charged per second of route span, so with any of them every other cost
is scaled by this to stay in the same unit."""

BALANCE_COEFFICIENT = 100
"""Cost per second of the longest working day under the "balance" objective."""

MAX_COST = 2**62
"""Drop penalties whose total would reach this fall back to linear weights, and none exceeds
a quarter of it: OR-Tools adds costs in int64 (at most 2**63 - 1)."""

# -- construct.py: the numpy insertion -------------------------------------------------------

DELAY_WEIGHT = 0.1
"""Cost per second by which an insertion delays the next element (keeps days compact)."""

REGRET_WEIGHT = 0.3
REGRET_CAP = 7200
"""Score of a visit = REGRET_WEIGHT × min(regret, REGRET_CAP) − its cheapest cost; the
visit with the highest score goes in first. Weights tuned on the generated technician day
(benchmarks/README.md): pure regret placed 883 visits, pure cheapest insertion 909."""

# -- strings.py: the string-removal engine ----------------------------------------------------

STRINGS_T_FIRST = 2.0
STRINGS_T_LAST = 0.01
"""Simulated-annealing temperature at the start and the end of the engine's run, as multiples
of the start solution's mean arc cost (SISR's 100 → 1 on Solomon distances, scaled down to
the far fewer steps a few seconds allow). Tuned on R105 R109 R205 R209 RC105 RC205, 8 s single
worker, two seeds: mean gap 0.53 % at 2.0 → 0.01, 0.53 % at 0.5 → 0.01, 0.71 % at 1.0 → 0.01,
and on the 1000-visit day (20 s): 975 / 94.3 h, 974 / 94.5 h, 975 / 94.1 h
(benchmarks/README.md)."""

STRINGS_NEIGHBOURS = 100
"""Visits nearest to the seed visit whose routes a step may cut strings from."""

STRINGS_GRANULAR = 30
"""A visit is reinserted only next to one of its this many nearest visits or a technician's
home (granular insertion): on six Solomon instances, 6 s single worker, mean gap 0.65 %
against 0.91 % when every position is tried (more steps in the same time) and 0.78 % with 15
(benchmarks/README.md)."""

STRINGS_BATCH_SECONDS = 0.05
"""A timed run calls the compiled kernel in batches of about this long, checking the clock
and lowering the temperature between them."""

STRINGS_MIN_SECONDS = 5.0
"""Searches with less time than this skip the engine: loading numba and the compiled kernel
from its cache takes one to two seconds (compiling it on a clean cache far longer)."""

STRINGS_POLISH_SHARE = 0.1
"""Share of a search's time OR-Tools gets after the engine, to re-time and polish its routes
(restoring 1000 visits with breaks alone takes about 0.3 s, and its descent from them more)."""

STRINGS_SMALL_POLISH_SHARE = 0.03
"""The same below GREEDY_START_MIN visits: OR-Tools' greedy descent from the engine's routes
ends within 0.2 s on the Solomon instances, and left 0.6–0.9 s of a 10 s run unused at 0.1."""
