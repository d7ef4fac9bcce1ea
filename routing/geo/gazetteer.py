"""The offline default geocoder: US ZIP centroids, city centroids, an optional GeoNames file.

US data comes from the ``zipcodes`` package (MIT; coordinates from GeoNames, CC BY 4.0).
Other countries need a GeoNames postal-code dump (``allCountries.txt`` or one country's
file from download.geonames.org/export/zip/). No network is ever used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import zipcodes

from routing.geo.centroids import CentroidIndex
from routing.geo.point import AddressLike, GeoPoint, Precision, normalize_text
from routing.geo.postal_file import load_postal_file

__all__ = ["US_COUNTRY_CODES", "Gazetteer"]

# zipcodes covers the states, DC, the territories and the military "states" AA/AE/AP.
US_COUNTRY_CODES = frozenset({"US", "USA", "PR", "VI", "GU", "AS", "MP", "FM", "MH", "PW"})
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?\d{4})?$")


def _placed(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str, str, float, float]]:
    """(ZIP, city, state, lat, lon) of the ``zipcodes`` rows with coordinates (~870 ZIPs,
    mostly military, carry none)."""
    for row in rows:
        lat, lon = float(row["lat"] or 0), float(row["long"] or 0)
        if lat != 0 or lon != 0:
            yield row["zip_code"], row["city"], row["state"], lat, lon


@cache
def _us_rows() -> list[tuple[str, str, str, float, float]]:
    return list(_placed(zipcodes.list_all()))


@cache
def _us_postal_index() -> CentroidIndex:
    """Every ZIP's centroid (a second or two to build), once per process."""
    index = CentroidIndex()
    for zip_code, _, _, lat, lon in _us_rows():
        index.add(zip_code, "", (), lat, lon)
    return index


@cache
def _us_city_index() -> CentroidIndex:
    """City centroids (about a second more: every city name is normalised), built only
    when an address is placed by its city, not its ZIP."""
    index = CentroidIndex()
    for _, city, state, lat, lon in _us_rows():
        index.add("", city, (state,), lat, lon)
    return index


class _UsZips:
    """ZIP centroids for every gazetteer of the process: the first :attr:`FEW` ZIPs asked
    are looked up one by one (``zipcodes.matching``: under a millisecond each once its table
    is loaded), which spares a run that places few distinct ZIPs — an audit of a hundred
    thousand jobs in a few dozen ZIPs — the whole index; past them, the index is built, as
    a planner placing many addresses wants. Both give the same centroids (the same rows,
    added in the same order)."""

    FEW = 64

    def __init__(self) -> None:
        self._few = CentroidIndex()
        self._asked: set[str] = set()

    def centroid(self, zip_code: str) -> tuple[float, float] | None:
        if zip_code not in self._asked:
            if len(self._asked) >= self.FEW:
                return _us_postal_index().postal(zip_code)
            self._asked.add(zip_code)
            for _, _, _, lat, lon in _placed(zipcodes.matching(zip_code)):
                self._few.add(zip_code, "", (), lat, lon)
        return self._few.postal(zip_code)


_US_ZIPS = _UsZips()


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
        if match and (found := _US_ZIPS.centroid(match.group(1))):
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
