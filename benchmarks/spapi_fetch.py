"""Fetch N jobs from the local emulator through ServicesClient and report the throughput.

    python -m benchmarks.spapi_fetch --jobs 2000

The emulator enforces Amazon's usage plan for getServiceJobs (10 requests/s, burst 40) and the
client runs its own bucket with the same figures, so after the burst the request rate should sit
at 10/s. Reports wall time, requests, 429s seen, how close the wall time comes to the fastest
the usage plan allows, and peak memory (tracemalloc of
the client side, and the process's peak RSS).
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from datetime import timedelta

from routing.spapi import JobQuery, LwaCredentials, ServicesClient
from routing.spapi.emulator import Emulator
from routing.spapi.ratelimit import USAGE_PLANS
from tests.routing.spapi.jobdata import DAY, make_jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=20)
    args = parser.parse_args()

    with Emulator(make_jobs(args.jobs), enforce_rate_limits=True) as emulator:
        credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
        with ServicesClient(credentials=credentials, base_url=emulator.url,
                            token_url=emulator.token_url) as client:
            tracemalloc.start()
            started = time.perf_counter()
            query = JobQuery("ATVPDKIKX0DER", created_after=DAY - timedelta(days=30),
                             page_size=args.page_size)
            count = sum(1 for _ in client.iter_service_jobs(query))
            wall = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        calls = [c for c in emulator.calls if c.operation == "getServiceJobs"]

    rate, burst = USAGE_PLANS["getServiceJobs"]
    throttled = sum(1 for c in calls if c.status == 429)
    # A bucket of `burst` tokens refilled at `rate` cannot serve n requests faster than this:
    floor = max(0.0, (len(calls) - burst) / rate)
    print(f"jobs fetched        {count} (of {args.jobs})")
    print(f"requests            {len(calls)} ({throttled} answered 429)")
    print(f"wall time           {wall:.2f} s")
    print(f"fastest possible    {floor:.2f} s at the usage plan ({rate:g}/s, burst {burst}): "
          f"achieved {floor / wall:.0%} of the limit")
    print(f"overall rate        {len(calls) / wall:.2f} req/s")
    print(f"peak traced memory  {peak / 2**20:.1f} MiB (client side, tracemalloc)")
    print(f"peak RSS            {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
          f"MiB (whole process, emulator included)")


if __name__ == "__main__":
    main()
