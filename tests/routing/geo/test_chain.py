from __future__ import annotations

from pathlib import Path

import pytest

from routing.geo import (
    GeocodeCache,
    GeocoderChain,
    GeocodingError,
    OverrideGeocoder,
    Precision,
    default_geocoder,
)
from tests.routing.geo.addresses import SPACE_NEEDLE, address
from tests.routing.geo.scripted import ScriptedGeocoder, point


def test_overrides_win_over_every_provider() -> None:
    provider = ScriptedGeocoder("p", point(Precision.ROOFTOP, "p"))
    overrides = OverrideGeocoder(by_job_id={"job-1": point(Precision.ROOFTOP, "override", 1.0)})
    chain = GeocoderChain([provider], overrides=overrides)
    found = chain.geocode(SPACE_NEEDLE, job_id="job-1")
    assert found is not None and found.source == "override"
    assert provider.calls == []
    other = chain.geocode(SPACE_NEEDLE, job_id="job-2")
    assert other is not None and other.source == "p"


def test_keeps_the_best_precision_and_stops_when_nothing_can_beat_it() -> None:
    coarse = ScriptedGeocoder("coarse", point(Precision.CITY, "coarse"))
    fine = ScriptedGeocoder("fine", point(Precision.STREET, "fine"))
    postal_only = ScriptedGeocoder(
        "postal", point(Precision.POSTAL_CODE, "postal"), best_precision=Precision.POSTAL_CODE
    )
    found = GeocoderChain([coarse, fine, postal_only]).geocode(SPACE_NEEDLE)
    assert found is not None and found.source == "fine"
    assert len(coarse.calls) == len(fine.calls) == 1
    assert postal_only.calls == []  # cannot beat "street": not asked


def test_a_failing_provider_is_skipped_when_another_answers() -> None:
    down = ScriptedGeocoder("down", fails=True)
    backup = ScriptedGeocoder("backup", point(Precision.POSTAL_CODE, "backup"))
    found = GeocoderChain([down, backup]).geocode(SPACE_NEEDLE)
    assert found is not None and found.source == "backup"


def test_failure_without_any_answer_is_an_error_not_a_not_found() -> None:
    chain = GeocoderChain([ScriptedGeocoder("down", fails=True), ScriptedGeocoder("none")])
    with pytest.raises(GeocodingError, match="down is down"):
        chain.geocode(SPACE_NEEDLE)


def test_not_found_everywhere_is_none() -> None:
    chain = GeocoderChain([ScriptedGeocoder("a"), ScriptedGeocoder("b")])
    assert chain.geocode(SPACE_NEEDLE) is None


def test_cache_spares_repeat_questions_per_provider(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "g.sqlite3")
    paid = ScriptedGeocoder("paid", point(Precision.STREET, "paid"))
    GeocoderChain([paid], cache=cache).geocode(SPACE_NEEDLE)
    again = GeocoderChain([paid], cache=cache).geocode(SPACE_NEEDLE)
    assert again is not None and again.source == "paid"
    assert len(paid.calls) == 1
    # A provider added later is asked once; the one already paid for is not asked again.
    better = ScriptedGeocoder("better", point(Precision.ROOFTOP, "better"))
    best = GeocoderChain([paid, better], cache=cache).geocode(SPACE_NEEDLE)
    assert best is not None and best.source == "better"
    assert (len(paid.calls), len(better.calls)) == (1, 1)


def test_not_found_is_cached_but_a_failure_is_not(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "g.sqlite3")
    empty = ScriptedGeocoder("empty")
    down = ScriptedGeocoder("down", fails=True)
    chain = GeocoderChain([down, empty], cache=cache)
    for _ in range(2):
        with pytest.raises(GeocodingError):
            chain.geocode(SPACE_NEEDLE)
    assert (len(down.calls), len(empty.calls)) == (2, 1)


def test_offline_sources_bypass_the_cache(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "g.sqlite3")
    default_geocoder(cache=cache).geocode(SPACE_NEEDLE)
    assert cache.get("400 broad st seattle wa 98109 us", "gazetteer") is None


def test_default_geocoder_is_offline_and_reads_overrides(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("job_id,lat,lon\njob-9,47.1,-122.1\n")
    chain = default_geocoder(overrides=overrides)
    found = chain.geocode(SPACE_NEEDLE)
    assert found is not None and found.precision is Precision.POSTAL_CODE
    pinned = chain.geocode(address("nowhere"), job_id="job-9")
    assert pinned is not None and (pinned.lat, pinned.source) == (47.1, "override")
