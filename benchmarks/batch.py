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
from datetime import date, datetime, timedelta
from typing import Any

from benchmarks.plan_pipeline import LOCAL, SKILLS, king_county_zips, wire
from routing.batch import Limits, LocalExecutor, Outcome, RayExecutor, TaskSpec, run_tasks
from routing.batch.executors import Executor

START = date(2026, 11, 30)  # a Monday
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def partition(metro: int, day: date, jobs: int, technicians: int, seed: int,
              settings: dict[str, Any], folder: str) -> TaskSpec:
    """One metro's day: its roster and jobs as the driver would hand them to a worker."""
    rng = random.Random(f"{seed}/{metro}/{day}")
    areas = king_county_zips()
    techs = []
    for index in range(technicians):
        area = rng.choice(areas)
        begin = rng.choice((7, 8, 9))
        shift = f"{begin:02d}:00-{begin + rng.choice((8, 9)):02d}:00"
        techs.append({
            "id": f"M{metro:02d}T{index:03d}", "name": f"Technician {index}",
            "skills": rng.sample(SKILLS, rng.choice((2, 3))),
            "start": {"lat": float(area["lat"]), "lon": float(area["long"])},
            "shifts": dict.fromkeys(WEEKDAYS, shift),
            "lunch": {"window": "11:30-13:30", "duration": "30m"},
            "timezone": LOCAL.key,
        })
    documents = []
    for index in range(jobs):
        area = rng.choice(areas)
        start = datetime(day.year, day.month, day.day, rng.randint(8, 14), tzinfo=LOCAL)
        key = f"M{metro:02d}{day:%m%d}{index:04d}"
        documents.append({
            "serviceJobId": f"SJ-{key}", "serviceJobStatus": "NOT_SERVICED",
            "createTime": wire(start - timedelta(days=5)), "marketplaceId": "ATVPDKIKX0DER",
            "scopeOfWork": {"asin": f"B0BENCH{index % 100:03d}", "title": "Service",
                            "quantity": 1, "requiredSkills": [rng.choice(SKILLS)]},
            "appointments": [{
                "appointmentId": f"AP-{key}", "appointmentStatus": "ACTIVE",
                "appointmentTime": {"startTime": wire(start),
                                    "durationInMinutes": rng.choice((180, 240))}}],
            "serviceLocation": {"serviceLocationType": "IN_HOME", "address": {
                "name": "Bench Buyer", "addressLine1": f"{rng.randint(100, 9999)} Main St",
                "city": area["city"].title(), "stateOrRegion": "WA",
                "postalCode": area["zip_code"], "countryCode": "US"}},
        })
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
