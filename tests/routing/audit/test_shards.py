"""The audit on several cores: a file's jobs in shards, all but the first audited in forked
processes, give the one-process audit byte for byte; a failing worker is an error."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.audit import (
    AuditSettings,
    SentRecord,
    VisitRow,
    audit_jobs,
    audit_shards,
    build_report,
)
from routing.audit.visitlog import VisitOutcome
from routing.cli import main
from routing.errors import RoutingError
from routing.sources import FileSource, SourceError
from routing.spapi.models import ServiceJob
from routing.visits import Unassigned
from tests.routing.audit.builders import DAY, LA, LATER, appt, at, job, visit

SETTINGS = AuditSettings(start=DAY, end=DAY + timedelta(days=1), timezone=LA, now=LATER)


def _line(job_id: str, n: int, first: date = DAY, **extra: Any) -> str:
    """A job of its own kind for each ``n``: completed or not, rescheduled, cancelled, an
    unknown status; three technicians, two days from ``first``, two ZIPs in two timezones."""
    day, technician = first + timedelta(days=n % 2), f"T{n % 3}"
    first = appt(f"{job_id}-A", at(day, 8 + n % 8), technician=technician,
                 status="COMPLETED" if n % 4 == 0 else "ACTIVE",
                 poa_at=at(day, 11) if n % 4 == 0 else None, poa_by=technician)
    appointments = [first]
    if n % 5 == 0:  # rescheduled to an hour later, by the buyer
        first["appointmentStatus"], first["rescheduledAppointmentId"] = "CANCELLED", f"{job_id}-B"
        appointments.append(appt(f"{job_id}-B", at(day, 15), technician=technician))
    if n % 7 == 0:
        first["appointmentStatus"] = "ON_HOLD_SOMEHOW"  # an unknown status: a problem
    status = "CANCELLED" if n % 6 == 0 else "COMPLETED" if n % 4 == 0 else "NOT_SERVICED"
    wire = job(job_id, *appointments, status=status).to_wire()
    wire["serviceLocation"] = {"serviceLocationType": "IN_HOME", "address": {
        "name": "C", "addressLine1": "1 Main St", "countryCode": "US",
        "postalCode": "98109" if n % 2 else "10001"}}
    return json.dumps({**wire, **extra})


def _file(tmp_path: Path) -> tuple[Path, list[VisitRow], list[SentRecord]]:
    """40 jobs with the hard cases in both halves: duplicates inside a half and across the
    middle (which moves the cut), lines that are not JSON or not a job, a job without an
    id; visit-log rows and sent records for both halves and for jobs not in the file."""
    lines = [_line(f"SJ{n:02d}", n) for n in range(40)]
    lines[3] = "{not json"
    lines[33] = json.dumps({"serviceJobId": "SJ33", "appointments": [{"appointmentTime": 1}]})
    lines[5] = _line("SJ05", 5, serviceJobId=None)
    lines[8] = _line("SJ02", 9)  # a later copy of SJ02, in the first half
    lines[31] = _line("SJ30", 12)  # a later copy of SJ30, in the second half
    lines[22] = _line("SJ18", 22)  # SJ18 from 18 to 22 spans the middle (20): cut at 23
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    rows = [
        visit(f"SJ{n:02d}", f"SJ{n:02d}-A", technician=f"T{n % 3}", line=n + 2,
              arrived=at(DAY + timedelta(days=n % 2), 9, 10 * (n % 6)),
              finished=at(DAY + timedelta(days=n % 2), 12),
              outcome=VisitOutcome.CUSTOMER_NO_SHOW if n % 9 == 0 else VisitOutcome.COMPLETED)
        for n in (0, 1, 4, 11, 12, 24, 27, 36, 38)
    ] + [visit("SJ99", "SJ99-A", line=50)]  # no such job
    sent = [SentRecord(f"SJ{n:02d}", f"SJ{n:02d}-A", technician_id="T9",
                       fulfillment_start=at(DAY + timedelta(days=n % 2), 10))
            for n in (2, 26, 98)]
    return path, rows, sent


def test_shards_give_the_one_process_audit_and_its_rejected_jobs(tmp_path: Path) -> None:
    path, rows, sent = _file(tmp_path)
    alone = FileSource(path)
    expected = audit_jobs(alone.stream(), SETTINGS, visits=rows, sent=sent)

    audited_here: list[str | None] = []

    def zones(service_job: ServiceJob) -> ZoneInfo:  # records the jobs this process audits
        audited_here.append(service_job.service_job_id)
        return LA

    source = FileSource(path)
    shards = source.shards(2, smallest=1)
    assert [(s.start, s.stop) for s in shards] == [(0, 23), (23, 40)]
    audit = audit_shards(shards, SETTINGS, visits=rows, sent=sent, zones=zones)
    source.collect(shards)

    # the second shard was audited in another process: this one saw only the first's jobs
    assert audited_here and all(int(j[2:]) < 23 for j in audited_here if j)
    with_zones = audit_jobs(FileSource(path).stream(), SETTINGS, visits=rows, sent=sent,
                            zones=lambda _: LA)
    assert build_report(audit).to_json() == build_report(with_zones).to_json()
    assert audit.problems == with_zones.problems
    assert [s.sentence for s in source.rejected] == [s.sentence for s in alone.rejected]
    assert len(source.rejected) == 2  # lines 4 and 34, one in each shard
    # and the zones from the addresses, in both processes, as one process places them
    zoned = audit_shards(FileSource(path).shards(2, smallest=1), SETTINGS, visits=rows,
                         sent=sent)
    assert build_report(zoned).to_json() == build_report(expected).to_json()
    assert zoned.problems == expected.problems
    assert any("SJ99" in p for p in zoned.problems) and any("98" in p for p in zoned.problems)
    assert any("ON_HOLD_SOMEHOW" in p for p in zoned.problems)


def test_shards_are_cut_between_jobs_never_between_copies_of_one(tmp_path: Path) -> None:
    def cuts(ids: list[str], count: int) -> list[tuple[int, int]]:
        path = tmp_path / "ids.jsonl"
        path.write_text("".join(json.dumps({"serviceJobId": i}) + "\n" for i in ids))
        return [(s.start, s.stop) for s in FileSource(path).shards(count, smallest=1)]

    assert cuts(list("abcdef"), 2) == [(0, 3), (3, 6)]
    assert cuts(list("abcdef"), 3) == [(0, 2), (2, 4), (4, 6)]
    assert cuts(list("abcaef"), 2) == [(0, 4), (4, 6)]  # a's copies at 0 and 3
    assert cuts(list("abcdea"), 2) == [(0, 6)]  # nowhere to cut
    assert cuts(list("ab"), 4) == [(0, 1), (1, 2)]
    path = tmp_path / "ids.jsonl"
    assert len(FileSource(path).shards(2)) == 1  # under 5,000 jobs a shard: one


def test_a_worker_that_fails_raises_its_error_here(tmp_path: Path) -> None:
    path, rows, _ = _file(tmp_path)
    strict = FileSource(path, strict=True)
    shards = strict.shards(2, smallest=1)
    # the first shard's bad line is line 4: make the first shard clean to see the worker's
    shards[0].stop = 3
    with pytest.raises(SourceError,
                       match=r"line 34 \(SJ33\): appointments\[0\]\.appointmentTime"):
        audit_shards(shards, SETTINGS, visits=rows)


class _Dying:
    """A shard whose process ends before it can answer."""

    def __init__(self) -> None:
        self.rejected: list[Unassigned] = []

    def stream(self) -> Iterator[ServiceJob]:
        os._exit(7)
        yield  # pragma: no cover - a generator that never yields


def test_a_worker_that_dies_is_an_error_naming_its_exit_code(tmp_path: Path) -> None:
    path, rows, _ = _file(tmp_path)
    first = FileSource(path).shards(1)[0]
    with pytest.raises(RoutingError, match=r"ended without an answer \(exit code 7\)"):
        audit_shards([first, _Dying()], SETTINGS, visits=rows)


def test_the_command_audits_a_large_file_on_every_core(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
) -> None:
    past = DAY - timedelta(days=30)  # the command audits against the clock: all windows over
    lines = [_line(f"SJ{n:05d}", n, past) for n in range(10_002)]
    lines[9_000] = "{not json"
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert len(FileSource(path).shards(os.cpu_count() or 1)) == min(os.cpu_count() or 1, 2)
    outputs = []
    for workers in ([], ["--workers", "1"]):
        out = tmp_path / f"audit{len(outputs)}.json"
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            code = main(["audit", "--from", str(past), "--to", str(past + timedelta(days=1)),
                         "--source", str(path), "--timezone", "America/Los_Angeles",
                         "--json", str(out), *workers])
        assert code == 0
        assert "skipped line 9001" in caplog.text
        outputs.append(out.read_text())
        capsys.readouterr()
    assert len(json.loads(outputs[0])["appointments"]) > 10_000
    assert outputs[0] == outputs[1]  # every core or this process alone: the same report


def test_where_processes_cannot_be_forked_every_shard_is_audited_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, rows, sent = _file(tmp_path)
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])
    audited_here: list[str | None] = []

    def zones(service_job: ServiceJob) -> ZoneInfo:
        audited_here.append(service_job.service_job_id)
        return LA

    source = FileSource(path)
    shards = source.shards(2, smallest=1)
    audit = audit_shards(shards, SETTINGS, visits=rows, sent=sent, zones=zones)
    source.collect(shards)
    assert any(j and int(j[2:]) >= 23 for j in audited_here)  # the second shard: here
    with_zones = audit_jobs(FileSource(path).stream(), SETTINGS, visits=rows, sent=sent,
                            zones=lambda _: LA)
    assert build_report(audit).to_json() == build_report(with_zones).to_json()
    assert len(source.rejected) == 2


class _Unpicklable(Exception):
    """An error that cannot cross processes (it holds a lock)."""

    def __init__(self) -> None:
        super().__init__("the disk is full")
        self.lock = threading.Lock()


class _Failing:
    def __init__(self) -> None:
        self.rejected: list[Unassigned] = []

    def stream(self) -> Iterator[ServiceJob]:
        raise _Unpicklable
        yield  # pragma: no cover - a generator that never yields


def test_an_error_that_cannot_cross_processes_is_still_said(tmp_path: Path) -> None:
    path, rows, _ = _file(tmp_path)
    first = FileSource(path).shards(1)[0]
    with pytest.raises(RoutingError, match="audit worker process failed: the disk is full"):
        audit_shards([first, _Failing()], SETTINGS, visits=rows)
