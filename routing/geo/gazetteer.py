"""The offline default geocoder: US ZIP centroids, city centroids, an optional GeoNames file.

US data comes from the ``zipcodes`` package (MIT; coordinates from GeoNames, CC BY 4.0).
Other countries need a GeoNames postal-code dump (``allCountries.txt`` or one country's
file from download.geonames.org/export/zip/). No network is ever used.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import zipcodes

from routing.geo.centroids import CentroidIndex
from routing.geo.point import AddressLike, GeoPoint, Precision, normalize_text
from routing.geo.postal_file import load_postal_file

__all__ = ["US_COUNTRY_CODES", "Gazetteer"]

# zipcodes covers the states, DC, the territories and the military "states" AA/AE/AP.
US_COUNTRY_CODES = frozenset({"US", "USA", "PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW"})
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")


@cache
def _us_rows() -> list[tuple[str, str, str, float, float]]:
    """(ZIP, city, state, lat, lon) of every US ZIP with coordinates (~870, mostly
    military, carry none)."""
    rows = []
    for row in zipcodes.list_all():
        lat, lon = float(row["lat"] or 0), float(row["long"] or 0)
        if lat != 0 or lon != 0:
            rows.append((row["zip_code"], row["city"], row["state"], lat, lon))
    return rows


@cache
def _us_postal_index() -> CentroidIndex:
    """ZIP centroids, built once per process and shared by every gazetteer."""
    index = CentroidIndex()
    for zip_code, _, _, lat, lon in _us_rows():
        index.add(zip_code, "", (), lat, lon)
    return index


@cache
def _us_city_index() -> CentroidIndex:
    """City centroids (about a second to build: every city name is normalised), built
    only when an address is placed by its city, not its ZIP."""
    index = CentroidIndex()
    for _, city, state, lat, lon in _us_rows():
        index.add("", city, (state,), lat, lon)
    return index


class Gazetteer:
    """Postal-code centroids (precision ``postal_code``), then city centroids (``city``)."""

    name = "gazetteer"
    best_precision = Precision.POSTAL_CODE
    cacheable = False  # microseconds per lookup, and a cached answer would outlive a new file

    def __init__(self, postal_file: Path | None = None) -> None:
        self.postal_file = postal_file
        self._countries: dict[str, CentroidIndex] = {}  # loaded from the file on first use

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        country = (address.country_code or "US").strip().upper()
        if country in US_COUNTRY_CODES:
            return self._lookup_us(address)
        return self._lookup_world(country, address)

    def _lookup_us(self, address: AddressLike) -> GeoPoint | None:
        match = _ZIP.match((address.postal_code or "").strip())
        if match and (found := _us_postal_index().postal(match.group(1))):
            return self._point(found, Precision.POSTAL_CODE)
        # A US city needs its state: the name alone is ambiguous (Springfield).
        return self._city(_us_city_index(), address, any_region=False)

    def _lookup_world(self, country: str, address: AddressLike) -> GeoPoint | None:
        if self.postal_file is None:
            return None
        if country not in self._countries:
            self._countries[country] = self._load_country(self.postal_file, country)
        index = self._countries[country]
        postal = " ".join((address.postal_code or "").upper().split())
        # GeoNames keeps some codes in part only: GB "SW1A", CA "M5V", NL "1012".
        for candidate in dict.fromkeys((postal, postal.replace(" ", ""), postal.split(" ")[0])):
            if candidate and (found := index.postal(candidate)):
                return self._point(found, Precision.POSTAL_CODE)
        return self._city(index, address, any_region=True)

    @staticmethod
    def _load_country(path: Path, country: str) -> CentroidIndex:
        index = CentroidIndex()
        for row in load_postal_file(path, country):
            index.add(row.postal_code.upper(), row.place, row.regions, row.lat, row.lon)
        return index

    def _city(
        self, index: CentroidIndex, address: AddressLike, *, any_region: bool
    ) -> GeoPoint | None:
        """City centroid in the address's region; else, if ``any_region``, in the whole country."""
        if not address.city:
            return None
        city = normalize_text(address.city)
        region = normalize_text(address.state_or_region or "")
        found = index.city(city, region) if region else None
        if found is None and any_region:
            found = index.city(city)
        return self._point(found, Precision.CITY) if found else None

    def _point(self, lat_lon: tuple[float, float], precision: Precision) -> GeoPoint:
        return GeoPoint(lat_lon[0], lat_lon[1], precision, self.name)
