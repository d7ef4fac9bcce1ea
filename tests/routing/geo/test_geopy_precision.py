from __future__ import annotations

from typing import Any

import pytest

from routing.geo import Precision
from routing.geo.geopy_precision import precision_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"place_rank": 30, "addresstype": "building", "class": "building"}, Precision.ROOFTOP),
        ({"place_rank": 26, "addresstype": "road", "class": "highway"}, Precision.STREET),
        ({"place_rank": 21, "addresstype": "postcode", "class": "place"}, Precision.POSTAL_CODE),
        ({"place_rank": 16, "addresstype": "city", "class": "boundary"}, Precision.CITY),
        ({"geometry": {"location_type": "RANGE_INTERPOLATED"}, "types": []}, Precision.STREET),
        ({"geometry": {"location_type": "APPROXIMATE"}, "types": ["postal_code"]},
         Precision.POSTAL_CODE),
        ({"geometry": {"location_type": "APPROXIMATE"}, "types": ["locality"]}, Precision.CITY),
        ({"properties": {"osm_key": "building", "type": "house"}}, Precision.ROOFTOP),
        ({"properties": {"osm_key": "place", "type": "city"}}, Precision.CITY),
        ({"properties": {"osm_key": "place", "osm_value": "postcode", "type": "other"}},
         Precision.POSTAL_CODE),
        ({"resultType": "houseNumber"}, Precision.ROOFTOP),
        ({"resultType": "locality", "localityType": "postalCode"}, Precision.POSTAL_CODE),
        ({"attributes": {"Addr_type": "StreetAddress"}}, Precision.STREET),
    ],
)
def test_precision_read_from_each_provider_shape(raw: dict[str, Any], expected: Precision) -> None:
    assert precision_of(raw) is expected


@pytest.mark.parametrize("raw", [None, [], {"lat": 1, "lon": 2}])
def test_unknown_shapes_give_no_precision(raw: Any) -> None:
    assert precision_of(raw) is None
