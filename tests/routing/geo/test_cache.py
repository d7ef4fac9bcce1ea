from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from routing.config import load_settings
from routing.geo import GeocodeCache, GeocodeCacheError, GeoPoint, Precision
from tests.routing.geo.addresses import address
from tests.routing.geo.scripted_server import Reply, ScriptedServer

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


def test_the_cache_and_its_side_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "private.sqlite3"
    old_umask = os.umask(0o022)
    try:
        GeocodeCache(path).put("400 broad st seattle", "nominatim", POINT)
        with closing(sqlite3.connect(path)) as reader:  # keeps the WAL and SHM files open
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM geocodes").fetchone()
            GeocodeCache(path).put("401 broad st seattle", "nominatim", POINT)
            modes = {
                p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()
            }
    finally:
        os.umask(old_umask)
    assert modes == {
        "private.sqlite3": 0o600, "private.sqlite3-wal": 0o600, "private.sqlite3-shm": 0o600,
    }


def test_an_existing_cache_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    GeocodeCache(path)
    path.chmod(0o640)  # the owner's choice, e.g. a cache shared with a group
    GeocodeCache(path).put("a", "nominatim", POINT)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_call_slots_are_min_delay_apart_for_every_user_of_the_file(tmp_path: Path) -> None:
    clock = Clock()
    first = GeocodeCache(tmp_path / "g.sqlite3", clock=clock)
    second = GeocodeCache(tmp_path / "g.sqlite3", clock=clock)
    assert first.reserve("nominatim", 1.0) == 0
    assert second.reserve("nominatim", 1.0) == 1.0
    assert first.reserve("nominatim", 1.0) == 2.0
    assert second.reserve("photon", 1.0) == 0  # one queue per provider
    clock.now += timedelta(seconds=10)
    assert first.reserve("nominatim", 1.0) == 0


def _geocode_through_settings(config: Path, start: Barrier, process: int, count: int) -> None:
    geocoder = load_settings(config=config, environ={}).geocoder()
    start.wait(timeout=30)
    for n in range(count):
        geocoder.geocode(address(f"{process}{n} Main St", city="Seattle", state_or_region="WA"))


def test_parallel_runs_sharing_the_cache_share_the_rate_limit(
    nominatim: ScriptedServer, tmp_path: Path
) -> None:
    nominatim.default = Reply(body=[])
    config = tmp_path / "routeplan.toml"
    config.write_text(
        'geocoders = ["nominatim"]\ngeocode_min_delay = 0.3\n'
        f'geocode_cache = "{tmp_path / "g.sqlite3"}"\n'
        f'[geocoder_options.nominatim]\ndomain = "{nominatim.domain}"\nscheme = "http"\n'
    )
    context = multiprocessing.get_context("fork")
    start = context.Barrier(4)
    workers = [context.Process(target=_geocode_through_settings, args=(config, start, p, 2))
               for p in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert len(nominatim.times) == 8
    # Each call starts no earlier than its slot, slots are 0.3 s apart: the n-th request
    # arrives at least n × 0.3 s after the first, less the first one's lateness (scheduling
    # on a busy machine: allow 0.15 s). Processes spacing only themselves would send 4 at once.
    times = sorted(nominatim.times)
    lags = [round(t - times[0] - n * 0.3, 3) for n, t in enumerate(times)]
    assert min(lags) > -0.15, lags
