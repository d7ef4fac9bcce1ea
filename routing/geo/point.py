"""What geocoding consumes and produces: addresses, their keys, points with a precision."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from routing.geo.errors import GeoError

__all__ = [
    "AddressLike",
    "GeoPoint",
    "Geocoder",
    "Precision",
    "address_fields",
    "check_coordinates",
    "normalize_address",
    "normalize_text",
]


class Precision(StrEnum):
    """How closely a point locates an address, best first."""

    ROOFTOP = "rooftop"
    STREET = "street"
    POSTAL_CODE = "postal_code"
    CITY = "city"

    @property
    def rank(self) -> int:
        """0 for the best precision (rooftop), growing as the point gets coarser."""
        return _RANK[self]

    def better_than(self, other: Precision) -> bool:
        return self.rank < other.rank


_RANK = {precision: rank for rank, precision in enumerate(Precision)}


@dataclass(frozen=True)
class GeoPoint:
    """A geocoded point: WGS84 degrees, how precise it is and which source answered."""

    lat: float
    lon: float
    precision: Precision
    source: str

    def __post_init__(self) -> None:
        check_coordinates(self.lat, self.lon)


def check_coordinates(lat: float, lon: float) -> None:
    """Raise :class:`GeoError` unless ``lat``/``lon`` are finite WGS84 degrees."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeoError(f"invalid coordinates lat={lat!r}, lon={lon!r}: expected WGS84 degrees")


class AddressLike(Protocol):
    """The fields of an SP-API ``Address`` geocoding reads (``routing.spapi.models.Address``)."""

    @property
    def address_line1(self) -> str: ...
    @property
    def address_line2(self) -> str | None: ...
    @property
    def address_line3(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def county(self) -> str | None: ...
    @property
    def district(self) -> str | None: ...
    @property
    def state_or_region(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def country_code(self) -> str | None: ...


class Geocoder(Protocol):
    """Anything that turns an address into a point.

    ``geocode`` returns ``None`` for a definite "not found" and raises
    :class:`~routing.geo.errors.GeocodingError` when the provider failed to answer.
    Implementations may also carry ``best_precision`` (the best :class:`Precision` they can
    ever return), ``cacheable`` (``False`` for cheap offline sources) and ``unreachable``
    (``{provider name: why}`` for providers given up on in this run, see
    :func:`routing.geo.chain.unreachable_providers`); the chain reads them when present.
    """

    name: str

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None: ...


_NON_WORD = re.compile(r"[\W_]+")


def normalize_text(text: str) -> str:
    """Case-fold, turn punctuation into spaces and collapse runs of spaces."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


def address_fields(address: AddressLike, *, extra_lines: bool = True) -> list[str]:
    """The non-empty fields of an address, from street to country.

    ``extra_lines=False`` leaves out address lines 2 and 3 (suite, floor, care-of), which
    confuse geocoders.
    """
    extra = (address.address_line2, address.address_line3) if extra_lines else ()
    fields = (
        address.address_line1, *extra, address.district, address.city, address.county,
        address.state_or_region, address.postal_code, address.country_code,
    )
    return [field.strip() for field in fields if field and field.strip()]


def normalize_address(address: AddressLike) -> str:
    """The cache and override key of an address: its fields, case-folded, without punctuation.

    "12 Main St., Seattle, WA 98109" and "12 main st seattle wa 98109" share one key, so a
    hand-written address in an overrides file matches the job's address.
    """
    return normalize_text(" ".join(address_fields(address)))
