from __future__ import annotations

import numpy as np
import pytest

import routing.geo.haversine as haversine
from routing.geo import HaversineMatrix, MatrixError

SEATTLE, NEW_YORK = (47.6062, -122.3321), (40.7128, -74.0060)


def test_great_circle_distance_and_time_with_circuity_and_speed() -> None:
    plain = HaversineMatrix(speed_kmh=36, circuity=1.0).matrix([SEATTLE, NEW_YORK])
    assert plain.distances[0, 1] == pytest.approx(3_866_000, rel=0.002)
    assert plain.durations[0, 1] == pytest.approx(plain.distances[0, 1] / 10, abs=1)
    winding = HaversineMatrix(speed_kmh=72, circuity=1.5).matrix([SEATTLE, NEW_YORK])
    assert winding.distances[0, 1] == pytest.approx(1.5 * plain.distances[0, 1], abs=1)
    assert winding.durations[0, 1] == pytest.approx(0.75 * plain.durations[0, 1], abs=1)


def test_shape_dtype_symmetry_and_zero_diagonal() -> None:
    points = np.random.default_rng(1).uniform([40, -80], [45, -70], (30, 2)).tolist()
    m = HaversineMatrix().matrix(points)
    for array in (m.durations, m.distances):
        assert array.shape == (30, 30) and array.dtype == np.int64
        assert (np.diag(array) == 0).all()
        assert (array == array.T).all()
    assert m.fallback_cells == 0


def test_minimum_travel_time_between_distinct_points_only() -> None:
    here, next_door = (47.6062, -122.3321), (47.6063, -122.3321)
    m = HaversineMatrix(min_travel_s=90).matrix([here, next_door, here])
    assert m.durations[0, 1] == m.durations[1, 0] == 90
    assert m.distances[0, 1] == pytest.approx(14, abs=1)
    assert m.durations[0, 2] == m.distances[0, 2] == 0  # two jobs at the same address


def test_blocks_give_the_same_matrix_as_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    points = np.random.default_rng(2).uniform([30, -120], [48, -70], (53, 2)).tolist()
    whole = HaversineMatrix().matrix(points)
    monkeypatch.setattr(haversine, "_BLOCK_CELLS", 7 * 53)
    blocked = HaversineMatrix().matrix(points)
    assert (whole.durations == blocked.durations).all()
    assert (whole.distances == blocked.distances).all()


def test_empty_and_single_point() -> None:
    assert HaversineMatrix().matrix([]).durations.shape == (0, 0)
    assert HaversineMatrix().matrix([SEATTLE]).durations.tolist() == [[0]]


@pytest.mark.parametrize("points", [[(91.0, 0.0)], [(0.0, float("inf"))], [(1.0, 2.0, 3.0)],
                                    [("north", "west")]])
def test_bad_points_are_clear_errors(points: list[tuple[float, float]]) -> None:
    with pytest.raises(MatrixError):
        HaversineMatrix().matrix(points)


@pytest.mark.parametrize("settings", [{"speed_kmh": 0}, {"circuity": 0.5}, {"min_travel_s": -1}])
def test_bad_settings_are_clear_errors(settings: dict[str, float]) -> None:
    with pytest.raises(MatrixError):
        HaversineMatrix(**settings)  # type: ignore[arg-type]
