import numpy as np
import pytest

from solver import Break, Problem, ProblemError, TimeWindow
from tests.solver._make import line, problem, tech, visit


def test_valid_problem_keeps_its_data_and_horizon() -> None:
    p = problem([visit("a", 1, windows=[(0, 40000)])], [tech("t")])
    assert p.num_locations == 6
    assert p.horizon == 40000
    assert p.visits[0].id == "a"


@pytest.mark.parametrize("matrix", [
    np.zeros((2, 3), dtype=int),
    np.zeros((0, 0), dtype=int),
    np.full((2, 2), 0.5),
    np.array([[0, -1], [1, 0]]),
])
def test_bad_matrices_are_rejected(matrix: np.ndarray) -> None:
    with pytest.raises(ProblemError):
        Problem(durations=matrix, visits=[], technicians=[])


def test_distances_must_match_durations() -> None:
    with pytest.raises(ProblemError, match="shape"):
        Problem(durations=line([0, 1]), visits=[], technicians=[], distances=line([0, 1, 2]))


def test_location_outside_matrix_is_rejected() -> None:
    with pytest.raises(ProblemError, match="location 9"):
        problem([visit("a", 9)], [tech("t")])
    with pytest.raises(ProblemError, match="location 7"):
        problem([], [tech("t", home=7)])


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ProblemError, match="duplicate visit"):
        problem([visit("a", 1), visit("a", 2)], [tech("t")])
    with pytest.raises(ProblemError, match="duplicate technician"):
        problem([], [tech("t"), tech("t")])


def test_inverted_window_is_rejected() -> None:
    with pytest.raises(ProblemError, match="starts after"):
        TimeWindow(10, 5)


def test_break_must_fit_in_shift() -> None:
    late = Break(TimeWindow(28000, 28500), 1800)
    with pytest.raises(ProblemError, match="break"):
        problem([], [tech("t", breaks=(late,))])


def test_negative_values_are_rejected() -> None:
    with pytest.raises(ProblemError, match="negative duration"):
        problem([visit("a", 1, duration=-1)], [tech("t")])
    with pytest.raises(ProblemError, match="capacity"):
        problem([], [tech("t", capacity=-1)])
