"""Addresses for the geo tests: the real ``routing.spapi.models.Address``, as planning sees it."""

from __future__ import annotations

from routing.spapi.models import Address


def address(line1: str = "", line2: str | None = None, *, country_code: str | None = "US",
            **fields: str | None) -> Address:
    """An SP-API address (the buyer's name is required by the model, and irrelevant here)."""
    return Address(name="Test Buyer", address_line1=line1, address_line2=line2,
                   country_code=country_code, **fields)


SPACE_NEEDLE = address("400 Broad St", city="Seattle", state_or_region="WA", postal_code="98109")
EMPIRE_STATE = address("20 W 34th St", city="New York", state_or_region="NY", postal_code="10001")
