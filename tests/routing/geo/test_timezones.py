from __future__ import annotations

import subprocess
import sys

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


def _printed(script: str) -> list[str]:
    """What a fresh interpreter prints running ``script``, word by word."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.split()


def test_placing_a_point_does_not_import_numba() -> None:
    """timezonefinder takes numba when it can import it: a second more for every command
    placing an address. Its own C extension gives the same zones; numba stays out."""
    assert _printed(
        "import sys\n"
        "from routing.geo import timezone_at\n"
        "zones = [timezone_at(47.634, -122.348), timezone_at(21.307, -157.858)]\n"
        "import timezonefinder.utils as utils\n"
        "print(zones, 'numba' in sys.modules, utils.using_numba)\n"
    ) == ["['America/Los_Angeles',", "'Pacific/Honolulu']", "False", "False"]


def test_numba_loaded_already_is_used_as_it_was() -> None:
    assert _printed(
        "import numba\n"
        "from routing.geo import timezone_at\n"
        "import timezonefinder.utils as utils\n"
        "print(timezone_at(47.634, -122.348), utils.using_numba)\n"
    ) == ["America/Los_Angeles", "True"]
