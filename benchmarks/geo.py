"""Benchmarks of routing.geo: haversine matrix, OSRM matrix through chunking, gazetteer lookups.

    python3 -m benchmarks.geo [--points 5000] [--osrm-points 500] [--lookups 10000]

The OSRM part starts osrm-routed over ../shared/osm/monaco.osm.pbf on 127.0.0.1 (installed
into .osrm/ on first use, see tests/routing/geo/osrm_server.py) with its default table limit
of 100, so 500 points take 25 blocks.
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import zipcodes

from routing.geo import Gazetteer, HaversineMatrix, OsrmMatrix
from tests.routing.geo.addresses import address
from tests.routing.geo.osrm_server import ensure_osrm, monaco_points, running_osrm

T = TypeVar("T")


@dataclass
class Measure:
    seconds: float
    peak_mb: float


def measure(run: Callable[[], T], *, repeat: int = 3) -> tuple[T, Measure]:
    """Best wall time of ``repeat`` runs, and the peak of Python-tracked memory (numpy too)."""
    best = float("inf")
    result = run()  # warm-up, also the result returned
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, Measure(best, peak / 1e6)


def bench_haversine(n: int) -> None:
    rng = np.random.default_rng(0)
    points = [tuple(p) for p in rng.uniform((25.0, -124.0), (49.0, -67.0), (n, 2)).tolist()]
    matrix, m = measure(lambda: HaversineMatrix().matrix(points))
    output_mb = (matrix.durations.nbytes + matrix.distances.nbytes) / 1e6
    print(f"haversine  {n} points: {m.seconds:.3f} s, peak {m.peak_mb:.0f} MB "
          f"(of which the two int64 output arrays {output_mb:.0f} MB)")


def bench_osrm(n: int, table_size: int) -> None:
    points = monaco_points(n, seed=1)
    install = ensure_osrm()
    with running_osrm(install, max_table_size=table_size) as url:
        provider = OsrmMatrix(url, max_table_size=table_size)
        matrix, m = measure(lambda: provider.matrix(points))
    blocks = -(-n // table_size)
    print(f"osrm       {n} Monaco points, {blocks}x{blocks} blocks of {table_size}: "
          f"{m.seconds:.3f} s ({matrix.fallback_cells} fallback cells)")


def bench_gazetteer(lookups: int) -> None:
    rows = [row for row in zipcodes.list_all() if float(row["lat"] or 0) != 0]
    rng = np.random.default_rng(2)
    picks = [rows[i] for i in rng.integers(0, len(rows), lookups)]
    # Every fourth address has no ZIP, to exercise the city fallback too.
    addresses = [
        address("1 Main St", city=row["city"], state_or_region=row["state"],
                postal_code=None if k % 4 == 0 else row["zip_code"])
        for k, row in enumerate(picks)
    ]
    gazetteer = Gazetteer()
    start = time.perf_counter()
    gazetteer.geocode(addresses[0])
    build = time.perf_counter() - start
    found, m = measure(lambda: sum(gazetteer.geocode(a) is not None for a in addresses))
    print(f"gazetteer  {lookups} lookups: {m.seconds:.3f} s ({m.seconds / lookups * 1e6:.1f} µs "
          f"each, {found} found; index built once in {build:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--osrm-points", type=int, default=500)
    parser.add_argument("--osrm-table-size", type=int, default=100)
    parser.add_argument("--lookups", type=int, default=10_000)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    bench_haversine(args.points)
    bench_osrm(args.osrm_points, args.osrm_table_size)
    bench_gazetteer(args.lookups)


if __name__ == "__main__":
    main()
