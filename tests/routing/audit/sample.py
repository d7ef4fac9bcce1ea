"""A small audit over two weeks and three technicians, one with a hostile name."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from routing.audit import AuditReport, build_report
from routing.audit.visitlog import VisitOutcome
from tests.routing.audit.builders import appt, at, job, run, visit

HOSTILE = '<script>alert("x")</script>&=cmd|\' /C calc\'!A0'
FIRST = date(2026, 11, 30)  # a Monday
LAST = FIRST + timedelta(days=13)


def sample_report() -> AuditReport:
    jobs, rows = [], []
    for n in range(14):
        day = FIRST + timedelta(days=n)
        for technician, late_minutes in (("T1", 0), ("T2", 150 if n % 3 == 0 else 10)):
            job_id, appointment_id = f"SJ-{technician}-{n}", f"A-{technician}-{n}"
            jobs.append(job(job_id, appt(appointment_id, at(day, 9), technician=technician,
                                         status="COMPLETED"), status="COMPLETED"))
            arrived = at(day, 9) + timedelta(minutes=late_minutes)
            rows.append(visit(job_id, appointment_id, technician=technician, arrived=arrived,
                              finished=arrived + timedelta(hours=1),
                              outcome=VisitOutcome.COMPLETED))
    hostile: dict[str, Any] = appt("A-EVIL", at(FIRST, 13), technician="=EVIL")
    hostile["assignedTechnicians"][0]["name"] = HOSTILE
    jobs.append(job("SJ-EVIL", hostile))
    return build_report(run(*jobs, visits=rows, start=FIRST, end=LAST))
