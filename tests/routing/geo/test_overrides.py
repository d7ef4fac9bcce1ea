from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.geo import GeoError, OverrideGeocoder, Precision
from tests.routing.geo.addresses import SPACE_NEEDLE


def test_csv_by_job_id_and_by_free_text_address(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "job_id,address,lat,lon,precision\n"
        "job-1,,10.5,20.5,\n"
        ",\"400 Broad St., Seattle, WA 98109, US\",47.6205,-122.3493,street\n"
    )
    overrides = OverrideGeocoder.from_file(path)
    by_id = overrides.geocode(SPACE_NEEDLE, job_id="job-1")
    assert by_id is not None and (by_id.lat, by_id.lon) == (10.5, 20.5)
    assert by_id.precision is Precision.ROOFTOP and by_id.source == "override"
    by_address = overrides.geocode(SPACE_NEEDLE, job_id="job-2")
    assert by_address is not None and by_address.lat == 47.6205
    assert by_address.precision is Precision.STREET


def test_json_list(tmp_path: Path) -> None:
    path = tmp_path / "o.json"
    path.write_text(json.dumps([{"job_id": "job-1", "lat": 1, "lon": 2}]))
    found = OverrideGeocoder.from_file(path).geocode(SPACE_NEEDLE, job_id="job-1")
    assert found is not None and (found.lat, found.lon) == (1, 2)
    assert OverrideGeocoder.from_file(path).geocode(SPACE_NEEDLE, job_id="job-3") is None


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("o.csv", "job_id,lat,lon\njob-1,north,2\n", "entry 1: needs numeric lat"),
        ("o.csv", "job_id,lat,lon\njob-1,95,2\n", "invalid coordinates"),
        ("o.csv", "lat,lon\n1,2\n", "give a job_id or an address"),
        ("o.csv", "job_id,lat,lon,precision\nj,1,2,exact\n", "precision"),
        ("o.json", "{\"job_id\": 1}", "expected a JSON list"),
        ("o.json", "[1, 2", "not valid JSON"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(GeoError, match=message):
        OverrideGeocoder.from_file(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GeoError, match="cannot read overrides file"):
        OverrideGeocoder.from_file(tmp_path / "absent.csv")
