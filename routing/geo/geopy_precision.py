"""How precise a geopy ``Location`` is, read from the provider's raw answer.

Each provider says it its own way; this recognises the shapes of Nominatim, Google, Photon,
HERE and ArcGIS answers and returns ``None`` for anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from routing.geo.point import Precision

__all__ = ["precision_of"]

_NOMINATIM_POSTCODE = {"postcode", "postal_code"}
_GOOGLE_LOCATION_TYPE = {
    "ROOFTOP": Precision.ROOFTOP,
    "RANGE_INTERPOLATED": Precision.STREET,
}
_GOOGLE_TYPES = (
    ({"street_address", "premise", "subpremise"}, Precision.ROOFTOP),
    ({"route", "intersection"}, Precision.STREET),
    ({"postal_code"}, Precision.POSTAL_CODE),
)
_PHOTON_TYPES = {"house": Precision.ROOFTOP, "street": Precision.STREET}
_HERE_TYPES = {
    "houseNumber": Precision.ROOFTOP,
    "street": Precision.STREET,
    "intersection": Precision.STREET,
    "postalCodePoint": Precision.POSTAL_CODE,
}
_ARCGIS_TYPES = {
    "PointAddress": Precision.ROOFTOP,
    "Subaddress": Precision.ROOFTOP,
    "StreetAddress": Precision.STREET,
    "StreetInt": Precision.STREET,
    "StreetName": Precision.STREET,
    "Postal": Precision.POSTAL_CODE,
    "PostalExt": Precision.POSTAL_CODE,
}


def precision_of(raw: Any) -> Precision | None:
    """The precision a provider's raw answer claims, or ``None`` when it cannot be told."""
    if not isinstance(raw, Mapping):
        return None
    if "place_rank" in raw or "addresstype" in raw:
        return _nominatim(raw)
    if isinstance(raw.get("geometry"), Mapping) and "location_type" in raw["geometry"]:
        return _google(raw)
    if isinstance(raw.get("properties"), Mapping) and "osm_key" in raw["properties"]:
        return _PHOTON_TYPES.get(raw["properties"].get("type"), _coarse(raw["properties"]))
    if "resultType" in raw:
        if raw["resultType"] == "locality" and raw.get("localityType") == "postalCode":
            return Precision.POSTAL_CODE
        return _HERE_TYPES.get(raw["resultType"], Precision.CITY)
    attributes = raw.get("attributes")
    if isinstance(attributes, Mapping) and "Addr_type" in attributes:
        return _ARCGIS_TYPES.get(attributes["Addr_type"], Precision.CITY)
    return None


def _nominatim(raw: Mapping[str, Any]) -> Precision:
    kinds = {raw.get("addresstype"), raw.get("type"), raw.get("class")}
    if kinds & _NOMINATIM_POSTCODE:
        return Precision.POSTAL_CODE
    try:
        rank = int(raw.get("place_rank", 0))
    except (TypeError, ValueError):
        rank = 0
    if rank >= 28 or kinds & {"house", "building"}:
        return Precision.ROOFTOP
    if rank >= 26 or "highway" in kinds:
        return Precision.STREET
    return Precision.CITY


def _google(raw: Mapping[str, Any]) -> Precision:
    by_location = _GOOGLE_LOCATION_TYPE.get(raw["geometry"]["location_type"])
    if by_location:
        return by_location
    types = set(raw.get("types") or ())
    for names, precision in _GOOGLE_TYPES:
        if types & names:
            return precision
    return Precision.CITY


def _coarse(properties: Mapping[str, Any]) -> Precision:
    return Precision.POSTAL_CODE if properties.get("osm_value") == "postcode" else Precision.CITY
