import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_numpy
from roundtrip import assert_roundtrip

from keras_mf import LowRankDense
from keras_mf import compress


def _dense(m=20, n=12, activation="relu"):
    dense = keras.layers.Dense(n, activation=activation)
    dense.build((None, m))
    return dense


def test_from_dense_is_best_rank_r_approximation():
    dense = _dense()
    low = LowRankDense.from_dense(dense, rank=4)
    kernel = to_numpy(dense.kernel).astype(np.float64)
    u, s, vt = np.linalg.svd(kernel)
    best = (u[:, :4] * s[:4]) @ vt[:4]
    np.testing.assert_allclose(to_numpy(low.u) @ to_numpy(low.v), best, atol=1e-5)
    assert low.count_params() == 4 * (20 + 12) + 12


def test_full_rank_reproduces_dense_outputs():
    dense = _dense()
    x = np.random.default_rng(0).standard_normal((6, 20)).astype(np.float32)
    low = LowRankDense.from_dense(dense, rank=12)
    np.testing.assert_allclose(to_numpy(low(x)), to_numpy(dense(x)), atol=1e-5)


@pytest.mark.parametrize("energy, expected", [(1.0, 12), (1e-9, 1)])
def test_rank_from_energy(energy, expected):
    assert LowRankDense.from_dense(_dense(), energy=energy).rank == expected


def test_keras_roundtrip(tmp_path):
    layer = LowRankDense.from_dense(_dense(), rank=3)
    x = np.random.default_rng(1).standard_normal((5, 20)).astype(np.float32)
    assert_roundtrip(layer, x, tmp_path)


@pytest.mark.parametrize("kwargs, match", [({"units": 0, "rank": 1}, "units"), ({"units": 4, "rank": 0}, "rank")])
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LowRankDense(**kwargs)


def test_rank_larger_than_kernel():
    with pytest.raises(ValueError, match=r"rank.*\[1, 12\]"):
        LowRankDense.from_dense(_dense(), rank=13)
    with pytest.raises(ValueError, match="rank"):
        LowRankDense(4, rank=8).build((None, 3))
    with pytest.raises(TypeError, match="built keras.layers.Dense"):
        LowRankDense.from_dense(keras.layers.Dense(3), rank=1)


def test_compress_reports_parameters_and_keeps_other_layers():
    model = keras.Sequential(
        [
            keras.Input((100,)),
            keras.layers.Dense(80, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(10),
        ]
    )
    x = np.random.default_rng(2).standard_normal((4, 100)).astype(np.float32)
    small, report = compress(model, param_fraction=0.25, min_params=1000)
    assert [r["rank"] for r in report] == [11, None]
    assert report[0]["params_after"] == 11 * 180 + 80
    np.testing.assert_array_equal(to_numpy(small.layers[-1].kernel), to_numpy(model.layers[-1].kernel))
    full, _ = compress(model, rank=80, min_params=1000)  # full rank saves nothing: every layer kept
    np.testing.assert_allclose(to_numpy(full(x)), to_numpy(model(x)), atol=1e-6)
    with pytest.raises(ValueError, match="exactly one"):
        compress(model)


def _mlp(use_bias=True):
    return keras.Sequential(
        [keras.Input((100,)), keras.layers.Dense(100, use_bias=use_bias, activation="relu"), keras.layers.Dense(10)]
    )


@pytest.mark.parametrize("use_bias", [True, False])
def test_compress_counts_a_bias_only_where_there_is_one(use_bias):
    """A 100x100 Dense holds 10,000 kernel weights plus 100 biases only when use_bias=True."""
    _, report = compress(_mlp(use_bias), rank=5, min_params=1000)
    bias = 100 if use_bias else 0
    assert report[0]["params_before"] == 10_000 + bias
    assert report[0]["params_after"] == 5 * 200 + bias


@pytest.mark.parametrize("kind", ["functional", "nested"])
def test_compress_functional_and_nested_models(kind):
    x = np.random.default_rng(3).standard_normal((4, 100)).astype(np.float32)
    inner = _mlp()
    inputs = keras.Input((100,))
    if kind == "functional":
        hidden = keras.layers.Dense(100, activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Dense(100)(hidden)))
    else:
        model = keras.Model(inputs, keras.layers.Dense(3)(inner(inputs)))
    rng = np.random.default_rng(4)
    for layer in _all_layers(model):
        if isinstance(layer, keras.layers.Dense) and layer.kernel.shape == (100, 100):
            layer.kernel.assign((rng.standard_normal((100, 5)) @ rng.standard_normal((5, 100)) / 30).astype("float32"))
    small, report = compress(model, energy=0.99999, min_params=1000)
    # Each 100x100 kernel has rank 5: the energy keeps exactly those 5 directions, so outputs are unchanged.
    assert [r["rank"] for r in report if r["shape"] == (100, 100)] == [5] * (2 if kind == "functional" else 1)
    np.testing.assert_allclose(to_numpy(small(x)), to_numpy(model(x)), atol=1e-4)
    low = [layer for layer in _all_layers(small) if isinstance(layer, LowRankDense)]
    assert len(low) == len([r for r in report if r["rank"] is not None])


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)
