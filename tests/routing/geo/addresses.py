"""A plain address for tests, with the fields of ``routing.spapi.models.Address``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Address:
    address_line1: str = ""
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    county: str | None = None
    district: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = "US"


SPACE_NEEDLE = Address("400 Broad St", city="Seattle", state_or_region="WA", postal_code="98109")
EMPIRE_STATE = Address("20 W 34th St", city="New York", state_or_region="NY", postal_code="10001")
