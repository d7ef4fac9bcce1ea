"""Geocoding (address -> point, cached) and travel matrices (points -> seconds and metres).

Offline by default: the gazetteer (US ZIP and city centroids, optional GeoNames file) and
haversine travel times. Any geopy geocoder and an OSRM server improve on them.
"""

from routing.geo.batch import BatchProgress, BatchResult, geocode_batch
from routing.geo.cache import GeocodeCache
from routing.geo.chain import GeocoderChain, default_geocoder, unreachable_providers
from routing.geo.errors import (
    GeocodeCacheError,
    GeocodingError,
    GeoError,
    MatrixError,
    ProviderUnreachableError,
)
from routing.geo.gazetteer import Gazetteer
from routing.geo.geopy_geocoder import GeopyGeocoder
from routing.geo.haversine import HaversineMatrix
from routing.geo.matrix import MatrixProvider, TravelMatrix
from routing.geo.osrm import OsrmMatrix
from routing.geo.overrides import OverrideGeocoder
from routing.geo.point import AddressLike, Geocoder, GeoPoint, Precision, normalize_address
from routing.geo.ratelimit import CallSlots, LocalSlots
from routing.geo.timezones import timezone_at
from routing.geo.warmup import WarmupReport, format_report, warm_cache

__all__ = [
    "AddressLike",
    "BatchProgress",
    "BatchResult",
    "CallSlots",
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
    "LocalSlots",
    "MatrixError",
    "MatrixProvider",
    "OsrmMatrix",
    "OverrideGeocoder",
    "Precision",
    "ProviderUnreachableError",
    "TravelMatrix",
    "WarmupReport",
    "default_geocoder",
    "format_report",
    "geocode_batch",
    "normalize_address",
    "timezone_at",
    "unreachable_providers",
    "warm_cache",
]
