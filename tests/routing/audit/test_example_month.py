"""The example month (examples/history.json, visits.csv): its properties, its generator,
the emulator serving it, and what `routeplan audit` finds in it offline."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.audit.visitlog import read_visit_log
from routing.cli import common, main
from routing.cli.common import EMULATOR_DATASETS
from routing.cli.exits import THRESHOLD_CROSSED
from routing.roster import load_roster
from routing.spapi.emulator.dataset import JobStore, load_job_files, load_jobs
from routing.spapi.models import GetServiceJobsResponse
from tests.routing.example_scripts import run_into

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
SEATTLE = ZoneInfo("America/Los_Angeles")
FIRST, LAST, EXAMPLE_DAY = date(2026, 11, 2), date(2026, 11, 29), date(2026, 12, 1)
PERIOD = ["--from", FIRST.isoformat(), "--to", LAST.isoformat()]


@pytest.fixture(scope="module")
def jobs() -> list[dict[str, Any]]:
    return load_jobs(EXAMPLES / "history.json")


def appointments(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for job in jobs for a in job["appointments"]]


def local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(SEATTLE).date()


def test_history_is_a_getservicejobs_response_of_the_roster(jobs: list[dict[str, Any]]) -> None:
    raw = json.loads((EXAMPLES / "history.json").read_text(encoding="utf-8"))
    response = GetServiceJobsResponse.model_validate(raw)
    assert response.payload is not None and response.payload.total_result_size == len(jobs)
    roster = {t.id: t.name for t in load_roster(EXAMPLES / "roster.yaml").technicians}
    assigned = {(t["technicianId"], t["name"]) for a in appointments(jobs)
                for t in a.get("assignedTechnicians", ())}
    assert assigned == set(roster.items())  # everyone worked, under their roster name
    day_ids = {j["serviceJobId"] for j in load_jobs(EXAMPLES / "jobs.json")}
    assert not day_ids & {j["serviceJobId"] for j in jobs}


def test_history_holds_every_kind_of_outcome(jobs: list[dict[str, Any]]) -> None:
    statuses = Counter(j["serviceJobStatus"] for j in jobs)
    assert set(statuses) == {"COMPLETED", "CANCELLED", "NOT_SERVICED"}
    assert statuses["COMPLETED"] > 0.85 * len(jobs)
    for appointment in appointments(jobs):
        if appointment["appointmentStatus"] == "COMPLETED":
            poa = appointment["poa"]
            assert poa["uploadingTechnician"] == appointment["assignedTechnicians"][0][
                "technicianId"]
            assert poa["poaType"] in {"CUSTOMER_SIGNATURE", "POA_RECEIPT"}
            assert poa["uploadTime"] > appointment["appointmentTime"]["startTime"]
    # Cancelled after assignment: the cancelled job's appointment names its technician.
    assert any(j["serviceJobStatus"] == "CANCELLED" and j["appointments"][-1].get(
        "assignedTechnicians") for j in jobs)
    # Late completion: a POA uploaded after the local midnight ending the appointment's day.
    assert any(local_day(a["poa"]["uploadTime"]) > local_day(a["appointmentTime"]["startTime"])
               for a in appointments(jobs) if "poa" in a)
    # Technician no-show: the window passed, still ACTIVE and assigned, no POA.
    assert any(a["appointmentStatus"] == "ACTIVE" and a.get("assignedTechnicians")
               and local_day(a["appointmentTime"]["startTime"]) <= LAST for a in
               appointments(jobs))


def test_reschedule_pointers_go_both_ways_and_stay_in_their_job(
        jobs: list[dict[str, Any]]) -> None:
    directions: Counter[str] = Counter()
    for job in jobs:
        ids = [a["appointmentId"] for a in job["appointments"]]
        for position, appointment in enumerate(job["appointments"]):
            target = appointment.get("rescheduledAppointmentId")
            if target is None:
                continue
            assert target in ids and target != appointment["appointmentId"]
            directions["new→old" if ids.index(target) < position else "old→new"] += 1
    assert directions["new→old"] > 3 and directions["old→new"] > 3
    assert any(len(job["appointments"]) >= 3 for job in jobs)  # a chain of three


def test_the_example_day_is_left_alone(jobs: list[dict[str, Any]]) -> None:
    days = {local_day(a["appointmentTime"]["startTime"]) for a in appointments(jobs)}
    assert min(days) == FIRST and EXAMPLE_DAY not in days
    assert max(d for d in days if d < EXAMPLE_DAY) <= LAST


def test_the_visit_log_matches_the_history_but_for_one_bad_row(
        jobs: list[dict[str, Any]]) -> None:
    log = read_visit_log(EXAMPLES / "visits.csv")
    (problem,) = log.problems
    assert "is before started_at" in str(problem)
    known = {(a["appointmentId"], j["serviceJobId"]) for j in jobs for a in j["appointments"]}
    assert {(r.appointment_id, r.service_job_id) for r in log.rows} <= known
    outcomes = Counter(r.outcome.value if r.outcome else "" for r in log.rows)
    assert set(outcomes) == {"completed", "incomplete", "customer_no_show"}
    with (EXAMPLES / "visits.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["arrived_at"].endswith("-08:00") for r in rows)  # ISO 8601, with offset


@pytest.mark.slow
def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    generator = run_into("generate_history.py", tmp_path,
                         {"HISTORY_FILE": "history.json", "VISITS_FILE": "visits.csv"})
    other, _ = generator.build(1)
    assert [j["serviceJobId"] for j in other] != [j["serviceJobId"] for j in load_jobs(
        EXAMPLES / "history.json")]


def test_the_emulator_serves_day_and_month_and_dates_updates_by_poa() -> None:
    served = load_job_files(EMULATOR_DATASETS)
    assert len(served) == len(load_jobs(EXAMPLES / "jobs.json")) + len(
        load_jobs(EXAMPLES / "history.json"))
    store = JobStore(served)
    for stored in store.jobs:
        uploads = [datetime.fromisoformat(a["poa"]["uploadTime"])
                   for a in stored.appointments() if "poa" in a]
        assert stored.last_updated == max([stored.created, *uploads])  # type: ignore[type-var]
    # A completed job created in October but finished in November is an update of November.
    late = [s for s in store.jobs if s.created and s.last_updated
            and s.last_updated - s.created > timedelta(days=3)]
    assert late


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The audit of the offline month, as README shows it (one emulator run)."""
    out = tmp_path_factory.mktemp("month")
    code = main(["audit", "--source", "emulator", *PERIOD, "--visits",
                 str(EXAMPLES / "visits.csv"), "--history", str(out / "history.sqlite3"),
                 "--json", str(out / "audit.json"), "--html", str(out / "report.html")])
    assert code == 0
    report: dict[str, Any] = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    report["html"] = (out / "report.html").read_text(encoding="utf-8")
    return report


def crossing(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(t["name"], metric) for t in report["technicians"]
            for metric, limit in report["thresholds"].items()
            if (t["metrics"][metric]["rate"] or 0) > limit}


@pytest.mark.slow
def test_the_offline_audit_finds_the_two_technicians_who_cross_a_threshold(
        month: dict[str, Any]) -> None:
    assert crossing(month) == {("Hector Morales", "late_start"),
                               ("Dmitri Volkov", "late_completion")}
    assert month["technicians"][0]["name"] in {"Hector Morales", "Dmitri Volkov"}  # worst first
    overall = month["overall"]
    for metric, limit in month["thresholds"].items():
        assert overall[metric]["rate"] <= limit, metric  # the provider as a whole is fine
    for metric in ("technician_no_show", "customer_no_show", "reschedule",
                   "cancellation_after_assignment", "fulfillment_break"):
        assert overall[metric]["numerator"] > 0, metric
    assert {d["date"] for d in month["days"]} <= {
        (FIRST + timedelta(days=n)).isoformat() for n in range(28)}
    assert "Hector Morales" in month["html"] and "<svg" in month["html"]


def test_fail_on_turns_the_findings_into_an_exit_code(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Overall the month is within Amazon's thresholds; a stricter rule is crossed.
    code = main(["audit", "--source", str(EXAMPLES / "history.json"), *PERIOD, "--visits",
                 str(EXAMPLES / "visits.csv"), "--timezone", "America/Los_Angeles",
                 "--fail-on", "late_start>3%"])
    err = capsys.readouterr().err
    assert code == THRESHOLD_CROSSED
    assert "line " in err and "row left out" in err


@pytest.mark.slow
def test_the_example_day_through_the_emulator_is_unchanged_by_the_month(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def listed() -> list[str]:
        assert main(["jobs", "--date", EXAMPLE_DAY.isoformat(), "--source", "emulator",
                     "--no-cache", "--json"]) == 0
        return sorted(json.loads(line)["service_job_id"]
                      for line in capsys.readouterr().out.splitlines())

    with_month = listed()
    monkeypatch.setattr(common, "EMULATOR_DATASETS", (EXAMPLES / "jobs.json",))
    assert with_month == listed()
    assert set(with_month) <= {j["serviceJobId"] for j in load_jobs(EXAMPLES / "jobs.json")}
