"""routeplan slots / book / reschedule against the emulator's example day, in-process.

The commands' own emulator (``--source emulator``) is swapped for one the test keeps, so
that its call record can be read and a second run sees what the first one booked. Planning
is deterministic: one worker, seed 0, a solution limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from routing.cli import booking_cmd, main
from routing.cli.exits import BAD_INPUT, OK
from routing.reasons import ReasonCode
from routing.roster import load_roster
from routing.spapi.emulator import Emulator
from routing.spapi.models import Appointment
from routing.writeback import Journal
from routing.writeback.booking import BOOKING_PLAN_ID
from tests.routing.spapi.conftest import client_for

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
DAY = "2026-12-01"
EVENING_BEFORE = datetime(2026, 11, 30, 18, tzinfo=ZoneInfo("America/Los_Angeles"))
DETERMINISTIC = ("--workers", "1", "--seed", "0", "--solution-limit", "5", "-q")
ADD = "addAppointmentForServiceJobByServiceJobId"
ASSIGN = "assignAppointmentResources"
ETA = "setAppointmentFulfillmentData"
ROW_KEYS = {"service_job_id", "decision", "slot", "technician_id", "date", "added_travel_s",
            "options", "reason"}
OPTION_KEYS = {"start", "end", "technician_id", "added_travel_s", "score"}
PENDING = "SJ-9455356831"
"""A pending job of the example day (Renton, the buyer prefers 08:00–12:00)."""


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """The example jobs, "now" the evening before the day, kept across the test's runs."""
    with Emulator.from_file(EXAMPLES / "jobs.json", clock=lambda: EVENING_BEFORE,
                            enforce_rate_limits=False) as server:
        def shared(clock: Callable[[], datetime],
                   faults: Sequence[str]) -> AbstractContextManager[Emulator]:
            assert clock() == EVENING_BEFORE  # the command's rule: 18:00 the day before
            for spec in faults:
                server.faults.inject_spec(spec)
            return nullcontext(server)
        monkeypatch.setattr(booking_cmd, "example_emulator", shared)
        yield server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--source", "emulator", "--date", DAY, *DETERMINISTIC])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def calls(emulator: Emulator) -> list[dict[str, object]]:
    """The emulator's call record, as ``GET /_emulator/calls`` lists it."""
    listed: list[dict[str, object]] = httpx.get(f"{emulator.url}/_emulator/calls").json()["calls"]
    return listed


def landed(emulator: Emulator, operation: str) -> list[str]:
    """The paths of the calls of ``operation`` Amazon took (2xx)."""
    return [str(c["path"]) for c in calls(emulator)
            if c["operation"] == operation and 200 <= int(str(c["status"])) < 300]


def job_of(path: str) -> str:
    return path.strip("/").split("/")[3]


def active_appointments(emulator: Emulator, job_id: str) -> list[Appointment]:
    """The job's ACTIVE appointments, read back through the client."""
    with client_for(emulator) as client:
        job = client.get_service_job(job_id)
    return [a for a in job.appointments or [] if a.appointment_status == "ACTIVE"]


@pytest.mark.slow
def test_slots_ranks_every_offered_slot_or_keeps_it_out_with_a_reason(
        emulator: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "slots", PENDING, "--json")
    assert code == OK
    ranking = json.loads(out)
    options, excluded = ranking["options"], ranking["excluded"]
    assert ranking["service_job_id"] == PENDING
    assert len(options) + len(excluded) == 5  # 08:00–18:00 in 2-hour slots
    scores = [o["score"] for o in options]
    assert scores == sorted(scores) and options
    technicians = {t.id for t in load_roster(EXAMPLES / "roster.yaml").technicians}
    for option in options:
        assert option["technician_id"] in technicians
        assert option["score"] == pytest.approx(sum(option["terms"].values()), abs=0.2)
        assert option["terms"]["travel"] == option["added_travel_s"]
    assert {e["reason"] for e in excluded} <= {r.value for r in ReasonCode}
    best = options[0]  # beside Ben's Renton morning, in the buyer's time: nothing to add
    assert (best["start"], best["technician_id"]) == ("2026-12-01T18:00:00+00:00",
                                                      "A1B2C3D4E5TECH02")
    assert best["terms"]["preference"] == 0 and best["added_travel_s"] < 60
    assert not landed(emulator, ADD)

    code, out, _ = run(capsys, "slots", PENDING, "--format", "plain")
    assert code == OK
    lines = out.splitlines()
    assert "#\tdate\tslot\ttechnician\tstart\tadded drive\tscore\twhy it ranks here" in lines
    assert any(line.startswith("1\tTue 01 Dec\t10:00–12:00\tA1B2C3D4E5TECH02\t") for line in lines)


@pytest.mark.slow
def test_book_dry_run_sends_nothing_apply_books_each_job_once_and_a_rerun_nothing(
        emulator: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    journal = tmp_path / "booking.sqlite"
    code, out, _ = run(capsys, "book", "--json")
    assert code == OK
    planned = json.loads(out)
    assert planned and all(set(row) == ROW_KEYS for row in planned)
    assert all(set(o) == OPTION_KEYS for row in planned for o in row["options"])
    to_book = {row["service_job_id"] for row in planned if row["decision"] == "book"}
    assert len(to_book) >= 5
    assert not landed(emulator, ADD) and not landed(emulator, ASSIGN)

    code, out, _ = run(capsys, "book", "--json", "--apply", "--journal", str(journal))
    assert code == OK
    assert json.loads(out) == planned  # the dry run said what --apply did
    added = [job_of(p) for p in landed(emulator, ADD)]
    assert sorted(added) == sorted(to_book)
    for row in planned:
        if row["decision"] != "book":
            continue
        (appointment,) = active_appointments(emulator, row["service_job_id"])
        assert appointment.appointment_time is not None
        assert appointment.appointment_time.start_time == datetime.fromisoformat(
            row["slot"]["start"])
        assigned = emulator.assignments[(row["service_job_id"], str(appointment.appointment_id))]
        assert assigned == [row["technician_id"]]
    assert sorted(job_of(p) for p in landed(emulator, ETA)) == sorted(to_book)

    # A second run books nothing twice: the booked jobs are no longer pending, and their
    # assignments and estimates are done. (A job without a slot may find one now: the day
    # re-planned with the bookings can pack tighter.)
    before = len(calls(emulator))
    code, out, _ = run(capsys, "book", "--apply", "--journal", str(journal), "--json")
    assert code == OK
    again = {row["service_job_id"] for row in json.loads(out)}
    assert not again & to_book
    writes = [c for c in calls(emulator)[before:] if c["operation"] in (ADD, ASSIGN, ETA)]
    assert not [c for c in writes if job_of(str(c["path"])) in to_book]
    with Journal(journal) as opened:
        added = [e.service_job_id for e in opened.entries(BOOKING_PLAN_ID) if e.kind == "add"
                 and e.state.value == "ok"]
    assert sorted(added) == sorted(set(added)) and to_book <= set(added)


@pytest.mark.slow
def test_a_slot_taken_meanwhile_books_the_next_option_and_nothing_twice(
        emulator: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "book", "--json", "--apply", "--journal",
                       str(tmp_path / "j.sqlite"), "--fault", "slot-taken:1")
    assert code == OK
    first = json.loads(out)[0]
    assert first["decision"] == "book"
    assert first["slot"]["start"] != first["options"][0]["start"]  # the best was taken
    assert first["slot"]["start"] == first["options"][1]["start"]
    refused = [c for c in calls(emulator) if c["operation"] == ADD and c["status"] == 422]
    assert refused and job_of(str(refused[0]["path"])) == first["service_job_id"]
    for row in json.loads(out):
        expected = 1 if row["decision"] == "book" else 0
        assert len(active_appointments(emulator, row["service_job_id"])) == expected


def test_a_job_with_no_feasible_slot_is_no_slot_with_its_reason(
        emulator: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        "timezone: America/Los_Angeles\ntechnicians:\n  - id: HVAC1\n    name: Hal\n"
        "    skills: [HVAC_REPAIR]\n"
        "    start: {lat: 47.61, lon: -122.33}\n    shifts: {tue: \"08:00-17:00\"}\n",
        encoding="utf-8")
    code, out, _ = run(capsys, "book", "--json", "--roster", str(roster))
    assert code == OK
    rows = json.loads(out)
    assert rows and all(row["decision"] == "no_slot" for row in rows)
    assert {row["reason"] for row in rows} == {ReasonCode.NO_SKILLED_TECHNICIAN.value}
    assert all(row["slot"] is None and row["options"] == [] for row in rows)
    code, _, _ = run(capsys, "book", "--roster", str(roster), "--strict")
    assert code == 10


def test_reschedule_apply_without_a_reason_code_is_a_one_line_error(
        emulator: Emulator, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ROUTEPLAN_RESCHEDULE_REASON_CODE", raising=False)
    monkeypatch.chdir(tmp_path)  # no routeplan.toml
    code, out, err = run(capsys, "reschedule", "SJ-2271616155", "--apply")
    assert code == BAD_INPUT
    assert err.splitlines()[-1].startswith(
        "routeplan: error: reschedule --apply needs reschedule_reason_code")
    assert "Traceback" not in err and out == ""
    assert calls(emulator) == []  # refused before Amazon is asked anything


def test_reschedule_apply_moves_the_appointment_and_journals_the_reason_code(
        emulator: Emulator, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ROUTEPLAN_RESCHEDULE_REASON_CODE", "TECH_UNAVAILABLE")
    journal = tmp_path / "j.sqlite"
    code, out, _ = run(capsys, "reschedule", "SJ-2271616155", "--days", "2", "--apply",
                       "--journal", str(journal), "--json")
    assert code == OK
    proposal = json.loads(out)
    assert proposal["appointment_id"] == "APPT-686440198"
    booked = proposal["booked"]
    assert booked["start"] == proposal["options"][0]["start"]
    (now,) = active_appointments(emulator, "SJ-2271616155")
    assert now.appointment_id == booked["appointment_id"] != "APPT-686440198"
    with Journal(journal) as opened:
        (row,) = [e for e in opened.entries() if e.kind == "reschedule"]
    assert row.appointment_id == "APPT-686440198"  # the appointment moved away from
    assert json.loads(row.request)["rescheduleReasonCode"] == "TECH_UNAVAILABLE"


def test_propose_reschedules_needs_a_replan(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--date", DAY, "--roster", str(EXAMPLES / "roster.yaml"),
                 "--source", "emulator", "--propose-reschedules"])
    err = capsys.readouterr().err
    assert code == BAD_INPUT
    assert err.strip() == ("routeplan: error: --propose-reschedules proposes for a re-plan: "
                           "add --replan PLAN.json")


@pytest.mark.slow
def test_a_replan_proposes_a_later_slot_for_each_appointment_it_leaves_unserved(
        emulator: Emulator, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    day = ["plan", "--date", DAY, "--roster", str(EXAMPLES / "roster.yaml"), "--source",
           "emulator", "--durations", str(EXAMPLES / "durations.yaml"), "--overrides",
           str(EXAMPLES / "geocode_overrides.csv"), "--no-cache", *DETERMINISTIC]
    assert main([*day, "--out", str(plan)]) == OK
    capsys.readouterr()
    code = main([*day, "--replan", str(plan), "--now", "11:30", "--events",
                 str(EXAMPLES / "events.yaml"), "--propose-reschedules", "--format", "plain"])
    lines = capsys.readouterr().out.splitlines()
    assert code == OK
    changes = lines.index(next(line for line in lines if line.startswith("Changes (")))
    unserved = {line.split("\t")[0] for line in lines[changes:]
                if "\tunassigned\t" in line and line.startswith("SJ-")}
    start = lines.index(next(line for line in lines if line.startswith("Reschedule proposals")))
    header = lines[start + 1].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[start + 2:]
            if line.startswith("SJ-")]
    assert rows and {row["job"] for row in rows} <= unserved
    assert {"SJ-5817258846", "SJ-7213121696"} <= {row["job"] for row in rows}
    for row in rows:
        assert row["appointment"].startswith("APPT-")
        if row["best new slot"].startswith("Tue"):  # the re-planned day: after --now only
            assert row["best new slot"].split()[-1] >= "11:30"
    assert not landed(emulator, ADD) and not [c for c in calls(emulator)
                                              if "reschedule" in str(c["operation"])]
