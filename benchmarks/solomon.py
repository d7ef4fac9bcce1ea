"""Solomon VRPTW benchmark of `solver` (optionally against PyVRP and VROOM).

    python -m benchmarks.solomon --time-limit 10 [--instances C101,R101] [--peers]

Travel time = Euclidean distance in double precision ×1000, rounded; fleet 25; objective =
distance. Every solution of ours is checked with `solver.verify`. Gaps are against the
distance-only best-known solutions (bks_distance_only.csv): `gap%` with our double-precision
distance, `gap1d%` with our routes re-measured as the BKS are (each arc truncated to 0.1).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from itertools import pairwise
from statistics import mean

import numpy as np

from benchmarks._peers import pyvrp_single_depot, vroom_solve
from benchmarks._solomon_data import SCALE, Instance, best_known, load, names, to_problem
from solver import Problem, Solution, solve, verify


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", help="comma-separated names (default: all 56)")
    parser.add_argument("--peers", action="store_true", help="also run PyVRP and VROOM")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    chosen = args.instances.split(",") if args.instances else names()
    bks = best_known()
    header = (f"{'instance':9} {'distance':>9} {'veh':>3} {'served':>6} {'time':>5} {'gap%':>6} "
              f"{'gap1d%':>6}")
    if args.peers:
        header += f" {'pyvrp':>9} {'ours/pyvrp':>10} {'vroom':>9} {'ours/vroom':>10}"
    print(header, flush=True)
    gaps: dict[str, list[float]] = defaultdict(list)
    gaps_1d: dict[str, list[float]] = defaultdict(list)
    peer_gaps: dict[str, list[float]] = defaultdict(list)
    all_served = 0
    for name in chosen:
        inst = load(name)
        problem = to_problem(inst)
        solution = solve(problem, time_limit=args.time_limit, seed=args.seed,
                         objective="distance", workers=args.workers)
        verify(problem, solution)
        distance = sum(r.distance or 0 for r in solution.routes) / SCALE
        served = len(problem.visits) - len(solution.unassigned)
        all_served += served == len(problem.visits)
        gap = 100 * (distance / bks[name] - 1)
        gaps[inst.instance_class].append(gap)
        gap_1d = 100 * (_truncated_distance(inst, solution) / bks[name] - 1)
        gaps_1d[inst.instance_class].append(gap_1d)
        line = (f"{name:9} {distance:9.1f} {len(solution.routes):3d} {served:6d} "
                f"{solution.wall_time:5.1f} {gap:6.2f} {gap_1d:6.2f}")
        if args.peers:
            for peer, value in _peers(problem, args.time_limit).items():
                peer_gaps[peer].append(100 * (value / bks[name] - 1))
                line += f" {value:9.1f} {distance / value:10.4f}"
        print(line, flush=True)
    print(f"\nall customers served: {all_served}/{len(chosen)}")
    for cls in sorted(gaps):
        print(f"{cls:4} n={len(gaps[cls]):2d} mean gap {mean(gaps[cls]):6.2f} % "
              f"(arcs truncated to 0.1 like the BKS: {mean(gaps_1d[cls]):6.2f} %)")
    every = [g for values in gaps.values() for g in values]
    every_1d = [g for values in gaps_1d.values() for g in values]
    print(f"ALL  n={len(every):2d} mean gap {mean(every):6.2f} % "
          f"(arcs truncated to 0.1 like the BKS: {mean(every_1d):6.2f} %)")
    for peer, values in peer_gaps.items():
        print(f"{peer} mean gap {mean(values):6.2f} %")


def _truncated_distance(inst: Instance, solution: Solution) -> float:
    """Our routes measured as the best-known solutions are: each arc truncated to 0.1."""
    arcs = np.floor(inst.euclidean() * 10) / 10
    total = 0.0
    for route in solution.routes:
        locations = [0, *(stop.location for stop in route.stops), 0]
        total += float(sum(arcs[a, b] for a, b in pairwise(locations)))
    return total


def _peers(problem: Problem, seconds: float) -> dict[str, float]:
    """Distance (original units) reached by each peer; inf if a customer is left out."""
    out = {}
    zeros = [0] * len(problem.technicians)
    result = pyvrp_single_depot(problem, seconds)
    n = len(result.routes)
    out["pyvrp"] = (result.cost(problem, zeros[:n], zeros[:n]) / SCALE
                    if result.unassigned == 0 else float("inf"))
    vroom_result, _ = vroom_solve(problem, seconds)
    n = len(vroom_result.routes)
    out["vroom"] = (vroom_result.cost(problem, zeros[:n], zeros[:n]) / SCALE
                    if vroom_result.unassigned == 0 else float("inf"))
    return out


if __name__ == "__main__":
    main()
