from __future__ import annotations

from pathlib import Path

import pytest

from routing.geo import Gazetteer, GeoError, Precision
from routing.spapi.models import Address
from tests.routing.geo.addresses import EMPIRE_STATE, SPACE_NEEDLE, address

# GeoNames postal-code rows: country, code, place, admin1 name, admin1 code, admin2 name,
# admin2 code, admin3 name, admin3 code, lat, lon, accuracy.
GEONAMES_ROWS = [
    "DE\t10117\tBerlin\tBerlin\tBE\t\t00\tBerlin, Stadt\t11000\t52.5170\t13.3889\t4",
    "DE\t80331\tMünchen\tBayern\tBY\tOberbayern\t091\tMünchen\t09162\t48.1372\t11.5755\t4",
    "DE\t80335\tMünchen\tBayern\tBY\tOberbayern\t091\tMünchen\t09162\t48.1450\t11.5550\t4",
    "GB\tSW1A\tLondon\tEngland\tENG\tGreater London\t11609024\t\t\t51.5010\t-0.1416\t4",
    "CA\tM5V\tToronto\tOntario\tON\t\t\t\t\t43.6404\t-79.3995\t6",
    "FR\t98000\tNowhere\t\t\t\t\t\t\t0\t0\t1",
]


@pytest.fixture
def postal_file(tmp_path: Path) -> Path:
    path = tmp_path / "allCountries.txt"
    path.write_text("\n".join(GEONAMES_ROWS) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [(SPACE_NEEDLE, 47.634, -122.348), (EMPIRE_STATE, 40.748, -73.997)],
)
def test_known_zip_gives_its_centroid(place: Address, lat: float, lon: float) -> None:
    point = Gazetteer().geocode(place)
    assert point is not None
    assert point.lat == pytest.approx(lat, abs=0.002)
    assert point.lon == pytest.approx(lon, abs=0.002)
    assert point.precision is Precision.POSTAL_CODE
    assert point.source == "gazetteer"


@pytest.mark.parametrize("postal", ["98109-1234", "981091234", " 98109 1234 "])
def test_zip_plus_four_uses_the_five_digit_zip(postal: str) -> None:
    gazetteer = Gazetteer()
    plus_four = SPACE_NEEDLE.model_copy(update={"postal_code": postal})
    assert gazetteer.geocode(plus_four) == gazetteer.geocode(SPACE_NEEDLE)


def test_city_and_state_fallback_is_case_insensitive_mean_of_the_city_zips() -> None:
    gazetteer = Gazetteer()
    upper = gazetteer.geocode(address("1 Main St", city="SEATTLE", state_or_region="WA"))
    lower = gazetteer.geocode(address("1 Main St", city="seattle", state_or_region="wa",
                                      postal_code="00000"))
    assert upper is not None and upper == lower
    assert upper.precision is Precision.CITY
    assert upper.lat == pytest.approx(47.6, abs=0.1)
    assert upper.lon == pytest.approx(-122.3, abs=0.1)


def test_us_city_without_state_is_ambiguous_and_not_found() -> None:
    assert Gazetteer().geocode(address("1 Main St", city="Springfield")) is None


def test_zip_without_coordinates_is_not_found_rather_than_null_island() -> None:
    # 09001 (APO AE) is stored in zipcodes with lat/long "0": no city of it has coordinates.
    apo = address("Unit 1", city="APO", state_or_region="AE", postal_code="09001")
    assert Gazetteer().geocode(apo) is None


def test_unknown_city_is_not_found() -> None:
    nowhere = address("1 Main St", city="Nowhereville", state_or_region="WA")
    assert Gazetteer().geocode(nowhere) is None


def test_non_us_address_without_postal_file_is_not_found() -> None:
    berlin = address("Unter den Linden 1", city="Berlin", postal_code="10117", country_code="DE")
    assert Gazetteer().geocode(berlin) is None


@pytest.mark.parametrize(
    ("country", "postal", "lat", "lon"),
    [("DE", "10117", 52.517, 13.3889), ("GB", "SW1A 1AA", 51.501, -0.1416),
     ("CA", "M5V 3L9", 43.6404, -79.3995), ("de", "80331", 48.1372, 11.5755)],
)
def test_non_us_postal_code_from_the_geonames_file(
    postal_file: Path, country: str, postal: str, lat: float, lon: float
) -> None:
    point = Gazetteer(postal_file).geocode(address("x", postal_code=postal, country_code=country))
    assert point is not None
    assert (point.lat, point.lon) == pytest.approx((lat, lon))
    assert point.precision is Precision.POSTAL_CODE


def test_non_us_city_fallback_averages_the_city_rows(postal_file: Path) -> None:
    gazetteer = Gazetteer(postal_file)
    munich = gazetteer.geocode(address("x", city="münchen", postal_code="99999", country_code="DE"))
    in_state = gazetteer.geocode(address("x", city="MÜNCHEN", state_or_region="Bayern",
                                         country_code="DE"))
    assert munich is not None and munich == in_state
    assert munich.precision is Precision.CITY
    assert (munich.lat, munich.lon) == pytest.approx((48.1411, 11.56525))


def test_geonames_rows_without_coordinates_are_not_found(postal_file: Path) -> None:
    monaco = address("x", postal_code="98000", country_code="FR")
    assert Gazetteer(postal_file).geocode(monaco) is None


def test_unreadable_postal_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("this is not\ta geonames file\n")
    german = address("x", postal_code="1", country_code="DE")
    with pytest.raises(GeoError, match="not a GeoNames postal-code row"):
        Gazetteer(bad).geocode(german)
    with pytest.raises(GeoError, match="cannot read"):
        Gazetteer(tmp_path / "missing.txt").geocode(german)
