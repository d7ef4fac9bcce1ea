"""How long a job takes on site: the service-duration table.

The Services API carries no service duration, so the planner looks it up in a small table
keyed by ASIN and by required skill, with a default. The file is YAML, TOML or JSON::

    default: 60m
    by_skill: {TV_MOUNTING: 90m, PLUMBING: 2h}
    by_asin: {B0EXAMPLE01: 1h30m}

Durations are written ``"90m"``, ``"1h30m"``, ``"45s"``, ``"2h 15m"`` or as a plain number
of minutes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from routing.datafile import describe_validation_error, dotted_path, read_data_file
from routing.errors import RoutingError
from routing.plan import RecordedFile

if TYPE_CHECKING:
    from routing.spapi.models import ScopeOfWork

__all__ = [
    "BUILTIN",
    "DurationTable",
    "DurationsError",
    "load_durations",
    "parse_duration",
]

_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*(?:(?P<m>\d+(?:\.\d+)?)\s*m(?:in)?)?\s*"
    r"(?:(?P<s>\d+)\s*s)?$"
)


BUILTIN = "built-in"
"""What a plan records as the durations table's path when none was given."""


class DurationsError(RoutingError):
    """A service-duration table that cannot be read or is invalid."""


def parse_duration(value: object) -> timedelta:
    """Read ``"90m"``, ``"1h30m"``, ``"45s"``, a number of minutes or a timedelta.

    Raises ``ValueError`` (pydantic turns it into a validation error) for anything else,
    including zero and negative durations.
    """
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = timedelta(minutes=value)
    elif isinstance(value, str):
        text = value.strip().lower()
        match = _DURATION.match(text) if text else None
        if match is None or not any(match.groupdict().values()):
            if not re.fullmatch(r"\d+(?:\.\d+)?", text):
                raise ValueError(
                    f"cannot read duration {value!r}; write e.g. '90m', '1h30m', '45s' "
                    "or a number of minutes"
                )
            result = timedelta(minutes=float(text))
        else:
            result = timedelta(
                hours=float(match["h"] or 0),
                minutes=float(match["m"] or 0),
                seconds=int(match["s"] or 0),
            )
    else:
        raise ValueError(f"expected a duration such as '90m', got {value!r}")
    if result <= timedelta(0):
        raise ValueError(f"duration must be positive, got {value!r}")
    return result


class DurationTable(BaseModel):
    """Service duration per ASIN, per required skill, and a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: timedelta = timedelta(minutes=60)
    by_skill: dict[str, timedelta] = {}
    by_asin: dict[str, timedelta] = {}

    @field_validator("default", mode="before")
    @classmethod
    def _parse_default(cls, value: object) -> timedelta:
        return parse_duration(value)

    @field_validator("by_skill", "by_asin", mode="before")
    @classmethod
    def _parse_entries(cls, value: object) -> dict[str, timedelta]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise ValueError("expected a mapping of name to duration")
        parsed: dict[str, timedelta] = {}
        for key, item in value.items():
            try:
                parsed[str(key).strip()] = parse_duration(item)
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return parsed

    def duration_for(self, scope: ScopeOfWork | None) -> timedelta:
        """The on-site time for a job's scope of work.

        The ASIN entry wins; otherwise the longest entry among the required skills;
        otherwise the default. The result is multiplied by ``scope.quantity`` when above 1.
        """
        if scope is None:
            return self.default
        base = self.by_asin.get(scope.asin or "")
        if base is None:
            known = [self.by_skill[s] for s in scope.required_skills or () if s in self.by_skill]
            base = max(known, default=self.default)
        quantity = scope.quantity or 1
        return base * quantity if quantity > 1 else base

    def describe(self) -> str:
        """One line, e.g. "60 min; by skill: PLUMBING 2h00, TV_MOUNTING 1h30" (for help)."""
        text = _minutes(self.default)
        for title, entries in (("by skill", self.by_skill), ("by ASIN", self.by_asin)):
            if entries:
                items = ", ".join(f"{k} {_minutes(v)}" for k, v in sorted(entries.items()))
                text += f"; {title}: {items}"
        return text

    @classmethod
    def builtin_record(cls) -> RecordedFile:
        """The built-in table as a plan records it: path 'built-in' and the hash of its
        JSON form (so a plan shows when a new version changed the built-in values)."""
        content = cls.builtin().model_dump_json().encode()
        return RecordedFile(path=BUILTIN, sha256=hashlib.sha256(content).hexdigest())

    @classmethod
    def builtin(cls) -> DurationTable:
        """Defaults used when no table is given: 60 minutes, longer for heavy trades."""
        return cls(
            default=timedelta(minutes=60),
            by_skill={
                "TV_MOUNTING": timedelta(minutes=90),
                "HOME_THEATER": timedelta(minutes=120),
                "APPLIANCE_INSTALL": timedelta(minutes=90),
                "PLUMBING": timedelta(minutes=120),
                "ELECTRICAL": timedelta(minutes=90),
                "SMART_HOME": timedelta(minutes=60),
                "FURNITURE_ASSEMBLY": timedelta(minutes=90),
            },
        )


def _minutes(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:g} min"


def load_durations(path: Path | str) -> DurationTable:
    """Read a duration table from YAML, TOML or JSON (chosen by the file's suffix)."""
    data = read_data_file(path, DurationsError)
    try:
        return DurationTable.model_validate(data)
    except ValidationError as exc:
        line = describe_validation_error(exc, lambda loc: f"{path}: {dotted_path(loc)}")
        raise DurationsError(line) from None
