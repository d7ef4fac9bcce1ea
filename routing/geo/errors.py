"""The exception tree of ``routing.geo``; geopy, httpx and sqlite3 errors are translated into it."""

from routing.errors import RoutingError

__all__ = [
    "GeoError",
    "GeocodeCacheError",
    "GeocodingError",
    "MatrixError",
    "ProviderUnreachableError",
]


class GeoError(RoutingError):
    """Root of every error raised by ``routing.geo`` (also bad input such as a lat of 200)."""


class GeocodingError(GeoError):
    """A provider failed (network, quota, bad answer): unlike "not found", no answer was given."""


class ProviderUnreachableError(GeocodingError):
    """A provider's circuit breaker has opened: it is not asked again in this run.

    The message always starts "provider <name> unreachable".
    """

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(message)
        self.provider = provider


class GeocodeCacheError(GeoError):
    """The SQLite geocode cache could not be opened, read or written."""


class MatrixError(GeoError):
    """A travel matrix could not be computed."""
