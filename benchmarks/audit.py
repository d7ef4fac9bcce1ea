"""Audit 100,000 appointments from a saved file: the issue #11 target is <= 10 s, <= 1 GiB.

    python -m benchmarks.audit [--appointments 100000] [--seed 0] [--workers N]

Writes a seeded month of jobs (JSON lines, the Services API wire form; one job in ten
rescheduled once, some cancelled, completed ones with a POA; every appointment in the
period) and a matching visit log (CSV), then times what ``routeplan audit --source FILE``
does with them: read the visit log, read the file and its job ids (``FileSource.shards``),
validate and audit the jobs, one shard per core (``audit_shards``: the first here, the
others in forked workers), build the report and serialise its JSON. Generation is not
timed; ``--report FILE`` keeps the report JSON (to compare it across versions). Prints wall
and CPU time per step (this process's CPU), the CPU of all processes, peak memory (PSS of
this process and its workers together, sampled every 0.2 s) and peak RSS, the machine and
its load (the machine is shared: the load says how much).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import random
import resource
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psutil

from routing.audit import AuditSettings, audit_shards, build_report, read_visit_log
from routing.audit.visitlog import COLUMNS
from routing.sources import FileSource

FIRST_DAY = date(2026, 11, 1)
DAYS = 30
TECHNICIANS = 200
POSTAL_CODES = ("98109", "97201", "94103", "85004", "80202", "60601", "75201", "10001",
                "02108", "33101", "30303", "48201", "55401", "63101", "84101", "96813")
SKILLS = ("TV_MOUNTING", "HOME_THEATER", "APPLIANCE_INSTALL", "SMART_HOME")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _appointment(
    rng: random.Random, appointment_id: str, technician: str, start: datetime, status: str
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "appointmentId": appointment_id,
        "appointmentStatus": status,
        "appointmentTime": {"startTime": _iso(start), "durationInMinutes": 120},
        "assignedTechnicians": [{"technicianId": technician, "name": f"Tech {technician}"}],
    }
    if status == "COMPLETED":
        done = start + timedelta(minutes=rng.randint(60, 240))
        data["poa"] = {"uploadingTechnician": technician, "uploadTime": _iso(done),
                       "poaType": "CUSTOMER_SIGNATURE"}
    return data


def generate(appointments: int, seed: int, jobs_path: Path, visits_path: Path) -> int:
    """Write jobs and a visit log; returns the number of jobs."""
    rng = random.Random(seed)
    written = jobs = 0
    with jobs_path.open("w") as jobs_file, visits_path.open("w", newline="") as visits_file:
        visits = csv.writer(visits_file)
        visits.writerow(COLUMNS)
        while written < appointments:
            jobs += 1
            job_id = f"SJ{jobs:07d}"
            technician = f"T{rng.randrange(TECHNICIANS):03d}"
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            start = datetime(day.year, day.month, day.day, rng.choice((8, 10, 12, 14, 16)),
                             tzinfo=ZoneInfo("America/Los_Angeles"))
            roll = rng.random()
            status = "CANCELLED" if roll < 0.04 else "COMPLETED" if roll < 0.9 else "ACTIVE"
            chain: list[dict[str, Any]] = []
            if rng.random() < 0.1 and written + 2 <= appointments:
                # the day before, or two hours before on the first day: in the period
                earlier = start - (timedelta(days=1) if day > FIRST_DAY else timedelta(hours=2))
                chain.append(_appointment(rng, f"{job_id}-0", technician, earlier, "CANCELLED"))
                chain[0]["rescheduledAppointmentId"] = f"{job_id}-1"
            final = _appointment(rng, f"{job_id}-{len(chain)}", technician, start,
                                 "CANCELLED" if status == "CANCELLED" else status)
            chain.append(final)
            written += len(chain)
            job_status = {"ACTIVE": "NOT_SERVICED"}.get(status, status)
            jobs_file.write(json.dumps({
                "serviceJobId": job_id, "serviceJobStatus": job_status,
                "scopeOfWork": {"asin": "B0EXAMPLE", "quantity": 1,
                                "requiredSkills": [rng.choice(SKILLS)]},
                "appointments": chain,
                "serviceLocation": {"serviceLocationType": "IN_HOME", "address": {
                    "name": "Customer", "addressLine1": f"{rng.randint(1, 9999)} Main St",
                    "postalCode": rng.choice(POSTAL_CODES), "countryCode": "US"}},
            }) + "\n")
            if status != "CANCELLED" and rng.random() < 0.9:
                arrived = start + timedelta(minutes=rng.randint(-20, 150))
                finished = arrived + timedelta(minutes=rng.randint(45, 200))
                outcome = "completed" if status == "COMPLETED" else rng.choice(
                    ("incomplete", "customer_no_show"))
                visits.writerow((final["appointmentId"], job_id, technician, arrived.isoformat(),
                                 "", finished.isoformat(), outcome, ""))
    return jobs


def _children_cpu() -> float:
    """CPU seconds of the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class PeakMemory(threading.Thread):
    """The peak proportional set size (PSS) of this process and its children together,
    sampled from now until :meth:`stop`: the memory the machine gives the audit. (Summed
    peak RSS would count twice what a forked worker shares with this process: the
    imported libraries and the inputs read before the fork.)"""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0
        self._done = threading.Event()
        self.start()

    def run(self) -> None:
        me = psutil.Process()
        while not self._done.wait(self.interval):
            total = 0
            for process in (me, *me.children()):
                with contextlib.suppress(psutil.Error):  # a worker just ended
                    total += process.memory_full_info().pss
            self.peak = max(self.peak, total)

    def stop(self) -> int:
        """The peak, in bytes."""
        self._done.set()
        self.join()
        return self.peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", type=Path, help="write the report JSON here")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes sharing the jobs (default: one per core, as "
                             "`routeplan audit --source FILE` does)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        jobs_path, visits_path = Path(folder) / "jobs.jsonl", Path(folder) / "visits.csv"
        jobs = generate(args.appointments, args.seed, jobs_path, visits_path)
        settings = AuditSettings(
            start=FIRST_DAY, end=FIRST_DAY + timedelta(days=DAYS - 1),
            timezone=ZoneInfo("America/Los_Angeles"), now=datetime(2027, 1, 1, tzinfo=UTC),
        )
        load_before = os.getloadavg()[0]
        steps: dict[str, tuple[float, float]] = {}
        memory = PeakMemory(interval=0.2)
        began, cpu, children_cpu = time.perf_counter(), time.process_time(), _children_cpu()
        clock = (began, cpu)

        def lap(step: str) -> None:
            nonlocal clock
            now = (time.perf_counter(), time.process_time())
            steps[step] = (now[0] - clock[0], now[1] - clock[1])
            clock = now

        log = read_visit_log(visits_path)
        lap("read visit log")
        source = FileSource(jobs_path)
        shards = source.shards(args.workers)
        audit = audit_shards(shards, settings, visits=log.rows)
        source.collect(shards)
        lap("read jobs + audit")
        text = build_report(audit).to_json()
        lap("report + JSON")
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        cpu += _children_cpu() - children_cpu
        peak_memory = memory.stop()
        size = jobs_path.stat().st_size
    if args.report is not None:
        args.report.write_text(text)
    peaks = [resource.getrusage(who).ru_maxrss / 1024
             for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    print(f"appointments        {len(audit.appointments)} in {jobs} jobs "
          f"({size / 2**20:.0f} MiB of JSON lines), {len(log.rows)} visit-log rows")
    for step, (seconds, cpu_seconds) in steps.items():
        print(f"  {step:<18}{seconds:.2f} s (CPU {cpu_seconds:.2f} s)")
    print(f"wall time           {wall:.2f} s (target <= 10 s); CPU time {cpu:.2f} s "
          f"in {len(shards)} process{'es' if len(shards) > 1 else ''} "
          f"(--workers {args.workers})")
    print(f"peak memory         {peak_memory / 2**20:.0f} MiB PSS, this process and its "
          f"workers together (target <= 1024 MiB)")
    print(f"peak RSS            {peaks[0]:.0f} MiB this process"
          + (f", {peaks[1]:.0f} MiB a worker (RSS counts what they share in each)"
             if len(shards) > 1 else ""))
    print(f"report JSON         {len(text) / 2**20:.0f} MiB")
    print(f"machine             {platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, load {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after (1-minute averages)")


if __name__ == "__main__":
    main()
