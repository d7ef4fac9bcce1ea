"""Regenerate the example day: ``examples/jobs.json`` and ``examples/geocode_overrides.csv``.

Run from the repository root::

    python3 examples/generate.py

The output is deterministic (a fixed seed, no clock, no network), so running it again
reproduces the committed files byte for byte; the committed JSON is what the demo reads.
Only the standard library is used, plus the project's own ``zipcodes`` dependency for
ZIP centroids (GeoNames data, CC BY 4.0).

What it makes: one Tuesday (2026-12-01) of Services API jobs in King County, WA, in the
exact ``getServiceJobs`` response shape of ``../shared/spapi/services.json``. Every buyer,
phone number (555-01xx) and street address is fictional; the ZIP codes are real. The job
mix exercises every planning rule (see ``SCENARIOS`` and examples/README.md).

The overrides file gives "street-level" points for most jobs. They are synthetic: each is
the ZIP centroid moved by a small seeded offset (at most ~700 m, steered away from the
water in lakeside and waterfront ZIPs), not the result of geocoding the fictional
address. A few jobs are left out on purpose so the demo also shows ZIP-centroid points.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import zipcodes

SEED = 20261201
PLAN_DAY = date(2026, 12, 1)
LOCAL = ZoneInfo("America/Los_Angeles")
HERE = Path(__file__).resolve().parent
JOBS_FILE = HERE / "jobs.json"
OVERRIDES_FILE = HERE / "geocode_overrides.csv"
OVERRIDES_LEFT_OUT = 9  # plus the job whose ZIP does not exist

MARKETPLACE_ID = "ATVPDKIKX0DER"
SELLER_ID = "A2SEAHOMESVC7Q"
PROVIDER_ID = "A3EASTSIDEPRO9X"

# A roster technician is pinned on a few appointments (ids from examples/roster.yaml).
ROSTER_TECHS = {
    "A1B2C3D4E5TECH01": "Ana Ruiz",
    "A1B2C3D4E5TECH03": "Chloe Nguyen",
    "A1B2C3D4E5TECH06": "Farid Haddad",  # off on Tuesdays: the pin cannot be honoured
}
UNKNOWN_TECH = ("A9Z8Y7X6W5TECH99", "Sam Porter")  # not in the roster


@dataclass(frozen=True)
class Service:
    asin: str
    title: str
    skills: tuple[str, ...]
    weight: int
    product: str | None = None  # the bought item, for installs


SERVICES = (
    Service("B0C7TVMNT1", "TV Wall Mounting, up to 64 in", ("TV_MOUNTING",), 9),
    Service("B0C7TVMNT2", "TV Wall Mounting, 65 in and larger", ("TV_MOUNTING",), 5),
    Service("B0B4HTHEA1", "Home Theater System Setup", ("HOME_THEATER", "TV_MOUNTING"), 3),
    Service("B09DISHWS1", "Dishwasher Installation", ("APPLIANCE_INSTALL", "PLUMBING"), 4,
            "Stainless Steel Built-In Dishwasher, 24 in"),
    Service("B09WASHDR1", "Washer and Dryer Installation", ("APPLIANCE_INSTALL",), 4,
            "Front Load Washer and Electric Dryer Set"),
    Service("B08RANGEI1", "Electric Range Installation", ("APPLIANCE_INSTALL", "ELECTRICAL"), 2,
            "30 in Freestanding Electric Range"),
    Service("B07FAUCET1", "Kitchen Faucet Replacement", ("PLUMBING",), 4),
    Service("B07GARBDI1", "Garbage Disposal Installation", ("PLUMBING", "ELECTRICAL"), 2),
    Service("B08CEILFN1", "Ceiling Fan Installation", ("ELECTRICAL",), 4),
    Service("B08LIGHTF1", "Light Fixture Installation", ("ELECTRICAL",), 3),
    Service("B0BSMLOCK1", "Smart Lock Installation", ("SMART_HOME",), 4),
    Service("B0BTHERMO1", "Smart Thermostat Installation", ("SMART_HOME", "ELECTRICAL"), 3),
    Service("B0BDOORBL1", "Video Doorbell Installation", ("SMART_HOME",), 4),
    Service("B0AFURNBD1", "Bed Frame Assembly", ("FURNITURE_ASSEMBLY",), 3),
    Service("B0AFURNDK1", "Desk and Office Chair Assembly", ("FURNITURE_ASSEMBLY",), 3),
)
HVAC = Service("B0HVACTUN1", "Furnace Tune-Up", ("HVAC_REPAIR",), 0)  # nobody has the skill
STORE_SERVICE = Service("B0AFURNBK1", "Bike Assembly (in store)", ("FURNITURE_ASSEMBLY",), 0)
ONLINE_SERVICE = Service("B0BVIRTSH1", "Smart Home Virtual Setup", ("SMART_HOME",), 0)


@dataclass(frozen=True)
class Area:
    """A ZIP code with its city, some of its streets, and where points may be placed."""

    zip_code: str
    city: str
    streets: tuple[str, ...]
    weight: int
    radius_m: float = 700
    bearings: tuple[int, int] = (0, 360)  # compass sector the offset may point to


AREAS = (
    Area("98101", "Seattle", ("Pine St", "4th Ave", "Olive Way", "Stewart St"), 2, 500),
    Area("98102", "Seattle", ("Harvard Ave E", "E Roanoke St", "10th Ave E"), 2, 500, (45, 180)),
    Area("98103", "Seattle", ("Stone Way N", "N 45th St", "Fremont Ave N", "Linden Ave N"), 3,
         700, (150, 260)),
    Area("98105", "Seattle", ("NE 50th St", "Roosevelt Way NE", "University Way NE"), 2),
    Area("98107", "Seattle", ("NW Market St", "24th Ave NW", "NW 65th St", "Leary Ave NW"), 3,
         500, (300, 420)),
    Area("98109", "Seattle", ("Dexter Ave N", "Aloha St", "Taylor Ave N"), 1, 500, (180, 360)),
    Area("98112", "Seattle", ("E Madison St", "24th Ave E", "E Galer St"), 1, 500),
    Area("98115", "Seattle", ("NE 75th St", "35th Ave NE", "NE 65th St", "Ravenna Ave NE"), 3),
    Area("98116", "Seattle", ("California Ave SW", "SW Admiral Way", "44th Ave SW"), 2, 500),
    Area("98117", "Seattle", ("NW 85th St", "15th Ave NW", "8th Ave NW", "NW 77th St"), 2),
    Area("98118", "Seattle", ("Rainier Ave S", "S Alaska St", "42nd Ave S"), 2),
    Area("98119", "Seattle", ("Queen Anne Ave N", "W McGraw St", "10th Ave W"), 2, 600),
    Area("98122", "Seattle", ("E Union St", "23rd Ave", "E Jefferson St", "E Cherry St"), 2),
    Area("98125", "Seattle", ("Lake City Way NE", "NE 125th St", "30th Ave NE"), 2),
    Area("98126", "Seattle", ("Delridge Way SW", "SW Morgan St", "35th Ave SW"), 2),
    Area("98133", "Seattle", ("N 130th St", "Greenwood Ave N", "Linden Ave N"), 2),
    Area("98144", "Seattle", ("Beacon Ave S", "S McClellan St", "31st Ave S"), 2, 600),
    Area("98199", "Seattle", ("W Government Way", "34th Ave W", "W McGraw St"), 1, 500),
    Area("98004", "Bellevue", ("Bellevue Way NE", "NE 8th St", "100th Ave NE"), 3, 500, (0, 120)),
    Area("98005", "Bellevue", ("140th Ave NE", "NE 24th St", "132nd Ave NE"), 2),
    Area("98006", "Bellevue", ("SE Newport Way", "Coal Creek Pkwy SE", "164th Ave SE"), 2),
    Area("98007", "Bellevue", ("148th Ave NE", "NE 8th St", "156th Ave NE"), 2),
    Area("98008", "Bellevue", ("NE 24th St", "164th Ave NE", "Northup Way"), 2, 600),
    Area("98052", "Redmond", ("Redmond Way", "NE 85th St", "166th Ave NE", "NE 40th St"), 4),
    Area("98033", "Kirkland", ("Market St", "6th St S", "NE 85th St", "116th Ave NE"), 3, 600),
    Area("98034", "Kirkland", ("NE 124th St", "100th Ave NE", "Juanita Dr NE"), 2),
    Area("98055", "Renton", ("Benson Rd S", "S Puget Dr", "Talbot Rd S"), 2),
    Area("98056", "Renton", ("NE Sunset Blvd", "Duvall Ave NE", "Edmonds Ave NE"), 2),
    Area("98058", "Renton", ("SE Petrovitsky Rd", "140th Ave SE", "SE 176th St"), 2),
    Area("98059", "Renton", ("NE 4th St", "Union Ave NE", "148th Ave SE"), 1),
    Area("98027", "Issaquah", ("Front St N", "NW Sammamish Rd", "Newport Way NW"), 2),
    Area("98029", "Issaquah", ("NE Park Dr", "9th Ave NE", "NE Discovery Dr"), 1),
    Area("98031", "Kent", ("SE 240th St", "104th Ave SE", "SE 256th St"), 2),
    Area("98074", "Sammamish", ("228th Ave NE", "Sahalee Way NE", "NE 8th St"), 1),
    Area("98011", "Bothell", ("Main St", "NE 185th St", "104th Ave NE"), 1),
    Area("98155", "Shoreline", ("15th Ave NE", "NE 175th St", "NE 155th St"), 2),
    Area("98040", "Mercer Island", ("Island Crest Way", "SE 40th St", "84th Ave SE"), 1, 400),
)
AREA_BY_ZIP = {area.zip_code: area for area in AREAS}

STORE = {
    "name": "Eastside Home Services",
    "addressLine1": "2250 140th Ave NE",
    "city": "Bellevue",
    "stateOrRegion": "WA",
    "postalCode": "98005",
    "countryCode": "US",
    "phone": "425-555-0100",
}
STORE_ID = "STORE-BEL-01"
BOGUS_ADDRESS = ("10024 16th Ave SW", "White Center", "98196")  # typo of 98146, no such ZIP

FIRST = ("Olivia", "Liam", "Priya", "Marcus", "Sofia", "Ethan", "Hana", "Diego", "Grace",
         "Noah", "Amara", "Lucas", "Mei", "Owen", "Zara", "Caleb", "Leila", "Jonah", "Ruby",
         "Mateo", "Nadia", "Felix", "Iris", "Theo", "Anika", "Rowan", "Yusuf", "Clara")
LAST = ("Harlow", "Bennett", "Castellano", "Whitfield", "Okonkwo", "Lindqvist", "Moreau",
        "Tanaka", "Delacroix", "Brandt", "Kowalski", "Fairbanks", "Nakamura", "Osei",
        "Valdez", "Sorensen", "Greenberg", "Ashworth", "Ibarra", "Marchetti", "Quinlan")


@dataclass(frozen=True)
class Scenario:
    """How many jobs of one kind the day holds; ``kind`` picks the builder in ``Day``."""

    kind: str
    count: int


SCENARIOS = (
    Scenario("scheduled", 33),  # NOT_SERVICED, one ACTIVE appointment on the plan day
    Scenario("scheduled_pinned", 4),  # ...with assignedTechnicians (2 usable, 1 off, 1 unknown)
    Scenario("scheduled_no_skill", 2),  # ...requiring HVAC_REPAIR, which nobody has
    Scenario("scheduled_bogus_zip", 1),  # ...at an address that cannot be geocoded offline
    Scenario("in_store", 3),  # ...performed at the store
    Scenario("online", 2),  # ...performed remotely (one without any address)
    Scenario("rescheduled_to_day", 3),  # old appointment CANCELLED -> new ACTIVE on the day
    Scenario("rescheduled_twice", 1),  # a chain of three appointments
    Scenario("rescheduled_stale", 1),  # replaced appointment still says ACTIVE (same day)
    Scenario("rescheduled_away", 1),  # moved from the plan day to the next day
    Scenario("cancelled_appointment_only", 1),  # NOT_SERVICED, its only appointment CANCELLED
    Scenario("pending", 8),  # PENDING_SCHEDULE, 2-3 preferred windows on the day
    Scenario("pending_other_day", 1),  # PENDING_SCHEDULE, preferred windows on other days
    Scenario("other_day", 3),  # NOT_SERVICED, appointment on another date
    Scenario("cancelled", 2),  # job CANCELLED
    Scenario("completed", 2),  # job COMPLETED the day before, with proof of appointment
    Scenario("hold", 2),  # HOLD
    Scenario("not_fulfillable", 1),
    Scenario("payment_declined", 1),
)

# Local start hour and window length (hours) of appointment windows, as offered to buyers.
WINDOWS = ((8, 2), (8, 3), (8, 4), (9, 2), (9, 3), (10, 2), (10, 3), (10, 4), (11, 3), (12, 2),
           (12, 3), (12, 4), (13, 3), (14, 2), (14, 3), (15, 3), (16, 2), (16, 3))
PREFERRED_SETS = (((8, 4), (12, 4)), ((9, 3), (13, 3), (16, 2)), ((10, 2), (14, 3)),
                  ((8, 3), (12, 3), (15, 3)), ((12, 4), (16, 3)), ((10, 3), (14, 2), (16, 2)))


def wire_time(moment: datetime) -> str:
    """UTC with a ``Z``, whole seconds, as Amazon sends it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LOCAL)


def window(day: date, hour: int, hours: int) -> dict[str, Any]:
    return {"startTime": wire_time(local(day, hour)), "durationInMinutes": hours * 60}


def centroid(zip_code: str) -> tuple[float, float]:
    (row,) = zipcodes.matching(zip_code)
    return float(row["lat"]), float(row["long"])


def offset_point(rng: random.Random, area: Area) -> tuple[float, float]:
    """A point near the ZIP centroid: uniform in a disc sector of ``area.radius_m``."""
    lat, lon = centroid(area.zip_code)
    distance = area.radius_m * math.sqrt(rng.uniform(0.05, 1.0))
    bearing = math.radians(rng.uniform(*area.bearings) % 360)
    dlat = distance * math.cos(bearing) / 111_320
    dlon = distance * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


STORE_POINT = offset_point(random.Random(SEED), AREA_BY_ZIP["98005"])  # also in roster.yaml


class Day:
    """Builds the jobs of the example day, one scenario at a time, from one RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.jobs: list[dict[str, Any]] = []
        self.points: dict[str, tuple[float, float]] = {}  # serviceJobId -> street-level point
        self.used_ids: set[str] = set()
        self.phone_suffix = iter(self.rng.sample(range(1, 100), 99))

    # --- identifiers ---------------------------------------------------------------------
    def _unique(self, make: Callable[[], str]) -> str:
        while (value := make()) in self.used_ids:
            pass
        self.used_ids.add(value)
        return str(value)

    def job_id(self) -> str:
        return self._unique(lambda: f"SJ-{self.rng.randrange(10**9, 10**10)}")

    def appointment_id(self) -> str:
        return self._unique(lambda: f"APPT-{self.rng.randrange(10**8, 10**9)}")

    def order_id(self) -> str:
        r = self.rng.randrange
        return self._unique(lambda: f"1{r(10, 100)}-{r(10**6, 10**7)}-{r(10**6, 10**7)}")

    def buyer_id(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        return self._unique(lambda: "A" + "".join(self.rng.choices(alphabet, k=13)))

    # --- building blocks -----------------------------------------------------------------
    def pick_service(self) -> Service:
        return self.rng.choices(SERVICES, weights=[s.weight for s in SERVICES])[0]

    def pick_area(self) -> Area:
        return self.rng.choices(AREAS, weights=[a.weight for a in AREAS])[0]

    def buyer(self, area_code: str) -> dict[str, Any]:
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        return {
            "buyerId": self.buyer_id(),
            "name": name,
            "phone": f"{area_code}-555-01{next(self.phone_suffix):02d}",
            "isPrimeMember": self.rng.random() < 0.6,
        }

    def home_address(self, buyer: dict[str, Any], area: Area) -> dict[str, Any]:
        number = self.rng.randrange(100, 9999) if area.city != "Seattle" else self.rng.choice(
            [self.rng.randrange(100, 2999), self.rng.randrange(1000, 9999)]
        )
        address = {
            "name": buyer["name"],
            "addressLine1": f"{number} {self.rng.choice(area.streets)}",
            "city": area.city,
            "stateOrRegion": "WA",
            "postalCode": area.zip_code,
            "countryCode": "US",
            "phone": buyer["phone"],
        }
        if area.zip_code in {"98101", "98102", "98109"} or self.rng.random() < 0.12:
            address["addressLine2"] = self.rng.choice(("Apt 3B", "Unit 204", "Apt 512", "#7"))
        return address

    def appointment(
        self,
        when: dict[str, Any],
        status: str = "ACTIVE",
        *,
        replaces: str | None = None,
        technicians: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        appointment: dict[str, Any] = {
            "appointmentId": self.appointment_id(),
            "appointmentStatus": status,
            "appointmentTime": when,
        }
        if technicians:
            appointment["assignedTechnicians"] = technicians
        if replaces:
            appointment["rescheduledAppointmentId"] = replaces
        return appointment

    def day_window(self, day: date = PLAN_DAY) -> dict[str, Any]:
        return window(day, *self.rng.choice(WINDOWS))

    def job(
        self,
        status: str,
        *,
        service: Service | None = None,
        area: Area | None = None,
        location_type: str = "IN_HOME",
        appointments: list[dict[str, Any]] | None = None,
        preferred: list[dict[str, Any]] | None = None,
        street_point: bool = True,
    ) -> dict[str, Any]:
        """One ServiceJob in wire shape; records its synthetic street-level point."""
        service = service or self.pick_service()
        area = area or self.pick_area()
        job_id = self.job_id()
        buyer = self.buyer("206" if area.city in {"Seattle", "Shoreline"} else "425")
        created = local(PLAN_DAY - timedelta(days=self.rng.randrange(3, 15)),
                        self.rng.randrange(7, 22), self.rng.randrange(60))
        order_id = self.order_id()
        job: dict[str, Any] = {
            "createTime": wire_time(created + timedelta(seconds=self.rng.randrange(60))),
            "serviceJobId": job_id,
            "serviceJobStatus": status,
            "scopeOfWork": {
                "asin": service.asin,
                "title": service.title,
                "quantity": 2 if self.rng.random() < 0.06 else 1,
                "requiredSkills": list(service.skills),
            },
            "seller": {"sellerId": SELLER_ID},
            "serviceJobProvider": {"serviceJobProviderId": PROVIDER_ID},
            "serviceOrderId": order_id,
            "marketplaceId": MARKETPLACE_ID,
            "buyer": buyer,
        }
        if preferred:
            job["preferredAppointmentTimes"] = preferred
        if appointments:
            job["appointments"] = appointments
        if service.product:
            product_order = self.order_id()
            job["productOrderIds"] = [product_order]
            job["trackingIds"] = [f"TBA{self.rng.randrange(10**11, 10**12)}"]
            delivered = local(created.date() + timedelta(days=3), 20)
            job["associatedItems"] = [{
                "asin": "B0" + service.asin[2:6] + "ITEM",
                "title": service.product,
                "quantity": 1,
                "orderId": product_order,
                "itemStatus": "DELIVERED",
                "brandName": self.rng.choice(("Northfield", "Cascadia", "Evergreen Home")),
                "itemDelivery": {"estimatedDeliveryDate": wire_time(delivered)},
            }]
        if location_type == "IN_STORE":
            job["storeId"] = STORE_ID
            job["serviceLocation"] = {"serviceLocationType": "IN_STORE", "address": dict(STORE)}
            if street_point:
                self.points[job_id] = STORE_POINT
        elif location_type == "ONLINE":
            job["serviceLocation"] = {"serviceLocationType": "ONLINE"}
            if any(j["serviceLocation"]["serviceLocationType"] == "ONLINE" for j in self.jobs):
                # The first online job has no address at all, the second the buyer's home.
                job["serviceLocation"]["address"] = self.home_address(buyer, area)
        else:
            job["serviceLocation"] = {
                "serviceLocationType": "IN_HOME",
                "address": self.home_address(buyer, area),
            }
            if street_point:
                self.points[job_id] = offset_point(self.rng, area)
        self.jobs.append(job)
        return job

    # --- scenarios -----------------------------------------------------------------------
    def scheduled(self) -> None:
        self.job("NOT_SERVICED", appointments=[self.appointment(self.day_window())])

    def scheduled_pinned(self) -> None:
        pins = [*ROSTER_TECHS.items(), UNKNOWN_TECH]
        homes = {"A1B2C3D4E5TECH01": "98004", "A1B2C3D4E5TECH03": "98107",
                 "A1B2C3D4E5TECH06": "98052", UNKNOWN_TECH[0]: "98122"}
        services = {"A1B2C3D4E5TECH01": SERVICES[0], "A1B2C3D4E5TECH03": SERVICES[8],
                    "A1B2C3D4E5TECH06": SERVICES[4], UNKNOWN_TECH[0]: SERVICES[10]}
        tech_id, name = pins[sum(1 for j in self.jobs if _pinned(j)) % len(pins)]
        technician = [{"technicianId": tech_id, "name": name}]
        self.job("NOT_SERVICED", service=services[tech_id], area=AREA_BY_ZIP[homes[tech_id]],
                 appointments=[self.appointment(self.day_window(), technicians=technician)])

    def scheduled_no_skill(self) -> None:
        self.job("NOT_SERVICED", service=HVAC,
                 appointments=[self.appointment(self.day_window())])

    def scheduled_bogus_zip(self) -> None:
        job = self.job("NOT_SERVICED", area=AREA_BY_ZIP["98126"], street_point=False,
                       appointments=[self.appointment(window(PLAN_DAY, 10, 3))])
        address = job["serviceLocation"]["address"]
        address["addressLine1"], address["city"], address["postalCode"] = BOGUS_ADDRESS

    def in_store(self) -> None:
        self.job("NOT_SERVICED", service=STORE_SERVICE, location_type="IN_STORE",
                 appointments=[self.appointment(self.day_window())])

    def online(self) -> None:
        self.job("NOT_SERVICED", service=ONLINE_SERVICE, location_type="ONLINE",
                 street_point=False, appointments=[self.appointment(self.day_window())])

    def rescheduled_to_day(self) -> None:
        earlier = PLAN_DAY - timedelta(days=self.rng.choice((1, 2, 4)))
        old = self.appointment(self.day_window(earlier), "CANCELLED")
        new = self.appointment(self.day_window(), replaces=old["appointmentId"])
        self.job("NOT_SERVICED", appointments=[old, new])

    def rescheduled_twice(self) -> None:
        first = self.appointment(self.day_window(PLAN_DAY - timedelta(days=3)), "CANCELLED")
        second = self.appointment(window(PLAN_DAY, 8, 2), "CANCELLED",
                                  replaces=first["appointmentId"])
        third = self.appointment(window(PLAN_DAY, 14, 3), replaces=second["appointmentId"])
        self.job("NOT_SERVICED", appointments=[first, second, third])

    def rescheduled_stale(self) -> None:
        old = self.appointment(window(PLAN_DAY, 8, 3))
        new = self.appointment(window(PLAN_DAY, 13, 3), replaces=old["appointmentId"])
        self.job("NOT_SERVICED", appointments=[old, new])

    def rescheduled_away(self) -> None:
        old = self.appointment(self.day_window(), "CANCELLED")
        new = self.appointment(self.day_window(PLAN_DAY + timedelta(days=1)),
                               replaces=old["appointmentId"])
        self.job("NOT_SERVICED", appointments=[old, new])

    def cancelled_appointment_only(self) -> None:
        self.job("NOT_SERVICED", appointments=[self.appointment(self.day_window(), "CANCELLED")])

    def pending(self) -> None:
        windows = [window(PLAN_DAY, *w) for w in self.rng.choice(PREFERRED_SETS)]
        if sum(1 for j in self.jobs if j["serviceJobStatus"] == "PENDING_SCHEDULE") == 2:
            windows.append(window(PLAN_DAY + timedelta(days=1), 9, 3))  # one on another day
        self.job("PENDING_SCHEDULE", preferred=windows)

    def pending_other_day(self) -> None:
        self.job("PENDING_SCHEDULE", preferred=[window(PLAN_DAY + timedelta(days=2), 8, 4),
                                                window(PLAN_DAY + timedelta(days=3), 12, 4)])

    def other_day(self) -> None:
        shift = self.rng.choice((-1, 1, 2, 3))
        self.job("NOT_SERVICED",
                 appointments=[self.appointment(self.day_window(PLAN_DAY + timedelta(days=shift)))])

    def cancelled(self) -> None:
        self.job("CANCELLED", appointments=[self.appointment(self.day_window(), "CANCELLED")])

    def completed(self) -> None:
        yesterday = PLAN_DAY - timedelta(days=1)
        when = self.day_window(yesterday)
        appointment = self.appointment(when, "COMPLETED", technicians=[
            {"technicianId": "A1B2C3D4E5TECH02", "name": "Ben Okafor"}])
        start = datetime.fromisoformat(when["startTime"])
        appointment["poa"] = {
            "appointmentTime": when,
            "technicians": [{"technicianId": "A1B2C3D4E5TECH02", "name": "Ben Okafor"}],
            "uploadingTechnician": "A1B2C3D4E5TECH02",
            "uploadTime": wire_time(start + timedelta(minutes=self.rng.randrange(80, 150))),
            "poaType": "CUSTOMER_SIGNATURE",
        }
        self.job("COMPLETED", appointments=[appointment])

    def hold(self) -> None:
        self.job("HOLD", preferred=[window(PLAN_DAY, 18, 2)])

    def not_fulfillable(self) -> None:
        self.job("NOT_FULFILLABLE", appointments=[self.appointment(self.day_window())])

    def payment_declined(self) -> None:
        self.job("PAYMENT_DECLINED", preferred=[window(PLAN_DAY, 10, 4)])


def _pinned(job: dict[str, Any]) -> bool:
    return any("assignedTechnicians" in a for a in job.get("appointments", ()))


def build(seed: int = SEED) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]]]:
    """All jobs (in a shuffled, stable order) and the street-level points to publish."""
    day = Day(seed)
    for scenario in SCENARIOS:
        for _ in range(scenario.count):
            getattr(day, scenario.kind)()
    day.rng.shuffle(day.jobs)
    candidates = sorted(
        job["serviceJobId"] for job in day.jobs
        if job["serviceJobId"] in day.points
        and job["serviceLocation"]["serviceLocationType"] == "IN_HOME"
        and job["serviceJobStatus"] in {"NOT_SERVICED", "PENDING_SCHEDULE"}
    )
    for job_id in day.rng.sample(candidates, OVERRIDES_LEFT_OUT):
        del day.points[job_id]
    return day.jobs, day.points


def main() -> None:
    jobs, points = build()
    response = {"payload": {"totalResultSize": len(jobs), "jobs": jobs}}
    JOBS_FILE.write_text(json.dumps(response, indent=2) + "\n", encoding="utf-8")
    with OVERRIDES_FILE.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["job_id", "lat", "lon", "precision"])
        for job in jobs:
            if (point := points.get(job["serviceJobId"])) is not None:
                writer.writerow([job["serviceJobId"], f"{point[0]:.6f}", f"{point[1]:.6f}",
                                 "street"])
    print(f"wrote {len(jobs)} jobs to {JOBS_FILE.name} and {len(points)} points to "
          f"{OVERRIDES_FILE.name}")


if __name__ == "__main__":
    main()
