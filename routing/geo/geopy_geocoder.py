"""Any geopy geocoder (Nominatim, Photon, ArcGIS, GoogleV3, HERE, …) behind a rate limiter."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, URLLibAdapter
from geopy.geocoders import GoogleV3, Nominatim, get_geocoder_for_service

from routing.geo.errors import GeocodingError, GeoError, ProviderUnreachableError
from routing.geo.geopy_precision import precision_of
from routing.geo.point import AddressLike, GeoPoint, Precision, address_fields
from routing.geo.ratelimit import CallSlots, LocalSlots

__all__ = ["USER_AGENT", "GeopyGeocoder", "is_transport_failure"]

USER_AGENT = "routeplan/0.1"
_SECRET_OPTION_WORDS = ("key", "secret", "token", "password", "client_id", "auth")


def is_transport_failure(error: geopy_exc.GeopyError) -> bool:
    """Did the provider fail to answer at all: refused or reset connection, DNS failure,
    timeout, 5xx?

    Through the stdlib adapter geopy raises ``GeocoderTimedOut`` for timeouts, 408, 503 and
    504, ``GeocoderUnavailable`` for an unreachable network, and a bare
    ``GeocoderServiceError`` both for any other HTTP status it does not map (its cause
    then carries the status: only 5xx count) and for a connection that failed (refused, reset,
    unknown host). An answer such as 429, 401/403, 400 or 404 is not a transport failure:
    the provider is there, it said no.
    """
    if isinstance(error, geopy_exc.GeocoderTimedOut | geopy_exc.GeocoderUnavailable):
        return True
    if type(error) is not geopy_exc.GeocoderServiceError:
        return False
    cause = error.__cause__
    return not isinstance(cause, AdapterHTTPError) or cause.status_code >= 500


def _is_transient(error: geopy_exc.GeopyError) -> bool:
    """Worth another try: a transport failure, or a 429."""
    return isinstance(error, geopy_exc.GeocoderRateLimited) or is_transport_failure(error)


class GeopyGeocoder:
    """Geocode through the geopy service ``provider`` ("nominatim", "googlev3", "photon", …).

    ``options`` go to the geopy class (``api_key``, ``domain``, ``scheme``, ``user_agent``,
    …). Requests are spaced by ``min_delay`` seconds (Nominatim's public servers require 1 s)
    through ``slots``: pass the :class:`~routing.geo.cache.GeocodeCache` to space the calls
    of every process sharing it; the default spaces only this process's. Transient failures
    (429, 5xx, timeouts, refused connections) are retried ``retries`` times, waiting the
    server's Retry-After when it gives one, unless that is longer than ``max_retry_wait``.

    A circuit breaker: after ``max_failures`` consecutive transport failures (see
    :func:`is_transport_failure`; retries count, any answer resets the count) the provider
    is given up on for the life of this object, i.e. the run, and every later call raises
    :class:`ProviderUnreachableError` at once. So an unreachable provider costs at most
    ``max_failures`` attempts and the waits between them: with the defaults about 3 s when
    the connection is refused, 33 s when every attempt times out.

    A provider that does not say how precise its answer is gets ``default_precision``.
    ``name`` (default: the provider's) labels points, cache entries and rate-limit slots:
    give two servers of one kind (public and self-hosted Nominatim) distinct names.
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
        retry_wait: float = 1.0,
        max_retry_wait: float = 60.0,
        max_failures: int = 3,
        default_precision: Precision = Precision.STREET,
        name: str | None = None,
        slots: CallSlots | None = None,
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
        self.min_delay = min_delay
        self._slots = slots or LocalSlots()
        self.max_failures = max_failures
        self._failures = 0  # consecutive transport failures
        self._outage: str | None = None  # why the breaker opened, once it has
        self.retries = retries
        self.retry_wait = retry_wait
        self.max_retry_wait = max_retry_wait
        self.default_precision = default_precision
        self._sleep = sleep

    def __repr__(self) -> str:  # options may hold API keys: keep them out of reprs
        return f"GeopyGeocoder({self.name!r})"

    @property
    def unreachable(self) -> dict[str, str]:
        """``{name: why}`` once the circuit breaker has opened, else empty."""
        return {self.name: self._outage} if self._outage else {}

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
            if self._outage:
                raise ProviderUnreachableError(self.name, self._outage)
            if (wait := self._slots.reserve(self.name, self.min_delay)) > 0:
                self._sleep(wait)
            try:
                location = self._geopy.geocode(query, exactly_one=True, **extra)
            except geopy_exc.GeopyError as error:
                self._count(error)
                if self._outage:
                    raise ProviderUnreachableError(self.name, self._outage) from None
                backoff = self._retry_wait(error, attempt)
                if backoff is None:
                    raise GeocodingError(self._describe(error)) from None
                self._sleep(backoff)
                attempt += 1
            except Exception as error:  # a malformed answer breaks geopy's parsing
                self._failures = 0
                raise GeocodingError(
                    self._redact(f"{self.name} gave an unreadable answer: {error!r}")
                ) from None
            else:
                self._failures = 0
                return location

    def _count(self, error: geopy_exc.GeopyError) -> None:
        """Feed the circuit breaker; it opens at ``max_failures`` transport failures in a row."""
        if not is_transport_failure(error):
            self._failures = 0
            return
        self._failures += 1
        if self._failures >= self.max_failures:
            self._outage = self._redact(
                f"provider {self.name} unreachable ({self._failures} failures in a row, the last:"
                f" {error}); not asked again in this run"
            )

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
