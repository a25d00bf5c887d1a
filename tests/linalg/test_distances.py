"""squared_distances against scipy's cdist."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from keras_mf.linalg import squared_distances


@pytest.mark.parametrize("dtype, rtol", [("float32", 1e-5), ("float64", 1e-12)])
def test_matches_scipy(dtype, rtol):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((13, 4)).astype(dtype), rng.standard_normal((7, 4)).astype(dtype)
    expected = cdist(a.astype(np.float64), b.astype(np.float64), "sqeuclidean")
    # ‖a‖² + ‖b‖² − 2a·b: the round-off is relative to ‖a‖² + ‖b‖², not to the distance.
    scale = (a.astype(np.float64) ** 2).sum(1)[:, None] + (b.astype(np.float64) ** 2).sum(1)[None]
    np.testing.assert_array_less(np.abs(squared_distances(a, b).numpy() - expected), rtol * scale + 1e-300)


def test_identical_points_are_clipped_at_zero():
    a = np.random.default_rng(1).standard_normal((50, 3)).astype(np.float32) * 1e3
    d = squared_distances(a, a).numpy()
    # Unclipped, the expansion reaches -0.5 on these points (round-off of ‖a‖² ~ 1e6): clipping keeps d ≥ 0.
    assert d.min() >= 0.0
