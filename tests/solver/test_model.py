from solver.model import drop_penalties


def test_one_higher_priority_drop_outweighs_all_lower_ones() -> None:
    priorities = [1, 1, 1, 2, 2, 5]
    bound = 1000
    penalties = drop_penalties(priorities, bound)
    by = dict(zip(priorities, penalties, strict=True))
    assert min(penalties) >= bound
    assert by[2] > 3 * by[1]
    assert by[5] > 3 * by[1] + 2 * by[2]


def test_penalties_fall_back_to_linear_weights_instead_of_overflowing() -> None:
    priorities = list(range(60)) * 10
    penalties = drop_penalties(priorities, 10**9)
    assert all(0 < p < 2**62 for p in penalties)
    assert penalties[1] > penalties[0]
