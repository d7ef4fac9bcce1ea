"""Reader of GeoNames postal-code dumps (download.geonames.org/export/zip/, CC BY 4.0).

Tab-separated, no header: country code, postal code, place name, admin name1, admin code1,
admin name2, admin code2, admin name3, admin code3, latitude, longitude, accuracy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from routing.geo.errors import GeoError

__all__ = ["PostalRow", "load_postal_file"]


@dataclass(frozen=True)
class PostalRow:
    country: str
    postal_code: str
    place: str
    regions: tuple[str, ...]  # admin name1 and admin code1 (state / region), when present
    lat: float
    lon: float


def load_postal_file(path: Path, country: str) -> Iterator[PostalRow]:
    """Yield the rows of ``country`` (ISO code); rows without coordinates are skipped.

    ``allCountries.txt`` holds about 1.5 million rows: other countries' lines are skipped
    unparsed (only the first line is always checked, to catch a file of another format).
    """
    prefix = country.upper() + "\t"
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                ours = line[: len(prefix)].upper() == prefix
                if not (ours or number == 1) or not line.strip():
                    continue
                row = _parse(line.rstrip("\r\n").split("\t"))
                if row is None:
                    raise GeoError(
                        f"{path}, line {number}: not a GeoNames postal-code row "
                        "(expected 12 tab-separated fields with latitude and longitude)"
                    )
                if ours and not (row.lat == 0 and row.lon == 0):
                    yield row
    except (OSError, UnicodeDecodeError) as error:
        raise GeoError(f"cannot read GeoNames postal file {path}: {error}") from error


def _parse(fields: list[str]) -> PostalRow | None:
    if len(fields) < 11:
        return None
    try:
        lat, lon = float(fields[9]), float(fields[10])
    except ValueError:
        return None
    regions = tuple(region for region in (fields[3], fields[4]) if region)
    return PostalRow(fields[0].upper(), fields[1].strip(), fields[2], regions, lat, lon)
