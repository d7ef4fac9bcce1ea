"""apply_plan against the emulator: exactly-once writes, faults, failures, warnings, resuming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.spapi.emulator import Emulator, ResourceRule
from routing.writeback import (
    Action,
    ActionKind,
    Journal,
    Outcome,
    ResultStatus,
    State,
    apply_plan,
    eta_window,
    plan_identity,
)
from routing.writeback.actions import targets_of
from routing.writeback.apply import RESENT_NOTE
from tests.routing.writeback.conftest import ASSIGN, ETA, fast_client, landed, per_appointment
from tests.routing.writeback.plans import arrival_of, jobs, plan_for


class FaultEveryFewSteps:
    """A progress hook that queues a 429 or a 500 for the next write every few steps."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.steps = 0
        self.stage = ""

    def begin(self, stage: str, total: int) -> None:
        self.stage = stage

    def advance(self) -> None:
        self.steps += 1
        if self.stage == "writing" and self.steps % 3 == 0:
            operation = ASSIGN if self.steps % 2 else ETA
            self.emulator.faults.inject(operation, 429 if self.steps % 4 else 500,
                                        count=1 + self.steps % 2)


def test_200_appointments_through_429s_and_500s_are_each_written_exactly_once(
        journal: Journal) -> None:
    data = jobs(200, assigned={i: "T-OLD" for i in range(0, 200, 10)})
    plan = plan_for(data, ["T1", "T2", "T3", "T4"])
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        emulator.faults.inject("getServiceJobByServiceJobId", 500, count=3)
        faults = FaultEveryFewSteps(emulator)
        report = apply_plan(plan, client, journal=journal, progress=faults)
        refused = [c for c in emulator.calls if c.status in (429, 500)]
        assigns, etas = per_appointment(landed(emulator, ASSIGN)), \
            per_appointment(landed(emulator, ETA))
        assignments, fulfillments = emulator.assignments, emulator.fulfillments
    expected = {(j["serviceJobId"], j["appointments"][0]["appointmentId"]) for j in data}
    assert len(refused) > 50  # the faults really happened, on both writes
    assert {c.operation for c in refused} >= {ASSIGN, ETA}
    assert report.succeeded, [r.detail for r in report.results if r.status == "failed"]
    assert assigns == {key: 1 for key in expected}
    assert etas == {key: 1 for key in expected}
    for index, job in enumerate(data):
        key = (job["serviceJobId"], job["appointments"][0]["appointmentId"])
        assert assignments[key] == [f"T{index % 4 + 1}"]
        arrival = arrival_of(job).astimezone(UTC)
        window = fulfillments[key]["estimatedArrivalTime"]
        assert datetime.fromisoformat(window["startTime"]) == arrival - timedelta(minutes=30)
        assert datetime.fromisoformat(window["endTime"]) == arrival + timedelta(minutes=30)
    assert {e.state for e in journal.entries(report.plan_id)} == {State.OK}
    assert len(journal.entries(report.plan_id)) == 400


def test_a_finished_plan_run_again_sends_nothing(journal: Journal) -> None:
    data = jobs(6)
    plan = plan_for(data, ["T1", "T2"])
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        first = apply_plan(plan, client, journal=journal)
        puts_before = [c for c in emulator.calls if c.method == "PUT"]
        second = apply_plan(plan, client, journal=journal)
        puts_after = [c for c in emulator.calls if c.method == "PUT"]
    assert first.succeeded and second.succeeded
    assert len(puts_before) == 12
    assert puts_after == puts_before
    assert {r.status for r in second.results} == {ResultStatus.DONE_EARLIER}
    assert len(second.results) == 12


def test_unchanged_appointments_get_the_estimate_but_no_assignment(journal: Journal) -> None:
    data = jobs(4, assigned={0: "T1", 1: "T9"})
    plan = plan_for(data, ["T1", "T2"])  # job 0 -> T1 (unchanged), job 1 -> T2 (changed)
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        report = apply_plan(plan, client, journal=journal)
        assigned = per_appointment(landed(emulator, ASSIGN))
        estimated = per_appointment(landed(emulator, ETA))
    assert ("SJ-00000", "AP-00000") not in assigned
    assert set(assigned) == {("SJ-00001", "AP-00001"), ("SJ-00002", "AP-00002"),
                             ("SJ-00003", "AP-00003")}
    assert len(estimated) == 4
    assert report.count(ActionKind.ASSIGN, ResultStatus.OK) == 3


def test_a_422_is_reported_with_amazons_code_and_the_others_proceed(journal: Journal) -> None:
    data = jobs(5)
    plan = plan_for(data, ["T1", "T2"])  # T2 gets jobs 1 and 3
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        emulator.resource_rules.update({
            "T1": ResourceRule(), "T2": ResourceRule(skills=frozenset({"PLUMBING"}))})
        report = apply_plan(plan, client, journal=journal)
        assigned = per_appointment(landed(emulator, ASSIGN))
        estimated = per_appointment(landed(emulator, ETA))
        row = journal.entry(report.plan_id, ("SJ-00001", "AP-00001", "assign"))
        # The skill is added at Amazon; the next run retries only what failed.
        emulator.resource_rules["T2"] = ResourceRule()
        puts_before = len([c for c in emulator.calls if c.method == "PUT"])
        retry = apply_plan(plan, client, journal=journal)
        sent_on_retry = [c for c in emulator.calls if c.method == "PUT"][puts_before:]
    failed = [r for r in report.results if r.status is ResultStatus.FAILED]
    assert {r.action.target.service_job_id for r in failed} == {"SJ-00001", "SJ-00003"}
    assert all(r.outcome and r.outcome.codes == ("RESOURCES_MISSING_REQUIRED_SKILLS",)
               for r in failed)
    assert "Missing required" in failed[0].detail
    assert not report.succeeded and report.problems == 2
    assert set(assigned) == {("SJ-00000", "AP-00000"), ("SJ-00002", "AP-00002"),
                             ("SJ-00004", "AP-00004")}
    assert set(estimated) == set(assigned)  # no estimate for a refused technician
    blocked = [r for r in report.results if r.status is ResultStatus.BLOCKED]
    assert len(blocked) == 2
    assert row is not None and row.state is State.FAILED and row.outcome.http_status == 422
    assert row.outcome.request_id
    assert retry.succeeded
    assert sorted((c.operation, c.path.split("/")[4]) for c in sent_on_retry) == [
        (ASSIGN, "SJ-00001"), (ASSIGN, "SJ-00003"), (ETA, "SJ-00001"), (ETA, "SJ-00003")]


def test_an_overbooked_warning_is_reported_and_journalled(journal: Journal) -> None:
    data = jobs(2)
    plan = plan_for(data, ["T1", "T2"])
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        emulator.resource_rules.update({"T1": ResourceRule(overbooked=True),
                                        "T2": ResourceRule()})
        report = apply_plan(plan, client, journal=journal)
    warned = [r for r in report.results if r.status is ResultStatus.WARNING]
    assert [r.action.target.technician_id for r in warned] == ["T1"]
    assert "RESOURCES_OVERBOOKED" in warned[0].detail
    row = journal.entry(report.plan_id, ("SJ-00000", "AP-00000", "assign"))
    assert row is not None and row.state is State.WARNING
    assert row.outcome.codes == ("RESOURCES_OVERBOOKED",)
    assert row.outcome.message == "Resources overbooked for this time window."
    assert report.succeeded  # a warning is a success


def test_calls_cut_off_by_a_crash_are_settled_without_duplicates(journal: Journal) -> None:
    # The previous run died with three calls in flight (journal "started", no outcome):
    # job 0's assignment reached Amazon, job 1's did not, and job 2's estimate is unknown.
    data = jobs(3, assigned={0: "T1"})
    plan = plan_for(data, ["T1"])
    plan_id = plan_identity(plan)
    assign = '{"resources": ["T1"]}'
    start, end = eta_window(arrival_of(data[2]), timedelta(minutes=30))
    eta = Action(ActionKind.ETA, targets_of(plan)[0][2],
                 {"start": _wire(start), "end": _wire(end)}).request_text
    journal.start(plan_id, ("SJ-00000", "AP-00000", "assign"), assign)
    journal.start(plan_id, ("SJ-00001", "AP-00001", "assign"), assign)
    journal.start(plan_id, ("SJ-00002", "AP-00002", "eta"), eta)
    journal.start(plan_id, ("SJ-00002", "AP-00002", "assign"), assign)
    journal.finish(plan_id, ("SJ-00002", "AP-00002", "assign"), Outcome(State.OK))
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        report = apply_plan(plan, client, journal=journal)
        assigned = per_appointment(landed(emulator, ASSIGN))
        estimated = per_appointment(landed(emulator, ETA))
    assert assigned == {("SJ-00001", "AP-00001"): 1}  # job 0 settled from Amazon, 2 was ok
    by_key = {r.action.key: r for r in report.results}
    settled = by_key[("SJ-00000", "AP-00000", "assign")]
    assert settled.status is ResultStatus.OK and not settled.sent
    assert settled.outcome and "already shows T1" in (settled.outcome.note or "")
    resent = by_key[("SJ-00002", "AP-00002", "eta")]
    assert resent.sent and resent.outcome and resent.outcome.note == RESENT_NOTE
    assert estimated == {(f"SJ-0000{i}", f"AP-0000{i}"): 1 for i in range(3)}
    assert {e.state for e in journal.entries(plan_id)} == {State.OK}


def test_a_moved_arrival_is_a_new_plan_whose_estimates_are_sent_again(
        journal: Journal) -> None:
    data = jobs(2)
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        apply_plan(plan_for(data, ["T1"]), client, journal=journal)
        later = apply_plan(plan_for(data, ["T1"], shift=timedelta(minutes=20)), client,
                           journal=journal)
        estimated = per_appointment(landed(emulator, ETA))
        assigned = per_appointment(landed(emulator, ASSIGN))
    assert estimated == {("SJ-00000", "AP-00000"): 2, ("SJ-00001", "AP-00001"): 2}
    assert assigned == {("SJ-00000", "AP-00000"): 1, ("SJ-00001", "AP-00001"): 1}
    assert later.succeeded



def _wire(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_another_margin_sends_the_estimates_again_but_not_the_assignments(
        journal: Journal) -> None:
    data = jobs(2)
    plan = plan_for(data, ["T1"])
    with Emulator(data, enforce_rate_limits=False) as emulator, \
            fast_client(emulator) as client:
        apply_plan(plan, client, journal=journal)
        wider = apply_plan(plan, client, journal=journal, margin=timedelta(hours=1))
        estimated = per_appointment(landed(emulator, ETA))
        assigned = per_appointment(landed(emulator, ASSIGN))
        window = emulator.fulfillments[("SJ-00000", "AP-00000")]["estimatedArrivalTime"]
    assert estimated == {("SJ-00000", "AP-00000"): 2, ("SJ-00001", "AP-00001"): 2}
    assert assigned == {("SJ-00000", "AP-00000"): 1, ("SJ-00001", "AP-00001"): 1}
    assert (datetime.fromisoformat(window["endTime"])
            - datetime.fromisoformat(window["startTime"])) == timedelta(hours=2)
    assert wider.count(ActionKind.ETA, ResultStatus.OK) == 2
