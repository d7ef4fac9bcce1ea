from __future__ import annotations

import pytest

from routing.geo import GeoError, timezone_at


@pytest.mark.parametrize(
    ("lat", "lon", "zone"),
    [(47.634, -122.348, "America/Los_Angeles"), (40.748, -73.997, "America/New_York"),
     (43.7384, 7.4246, "Europe/Monaco")],
)
def test_timezone_of_a_point(lat: float, lon: float, zone: str) -> None:
    assert timezone_at(lat, lon) == zone


def test_timezone_of_invalid_coordinates_is_a_clear_error() -> None:
    with pytest.raises(GeoError):
        timezone_at(123.0, 0.0)
