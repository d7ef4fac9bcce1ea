from __future__ import annotations

from pathlib import Path

from routing.geo import GeocodeCache, Precision, default_geocoder, format_report, warm_cache
from tests.routing.geo.addresses import EMPIRE_STATE, SPACE_NEEDLE, address


def test_report_counts_precisions_sources_and_failures(tmp_path: Path) -> None:
    overrides = tmp_path / "o.csv"
    overrides.write_text("job_id,lat,lon\npinned,1,2\n")
    geocoder = default_geocoder(overrides=overrides, cache=GeocodeCache(tmp_path / "c.sqlite3"))
    items = [
        ("zip-1", SPACE_NEEDLE),
        ("zip-2", EMPIRE_STATE),
        ("city", address("1 Pike St", city="Seattle", state_or_region="WA")),
        ("lost", address("1 Main St", city="Nowhereville", state_or_region="ZZ")),
        ("pinned", address("anything")),
    ]
    report = warm_cache(geocoder, items)
    assert (report.total, report.found) == (5, 4)
    assert report.by_precision == {Precision.POSTAL_CODE: 2, Precision.CITY: 1,
                                   Precision.ROOFTOP: 1}
    assert report.by_source == {"gazetteer": 3, "override": 1}
    assert set(report.failures) == {"lost"}
    text = format_report(report)
    assert "Geocoded 4 of 5 jobs." in text
    assert "postal_code" in text and "     2" in text
    assert "lost: Not found by gazetteer" in text
