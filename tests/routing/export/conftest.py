"""One small real day, planned once per session by ``plan_day``, for every export test.

Two Seattle technicians (one with a lunch break), jobs in five ZIP codes placed offline
by the gazetteer, an ONLINE job (a stop without a place), a job nobody can reach in its
window (unassigned, with a place) and one on HOLD (unassigned, without a place).
"""

from __future__ import annotations

from datetime import date

import pytest

from routing.geo import HaversineMatrix, default_geocoder
from routing.plan import Plan
from routing.planner import PlanContext, PlanOptions, plan_day
from tests.routing.planning_helpers import (
    BELLEVUE,
    DOWNTOWN,
    appointment,
    job,
    roster,
    technician,
)

DAY = date(2026, 12, 1)
BUYER = "Pat Buyer"
"""The buyer name every helper job carries; no export may show it."""

# Seattle metro, generously: every point of the plan lies inside.
METRO = {"lat": (47.0, 48.0), "lon": (-123.0, -121.5)}


def _appointment(number: int, local_start: str, minutes: int = 180) -> dict[str, object]:
    """An appointment on DAY; ``local_start`` is HH:MM Pacific (UTC-8 in December)."""
    hour, minute = map(int, local_start.split(":"))
    start = f"2026-12-01T{hour + 8:02d}:{minute:02d}:00Z"
    return appointment(f"APPT-{number}", start, minutes)


@pytest.fixture(scope="session")
def plan() -> Plan:
    jobs = [
        job("SJ-1", appointments=[_appointment(1, "08:00")], postal_code="98109"),
        job("SJ-2", appointments=[_appointment(2, "09:00")], postal_code="98004"),
        job("SJ-3", appointments=[_appointment(3, "10:00")], postal_code="98052"),
        job("SJ-4", appointments=[_appointment(4, "12:00")], postal_code="98033"),
        job("SJ-5", appointments=[_appointment(5, "13:00")], postal_code="98101"),
        job("SJ-6", appointments=[_appointment(6, "14:00")], postal_code="98005"),
        job("SJ-7", appointments=[_appointment(7, "11:00")], location_type="ONLINE",
            line1=None),
        # Tacoma, for five minutes at 08:00: nobody gets there in time.
        job("SJ-8", appointments=[_appointment(8, "08:00", 5)], postal_code="98402"),
        job("SJ-9", "HOLD", appointments=[_appointment(9, "09:00")]),
    ]
    team = roster(
        technician("T-ANA", home=DOWNTOWN, lunch=True),
        technician("T-BEN", home=BELLEVUE),
    )
    planned = plan_day(
        jobs, team, DAY, PlanOptions(time_limit=1.0, workers=1),
        PlanContext(geocoder=default_geocoder(), matrix=HaversineMatrix()),
    )
    # The scenario must hold, or the tests below would check less than they claim.
    assert all(route.stops for route in planned.routes)
    assert any(route.breaks for route in planned.routes)
    assert any(stop.location is None for route in planned.routes for stop in route.stops)
    assert {job.location is None for job in planned.unassigned} == {True, False}
    return planned


HOSTILE = "Zoë </script><script>alert(1)</script> <!-- & \u2028"
"""Text that would break out of a ``<script>`` block or an XML element if not escaped."""


@pytest.fixture(scope="session")
def hostile_plan(plan: Plan) -> Plan:
    """The plan with :data:`HOSTILE` as the first technician's name and first address."""
    route = plan.routes[0]
    stop = route.stops[0].model_copy(update={"address": HOSTILE})
    route = route.model_copy(update={"name": HOSTILE, "stops": [stop, *route.stops[1:]]})
    return plan.model_copy(update={"routes": [route, *plan.routes[1:]]})
