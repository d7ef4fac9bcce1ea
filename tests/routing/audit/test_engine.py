"""Each metric of issue #11 on hand-built appointments."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.audit import AuditSettings, JobZones, Metric, SentRecord, audit_jobs
from routing.audit.visitlog import VisitOutcome
from routing.spapi.models import ServiceJob
from routing.visits import Window
from tests.routing.audit.builders import (
    DAY,
    LA,
    appt,
    at,
    findings,
    job,
    rate,
    run,
    visit,
)
from tests.routing.test_plan import small_plan

GUIDE_EXAMPLES = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "spapi" / "guide-examples"
)


def test_the_guides_completed_job() -> None:
    payload = json.loads((GUIDE_EXAMPLES / "6-completed-job.json").read_text())["payload"]
    job_ = ServiceJob.model_validate(payload)
    settings = AuditSettings(
        start=date(2020, 1, 31), end=date(2020, 1, 31), timezone=ZoneInfo("UTC"),
        now=datetime(2020, 2, 1, tzinfo=UTC),
    )
    audit = audit_jobs([job_], settings, zones=lambda _: ZoneInfo("UTC"))
    assert rate(audit, Metric.LATE_COMPLETION) == (0, 1)  # POA uploaded 08:38 the same day
    # No visit log, no fulfillment sent: the POA upload time is the only completion time,
    # exactly window end + the planned 60 minutes, the latest on-time finish.
    assert rate(audit, Metric.COMPLETION_IN_WINDOW) == (1, 1)
    assert rate(audit, Metric.LATE_START) == (0, 0)  # no start known
    assert rate(audit, Metric.FIRST_VISIT_COMPLETION) == (1, 1)
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (0, 1)
    assert rate(audit, Metric.FULFILLMENT_BREAK) == (0, 1)
    assert audit.appointments[0].technician_id == "technicianIdExample"  # the POA uploader
    assert audit.names == {"technicianIdExample": "nameExample"}
    assert audit.appointments[0].findings == []


def _chain(forward: bool) -> ServiceJob:
    ids = ["A", "B", "C", "D"]
    appointments = []
    for index, appointment_id in enumerate(ids):
        if forward:  # as the guide prints it: the cancelled original names its replacement
            link = ids[index + 1] if index < 3 else None
        else:  # the replacement names the appointment it reschedules
            link = ids[index - 1] if index > 0 else None
        appointments.append(
            appt(appointment_id, at(DAY, 8 + 2 * index), rescheduled=link,
                 status="ACTIVE" if appointment_id == "D" else "CANCELLED")
        )
    return job("SJ", *reversed(appointments))  # listed order does not decide either


@pytest.mark.parametrize("forward", [True, False], ids=["forward", "backward"])
def test_a_chain_of_three_reschedules_either_pointer_direction(forward: bool) -> None:
    audit = run(_chain(forward))
    assert rate(audit, Metric.RESCHEDULE) == (3, 4)
    assert rate(audit, Metric.RESCHEDULE_UNATTRIBUTED) == (3, 4)
    assert [a for a in "ABCD" if Metric.RESCHEDULE in findings(audit, a)] == ["A", "B", "C"]
    assert rate(audit, Metric.FULFILLMENT_BREAK) == (1, 1)
    first = findings(audit, "A")
    assert Metric.BREAK_RESCHEDULED in first and Metric.BREAK_SEVERAL_APPOINTMENTS in first
    assert Metric.BREAK_CANCELLED not in first
    # the replaced ones are not due, the live one is: it is the only possible no-show
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (1, 1)


def test_a_reschedule_routeplan_sent_with_a_provider_reason_is_the_providers() -> None:
    sent = [SentRecord("SJ", "A", reschedule_reason="TECHNICIAN_UNAVAILABLE")]
    audit = run(_chain(True), sent=sent)
    assert rate(audit, Metric.RESCHEDULE_PROVIDER) == (1, 4)
    assert rate(audit, Metric.RESCHEDULE_UNATTRIBUTED) == (2, 4)


def _completed(finish: datetime, day: date = DAY, tz: ZoneInfo = LA) -> ServiceJob:
    start = at(day, 20, tz=tz)
    return job("SJ", appt("A", start, minutes=180, status="COMPLETED",
                          poa_at=finish, poa_by="T1"), status="COMPLETED")


@pytest.mark.parametrize(
    ("finish", "late"),
    [
        (at(DAY, 23, 59), False),
        (at(DAY + timedelta(days=1), 0, 1), True),
    ],
    ids=["23:59", "00:01"],
)
def test_late_completion_is_after_local_midnight(finish: datetime, late: bool) -> None:
    audit = run(_completed(finish))
    assert rate(audit, Metric.LATE_COMPLETION) == (int(late), 1)
    assert rate(audit, Metric.BREAK_LATE_COMPLETION) == (int(late), 1)
    assert (Metric.LATE_COMPLETION in findings(audit, "A")) is late


@pytest.mark.parametrize(
    ("day", "finish_day", "hour", "minute", "late"),
    [
        # 2026-03-08 has 23 hours: midnight + 24 h would wrongly allow 00:30 next day
        (date(2026, 3, 8), date(2026, 3, 9), 0, 30, True),
        (date(2026, 3, 8), date(2026, 3, 8), 23, 59, False),
        # 2026-11-01 has 25 hours: midnight + 24 h would wrongly fault 23:30
        (date(2026, 11, 1), date(2026, 11, 1), 23, 30, False),
        (date(2026, 11, 1), date(2026, 11, 2), 0, 1, True),
    ],
)
def test_late_completion_on_dst_days(
    day: date, finish_day: date, hour: int, minute: int, late: bool
) -> None:
    audit = run(_completed(at(finish_day, hour, minute), day), start=day, end=day)
    assert rate(audit, Metric.LATE_COMPLETION) == (int(late), 1)


def test_the_local_date_follows_the_jobs_timezone() -> None:
    # 20:00 in Los Angeles on Dec 1 is Dec 2 in UTC: audited on Dec 1, local midnight
    late_utc_but_not_local = _completed(at(DAY, 23, 30))
    audit = run(late_utc_but_not_local)
    assert [a.local_date for a in audit.appointments] == [DAY]
    assert rate(audit, Metric.LATE_COMPLETION) == (0, 1)


def test_an_unanswered_appointment_is_a_no_show_and_a_poa_alone_is_not() -> None:
    silent = job("SJ1", appt("A1", at(DAY, 9)))
    poa_only = job("SJ2", appt("A2", at(DAY, 9), poa_at=at(DAY, 10), poa_by="T1"))
    not_yet = job("SJ3", appt("A3", at(DAY, 16)))
    audit = run(silent, poa_only, not_yet, now=at(DAY, 12))
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (1, 2)
    assert Metric.TECHNICIAN_NO_SHOW in findings(audit, "A1")
    assert findings(audit, "A2") == []


def test_a_customer_no_show_is_not_the_technicians() -> None:
    row = visit("SJ", "A", arrived=at(DAY, 9, 30), outcome=VisitOutcome.CUSTOMER_NO_SHOW)
    audit = run(job("SJ", appt("A", at(DAY, 9))), visits=[row])
    assert rate(audit, Metric.CUSTOMER_NO_SHOW) == (1, 1)
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (0, 1)
    assert rate(audit, Metric.ON_TIME_ARRIVAL) == (1, 1)


@pytest.mark.parametrize("afterwards", ["rescheduled", "cancelled"])
def test_a_customer_no_show_counts_when_the_buyer_rebooks_or_cancels_afterwards(
    afterwards: str,
) -> None:
    """The visit happened while the appointment was live: it was due, whatever became of
    it; an appointment replaced without a visit is still not due."""
    later = [appt("B", at(DAY, 14), rescheduled="A")] if afterwards == "rescheduled" else []
    missed = job("SJ1", appt("A", at(DAY, 9), status="CANCELLED"), *later)
    moved = job("SJ2", appt("C", at(DAY, 8), status="CANCELLED"),
                appt("D", at(DAY, 15), rescheduled="C"))
    row = visit("SJ1", "A", arrived=at(DAY, 9, 30), outcome=VisitOutcome.CUSTOMER_NO_SHOW)
    audit = run(missed, moved, visits=[row], now=at(DAY, 12))
    assert rate(audit, Metric.CUSTOMER_NO_SHOW) == (1, 1)
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (0, 1)
    assert Metric.CUSTOMER_NO_SHOW in findings(audit, "A")


def test_an_unknown_status_is_reported_and_counted_only_as_an_appointment() -> None:
    audit = run(job("SJ", appt("A", at(DAY, 9), status="PAUSED"), status="ON_ICE"))
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (0, 0)
    assert rate(audit, Metric.RESCHEDULE) == (0, 1)
    assert rate(audit, Metric.CANCELLATION_AFTER_ASSIGNMENT) == (0, 1)
    assert any("PAUSED" in p for p in audit.problems)
    assert any("ON_ICE" in p for p in audit.problems)


@pytest.mark.parametrize(
    ("hour", "minute", "on_time", "early"),
    [(8, 59, False, True), (9, 0, True, False), (11, 0, True, False), (11, 1, False, False)],
)
def test_on_time_and_early_arrival(hour: int, minute: int, on_time: bool, early: bool) -> None:
    row = visit("SJ", "A", arrived=at(DAY, hour, minute))
    audit = run(job("SJ", appt("A", at(DAY, 9))), visits=[row])  # window 09:00-11:00
    assert rate(audit, Metric.ON_TIME_ARRIVAL) == (int(on_time), 1)
    assert rate(audit, Metric.EARLY_ARRIVAL) == (int(early), 1)
    assert (Metric.EARLY_ARRIVAL in findings(audit, "A")) is False  # not a fault


def test_late_start_counts_completed_appointments_started_outside_the_window() -> None:
    rows = [
        visit("SJ1", "A1", arrived=at(DAY, 10, 50), started=at(DAY, 11, 5),
              finished=at(DAY, 12), outcome=VisitOutcome.COMPLETED),
        visit("SJ2", "A2", arrived=at(DAY, 9, 10), finished=at(DAY, 10),
              outcome=VisitOutcome.COMPLETED),
        visit("SJ3", "A3", arrived=at(DAY, 12)),  # not completed: not counted
    ]
    jobs = [job(f"SJ{n}", appt(f"A{n}", at(DAY, 9))) for n in (1, 2, 3)]
    audit = run(*jobs, visits=rows)
    assert rate(audit, Metric.LATE_START) == (1, 2)
    assert Metric.LATE_START in findings(audit, "A1")
    assert rate(audit, Metric.ON_TIME_ARRIVAL) == (2, 3)


def test_completion_in_window_allows_the_planned_duration_after_the_window() -> None:
    # TV_MOUNTING is planned at 90 minutes; window 09:00-11:00: latest finish 12:30
    def done(n: int, finish: datetime) -> tuple[ServiceJob, object]:
        return job(f"SJ{n}", appt(f"A{n}", at(DAY, 9))), visit(
            f"SJ{n}", f"A{n}", arrived=at(DAY, 10), finished=finish,
            outcome=VisitOutcome.COMPLETED,
        )

    pairs = [done(1, at(DAY, 12, 30)), done(2, at(DAY, 12, 31))]
    audit = run(*(p[0] for p in pairs), visits=[p[1] for p in pairs])  # type: ignore[misc]
    assert rate(audit, Metric.COMPLETION_IN_WINDOW) == (1, 2)
    assert Metric.COMPLETION_IN_WINDOW in findings(audit, "A2")


def test_attribution_visit_log_then_poa_then_sent_then_assigned() -> None:
    base = appt("A", at(DAY, 9), technician="T-ASSIGNED", poa_at=at(DAY, 10), poa_by="T-POA")
    sent = SentRecord("SJ", "A", technician_id="T-SENT")
    row = visit("SJ", "A", technician="T-LOG", arrived=at(DAY, 9))
    cases = [
        ([row], [sent], base, "T-LOG"),
        ([], [sent], base, "T-POA"),
        ([], [sent], appt("A", at(DAY, 9), technician="T-ASSIGNED"), "T-SENT"),
        ([], [], appt("A", at(DAY, 9), technician="T-ASSIGNED"), "T-ASSIGNED"),
    ]
    for rows, sents, appointment, expected in cases:
        audit = run(job("SJ", appointment), visits=rows, sent=sents)
        assert audit.appointments[0].technician_id == expected
        assert list(audit.by_technician()) == [expected]


def test_cancellation_after_assignment_and_its_fulfillment_break() -> None:
    cancelled = job("SJ1", appt("A1", at(DAY, 9), status="CANCELLED"), status="CANCELLED")
    never_assigned = job("SJ2", appt("A2", at(DAY, 9), status="CANCELLED", technician=None),
                         status="CANCELLED")
    fine = job("SJ3", appt("A3", at(DAY, 9), status="COMPLETED", poa_at=at(DAY, 10),
                           poa_by="T1"), status="COMPLETED")
    audit = run(cancelled, never_assigned, fine)
    assert rate(audit, Metric.CANCELLATION_AFTER_ASSIGNMENT) == (1, 2)
    assert rate(audit, Metric.BREAK_CANCELLED) == (1, 2)
    assert rate(audit, Metric.FULFILLMENT_BREAK) == (1, 2)


def test_an_incomplete_first_visit_breaks_the_job_and_the_second_completes_it() -> None:
    next_day = DAY + timedelta(days=1)
    the_job = job(
        "SJ",
        appt("A1", at(DAY, 9), status="CANCELLED"),
        appt("A2", at(next_day, 9), status="COMPLETED", poa_at=at(next_day, 10), poa_by="T1"),
        status="COMPLETED",
    )
    row = visit("SJ", "A1", arrived=at(DAY, 9, 15), finished=at(DAY, 9, 45),
                outcome=VisitOutcome.INCOMPLETE)
    audit = run(the_job, visits=[row], end=next_day)
    assert rate(audit, Metric.FIRST_VISIT_COMPLETION) == (0, 1)
    assert rate(audit, Metric.BREAK_INCOMPLETE_FIRST_VISIT) == (1, 1)
    assert rate(audit, Metric.BREAK_SEVERAL_APPOINTMENTS) == (1, 1)
    assert rate(audit, Metric.BREAK_RESCHEDULED) == (0, 1)  # no reschedule link
    assert sorted(audit.by_day()) == [DAY, next_day]


def test_eta_accuracy_uses_the_estimate_routeplan_sent() -> None:
    estimate = Window(at(DAY, 9, 30), at(DAY, 10))
    jobs = [job(f"SJ{n}", appt(f"A{n}", at(DAY, 9))) for n in (1, 2, 3)]
    sent = [SentRecord(f"SJ{n}", f"A{n}", arrival_estimate=estimate) for n in (1, 2)]
    rows = [visit("SJ1", "A1", arrived=at(DAY, 9, 45)), visit("SJ2", "A2", arrived=at(DAY, 10, 5)),
            visit("SJ3", "A3", arrived=at(DAY, 9, 45))]
    audit = run(*jobs, visits=rows, sent=sent)
    assert rate(audit, Metric.ETA_ACCURACY) == (1, 2)


def test_fulfillment_times_sent_stand_in_for_a_missing_visit_log() -> None:
    sent = SentRecord("SJ", "A", fulfillment_start=at(DAY, 11, 30), fulfillment_end=at(DAY, 13))
    audit = run(job("SJ", appt("A", at(DAY, 9))), sent=[sent])
    assert rate(audit, Metric.ON_TIME_ARRIVAL) == (0, 1)
    assert rate(audit, Metric.TECHNICIAN_NO_SHOW) == (0, 1)
    assert audit.appointments[0].finished_at == at(DAY, 13)


def test_schedule_adherence_utilisation_and_drive_come_from_the_plan() -> None:
    plan = small_plan()  # T1, SJ-1/APPT-1 planned to arrive 08:40, shift 08:00-17:00, 40 min drive
    rows = [visit("SJ-1", "APPT-1", arrived=at(DAY, 8, 50), started=at(DAY, 9),
                  finished=at(DAY, 11, 5), outcome=VisitOutcome.COMPLETED)]
    audit = run(job("SJ-1", appt("APPT-1", at(DAY, 9))), visits=rows, plans=[plan])
    assert rate(audit, Metric.SCHEDULE_ADHERENCE) == (1, 1)  # 10 minutes off
    assert rate(audit, Metric.UTILISATION) == (135, 540)  # 08:50-11:05 on site, 9 h shift
    assert rate(audit, Metric.PLANNED_DRIVE_PER_JOB) == (40, 1)
    assert rate(audit, Metric.DURATION_RATIO) == (125, 60)  # planned 09:00-10:00
    assert audit.duration_samples == {"TV_MOUNTING": [125 / 60]}
    assert audit.names["T1"] == "Ana"


def test_unknown_ids_in_the_visit_log_are_reported_not_fatal() -> None:
    rows = [visit("SJ", "A", arrived=at(DAY, 9)), visit("SJ-X", "A-X", line=7)]
    audit = run(job("SJ", appt("A", at(DAY, 9))), visits=rows)
    assert rate(audit, Metric.ON_TIME_ARRIVAL) == (1, 1)
    assert audit.problems == [
        "visit log line 7: appointment A-X of job SJ-X is not among the jobs audited"
    ]


def test_appointments_outside_the_period_are_not_counted() -> None:
    audit = run(job("SJ", appt("A", at(DAY + timedelta(days=1), 9))))
    assert audit.appointments == []
    assert audit.overall().rate(Metric.RESCHEDULE).rate is None


def test_job_zones_place_the_address_offline() -> None:
    def located(postal: str) -> ServiceJob:
        return ServiceJob.model_validate({
            "serviceJobId": "SJ",
            "serviceLocation": {"address": {"name": "x", "addressLine1": "1 Main St",
                                            "postalCode": postal, "countryCode": "US"}},
        })

    zones = JobZones(ZoneInfo("UTC"))
    assert zones(located("98109")).key == "America/Los_Angeles"
    assert zones(located("10001")).key == "America/New_York"
    assert zones(located("nowhere")).key == "UTC"
    assert zones(ServiceJob.model_validate({"serviceJobId": "SJ"})).key == "UTC"
