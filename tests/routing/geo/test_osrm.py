from __future__ import annotations

import httpx
import numpy as np
import pytest

from routing.geo import HaversineMatrix, MatrixError, OsrmMatrix
from tests.routing.geo.osrm_server import OsrmInstall, monaco_points, running_osrm
from tests.routing.geo.scripted_server import Reply, ScriptedServer


def route(base_url: str, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    answer = httpx.get(
        f"{base_url}/route/v1/driving/{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}",
        params={"overview": "false"},
    ).json()
    assert answer["code"] == "Ok"
    return answer["routes"][0]["duration"], answer["routes"][0]["distance"]


def test_matrix_agrees_with_direct_routes(osrm_url: str) -> None:
    points = monaco_points(12, seed=4)
    m = OsrmMatrix(osrm_url).matrix(points)
    assert m.durations.shape == m.distances.shape == (12, 12)
    assert m.durations.dtype == np.int64
    assert (np.diag(m.durations) == 0).all() and (np.diag(m.distances) == 0).all()
    assert m.fallback_cells == 0
    pairs = np.random.default_rng(5).choice(12, size=(10, 2), replace=True)
    for i, j in pairs:
        if i == j:
            continue
        seconds, metres = route(osrm_url, points[i], points[j])
        assert abs(m.durations[i, j] - seconds) <= 1, (i, j)
        assert abs(m.distances[i, j] - metres) <= 1, (i, j)
    assert m.durations[m.durations > 0].min() > 0  # real roads, not all zeros


def test_chunked_matrix_equals_one_call(osrm_url: str) -> None:
    points = monaco_points(23, seed=6)
    whole = OsrmMatrix(osrm_url, max_table_size=100).matrix(points)
    chunked = OsrmMatrix(osrm_url, max_table_size=5).matrix(points)
    assert (whole.durations == chunked.durations).all()
    assert (whole.distances == chunked.distances).all()
    assert OsrmMatrix(osrm_url).matrix(points[:1]).durations.tolist() == [[0]]


def test_server_table_limit_is_respected_and_explained(osrm_install: OsrmInstall) -> None:
    points = monaco_points(9, seed=7)
    with running_osrm(osrm_install, max_table_size=4) as small_server:
        chunked = OsrmMatrix(small_server, max_table_size=4).matrix(points)
        with pytest.raises(MatrixError, match=r"TooBig.*max-table-size"):
            OsrmMatrix(small_server, max_table_size=9).matrix(points)
    assert chunked.durations.shape == (9, 9)
    assert (chunked.durations[~np.eye(9, dtype=bool)] > 0).all()


def test_null_cells_fall_back_to_haversine_and_are_counted(fake_osrm: ScriptedServer) -> None:
    points = [(43.73, 7.42), (43.74, 7.43)]
    fake_osrm.default = Reply(body={
        "code": "Ok", "durations": [[0, None], [100.4, 0]], "distances": [[0, None], [900.6, 0]],
    })
    m = OsrmMatrix(fake_osrm.base_url).matrix(points)
    estimate = HaversineMatrix().matrix(points)
    assert m.fallback_cells == 1
    assert m.durations.tolist() == [[0, estimate.durations[0, 1]], [100, 0]]
    assert m.distances.tolist() == [[0, estimate.distances[0, 1]], [901, 0]]
    path, params, _ = fake_osrm.requests[0]
    assert path == "/table/v1/driving/7.420000,43.730000;7.430000,43.740000"
    assert params["annotations"] == ["duration,distance"]


def test_server_errors_are_retried(fake_osrm: ScriptedServer) -> None:
    fake_osrm.replies = [Reply(503, {"code": "Busy"})]
    fake_osrm.default = Reply(body={"code": "Ok", "durations": [[0, 5], [6, 0]],
                                    "distances": [[0, 50], [60, 0]]})
    m = OsrmMatrix(fake_osrm.base_url, retries=1, retry_wait=0.01).matrix([(0, 0), (0, 0.001)])
    assert m.durations.tolist() == [[0, 5], [6, 0]]
    assert len(fake_osrm.requests) == 2


def test_persistent_failure_and_refusals_are_matrix_errors(fake_osrm: ScriptedServer) -> None:
    fake_osrm.default = Reply(503, {"code": "Busy"})
    with pytest.raises(MatrixError, match=r"HTTP 503.*after 3 attempts"):
        OsrmMatrix(fake_osrm.base_url, retries=2, retry_wait=0.01).matrix([(0, 0), (1, 1)])
    fake_osrm.default = Reply(400, {"code": "InvalidQuery", "message": "Query string malformed"})
    with pytest.raises(MatrixError, match="InvalidQuery"):
        OsrmMatrix(fake_osrm.base_url).matrix([(0, 0), (1, 1)])


def test_malformed_tables_are_matrix_errors(fake_osrm: ScriptedServer) -> None:
    fake_osrm.default = Reply(body={"code": "Ok", "durations": [[0]], "distances": [[0]]})
    with pytest.raises(MatrixError, match="table for a"):
        OsrmMatrix(fake_osrm.base_url).matrix([(0, 0), (1, 1)])
    fake_osrm.default = Reply(body={"code": "Ok"})
    with pytest.raises(MatrixError, match="without durations"):
        OsrmMatrix(fake_osrm.base_url).matrix([(0, 0), (1, 1)])


def test_unreachable_server_is_a_matrix_error() -> None:
    with pytest.raises(MatrixError, match="unreachable"):
        OsrmMatrix("http://127.0.0.1:9", retries=0).matrix([(0, 0), (1, 1)])
