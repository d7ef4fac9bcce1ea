"""The exception tree of ``routing.geo``; geopy, httpx and sqlite3 errors are translated into it."""

from routing.errors import RoutingError


class GeoError(RoutingError):
    """Root of every error raised by ``routing.geo`` (also bad input such as a lat of 200)."""


class GeocodingError(GeoError):
    """A provider failed (network, quota, bad answer): unlike "not found", no answer was given."""


class GeocodeCacheError(GeoError):
    """The SQLite geocode cache could not be opened, read or written."""


class MatrixError(GeoError):
    """A travel matrix could not be computed."""
