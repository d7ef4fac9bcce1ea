"""Regenerate the example month: ``examples/history.json`` and ``examples/visits.csv``.

Run from the repository root::

    python3 examples/generate_history.py

Four weeks before the example day, Monday 2026-11-02 to Sunday 2026-11-29 (Seattle is
UTC−8 all month: daylight saving time ended on 1 November), worked by the technicians of
``examples/roster.yaml`` on their weekly shifts. ``history.json`` is a ``getServiceJobs``
response like ``jobs.json`` (same fictional buyers, made by ``generate.Day``);
``visits.csv`` is what the technicians' app logged on site. Both are for ``routeplan
audit`` and ``routeplan durations learn``.

Each technician-day is simulated: windows one after the other through the shift, a drive
before each visit, an arrival inside the window unless the drive or the technician runs
late, time on site drawn around the example duration table times a per-skill bias (so that
learning durations has something to change). Outcomes are drawn per visit, at rates most
technicians keep well under Amazon's thresholds, with three exceptions so that the audit
has something to say: Hector Morales starts late (long drives from Kent), Dmitri Volkov
uploads the proof of appointment of evening jobs the next morning (late completion), and
Jamal Carter misses visits (technician no-show). The outcomes:

- completed: appointment and job ``COMPLETED``, ``poa`` uploaded by the technician
  minutes after finishing, a visit-log row (a few have none: POA only);
- rescheduled before the day (both pointer directions of ``rescheduledAppointmentId``, and
  chains of three), incomplete first visit and half the customer no-shows: the appointment
  is ``CANCELLED`` and replaced by one on a later working day;
- the other customer no-shows: the buyer has not rebooked, the appointment stays ``ACTIVE``
  and the job ``NOT_SERVICED`` (the visit row says who was not there);
- technician no-show: the appointment stays ``ACTIVE`` and assigned, the job
  ``NOT_SERVICED``, no visit row, no POA;
- cancelled after assignment: job and appointment ``CANCELLED``, technician assigned.

The visit log holds one deliberately bad row (finish before start) to show the row-problem
report. Deterministic: a fixed seed, no clock, no network; stdlib, PyYAML and ``generate``.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from generate import FIRST, LAST, LOCAL, PLAN_DAY, SERVICES, Day, Service, window, wire_time

SEED = 20261111
FIRST_DAY = date(2026, 11, 2)
LAST_DAY = date(2026, 11, 29)
HERE = Path(__file__).resolve().parent
HISTORY_FILE = HERE / "history.json"
VISITS_FILE = HERE / "visits.csv"
ROSTER_FILE = HERE / "roster.yaml"
DURATIONS_FILE = HERE / "durations.yaml"
VISIT_COLUMNS = ("appointment_id", "service_job_id", "technician_id", "arrived_at",
                 "started_at", "finished_at", "outcome", "note")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: How much longer (or shorter) than the example table a skill really takes on site.
SKILL_BIAS = {"TV_MOUNTING": 1.05, "HOME_THEATER": 1.15, "APPLIANCE_INSTALL": 1.25,
              "PLUMBING": 1.0, "ELECTRICAL": 0.95, "SMART_HOME": 0.8, "FURNITURE_ASSEMBLY": 0.9}


@dataclass(frozen=True)
class Profile:
    """Per-visit probabilities of what goes wrong (the rest completes normally)."""

    late: float = 0.015  # held up on the way: arrives after the window
    no_show: float = 0.004  # technician never comes
    late_poa: float = 0.002  # visit from 15:00 whose POA is uploaded the next morning
    customer_no_show: float = 0.02
    incomplete: float = 0.01
    cancelled: float = 0.012  # the buyer cancels after the technician was assigned
    rescheduled: float = 0.012  # moved before the day
    no_row: float = 0.04  # the app logged nothing (POA only)


PROFILES = {
    "A1B2C3D4E5TECH04": Profile(late_poa=0.15),  # Dmitri: evening POAs the next morning
    "A1B2C3D4E5TECH08": Profile(late=0.2),  # Hector: long drives from Kent
    "A1B2C3D4E5TECH10": Profile(no_show=0.07),  # Jamal
}

POA_TYPES = ("CUSTOMER_SIGNATURE", "CUSTOMER_SIGNATURE", "CUSTOMER_SIGNATURE", "POA_RECEIPT")
NOTES = {
    "customer_no_show": ("nobody home, called twice", "gate locked, no answer",
                         "buyer not home, left a card"),
    "incomplete": ("wall bracket missing from the box", "wrong water valve, part ordered",
                   "outlet needs an electrician first", "appliance damaged in delivery"),
    "late": ("traffic on I-405", "previous job ran long", "bridge closed, detour"),
}


@dataclass
class Technician:
    id: str
    name: str
    skills: frozenset[str]
    shifts: dict[str, str]
    profile: Profile
    services: list[Service] = field(default_factory=list)

    def shift(self, day: date) -> tuple[datetime, datetime] | None:
        text = self.shifts.get(WEEKDAYS[day.weekday()])
        if text is None:
            return None
        start, end = (time.fromisoformat(part) for part in text.split("-"))
        return (datetime.combine(day, start, LOCAL), datetime.combine(day, end, LOCAL))

    @property
    def wire(self) -> dict[str, str]:
        return {"technicianId": self.id, "name": self.name}


@dataclass
class Visit:
    """A slot on a technician-day, with the job it serves (filled in when simulated)."""

    tech: Technician
    start: datetime  # window start, local
    hours: int
    follow_up: dict[str, Any] | None = None  # the job whose earlier appointment it replaces


def read_roster() -> list[Technician]:
    document = yaml.safe_load(ROSTER_FILE.read_text(encoding="utf-8"))
    technicians = []
    for item in document["technicians"]:
        tech = Technician(item["id"], item["name"], frozenset(item["skills"]),
                          dict(item["shifts"]), PROFILES.get(item["id"], Profile()))
        tech.services = [s for s in SERVICES if set(s.skills) <= tech.skills]
        technicians.append(tech)
    return technicians


def planned_minutes() -> dict[str, float]:
    """Minutes on site per ASIN from the example duration table (ASIN, else longest skill).

    The table's rule of ``routing/durations.py``, for the "90m" and "1h45m" it holds: the
    script runs without the project installed."""
    table = yaml.safe_load(DURATIONS_FILE.read_text(encoding="utf-8"))

    def minutes(value: object) -> float:
        text = str(value).removesuffix("m")
        hours, _, rest = text.rpartition("h") if "h" in text else ("0", "", text)
        return float(hours) * 60 + (float(rest) if rest else 0)

    by_skill = {k: minutes(v) for k, v in table["by_skill"].items()}
    by_asin = {k: minutes(v) for k, v in table["by_asin"].items()}
    return {s.asin: by_asin.get(s.asin, max(by_skill[k] for k in s.skills)) for s in SERVICES}


class Month(Day):
    """Builds the month's jobs and visit rows technician-day by technician-day."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.technicians = read_roster()
        self.planned = planned_minutes()
        self.rows: list[dict[str, str]] = []
        self.pending: dict[str, list[dict[str, Any]]] = defaultdict(list)  # 'tech/day' -> jobs

    def buyer(self, area_code: str) -> dict[str, Any]:
        """As on the example day, without the day's limit of 99 distinct phone numbers."""
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        return {"buyerId": self.buyer_id(), "name": name,
                "phone": f"{area_code}-555-01{self.rng.randrange(1, 100):02d}",
                "isPrimeMember": self.rng.random() < 0.6}

    # --- the calendar ---------------------------------------------------------------------
    def next_working_day(self, tech: Technician, after: date, gap: int) -> date | None:
        day = after + timedelta(days=gap)
        while day <= LAST_DAY:
            if tech.shift(day) is not None:
                return day
            day += timedelta(days=1)
        return None

    def run(self) -> None:
        day = FIRST_DAY
        while day <= LAST_DAY:
            for tech in self.technicians:
                self.work(tech, day)
            day += timedelta(days=1)

    # --- one technician-day --------------------------------------------------------------
    def work(self, tech: Technician, day: date) -> None:
        """Two to four windows one after the other through the shift, each far enough
        after the previous one for its planned time on site and a drive (as a planner
        books them); the last starts at least an hour before the shift ends."""
        shift = tech.shift(day)
        if shift is None:
            return
        start = shift[0].replace(minute=0) + timedelta(hours=shift[0].minute > 0)
        clock = shift[0] + timedelta(minutes=self.rng.randrange(15, 40))
        queue = self.pending.pop(f"{tech.id}/{day}", [])
        for _ in range(self.rng.choice((2, 3, 3, 3, 4))):
            if start + timedelta(hours=1) > shift[1]:
                break
            visit = Visit(tech, start, self.rng.choice((2, 3, 3, 4)),
                          queue.pop(0) if queue else None)
            clock, job = self.visit(visit, clock)
            scope = job["scopeOfWork"]
            busy = self.planned[scope["asin"]] * scope["quantity"] * 1.3 + 45
            start += timedelta(hours=max(2, math.ceil(busy / 60)) + self.rng.choice((0, 0, 1)))
        for job in queue:  # more follow-ups than slots: the next working day
            self.defer(job, tech, day, 1)

    def visit(self, visit: Visit, clock: datetime) -> tuple[datetime, dict[str, Any]]:
        """Simulate one visit from ``clock`` (when the technician can set off); returns
        when the technician is free again, and the job."""
        tech, rng = visit.tech, self.rng
        when = {"startTime": wire_time(visit.start), "durationInMinutes": visit.hours * 60}
        appointment = self.appointment(when, technicians=[tech.wire])
        if visit.follow_up is None:
            job = self.new_job(tech, visit.start, appointment)
        else:
            job = visit.follow_up
            self.link(job, appointment)
        window_end = visit.start + timedelta(hours=visit.hours)
        fate = self.fate(tech.profile, evening=visit.start.hour >= 15,
                         follow_up=visit.follow_up is not None)
        if fate == "rescheduled":  # moved before the day: the slot stays free
            appointment["appointmentStatus"] = "CANCELLED"
            self.defer(job, tech, visit.start.date(), rng.randrange(2, 6))
            return clock, job
        if fate == "cancelled":
            appointment["appointmentStatus"] = "CANCELLED"
            job["serviceJobStatus"] = "CANCELLED"
            return clock, job
        if fate == "no_show":
            job["serviceJobStatus"] = "NOT_SERVICED"
            return clock, job
        drive = timedelta(minutes=rng.randrange(10, 40))
        arrival = max(clock + drive, visit.start + timedelta(minutes=rng.randrange(0, 40)))
        if fate == "late":
            arrival = max(arrival, window_end + timedelta(minutes=rng.randrange(5, 75)))
        arrival = arrival.replace(second=rng.randrange(60), microsecond=0)
        if fate == "customer_no_show":
            self.row(appointment, job, tech, arrival, None, None, "customer_no_show",
                     rng.choice(NOTES["customer_no_show"]))
            if rng.random() < 0.5:  # rebooked: the appointment is replaced
                appointment["appointmentStatus"] = "CANCELLED"
                self.defer(job, tech, visit.start.date(), rng.randrange(1, 4))
            else:  # the buyer has not rebooked: the appointment stays as it was
                job["serviceJobStatus"] = "NOT_SERVICED"
            return arrival + timedelta(minutes=rng.randrange(10, 20)), job
        started = arrival + timedelta(minutes=rng.randrange(2, 9), seconds=rng.randrange(60))
        finished = started + self.on_site(job)
        if fate == "incomplete":
            finished = started + timedelta(minutes=rng.randrange(20, 45))
            self.row(appointment, job, tech, arrival, started, finished, "incomplete",
                     rng.choice(NOTES["incomplete"]))
            appointment["appointmentStatus"] = "CANCELLED"
            self.defer(job, tech, visit.start.date(), rng.randrange(2, 6))
            return finished, job
        upload = finished + timedelta(minutes=rng.randrange(1, 6), seconds=rng.randrange(60))
        logged_finish: datetime | None = finished
        if fate == "late_poa":  # app lost the finish; POA uploaded at breakfast
            upload = datetime.combine(visit.start.date() + timedelta(days=1),
                                      time(7, rng.randrange(0, 50), rng.randrange(60)), LOCAL)
            logged_finish = None
        appointment["appointmentStatus"] = "COMPLETED"
        appointment["poa"] = {"appointmentTime": when, "technicians": [tech.wire],
                              "uploadingTechnician": tech.id, "uploadTime": wire_time(upload),
                              "poaType": rng.choice(POA_TYPES)}
        job["serviceJobStatus"] = "COMPLETED"
        if rng.random() >= tech.profile.no_row:
            note = rng.choice(NOTES["late"]) if fate == "late" else ""
            self.row(appointment, job, tech, arrival, started, logged_finish, "completed", note)
        return finished, job

    def fate(self, profile: Profile, *, evening: bool, follow_up: bool) -> str:
        """What happens to one visit; a follow-up is not cancelled, but more often moved
        again (the buyer who moved once moves again), which makes chains of three."""
        draw = self.rng.random()
        for name, chance in (("rescheduled", profile.rescheduled * (4 if follow_up else 1)),
                             ("cancelled", 0 if follow_up else profile.cancelled),
                             ("no_show", profile.no_show), ("late", profile.late),
                             ("late_poa", profile.late_poa if evening else 0),
                             ("customer_no_show", profile.customer_no_show),
                             ("incomplete", profile.incomplete)):
            if draw < chance:
                return name
            draw -= chance
        return "completed"

    # --- jobs, appointments, rows --------------------------------------------------------
    def new_job(self, tech: Technician, window_start: datetime,
                appointment: dict[str, Any]) -> dict[str, Any]:
        service = self.rng.choices(tech.services, weights=[s.weight for s in tech.services])[0]
        job = self.job("NOT_SERVICED", service=service, area=self.pick_area(),
                       appointments=[appointment])
        created = window_start - timedelta(days=self.rng.randrange(2, 12),
                                           hours=self.rng.randrange(0, 12),
                                           minutes=self.rng.randrange(60))
        job["createTime"] = wire_time(created.replace(second=self.rng.randrange(60)))
        return job

    def link(self, job: dict[str, Any], appointment: dict[str, Any]) -> None:
        """Append ``appointment``, which replaces the job's last one: the pointer goes the
        way ``jobs.json`` has it (new → old) or the way the user guide prints it (old → new)."""
        appointments: list[dict[str, Any]] = job["appointments"]
        old = appointments[-1]
        if self.rng.random() < 0.5:
            appointment["rescheduledAppointmentId"] = old["appointmentId"]
        else:
            old["rescheduledAppointmentId"] = appointment["appointmentId"]
        appointments.append(appointment)

    def defer(self, job: dict[str, Any], tech: Technician, after: date, gap: int) -> None:
        """Book the job's next appointment with ``tech`` ``gap`` days later; past the month,
        an ``ACTIVE`` one after the example day (which stays as ``jobs.json`` has it)."""
        day = self.next_working_day(tech, after, gap)
        job["serviceJobStatus"] = "NOT_SERVICED"
        if day is not None:
            self.pending[f"{tech.id}/{day}"].append(job)
            return
        day = after + timedelta(days=gap)
        while day <= PLAN_DAY or tech.shift(day) is None:
            day += timedelta(days=1)
        start = tech.shift(day)[0].replace(minute=0)  # type: ignore[index]
        self.link(job, self.appointment(window(day, start.hour, 3), technicians=[tech.wire]))

    def on_site(self, job: dict[str, Any]) -> timedelta:
        scope = job["scopeOfWork"]
        bias = max(SKILL_BIAS[s] for s in scope["requiredSkills"])
        minutes = self.planned[scope["asin"]] * bias * math.exp(self.rng.gauss(0, 0.2))
        return timedelta(minutes=round(minutes * scope["quantity"]),
                         seconds=self.rng.randrange(60))

    def row(self, appointment: dict[str, Any], job: dict[str, Any], tech: Technician,
            arrived: datetime, started: datetime | None, finished: datetime | None,
            outcome: str, note: str) -> None:
        def stamp(moment: datetime | None) -> str:
            return moment.astimezone(LOCAL).isoformat() if moment else ""

        self.rows.append({
            "appointment_id": appointment["appointmentId"], "service_job_id": job["serviceJobId"],
            "technician_id": tech.id, "arrived_at": stamp(arrived), "started_at": stamp(started),
            "finished_at": stamp(finished), "outcome": outcome, "note": note,
        })


def spoil(rows: list[dict[str, str]], rng: random.Random) -> None:
    """One deliberately bad row: the finish typed an hour before the start."""
    candidates = [i for i, row in enumerate(rows) if row["finished_at"] and row["started_at"]]
    row = rows[rng.choice(candidates)]
    started = datetime.fromisoformat(row["started_at"])
    row["finished_at"] = (started - timedelta(hours=1)).isoformat()
    row["note"] = "finish typed by hand"


def build(seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The month's jobs (ordered by creation) and visit rows (ordered by arrival)."""
    month = Month(seed)
    month.run()
    jobs = sorted(month.jobs, key=lambda job: (job["createTime"], job["serviceJobId"]))
    rows = sorted(month.rows, key=lambda row: (row["arrived_at"], row["appointment_id"]))
    spoil(rows, month.rng)
    return jobs, rows


def main() -> None:
    jobs, rows = build()
    response = {"payload": {"totalResultSize": len(jobs), "jobs": jobs}}
    HISTORY_FILE.write_text(json.dumps(response, indent=1) + "\n", encoding="utf-8")
    with VISITS_FILE.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, VISIT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(jobs)} jobs to {HISTORY_FILE.name} and {len(rows)} visits to "
          f"{VISITS_FILE.name}")


if __name__ == "__main__":
    main()
