"""sent_records: what the audit reads back from write-back journals (assign, fulfill, …)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from routing.audit import Metric, SentRecord, sent_records
from routing.audit.visitlog import parse_visit_log
from routing.visits import Window
from routing.writeback import Journal, Outcome, State, fulfillment_rows
from tests.routing.audit.builders import DAY, LATER, appt, at, job, rate, run

ASSIGN_KEY = ("SJ", "A", "assign")


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.sqlite") as opened:
        yield opened


def write(journal: Journal, plan_id: str, key: tuple[str, str, str], request: dict[str, object],
          state: State = State.OK) -> None:
    journal.start(plan_id, key, json.dumps(request, sort_keys=True))
    journal.finish(plan_id, key, Outcome(state))


def test_a_fulfill_row_gives_the_times_and_the_technician_sent(journal: Journal) -> None:
    write(journal, "p1", ASSIGN_KEY, {"resources": ["T-PLANNED"]})
    write(journal, "v1", ("SJ", "A", "fulfill"), {
        "start": "2026-12-01T17:15:00Z", "end": "2026-12-01T18:30:00Z", "resources": ["T-DID"]})
    [record] = sent_records([journal])
    assert record.fulfillment_start == at(DAY, 9, 15)
    assert record.fulfillment_end == at(DAY, 10, 30)
    assert record.has_fulfillment
    assert record.technician_id == "T-DID"  # who did the visit, over who was assigned


def test_a_fulfill_row_without_resources_keeps_the_assigned_technician(journal: Journal) -> None:
    write(journal, "p1", ASSIGN_KEY, {"resources": ["T-PLANNED"]})
    write(journal, "v1", ("SJ", "A", "fulfill"),
          {"start": "2026-12-01T17:15:00Z", "end": "2026-12-01T18:30:00Z"})
    [record] = sent_records([journal])
    assert record.technician_id == "T-PLANNED"


def test_failed_and_unfinished_calls_are_not_what_amazon_took(journal: Journal) -> None:
    write(journal, "v1", ("SJ", "A", "fulfill"),
          {"start": "2026-12-01T17:15:00Z", "end": "2026-12-01T18:30:00Z"}, State.FAILED)
    journal.start("v2", ("SJ", "B", "fulfill"),
                  json.dumps({"start": "2026-12-01T17:15:00Z", "end": "2026-12-01T18:30:00Z"}))
    assert sent_records([journal]) == []


def test_a_reschedule_row_gives_its_reason_code(journal: Journal) -> None:
    """The booking work journals kind ``reschedule`` with Amazon's request body."""
    write(journal, "b1", ("SJ", "A", "reschedule"), {
        "appointmentTime": {"startTime": "2026-12-02T17:00:00Z", "durationInMinutes": 120},
        "rescheduleReasonCode": "TECHNICIAN_UNAVAILABLE"})
    write(journal, "p1", ("SJ", "A", "eta"),
          {"start": "2026-12-01T17:00:00Z", "end": "2026-12-01T18:00:00Z"})
    [record] = sent_records([journal])
    assert record == SentRecord(
        "SJ", "A", arrival_estimate=Window(at(DAY, 9), at(DAY, 10)),
        reschedule_reason="TECHNICIAN_UNAVAILABLE")


def test_the_audit_attributes_a_journalled_reschedule_to_the_provider(journal: Journal) -> None:
    rescheduled = job("SJ", appt("A", at(DAY, 9), status="CANCELLED", rescheduled="B"),
                      appt("B", at(DAY, 14)))
    other = job("SJ2", appt("C", at(DAY, 9), status="CANCELLED", rescheduled="D"),
                appt("D", at(DAY, 15)))
    write(journal, "b1", ("SJ", "A", "reschedule"), {"rescheduleReasonCode": "TECHNICIAN_SICK"})
    audit = run(rescheduled, other, sent=sent_records([journal]))
    assert rate(audit, Metric.RESCHEDULE) == (2, 4)
    assert rate(audit, Metric.RESCHEDULE_PROVIDER) == (1, 4)
    assert rate(audit, Metric.RESCHEDULE_UNATTRIBUTED) == (1, 4)


def test_the_audit_reads_arrival_and_finish_from_a_fulfill_journal_alone(
        journal: Journal) -> None:
    """No visit log at audit time: what `routeplan fulfill` sent stands in for it."""
    log = parse_visit_log(
        "appointment_id,service_job_id,technician_id,arrived_at,started_at,finished_at\n"
        "A,SJ,T2,2026-12-01T09:40:00-08:00,2026-12-01T09:50:00-08:00,2026-12-01T11:30:00-08:00\n"
        "C,SJ2,T2,2026-12-01T12:20:00-08:00,,2026-12-01T13:00:00-08:00\n")
    for row in fulfillment_rows(log, now=LATER):
        assert row.action is not None
        write(journal, row.identity, row.action.key, row.action.request)
    jobs = (job("SJ", appt("A", at(DAY, 9))), job("SJ2", appt("C", at(DAY, 10))))
    audit = run(*jobs, sent=sent_records([journal]))
    by_id = {a.appointment_id: a for a in audit.appointments}
    assert by_id["A"].arrived_at == at(DAY, 9, 50)  # the start sent: started_at
    assert by_id["A"].finished_at == at(DAY, 11, 30)
    assert by_id["C"].arrived_at == at(DAY, 12, 20)  # no started_at: arrived_at was sent
    assert by_id["A"].technician_id == "T2"  # the resource sent, over assignedTechnicians
    assert rate(audit, Metric.ON_TIME_ARRIVAL) == (1, 2)  # C arrived after its window
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (0, 2)
