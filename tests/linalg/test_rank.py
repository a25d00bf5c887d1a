"""choose_rank: a given rank, or the smallest rank whose squared singular values reach a fraction of the total."""

import numpy as np
import pytest

from keras_mf.linalg import choose_rank


def _smallest_rank(s, energy):
    """By definition, counting up: the first k with Σ_{i≤k} σᵢ² ≥ energy · Σ σᵢ²."""
    power = np.asarray(s, np.float64) ** 2
    for k in range(1, len(s) + 1):
        if power[:k].sum() >= energy * power.sum() * (1 - 1e-12):
            return k
    raise AssertionError("unreachable: k = len(s) holds everything")


@pytest.mark.parametrize("energy", [1e-9, 0.3, 0.5, 0.9, 0.99, 1.0])
def test_energy_gives_the_smallest_rank_reaching_it(energy):
    s = np.sort(np.random.default_rng(0).random(30))[::-1] * 10
    assert choose_rank(s, None, energy, 30) == _smallest_rank(s, energy)


def test_an_exact_fraction_is_reached_not_passed():
    """σ² = (3, 1): the first value holds exactly 0.75 of the energy; float round-off must not ask for a second."""
    s = np.sqrt([3.0, 1.0])
    assert choose_rank(s, None, 0.75, 2) == 1
    assert choose_rank(s, None, 0.75 + 1e-6, 2) == 2


def test_rank_is_returned_and_capped():
    assert choose_rank([3.0, 2.0, 1.0], 2, None, 3) == 2
    assert choose_rank([3.0, 2.0, 1.0], None, 1.0, 2) == 2  # energy 1 asks for 3 values, max_rank caps at 2
    with pytest.raises(ValueError, match=r"`rank`.*\[1, 3\]"):
        choose_rank([3.0, 2.0, 1.0], 4, None, 3)
    with pytest.raises(ValueError, match="exactly one"):
        choose_rank([1.0], None, None, 1)
