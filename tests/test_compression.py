"""compress: Dense layers replaced by their truncated-SVD LowRankDense, parameters counted in closed form."""

import keras
import numpy as np
import pytest
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import LowRankDense
from keras_mf import TruncatedSVD
from keras_mf import compress


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


def _adapted(rank=3, seed=1):
    x = np.random.default_rng(seed).random((200, 12)).astype(np.float32)
    layer = TruncatedSVD(rank=rank)
    layer.adapt(x)
    return layer, x


def test_clone_model_and_compress_keep_the_fit():
    layer, x = _adapted()
    inputs = keras.Input((12,))
    model = keras.Model(inputs, keras.layers.Dense(4)(layer(inputs)))
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(to_numpy(clone(x[:5])), to_numpy(model(x[:5])))
    small, report = compress(model, rank=1, min_params=1)
    assert [r["layer"] for r in report] == [model.layers[-1].name]
    np.testing.assert_allclose(to_numpy(small.layers[1](x[:5])), to_numpy(layer(x[:5])), rtol=0, atol=0)
