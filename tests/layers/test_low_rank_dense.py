"""LowRankDense: the truncated SVD of a Dense kernel, against numpy (its `.keras` round trip is the layer contract's
serialization step, tests/test_layer_contract.py)."""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import LowRankDense


def _dense(m=12, n=8, activation="relu"):
    dense = keras.layers.Dense(n, activation=activation)
    dense.build((None, m))
    return dense


def test_from_dense_is_best_rank_r_approximation():
    dense = _dense()
    low = LowRankDense.from_dense(dense, rank=3)
    kernel = to_numpy(dense.kernel).astype(np.float64)
    u, s, vt = np.linalg.svd(kernel)
    best = (u[:, :3] * s[:3]) @ vt[:3]
    np.testing.assert_allclose(to_numpy(low.u) @ to_numpy(low.v), best, atol=1e-5)
    assert low.count_params() == 3 * (12 + 8) + 8


def test_full_rank_reproduces_dense_outputs():
    dense = _dense()
    x = np.random.default_rng(0).standard_normal((6, 12)).astype(np.float32)
    low = LowRankDense.from_dense(dense, rank=8)
    np.testing.assert_allclose(to_numpy(low(x)), to_numpy(dense(x)), atol=1e-5)


@pytest.mark.parametrize("energy, expected", [(1.0, 8), (1e-9, 1)])
def test_rank_from_energy(energy, expected):
    assert LowRankDense.from_dense(_dense(), energy=energy).rank == expected


@pytest.mark.parametrize("kwargs, match", [({"units": 0, "rank": 1}, "units"), ({"units": 4, "rank": 0}, "rank")])
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LowRankDense(**kwargs)


def test_rank_larger_than_kernel():
    with pytest.raises(ValueError, match=r"rank.*\[1, 8\]"):
        LowRankDense.from_dense(_dense(), rank=9)
    with pytest.raises(ValueError, match="rank"):
        LowRankDense(4, rank=8).build((None, 3))
    with pytest.raises(TypeError, match="built keras.layers.Dense"):
        LowRankDense.from_dense(keras.layers.Dense(3), rank=1)
