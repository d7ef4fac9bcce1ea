"""The technician roster: who works when, from where, with which skills.

A roster is a YAML, TOML or JSON file::

    timezone: America/Los_Angeles          # default for technicians without their own
    technicians:
      - id: A1B2C3D4E5TECH01               # Amazon resource id used when assigning
        name: Ana Ruiz
        skills: [TV_MOUNTING, HOME_THEATER]
        start: {lat: 47.6101, lon: -122.2015}
        end: {address: {line1: "1 Main St", city: Bellevue, state: WA, postal_code: "98004"}}
        shifts: {mon: "08:00-17:00", tue: "08:00-17:00", fri: "08:00-16:00"}
        dates: {"2026-12-24": "off", "2026-12-26": "10:00-14:00"}
        lunch: {window: "11:30-13:30", duration: 30m}
        max_jobs: 8
        territory: seattle-east            # optional: `plan-batch` plans each territory apart

Rules worth knowing:

- ``end`` defaults to ``start``; a location is lat/lon, a structured address, or both
  (lat/lon win for routing, the address is kept for display and geocoding).
- ``shifts`` keys are weekdays (``mon``..``sun``, full names accepted); a ``dates`` entry
  for a day replaces the weekday shift, ``"off"`` means no work. Shifts do not cross
  midnight: an end before its start is an error.
- The lunch break must *start* inside its window and must end before the shift does. On a
  day whose shift cuts into the window, the window is narrowed to the shift; when nothing
  is left (a half day), there is no break that day. A lunch window that fits in none of
  the technician's shifts is an error, since it is almost certainly a typo.

Every validation problem becomes a :class:`RosterError` on one line naming the file, the
technician (id and position) and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from routing.datafile import describe_validation_error, dotted_path, read_data_file
from routing.durations import parse_duration
from routing.errors import RoutingError
from routing.spapi.models import Address

__all__ = [
    "WEEKDAYS",
    "Location",
    "Lunch",
    "Roster",
    "RosterAddress",
    "RosterError",
    "TechnicianSpec",
    "TimeRange",
    "load_roster",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


class RosterError(RoutingError):
    """A roster file that cannot be read or is invalid."""


def parse_clock(value: object) -> time:
    """``"08:00"`` or ``"8:00"`` (24-hour clock) -> ``time``."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # PyYAML reads an unquoted 11:30 as the base-60 integer 690.
        raise ValueError(f"got the number {value}; write clock times in quotes, e.g. \"11:30\"")
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"cannot read clock time {value!r}; write e.g. \"08:00\"")
    return time(int(match[1]), int(match[2]))


def _split_range(value: object) -> tuple[object, object] | None:
    """``"08:00-17:00"`` -> ``("08:00", "17:00")``; None if *value* is not such a string."""
    if isinstance(value, str) and value.count("-") == 1:
        start, end = value.split("-")
        return start, end
    return None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {name!r} (e.g. 'America/Los_Angeles')") from None


class TimeRange(BaseModel):
    """A same-day span of clock time, written ``"08:00-17:00"``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return value
        parts = _split_range(value)
        if parts is None:
            raise ValueError(f"expected a time range such as \"08:00-17:00\", got {value!r}")
        return {"start": parts[0], "end": parts[1]}

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> time:
        return parse_clock(value)

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end:%H:%M} is not after start {self.start:%H:%M} "
                "(ranges cannot cross midnight)"
            )
        return self

    def on(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """This range on *day*, as aware datetimes in *tz*."""
        return datetime.combine(day, self.start, tz), datetime.combine(day, self.end, tz)


class RosterAddress(BaseModel):
    """A structured street address (US by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line1: str = Field(min_length=1)
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country_code: str = Field(default="US", pattern=r"^[A-Z]{2}$")

    @model_validator(mode="after")
    def _locatable(self) -> RosterAddress:
        if not (self.city or self.postal_code):
            raise ValueError("an address needs a city or a postal_code to be geocoded")
        return self


class Location(BaseModel):
    """Where a technician starts or ends the day: lat/lon, an address, or both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: RosterAddress | None = None

    @model_validator(mode="after")
    def _complete(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if self.lat is None and self.address is None:
            raise ValueError("a location needs lat/lon or an address")
        return self

    @property
    def has_coordinates(self) -> bool:
        """True when lat/lon are given (they win over the address for routing)."""
        return self.lat is not None and self.lon is not None

    def as_address(self, name: str | None = None) -> Address | None:
        """The address in the Services API shape, for geocoding; None without one.

        *name* fills the model's required ``name`` field (defaults to the first line).
        """
        if self.address is None:
            return None
        a = self.address
        return Address.model_validate(
            {
                "name": name or a.line1,
                "addressLine1": a.line1,
                "addressLine2": a.line2,
                "city": a.city,
                "stateOrRegion": a.state,
                "postalCode": a.postal_code,
                "countryCode": a.country_code,
            }
        )


class Lunch(BaseModel):
    """A break that must start between ``window_start`` and ``window_end``.

    Written ``{window: "11:30-13:30", duration: 30m}`` or with ``window_start`` and
    ``window_end``; the duration as ``"30m"``, ``"1h"`` or minutes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_start: time
    window_end: time
    duration: timedelta

    @model_validator(mode="before")
    @classmethod
    def _split_window(cls, value: object) -> object:
        if isinstance(value, Mapping) and "window" in value:
            data = dict(value)
            window = data.pop("window")
            parts = _split_range(window)
            if parts is None:
                raise ValueError(f"window: expected e.g. \"11:30-13:30\", got {window!r}")
            data["window_start"], data["window_end"] = parts
            return data
        return value

    @field_validator("window_start", "window_end", mode="before")
    @classmethod
    def _clock(cls, value: object) -> time:
        return parse_clock(value)

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @model_validator(mode="after")
    def _ordered(self) -> Lunch:
        if self.window_end < self.window_start:
            raise ValueError(
                f"window end {self.window_end:%H:%M} is before its start {self.window_start:%H:%M}"
            )
        return self

    def within(
        self, shift_start: datetime, shift_end: datetime
    ) -> tuple[datetime, datetime] | None:
        """The start window narrowed so the break lies inside the shift; None if impossible."""
        day, tz = shift_start.date(), shift_start.tzinfo
        earliest = max(datetime.combine(day, self.window_start, tz), shift_start)
        latest = min(datetime.combine(day, self.window_end, tz), shift_end - self.duration)
        return (earliest, latest) if earliest <= latest else None


def _is_off(value: object) -> bool:
    """``"off"``; also ``False``, which is what YAML makes of an unquoted ``off``."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "off")


def _normalise_weekday(key: object) -> str:
    text = str(key).strip().lower()
    if text in _FULL_WEEKDAYS:
        return WEEKDAYS[_FULL_WEEKDAYS.index(text)]
    if text not in WEEKDAYS:
        raise ValueError(f"unknown weekday {key!r}; use mon, tue, wed, thu, fri, sat or sun")
    return text


class TechnicianSpec(BaseModel):
    """One technician as written in the roster."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=50, pattern=r"^\S+$")
    name: str = Field(min_length=1)
    skills: frozenset[str] = frozenset()
    start: Location
    end: Location | None = None
    timezone: str
    shifts: dict[Weekday, TimeRange] = {}
    dates: dict[date, TimeRange | None] = {}
    lunch: Lunch | None = None
    max_jobs: int | None = Field(default=None, ge=1)
    fixed_cost: float = Field(default=0, ge=0)
    cost_per_hour: float = Field(default=0, ge=0)
    territory: str | None = Field(default=None, min_length=1, pattern=r"^[\w.-]+$",
                                  description="the territory this technician plans in "
                                              "(plan-batch splits a roster by it)")

    @model_validator(mode="before")
    @classmethod
    def _has_timezone(cls, value: object) -> object:
        if isinstance(value, Mapping) and value.get("timezone") is None:
            raise ValueError("timezone: missing; give the technician one or set the roster's")
        return value

    @field_validator("id", "name", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # YAML reads an all-digit id as a number
        return value.strip() if isinstance(value, str) else value

    @field_validator("skills", mode="before")
    @classmethod
    def _skill_list(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError("expected a list of skills, e.g. [TV_MOUNTING, PLUMBING]")
        if isinstance(value, list | tuple | set | frozenset):
            names = [str(s).strip() for s in value]
            if not all(names):
                raise ValueError("skills cannot be empty strings")
            return frozenset(names)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        _zone(value)
        return value

    @field_validator("shifts", mode="before")
    @classmethod
    def _weekday_keys(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        shifts: dict[str, object] = {}
        for key, item in value.items():
            day = _normalise_weekday(key)
            if day in shifts:
                raise ValueError(f"weekday {day!r} is given twice")
            shifts[day] = item
        return shifts

    @field_validator("dates", mode="before")
    @classmethod
    def _day_off(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            return value
        return {key: None if _is_off(item) else item for key, item in value.items()}

    @model_validator(mode="after")
    def _lunch_fits_some_shift(self) -> TechnicianSpec:
        if self.lunch is None:
            return self
        spans = [*self.shifts.values(), *(r for r in self.dates.values() if r is not None)]
        reference = date(2000, 1, 3)  # any day: only clock times are compared here
        utc = ZoneInfo("UTC")
        if spans and not any(self.lunch.within(*span.on(reference, utc)) for span in spans):
            raise ValueError(
                f"lunch window {self.lunch.window_start:%H:%M}-{self.lunch.window_end:%H:%M} "
                f"with a {_minutes(self.lunch.duration)} break fits in none of the shifts"
            )
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        """The technician's timezone as a ``ZoneInfo``."""
        return _zone(self.timezone)

    @property
    def end_location(self) -> Location:
        """Where the day ends: ``end``, or ``start`` when no end is given."""
        return self.end if self.end is not None else self.start

    def shift_on(self, day: date) -> tuple[datetime, datetime] | None:
        """Start and end of work on *day* (aware, local time); None on a day off.

        A ``dates`` entry for the day beats the weekday shift.
        """
        span = self.dates[day] if day in self.dates else self.shifts.get(WEEKDAYS[day.weekday()])
        return span.on(day, self.tz) if span is not None else None

    def lunch_on(self, day: date) -> tuple[datetime, datetime, timedelta] | None:
        """Earliest and latest break start on *day* (aware, local) and its length.

        None when the technician has no lunch, is off, or the shift leaves no room for it.
        """
        shift = self.shift_on(day)
        if self.lunch is None or shift is None:
            return None
        window = self.lunch.within(*shift)
        return (*window, self.lunch.duration) if window is not None else None


def _minutes(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:g} min"


class Roster(BaseModel):
    """All technicians, with an optional default timezone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str | None = None
    technicians: list[TechnicianSpec] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _inherit_timezone(cls, value: object) -> object:
        """Give each technician without a timezone the roster-level one."""
        if not isinstance(value, Mapping):
            return value
        default = value.get("timezone")
        techs = value.get("technicians")
        if default is None or not isinstance(techs, list):
            return value
        data = dict(value)
        data["technicians"] = [
            {**t, "timezone": default} if isinstance(t, Mapping) and "timezone" not in t else t
            for t in techs
        ]
        return data

    @property
    def tz(self) -> ZoneInfo:
        """The day's timezone (which decides the jobs on a day, and how a plan shows
        times): the roster's own, else its first technician's."""
        return _zone(self.timezone) if self.timezone else self.technicians[0].tz

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            _zone(value)
        return value

    @field_validator("technicians")
    @classmethod
    def _unique_ids(cls, technicians: list[TechnicianSpec]) -> list[TechnicianSpec]:
        first: dict[str, int] = {}
        for number, tech in enumerate(technicians, start=1):
            if tech.id in first:
                raise ValueError(
                    f"technician id {tech.id!r} is used twice (#{first[tech.id]} and #{number})"
                )
            first[tech.id] = number
        return technicians

    def by_id(self, tech_id: str) -> TechnicianSpec:
        """The technician with this id; ``KeyError`` if none."""
        for tech in self.technicians:
            if tech.id == tech_id:
                return tech
        raise KeyError(tech_id)


def load_roster(path: Path | str) -> Roster:
    """Read and validate a roster from YAML, TOML or JSON (chosen by the file's suffix)."""
    path = Path(path)
    data = read_data_file(path, RosterError)
    try:
        return Roster.model_validate(data)
    except ValidationError as exc:
        raise RosterError(describe_validation_error(exc, _locator(path, data))) from None


def _locator(path: Path, data: Mapping[str, Any]) -> Callable[[tuple[int | str, ...]], str]:
    """Turn an error location into "file: technician 'ID' (#n): field"."""

    def where(loc: tuple[int | str, ...]) -> str:
        if len(loc) >= 2 and loc[0] == "technicians" and isinstance(loc[1], int):
            index = loc[1]
            raw = data.get("technicians")
            tech = raw[index] if isinstance(raw, list) and index < len(raw) else None
            tech_id = tech.get("id") if isinstance(tech, Mapping) else None
            who = f"technician #{index + 1}"
            if tech_id:
                who = f"technician {tech_id!r} (#{index + 1})"
            field = dotted_path(loc[2:])
            return f"{path}: {who}: {field}" if loc[2:] else f"{path}: {who}"
        return f"{path}: {dotted_path(loc)}"

    return where
