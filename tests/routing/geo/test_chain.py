from __future__ import annotations

from pathlib import Path

import pytest

from routing.geo import (
    GeocodeCache,
    GeocoderChain,
    GeocodingError,
    GeopyGeocoder,
    OverrideGeocoder,
    Precision,
    default_geocoder,
    unreachable_providers,
)
from tests.routing.geo.addresses import SPACE_NEEDLE, address
from tests.routing.geo.scripted import ScriptedGeocoder, point
from tests.routing.geo.scripted_server import Reply, ScriptedServer


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


def test_an_unreachable_provider_hands_its_addresses_to_the_next(
    nominatim: ScriptedServer, tmp_path: Path
) -> None:
    nominatim.default = Reply(503)
    cache = GeocodeCache(tmp_path / "g.sqlite3")
    cache.put("1 cached st seattle wa us", "nominatim", point(Precision.ROOFTOP, "nominatim"))
    down = GeopyGeocoder("nominatim", options={"domain": nominatim.domain, "scheme": "http"},
                         min_delay=0, retries=0, max_failures=2)
    backup = ScriptedGeocoder("backup", point(Precision.POSTAL_CODE, "backup"))
    chain = GeocoderChain([down, backup], cache=cache)
    sources = [chain.geocode(address(f"{n} Main St", city="Seattle", state_or_region="WA"))
               for n in range(4)]
    assert [p.source for p in sources if p] == ["backup"] * 4
    assert len(nominatim.requests) == 2  # given up on after two 503s in a row
    assert list(chain.unreachable) == ["nominatim"]
    assert chain.unreachable["nominatim"].startswith("provider nominatim unreachable")
    # Its cached answers still count.
    cached = chain.geocode(address("1 Cached St", city="Seattle", state_or_region="WA"))
    assert cached is not None and cached.source == "nominatim"


def test_with_no_provider_left_the_failure_says_unreachable(closed_port: int) -> None:
    down = GeopyGeocoder("nominatim", options={"domain": f"127.0.0.1:{closed_port}",
                                               "scheme": "http"},
                         min_delay=0, retries=0, max_failures=1)
    chain = GeocoderChain([down])
    for _ in range(2):
        with pytest.raises(GeocodingError, match="provider nominatim unreachable"):
            chain.geocode(SPACE_NEEDLE)
    assert list(unreachable_providers(chain)) == ["nominatim"]
    assert unreachable_providers(ScriptedGeocoder("plain")) == {}
