"""Any geopy geocoder (Nominatim, Photon, ArcGIS, GoogleV3, HERE, …) behind a rate limiter."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import GoogleV3, Nominatim, get_geocoder_for_service

from routing.geo.errors import GeocodingError, GeoError
from routing.geo.geopy_precision import precision_of
from routing.geo.point import AddressLike, GeoPoint, Precision, address_fields

USER_AGENT = "routeplan/0.1"
_SECRET_OPTION_WORDS = ("key", "secret", "token", "password", "client_id", "auth")
# Errors worth another try: 5xx, timeouts, connection trouble and 429s.
_TRANSIENT = (
    geopy_exc.GeocoderRateLimited,
    geopy_exc.GeocoderUnavailable,
    geopy_exc.GeocoderTimedOut,
)


def _is_transient(error: geopy_exc.GeopyError) -> bool:
    # A bare GeocoderServiceError is what geopy raises for an unmapped 5xx status.
    return isinstance(error, _TRANSIENT) or type(error) is geopy_exc.GeocoderServiceError


class GeopyGeocoder:
    """Geocode through the geopy service ``provider`` ("nominatim", "googlev3", "photon", …).

    ``options`` go to the geopy class (``api_key``, ``domain``, ``scheme``, ``user_agent``,
    …). Requests are spaced by ``min_delay`` seconds (geopy's ``RateLimiter``; Nominatim's
    public servers require 1 s). Transient failures (429, 5xx, timeouts) are retried
    ``retries`` times, waiting the server's Retry-After when it gives one, unless that is
    longer than ``max_retry_wait``. A provider that does not say how precise its answer is
    gets ``default_precision``. ``name`` (default: the provider's) labels points and cache
    entries: give two servers of one kind (public and self-hosted Nominatim) distinct names.
    """

    best_precision = Precision.ROOFTOP
    cacheable = True

    def __init__(
        self,
        provider: str,
        *,
        options: Mapping[str, Any] | None = None,
        min_delay: float = 1.0,
        timeout: float = 10,
        retries: int = 2,
        retry_wait: float = 2.0,
        max_retry_wait: float = 60.0,
        default_precision: Precision = Precision.STREET,
        name: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        try:
            cls = get_geocoder_for_service(provider)
        except geopy_exc.GeocoderNotFound as error:
            raise GeoError(f"unknown geopy geocoder {provider!r}") from error
        # geopy picks the requests adapter when requests is installed, and it retries 429s
        # and 5xx on its own (sleeping through Retry-After); the stdlib adapter leaves every
        # retry to us, whatever is installed.
        settings: dict[str, Any] = {
            "timeout": timeout, "user_agent": USER_AGENT, "adapter_factory": URLLibAdapter,
            **(options or {}),
        }
        try:
            self._geopy = cls(**settings)
        except (TypeError, geopy_exc.GeopyError) as error:
            # The message names the bad option, never its value (it may be an API key).
            raise GeoError(f"cannot configure geopy geocoder {provider!r}: {error}") from None
        self.name = name or provider.lower()
        self._secrets = [
            str(value) for option, value in settings.items()
            if value and any(word in option.lower() for word in _SECRET_OPTION_WORDS)
        ]
        self._limited = RateLimiter(
            self._geopy.geocode, min_delay_seconds=min_delay, max_retries=0,
            swallow_exceptions=False,
        )
        self.retries = retries
        self.retry_wait = retry_wait
        self.max_retry_wait = max_retry_wait
        self.default_precision = default_precision
        self._sleep = sleep

    def __repr__(self) -> str:  # options may hold API keys: keep them out of reprs
        return f"GeopyGeocoder({self.name!r})"

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        location = self._locate(*self._query(address))
        if location is None:
            return None
        try:
            lat, lon = float(location.latitude), float(location.longitude)
            precision = precision_of(location.raw) or self.default_precision
            return GeoPoint(lat, lon, precision, self.name)
        except (TypeError, ValueError, GeoError) as error:
            raise GeocodingError(f"{self.name} answered unusable coordinates: {error}") from None

    def _locate(self, query: str | dict[str, str], extra: dict[str, Any]) -> Any:
        """geopy's ``Location`` (or ``None``), retrying transient failures."""
        attempt = 0
        while True:
            try:
                return self._limited(query, exactly_one=True, **extra)
            except geopy_exc.GeopyError as error:
                wait = self._retry_wait(error, attempt)
                if wait is None:
                    raise GeocodingError(self._describe(error)) from None
                self._sleep(wait)
                attempt += 1
            except Exception as error:  # a malformed answer breaks geopy's parsing
                raise GeocodingError(
                    self._redact(f"{self.name} gave an unreadable answer: {error!r}")
                ) from None

    def _query(self, address: AddressLike) -> tuple[str | dict[str, str], dict[str, Any]]:
        """A structured query where the provider takes one, else one line of text.

        Nominatim (and its kin) take the fields apart; Google takes one line plus country
        and postal code as strict components; the others get one line.
        """
        if isinstance(self._geopy, Nominatim):
            fields = {
                "street": address.address_line1,
                "city": address.city,
                "county": address.county,
                "state": address.state_or_region,
                "postalcode": address.postal_code,
            }
            structured = {key: value.strip() for key, value in fields.items() if value}
            extra = {"country_codes": address.country_code.lower()} if address.country_code else {}
            return structured, extra
        text = ", ".join(address_fields(address, extra_lines=False))
        if isinstance(self._geopy, GoogleV3):
            components = {"country": address.country_code, "postal_code": address.postal_code}
            return text, {"components": {k: v.strip() for k, v in components.items() if v}}
        return text, {}

    def _retry_wait(self, error: geopy_exc.GeopyError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up now."""
        if attempt >= self.retries or not _is_transient(error):
            return None
        retry_after = getattr(error, "retry_after", None)
        wait = float(retry_after) if retry_after is not None else self.retry_wait * 2**attempt
        return wait if wait <= self.max_retry_wait else None

    def _describe(self, error: geopy_exc.GeopyError) -> str:
        kinds: list[tuple[type[geopy_exc.GeopyError], str]] = [
            (geopy_exc.GeocoderRateLimited, "rate-limited the request"),
            (geopy_exc.GeocoderQuotaExceeded, "reports the quota is used up"),
            (geopy_exc.GeocoderAuthenticationFailure, "rejected the credentials"),
            (geopy_exc.GeocoderInsufficientPrivileges, "refused access"),
            (geopy_exc.GeocoderTimedOut, "did not answer in time"),
            (geopy_exc.GeocoderUnavailable, "is unreachable"),
            (geopy_exc.GeocoderQueryError, "rejected the query"),
        ]
        what = next((text for kind, text in kinds if isinstance(error, kind)), "failed")
        retry_after = getattr(error, "retry_after", None)
        detail = f"; retry after {retry_after} s" if retry_after else ""
        return self._redact(f"{self.name} {what}{detail}: {error}")

    def _redact(self, message: str) -> str:
        """Blank out API keys and the like that a URL in an error message may carry."""
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return message
