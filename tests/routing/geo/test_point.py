from __future__ import annotations

import pytest

from routing.geo import GeoError, GeoPoint, Precision, normalize_address
from tests.routing.geo.addresses import address


def test_precisions_are_ordered_best_first() -> None:
    assert [p.rank for p in Precision] == [0, 1, 2, 3]
    assert Precision.ROOFTOP.better_than(Precision.STREET)
    assert Precision.POSTAL_CODE.better_than(Precision.CITY)
    assert not Precision.CITY.better_than(Precision.CITY)
    assert not Precision.CITY.better_than(Precision.ROOFTOP)


def test_normalised_address_ignores_case_punctuation_and_spacing() -> None:
    a = address("12 Main St.", "Apt 4", city="Seattle", state_or_region="WA", postal_code="98109")
    b = address(" 12  MAIN st", "apt 4", city="seattle", state_or_region="wa,", postal_code="98109")
    assert normalize_address(a) == normalize_address(b) == "12 main st apt 4 seattle wa 98109 us"
    assert normalize_address(a) != normalize_address(address("13 Main St", city="Seattle"))


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), (float("nan"), 0)])
def test_points_outside_wgs84_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(GeoError, match="invalid coordinates"):
        GeoPoint(lat, lon, Precision.CITY, "test")
