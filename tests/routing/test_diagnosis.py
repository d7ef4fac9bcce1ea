"""routing.diagnosis: the planner's rules and one geocoding batch, a line per job."""

from __future__ import annotations

from datetime import date

from routing.diagnosis import diagnose
from routing.geo import GeoPoint, Precision
from routing.geo.point import AddressLike
from routing.reasons import ReasonCode
from routing.visits import Unassigned
from tests.routing.planning_helpers import appointment, job, roster, technician

DAY = date(2026, 3, 10)


class Counting:
    """Knows "1 Pike St" only, and counts who asked for what."""

    name = "counting"

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        self.asked.append(job_id)
        if address.address_line1 == "1 Pike St":
            return GeoPoint(47.6, -122.3, Precision.STREET, self.name)
        return None


def test_each_job_gets_the_planners_verdict_and_one_geocoding_each() -> None:
    team = roster(technician("T1"))
    jobs = [
        job("ok", appointments=[appointment("A1", "2026-03-10T17:00:00Z", technicians=["T1"])],
            line1="1 Pike St"),
        job("lost", appointments=[appointment("A2", "2026-03-10T17:00:00Z")],
            line1="9 Nowhere Rd"),
        job("online", appointments=[appointment("A3", "2026-03-10T17:00:00Z")],
            location_type="ONLINE"),
        job("stranger", appointments=[
            appointment("A4", "2026-03-10T17:00:00Z", technicians=["T9"])], line1="1 Pike St"),
    ]
    geocoder = Counting()
    rejected = [Unassigned("bad", ReasonCode.INVALID_JOB, "Not a service job.")]
    lines = {d.service_job_id: d for d in diagnose(
        jobs, team, DAY, team.tz, geocoder, rejected)}
    assert sorted(geocoder.asked, key=str) == ["lost", "ok", "stranger"]  # not the ONLINE one
    assert lines["ok"].flags == [] and lines["ok"].technicians == ["T1"]
    assert lines["ok"].window == "10:00–12:00"  # 17:00Z in Seattle, PDT
    assert lines["lost"].flags == ["needs_technician", "not_geocodable"]
    assert lines["online"].address == "online" and "not_geocodable" not in lines["online"].flags
    assert lines["stranger"].reason is not None
    assert lines["stranger"].reason.startswith("pinned_technician_unavailable")
    assert lines["bad"].status == "unreadable" and lines["bad"].flags == ["not_plannable"]
    # Without a roster no pin can be checked: nobody's assignment is refused.
    assert diagnose(jobs, None, DAY, team.tz, Counting())[3].reason is None
