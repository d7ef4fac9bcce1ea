"""A generated technician day solved by `solver` (optionally against VROOM).

    python -m benchmarks.technician_day --visits 1000 --technicians 80 [--peers]

Reports time to first solution (a separate run stopped at the first solution), final
travel, visits placed and peak memory (max RSS of this process and its workers). Every
solution is checked with `solver.verify`.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections import Counter
from itertools import pairwise

from benchmarks._peers import vroom_solve
from benchmarks._technician_data import generate
from solver import Solution, solve, verify


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--technicians", type=int, default=80)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peers", action="store_true", help="also run VROOM")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    problem = generate(args.visits, args.technicians, args.seed)
    print(f"generated {args.visits} visits, {args.technicians} technicians "
          f"in {time.perf_counter() - began:.1f} s", flush=True)

    first = solve(problem, time_limit=args.time_limit, seed=args.seed, workers=1,
                  solution_limit=1)
    verify(problem, first)
    print(f"first solution: {first.wall_time:.1f} s, placed {_placed(first)}, "
          f"travel {_hours(first)} h", flush=True)

    final = solve(problem, time_limit=args.time_limit, seed=args.seed, workers=args.workers)
    verify(problem, final)
    reasons = Counter(u.reason.value for u in final.unassigned)
    print(f"final ({args.time_limit:.0f} s, {args.workers} workers): {final.wall_time:.1f} s, "
          f"placed {_placed(final)}/{args.visits}, travel {_hours(final)} h, "
          f"technicians used {len(final.routes)}, status {final.status}")
    print(f"unassigned by reason: {dict(reasons)}")
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"peak memory (max RSS of one process): {rss / 1024:.0f} MiB", flush=True)

    if args.peers:
        result, vehicles = vroom_solve(problem, args.time_limit)
        techs = problem.technicians
        starts = [techs[v].start_location or 0 for v in vehicles]
        ends = [techs[v].end_location or 0 for v in vehicles]
        travel = 0
        for route, s, e in zip(result.routes, starts, ends, strict=True):
            locs = [s, *(problem.visits[i].location for i in route), e]
            travel += sum(int(problem.durations[a, b]) for a, b in pairwise(locs))
        placed = args.visits - result.unassigned
        print(f"VROOM ({args.time_limit:.0f} s, 2 threads): {result.seconds:.1f} s, "
              f"placed {placed}/{args.visits}, travel {travel / 3600:.1f} h, "
              f"technicians used {len(result.routes)}")


def _placed(solution: Solution) -> int:
    return sum(len(r.stops) for r in solution.routes)


def _hours(solution: Solution) -> str:
    return f"{sum(r.travel_time for r in solution.routes) / 3600:.1f}"


if __name__ == "__main__":
    main()
