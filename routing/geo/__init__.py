"""Geocoding (address -> point, cached) and travel matrices (points -> seconds and metres).

Offline by default: the gazetteer (US ZIP and city centroids, optional GeoNames file) and
haversine travel times. Any geopy geocoder and an OSRM server improve on them.
"""

from routing.geo.batch import BatchResult, geocode_batch
from routing.geo.cache import GeocodeCache
from routing.geo.chain import GeocoderChain, default_geocoder
from routing.geo.errors import GeocodeCacheError, GeocodingError, GeoError, MatrixError
from routing.geo.gazetteer import Gazetteer
from routing.geo.geopy_geocoder import GeopyGeocoder
from routing.geo.haversine import HaversineMatrix
from routing.geo.matrix import MatrixProvider, TravelMatrix
from routing.geo.osrm import OsrmMatrix
from routing.geo.overrides import OverrideGeocoder
from routing.geo.point import AddressLike, Geocoder, GeoPoint, Precision, normalize_address
from routing.geo.timezones import timezone_at
from routing.geo.warmup import WarmupReport, format_report, warm_cache

__all__ = [
    "AddressLike",
    "BatchResult",
    "Gazetteer",
    "GeoError",
    "GeoPoint",
    "GeocodeCache",
    "GeocodeCacheError",
    "Geocoder",
    "GeocoderChain",
    "GeocodingError",
    "GeopyGeocoder",
    "HaversineMatrix",
    "MatrixError",
    "MatrixProvider",
    "OsrmMatrix",
    "OverrideGeocoder",
    "Precision",
    "TravelMatrix",
    "WarmupReport",
    "default_geocoder",
    "format_report",
    "geocode_batch",
    "normalize_address",
    "timezone_at",
    "warm_cache",
]
