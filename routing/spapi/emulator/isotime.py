"""ISO 8601 timestamps as the Services API writes them (``2020-01-31T06:38:56.961Z``).

``datetime.fromisoformat`` alone is too lenient for an emulator that must reject what Amazon
rejects (it accepts ``20210101`` or a space instead of ``T``), so a strict pattern runs first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["is_utc", "parse_aware", "parse_iso"]

_ISO_8601 = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2})?)(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?$"
)


def parse_iso(value: object) -> datetime | None:
    """The timestamp ``value`` spells, naive when it has no zone; None when it is not ISO 8601."""
    if not isinstance(value, str):
        return None
    match = _ISO_8601.match(value)
    if match is None:
        return None
    text = match["date"]
    if match["time"]:
        text += "T" + match["time"]
        if match["fraction"]:
            text += "." + match["fraction"][:6].ljust(6, "0")
        zone = match["zone"]
        if zone:
            text += "+00:00" if zone == "Z" else zone
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_aware(value: object) -> datetime | None:
    """Like :func:`parse_iso`, reading a timestamp without a zone as UTC."""
    parsed = parse_iso(value)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def is_utc(value: datetime) -> bool:
    """Whether ``value`` carries an explicit zone that is UTC (``Z`` or ``+00:00``)."""
    offset = value.utcoffset()
    return offset is not None and not offset
