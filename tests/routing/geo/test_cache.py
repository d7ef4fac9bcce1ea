from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from routing.geo import GeocodeCache, GeocodeCacheError, GeoPoint, Precision

POINT = GeoPoint(47.634, -122.348, Precision.POSTAL_CODE, "gazetteer")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_hit_returns_the_stored_point_across_instances(tmp_path: Path) -> None:
    GeocodeCache(tmp_path / "g.sqlite3").put("400 broad st seattle", "nominatim", POINT)
    cached = GeocodeCache(tmp_path / "g.sqlite3").get("400 broad st seattle", "nominatim")
    assert cached is not None
    assert cached.point == POINT


def test_miss_for_another_address_or_another_provider(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "g.sqlite3")
    cache.put("400 broad st seattle", "nominatim", POINT)
    assert cache.get("401 broad st seattle", "nominatim") is None
    assert cache.get("400 broad st seattle", "googlev3") is None


def test_not_found_is_cached_until_it_expires(tmp_path: Path) -> None:
    clock = Clock()
    cache = GeocodeCache(tmp_path / "g.sqlite3", negative_ttl=timedelta(days=7), clock=clock)
    cache.put("nowhere", "nominatim", None)
    clock.now += timedelta(days=6)
    cached = cache.get("nowhere", "nominatim")
    assert cached is not None and cached.point is None
    clock.now += timedelta(days=2)
    assert cache.get("nowhere", "nominatim") is None


def test_found_points_do_not_expire(tmp_path: Path) -> None:
    clock = Clock()
    cache = GeocodeCache(tmp_path / "g.sqlite3", negative_ttl=timedelta(days=1), clock=clock)
    cache.put("400 broad st seattle", "nominatim", POINT)
    clock.now += timedelta(days=400)
    cached = cache.get("400 broad st seattle", "nominatim")
    assert cached is not None and cached.point == POINT


def test_a_newer_answer_replaces_the_old_one(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "g.sqlite3")
    cache.put("a", "nominatim", None)
    cache.put("a", "nominatim", POINT)
    cached = cache.get("a", "nominatim")
    assert cached is not None and cached.point == POINT


def _write_many(path: Path, writer: int, count: int) -> None:
    cache = GeocodeCache(path)
    for i in range(count):
        lat = 40 + writer + i / 1000
        cache.put(f"address {writer}-{i}", "nominatim", GeoPoint(lat, -70, Precision.STREET, "n"))
        cache.put("shared address", "nominatim", GeoPoint(lat, -70, Precision.STREET, "n"))


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    GeocodeCache(path)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(path, w, 150)) for w in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    cache = GeocodeCache(path)
    for writer in (0, 1):
        for i in range(150):
            cached = cache.get(f"address {writer}-{i}", "nominatim")
            assert cached is not None and cached.point is not None
            assert cached.point.lat == pytest.approx(40 + writer + i / 1000)
    shared = cache.get("shared address", "nominatim")
    assert shared is not None and shared.point is not None


def test_unusable_cache_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(GeocodeCacheError, match="geocode cache"):
        GeocodeCache(tmp_path / "file" / "g.sqlite3")
