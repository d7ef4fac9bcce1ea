"""Many territory-days at once: `plan-batch`'s executors, 1 and 2 workers, locally and on Ray.

    python -m benchmarks.batch                   # 50 metros × 7 days, ~100 jobs / 10 technicians
    python -m benchmarks.batch --quick           # 3 metros × 2 days, ~40 jobs / 5 technicians
    python -m benchmarks.batch --metros 4 --days 2 --executors local

Generates each partition like the pipeline benchmark (King County ZIP codes, 3–4 h windows,
six skills, technicians with two or three skills, 8–9 h shifts and lunch; every metro on the
same map, which does not matter here: partitions are independent), hands the tasks straight
to the executor (no fetching: the driver's per-seller fetch is not what scales), and reports
partitions per minute, the speed-up from 1 to 2 workers and its efficiency (speed-up ÷
workers), the overhead per task (workers × batch wall − Σ task time, per task) and the peak
memory of one worker. Each search runs the whole ``--time-limit`` (no solution limit), one
search per partition (``workers = 1`` inside).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from benchmarks.plan_pipeline import LOCAL, make_jobs, make_technicians
from routing.batch import Limits, LocalExecutor, Outcome, RayExecutor, TaskSpec, run_tasks
from routing.batch.executors import Executor

START = date(2026, 11, 30)  # a Monday
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def partition(metro: int, day: date, jobs: int, technicians: int, seed: int,
              settings: dict[str, Any], folder: str) -> TaskSpec:
    """One metro's day: its roster and jobs as the driver would hand them to a worker."""
    rng = random.Random(f"{seed}/{metro}/{day}")
    techs = make_technicians(technicians, rng, WEEKDAYS, prefix=f"M{metro:02d}T", width=3)
    documents = make_jobs(jobs, rng, day, prefix=f"M{metro:02d}{day:%m%d}", width=4)
    return TaskSpec("bench", f"metro{metro:02d}", day.isoformat(),
                    roster={"timezone": LOCAL.key, "technicians": techs}, jobs=documents,
                    settings=settings, folder=f"{folder}/metro{metro:02d}/{day}")


def measure(name: str, executor: Executor[Any], specs: list[TaskSpec],
            limits: Limits) -> dict[str, float]:
    """Run ``specs``; print and return the figures."""
    began = time.perf_counter()
    outcomes: list[Outcome] = list(run_tasks(specs, executor, limits))
    wall = time.perf_counter() - began
    workers = executor.slots
    busy = sum(o.wall_s for o in outcomes)
    solve = sum(o.solve_s for o in outcomes)
    figures = {
        "wall_s": wall, "per_minute": len(specs) / wall * 60,
        "overhead_s": (workers * wall - solve) / len(specs),
        "launch_s": (busy - solve) / len(specs),
        "peak_mib": max(o.peak_rss_kb for o in outcomes) / 1024,
        "placed": sum(o.placed for o in outcomes), "jobs": sum(o.jobs for o in outcomes),
        "failed": sum(o.status in ("error", "timeout") for o in outcomes),
    }
    print(f"{name:<14} {len(specs)} partitions in {wall:6.1f} s: "
          f"{figures['per_minute']:5.1f}/min, overhead {figures['overhead_s']:.2f} s/task "
          f"(of which launch + answer {figures['launch_s']:.2f} s), peak "
          f"{figures['peak_mib']:.0f} MiB/worker, placed {figures['placed']:.0f}/"
          f"{figures['jobs']:.0f}, failed {figures['failed']:.0f}", flush=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metros", type=int, default=50)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=100, help="jobs per partition")
    parser.add_argument("--technicians", type=int, default=10, help="per partition")
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--executors", default="local,ray",
                        help="comma-separated: local, ray (default both)")
    parser.add_argument("--quick", action="store_true",
                        help="3 metros × 2 days, 40 jobs / 5 technicians")
    args = parser.parse_args(argv)
    if args.quick:
        args.metros, args.days, args.jobs, args.technicians = 3, 2, 40, 5
    settings = {"time_limit": args.time_limit, "workers": 1, "seed": args.seed,
                "no_cache": True}
    print(f"{args.metros} metros × {args.days} days, {args.jobs} jobs / {args.technicians} "
          f"technicians each, time limit {args.time_limit:g} s; load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    limits = Limits(grace=60.0, retries=1)
    with tempfile.TemporaryDirectory() as out:
        specs = [partition(m, START + timedelta(days=d), args.jobs, args.technicians,
                           args.seed, settings, out)
                 for m in range(args.metros) for d in range(args.days)]
        chosen = args.executors.split(",")
        if "local" in chosen:  # boot the fork server first: it serves both runs
            list(run_tasks([replace(specs[0], jobs=[])], LocalExecutor(1), limits))
            one = measure("local, 1 worker", LocalExecutor(1), specs, limits)
            two = measure("local, 2 workers", LocalExecutor(2), specs, limits)
            speedup = one["wall_s"] / two["wall_s"]
            print(f"local scaling 1 → 2 workers: speed-up {speedup:.2f}, efficiency "
                  f"{speedup / 2:.0%}", flush=True)
        if "ray" in chosen:
            ray = RayExecutor(2)
            try:
                measure("ray, 2 workers", ray, specs, limits)
            finally:
                ray.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
