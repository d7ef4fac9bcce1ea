"""The technician roster: formats, shifts and lunch per day, and one-line errors."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from routing.errors import RoutingError
from routing.roster import Location, Roster, RosterError, TechnicianSpec, load_roster

LA = ZoneInfo("America/Los_Angeles")
TUESDAY = date(2026, 12, 1)

ROSTER_YAML = """\
timezone: America/Los_Angeles
technicians:
  - id: TECH01
    name: Ana Ruiz
    skills: [TV_MOUNTING, HOME_THEATER]
    start: {lat: 47.6101, lon: -122.2015, address: {line1: "1 Main St", city: Bellevue,
            state: WA, postal_code: "98004"}}
    shifts: {mon: "08:00-17:00", Tuesday: "08:00-17:00", fri: "08:00-16:00"}
    dates: {"2026-12-24": "off", 2026-12-02: "10:00-14:00", "2026-12-03": "07:00-11:00"}
    lunch: {window: "11:30-13:30", duration: 30m}
    max_jobs: 8
  - id: TECH02
    name: Ben Okafor
    skills: [PLUMBING]
    timezone: America/New_York
    start: {address: {line1: "2 Elm St", city: Renton, state: WA}}
    end: {lat: 47.5, lon: -122.2}
    shifts: {tue: "07:00-15:30"}
    lunch: {window_start: "11:00", window_end: "12:30", duration: 45}
    fixed_cost: 25
    cost_per_hour: 38.5
"""


def write(tmp_path: Path, text: str, name: str = "roster.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    return load_roster(write(tmp_path, ROSTER_YAML))


def tech(roster: Roster, tech_id: str) -> TechnicianSpec:
    return roster.by_id(tech_id)


def test_fields_are_read(roster: Roster) -> None:
    ana, ben = tech(roster, "TECH01"), tech(roster, "TECH02")
    assert ana.skills == frozenset({"TV_MOUNTING", "HOME_THEATER"})
    assert ana.timezone == "America/Los_Angeles"  # inherited from the roster
    assert ben.timezone == "America/New_York"  # its own wins
    assert ana.max_jobs == 8 and ben.max_jobs is None
    assert (ben.fixed_cost, ben.cost_per_hour) == (25, 38.5)
    assert ben.lunch is not None and ben.lunch.duration == timedelta(minutes=45)
    assert set(ana.shifts) == {"mon", "tue", "fri"}  # "Tuesday" normalised


def test_end_location_defaults_to_start(roster: Roster) -> None:
    ana, ben = tech(roster, "TECH01"), tech(roster, "TECH02")
    assert ana.end is None and ana.end_location == ana.start
    assert ben.end_location.lat == 47.5 and ben.end_location != ben.start


def test_by_id_unknown_raises_key_error(roster: Roster) -> None:
    with pytest.raises(KeyError):
        roster.by_id("NOBODY")


def test_shift_on_weekday_is_aware_local_time(roster: Roster) -> None:
    start, end = tech(roster, "TECH01").shift_on(TUESDAY) or pytest.fail("no shift")
    assert start == datetime(2026, 12, 1, 8, tzinfo=LA)
    assert end == datetime(2026, 12, 1, 17, tzinfo=LA)
    assert start.utcoffset() == timedelta(hours=-8)
    ny_start, _ = tech(roster, "TECH02").shift_on(TUESDAY) or pytest.fail("no shift")
    assert ny_start.utcoffset() == timedelta(hours=-5) and ny_start.hour == 7


def test_date_entry_beats_weekday(roster: Roster) -> None:
    ana = tech(roster, "TECH01")
    assert ana.shift_on(date(2026, 12, 2)) == (  # a Wednesday: no weekday shift at all
        datetime(2026, 12, 2, 10, tzinfo=LA), datetime(2026, 12, 2, 14, tzinfo=LA))
    assert ana.shift_on(date(2026, 12, 24)) is None  # a Thursday, "off"
    assert ana.shift_on(date(2026, 12, 6)) is None  # a Sunday, no shift


def test_lunch_on_gives_the_start_window_and_duration(roster: Roster) -> None:
    lunch = tech(roster, "TECH01").lunch_on(TUESDAY)
    assert lunch == (datetime(2026, 12, 1, 11, 30, tzinfo=LA),
                     datetime(2026, 12, 1, 13, 30, tzinfo=LA), timedelta(minutes=30))


def test_lunch_is_narrowed_to_a_short_shift_or_dropped(roster: Roster) -> None:
    ana = tech(roster, "TECH01")
    # 10:00-14:00: the break must end by 14:00, so it starts by 13:30 -- unchanged here.
    assert ana.lunch_on(date(2026, 12, 2)) == (datetime(2026, 12, 2, 11, 30, tzinfo=LA),
                                               datetime(2026, 12, 2, 13, 30, tzinfo=LA),
                                               timedelta(minutes=30))
    # 07:00-11:00 ends before the window opens: no break that day.
    assert ana.lunch_on(date(2026, 12, 3)) is None
    assert ana.lunch_on(date(2026, 12, 24)) is None  # off


def test_fri_shift_narrows_the_lunch_window(tmp_path: Path) -> None:
    text = ROSTER_YAML.replace('fri: "08:00-16:00"', 'fri: "08:00-13:45"')
    ana = load_roster(write(tmp_path, text)).by_id("TECH01")
    friday = date(2026, 12, 4)
    assert ana.lunch_on(friday) == (datetime(2026, 12, 4, 11, 30, tzinfo=LA),
                                    datetime(2026, 12, 4, 13, 15, tzinfo=LA),
                                    timedelta(minutes=30))


@pytest.mark.parametrize(
    ("day", "offset", "hours"),
    [(date(2026, 3, 9), -7, 9), (date(2026, 3, 2), -8, 9), (date(2026, 11, 2), -8, 9)],
)
def test_shift_offsets_follow_daylight_saving(
    tmp_path: Path, day: date, offset: int, hours: int
) -> None:
    ana = load_roster(write(tmp_path, ROSTER_YAML)).by_id("TECH01")
    start, end = ana.shift_on(day) or pytest.fail("no shift")
    assert start.utcoffset() == timedelta(hours=offset)
    assert end - start == timedelta(hours=hours)


def test_shift_on_a_daylight_saving_change_day(tmp_path: Path) -> None:
    text = ROSTER_YAML.replace('mon: "08:00-17:00"', 'mon: "08:00-17:00", sun: "00:30-05:00"')
    ana = load_roster(write(tmp_path, text)).by_id("TECH01")
    start, end = ana.shift_on(date(2026, 3, 8)) or pytest.fail("no shift")  # clocks spring forward
    assert start.utcoffset() == timedelta(hours=-8) and end.utcoffset() == timedelta(hours=-7)
    assert end.astimezone(ZoneInfo("UTC")) - start.astimezone(ZoneInfo("UTC")) == timedelta(
        hours=3, minutes=30)


def test_toml_and_json_give_the_same_roster(tmp_path: Path, roster: Roster) -> None:
    data: dict[str, Any] = yaml.safe_load(ROSTER_YAML)
    for tech_data in data["technicians"]:
        tech_data["dates"] = {str(k): v for k, v in tech_data.get("dates", {}).items()}
    from_json = load_roster(write(tmp_path, json.dumps(data), "roster.json"))
    toml = """\
timezone = "America/Los_Angeles"
[[technicians]]
id = "TECH01"
name = "Ana Ruiz"
skills = ["TV_MOUNTING", "HOME_THEATER"]
start = {lat = 47.6101, lon = -122.2015, address = {line1 = "1 Main St", city = "Bellevue", \
state = "WA", postal_code = "98004"}}
shifts = {mon = "08:00-17:00", Tuesday = "08:00-17:00", fri = "08:00-16:00"}
dates = {"2026-12-24" = "off", 2026-12-02 = "10:00-14:00", "2026-12-03" = "07:00-11:00"}
lunch = {window = "11:30-13:30", duration = "30m"}
max_jobs = 8
[[technicians]]
id = "TECH02"
name = "Ben Okafor"
skills = ["PLUMBING"]
timezone = "America/New_York"
start = {address = {line1 = "2 Elm St", city = "Renton", state = "WA"}}
end = {lat = 47.5, lon = -122.2}
shifts = {tue = "07:00-15:30"}
lunch = {window_start = "11:00", window_end = "12:30", duration = 45}
fixed_cost = 25
cost_per_hour = 38.5
"""
    from_toml = load_roster(write(tmp_path, toml, "roster.toml"))
    assert from_json == roster
    assert from_toml == roster


def test_location_as_address_maps_to_the_services_api_shape(roster: Roster) -> None:
    address = tech(roster, "TECH01").start.as_address()
    assert address is not None
    assert (address.name, address.address_line1, address.city, address.state_or_region,
            address.postal_code, address.country_code) == (
        "1 Main St", "1 Main St", "Bellevue", "WA", "98004", "US")
    assert tech(roster, "TECH01").start.as_address("Ana's home") is not None
    assert Location(lat=1.0, lon=2.0).as_address() is None
    assert not tech(roster, "TECH02").start.has_coordinates


def base_tech(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": "TECH01", "name": "Ana", "skills": ["TV_MOUNTING"],
        "start": {"lat": 47.6, "lon": -122.2},
        "shifts": {"tue": "08:00-17:00"}, "lunch": {"window": "11:30-13:30", "duration": "30m"},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def roster_text(*techs: dict[str, object], timezone: str | None = "America/Los_Angeles") -> str:
    top: dict[str, object] = {"technicians": list(techs)}
    if timezone:
        top["timezone"] = timezone
    return yaml.safe_dump(top)


ERRORS: list[tuple[str, str, list[str]]] = [
    ("unknown zone", roster_text(base_tech(timezone="Mars/Olympus")),
     ["'TECH01' (#1)", "timezone", "Mars/Olympus"]),
    ("unknown roster zone", roster_text(base_tech(), timezone="Europe/Atlantis"),
     ["timezone", "Europe/Atlantis"]),
    ("no zone at all", roster_text(base_tech(), timezone=None),
     ["'TECH01' (#1)", "timezone: missing", "roster"]),
    ("unknown weekday", roster_text(base_tech(shifts={"tues": "08:00-17:00"})),
     ["'TECH01' (#1)", "shifts", "tues"]),
    ("shift end before start", roster_text(base_tech(shifts={"tue": "17:00-08:00"})),
     ["'TECH01' (#1)", "shifts.tue", "not after start"]),
    ("bad clock", roster_text(base_tech(shifts={"tue": "8am-5pm"})),
     ["shifts.tue", "8am"]),
    ("bad date key", roster_text(base_tech(dates={"2026-13-40": "off"})),
     ["dates.2026-13-40: ", "valid date"]),
    ("lunch fits no shift", roster_text(base_tech(lunch={"window": "18:00-19:00",
                                                          "duration": "30m"})),
     ["'TECH01' (#1)", "lunch window 18:00-19:00", "none of the shifts"]),
    ("lunch window reversed", roster_text(base_tech(lunch={"window": "13:30-11:30",
                                                            "duration": "30m"})),
     ["lunch", "before its start"]),
    ("lunch duration", roster_text(base_tech(lunch={"window": "11:30-13:30",
                                                     "duration": "lots"})),
     ["lunch.duration", "lots"]),
    ("duplicate ids", roster_text(base_tech(), base_tech(name="Other")),
     ["technicians: ", "'TECH01'", "used twice (#1 and #2)"]),
    ("half a coordinate", roster_text(base_tech(), base_tech(id="TECH02", start={"lat": 47.6})),
     ["'TECH02' (#2)", "start", "lat and lon"]),
    ("no location", roster_text(base_tech(start={})), ["'TECH01' (#1)", "start", "lat/lon"]),
    ("latitude out of range", roster_text(base_tech(start={"lat": 147.6, "lon": 1})),
     ["start.lat"]),
    ("typo field", roster_text(base_tech(skils=["X"])), ["'TECH01' (#1)", "skils", "unknown"]),
    ("missing id", roster_text(base_tech(id=None)), ["technician #1", "id", "missing"]),
    ("skills as text", roster_text(base_tech(skills="TV_MOUNTING")), ["skills", "list"]),
    ("negative max jobs", roster_text(base_tech(max_jobs=0)), ["max_jobs"]),
    ("no technicians", "timezone: America/Los_Angeles\ntechnicians: []\n", ["technicians"]),
    ("unquoted clock", "timezone: UTC\ntechnicians:\n- id: T\n  name: A\n  start: {lat: 1, lon: 1}"
     "\n  lunch: {window_start: 11:30, window_end: '13:00', duration: 30}\n",
     ["lunch.window_start", "quotes"]),
    ("broken yaml", "timezone: UTC\ntechnicians:\n  - id: [T1\n    name: A\n", ["invalid YAML",
                                                                          "line"]),
    ("top level list", "- id: T1\n", ["mapping"]),
]


@pytest.mark.parametrize(("case", "text", "fragments"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_one_line_with_file_technician_and_field(
    tmp_path: Path, case: str, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RosterError) as caught:
        load_roster(path)
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.startswith(f"{path}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_broken_toml_reports_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'timezone = "UTC"\n[[technicians]]\nid = \n', "roster.toml")
    with pytest.raises(RosterError, match=r"invalid TOML.*line 3"):
        load_roster(path)


def test_unreadable_or_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(RoutingError, match="cannot read file"):
        load_roster(tmp_path / "missing.yaml")
    with pytest.raises(RosterError, match="unsupported file type"):
        load_roster(write(tmp_path, "x", "roster.txt"))
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(RosterError, match="cannot read file"):
        load_roster(folder)


def test_unquoted_off_and_numeric_ids_read_as_meant(tmp_path: Path) -> None:
    text = ROSTER_YAML.replace('"2026-12-24": "off"', '2026-12-24: off').replace(
        "id: TECH02", "id: 20261201")
    assert "2026-12-24: off" in text
    roster = load_roster(write(tmp_path, text))
    assert roster.by_id("TECH01").shift_on(date(2026, 12, 24)) is None
    assert roster.by_id("20261201").name == "Ben Okafor"


def test_a_half_day_override_may_leave_out_lunch(tmp_path: Path) -> None:
    text = roster_text(base_tech(dates={"2026-12-01": "07:00-11:00"}))
    ana = load_roster(write(tmp_path, text)).by_id("TECH01")
    assert ana.shift_on(TUESDAY) == (datetime.combine(TUESDAY, time(7), LA),
                                     datetime.combine(TUESDAY, time(11), LA))
    assert ana.lunch_on(TUESDAY) is None
