"""Where the Services API lives: regional production and sandbox endpoints."""

from __future__ import annotations

from routing.spapi.errors import ClientSettingsError

__all__ = ["LWA_TOKEN_URL", "REGIONS", "base_url_for"]

REGIONS = ("na", "eu", "fe")
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"


def base_url_for(region: str = "na", *, sandbox: bool = False, base_url: str | None = None) -> str:
    """The API root for a region (production or sandbox), or ``base_url`` when given."""
    if base_url is not None:
        if not base_url.startswith(("http://", "https://")):
            raise ClientSettingsError(f"base URL must start with http:// or https://: {base_url!r}")
        return base_url.rstrip("/")
    if region not in REGIONS:
        raise ClientSettingsError(
            f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
    prefix = "sandbox." if sandbox else ""
    return f"https://{prefix}sellingpartnerapi-{region}.amazon.com"
