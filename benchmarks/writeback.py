"""Write a plan of N appointments back to the local emulator at Amazon's real rate.

    python -m benchmarks.writeback --appointments 30

The emulator enforces Amazon's usage plans (assignAppointmentResources 1/s burst 2,
setAppointmentFulfillmentData 5/s burst 20) and the client paces itself with the same
buckets. Every appointment needs an assignment and an estimate, interleaved per appointment,
so the run should take about N - 2 seconds (the assignment bucket) with no 429. Reports wall
time, calls per operation, 429s, and the journal's share of the time (a run without it would
not be resumable; the figure says what the fsync'd write-ahead rows cost).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from routing.spapi import LwaCredentials, ServicesClient
from routing.spapi.emulator import Emulator
from routing.writeback import Journal, apply_plan
from tests.routing.writeback.plans import jobs, plan_for


class _TimedJournal(Journal):
    """The journal, with the seconds spent committing its rows counted."""

    spent = 0.0

    def _write(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        started = time.perf_counter()
        super()._write(*statements)
        _TimedJournal.spent += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=30)
    parser.add_argument("--technicians", type=int, default=5)
    args = parser.parse_args()

    data = jobs(args.appointments)
    plan = plan_for(data, [f"T{i + 1}" for i in range(args.technicians)])
    credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
    with tempfile.TemporaryDirectory() as folder, \
            Emulator(data, enforce_rate_limits=True) as emulator, \
            ServicesClient(credentials=credentials, base_url=emulator.url,
                           token_url=emulator.token_url) as client, \
            _TimedJournal(Path(folder) / "journal.sqlite") as journal:
        started = time.perf_counter()
        report = apply_plan(plan, client, journal=journal)
        wall = time.perf_counter() - started
        calls = Counter((c.operation, c.status) for c in emulator.calls)
    print(f"appointments          {args.appointments}")
    print(f"wall time             {wall:.1f} s (floor from the assign bucket: "
          f"{max(0, args.appointments - 2):.0f} s)")
    for (operation, status), count in sorted(calls.items()):
        print(f"  {operation:<30} HTTP {status}: {count}")
    print(f"429s                  {sum(n for (_, s), n in calls.items() if s == 429)}")
    print(f"journal commits       {_TimedJournal.spent:.2f} s in total")
    print(f"all written           {report.succeeded}")


if __name__ == "__main__":
    main()
