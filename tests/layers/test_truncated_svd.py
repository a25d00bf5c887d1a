"""TruncatedSVD: the fit against numpy's SVD, streaming, far-from-origin data, fitted state, mixed precision (the
`.keras` round trip of fitted layers is the layer contract's serialization step, tests/test_layer_contract.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.ops import convert_to_numpy as to_numpy

from keras_mf import TruncatedSVD
from keras_mf.datasets import load_mnist
from keras_mf.exceptions import NotFittedError


@pytest.fixture(scope="module")
def mnist():
    """2,000 bundled digits: more rows than the 784 features, so every rank's optimum is a real truncation."""
    return load_mnist("test[:2000]", source="bundled", as_numpy=True, verbose=False)[0]


@pytest.fixture(scope="module")
def fitted(mnist):
    """`fitted(rank)`: a TruncatedSVD of that rank adapted to `mnist`, fitted once for every test that reads it."""
    layers = {}

    def fit(rank):
        if rank not in layers:
            layers[rank] = TruncatedSVD(rank=rank)
            layers[rank].adapt(mnist)
        return layers[rank]

    return fit


@pytest.fixture(scope="module")
def numpy_spectrum(mnist):
    x = mnist.astype(np.float64)
    x = x - x.mean(0)
    return np.linalg.eigvalsh(x.T @ x)[::-1], x.size


# "auto" starts with subspace iteration at each rank here: a block of k + 10 columns (rank 8), of 2k (32), and at the
# largest rank where it still iterates (128, with a budget of 8 iterations; above 784 / 6 it takes the eigh).
@pytest.mark.parametrize("rank", [8, 32, 128])
def test_reconstruction_error_is_the_eckart_young_optimum(fitted, mnist, numpy_spectrum, rank):
    eig, size = numpy_spectrum
    layer = fitted(rank)
    error = float(np.mean((mnist.astype(np.float64) - to_numpy(layer.reconstruct(mnist))) ** 2))
    # Eckart–Young: the best rank-k error is the sum of the eigenvalues of XcᵀXc beyond the k-th (numpy, float64).
    exact = eig[rank:].sum() / size
    assert error == pytest.approx(exact, rel=1e-4)


def test_attributes_match_numpy_svd(fitted, mnist, numpy_spectrum):
    eig, _ = numpy_spectrum
    layer = fitted(32)
    np.testing.assert_allclose(to_numpy(layer.singular_values), np.sqrt(eig[:32]), rtol=1e-4)
    ratio = eig[:32].sum() / eig.sum()  # the variance the top 32 eigenvalues carry, from numpy
    assert float(tf.reduce_sum(layer.explained_variance_ratio)) == pytest.approx(ratio, rel=1e-5)
    v = to_numpy(layer.components)
    np.testing.assert_allclose(v.T @ v, np.eye(32), atol=1e-5)
    np.testing.assert_allclose(to_numpy(layer.mean), mnist.astype(np.float64).mean(0), atol=1e-6)


@pytest.mark.parametrize(
    "solver",
    [
        "eigh",
        pytest.param(
            "subspace",
            marks=pytest.mark.skipif(
                keras.backend.backend() != "tensorflow",
                reason="other backends decompose by the same full eigh whatever the solver (see TruncatedSVD)",
            ),
        ),
    ],
)
def test_streaming_dataset_equals_array(mnist, solver):
    array_layer = TruncatedSVD(rank=16, solver=solver)
    array_layer.adapt(mnist[:1000])
    stream_layer = TruncatedSVD(rank=16, solver=solver)
    stream_layer.adapt(tf.data.Dataset.from_tensor_slices((mnist[:1000], np.zeros(1000))).batch(250))
    np.testing.assert_allclose(to_numpy(stream_layer.singular_values), to_numpy(array_layer.singular_values), rtol=1e-5)
    np.testing.assert_allclose(
        np.abs(to_numpy(stream_layer.components).T @ to_numpy(array_layer.components)), np.eye(16), atol=1e-3
    )


def test_energy_chooses_smallest_rank(mnist, numpy_spectrum):
    eig, _ = numpy_spectrum
    layer = TruncatedSVD(energy=0.95)
    layer.adapt(mnist)
    expected = int(np.searchsorted(np.cumsum(eig) / eig.sum(), 0.95) + 1)
    assert layer.fitted_rank == expected
    assert layer(mnist[:3]).shape == (3, expected)


# The tests on small data below share its shape, 400 × 12 in one batch or in batches of 100: under JAX each new shape
# compiles the fit's operations again, and under TensorFlow traces them again.
@pytest.mark.parametrize("offset", [0.0, 1e4])
@pytest.mark.parametrize("batch_size", [None, 100])
def test_data_far_from_the_origin_keeps_its_spectrum(offset, batch_size):
    """With an offset of 1e4 against unit spread, E[x²]/Var x is 1e8: float32 products followed by
    subtracting n·m mᵀ would keep no correct digit, so the first batch's mean must be subtracted first."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((400, 12)) * np.linspace(1.0, 3.0, 12) + offset).astype(np.float32)
    layer = TruncatedSVD(rank=4)
    layer.adapt(x, batch_size=batch_size)
    centred = x.astype(np.float64) - x.astype(np.float64).mean(0)
    np.testing.assert_allclose(to_numpy(layer.singular_values), np.linalg.svd(centred, compute_uv=False)[:4], rtol=1e-4)


@pytest.mark.parametrize("later_offset", [0.0, 300.0])
def test_data_that_moves_after_the_first_batch_keeps_its_spectrum(later_offset):
    """A small first batch at the origin sets no shift; the later batches, 300 away against a spread of
    1-3 (E[x²]/Var x above 1e4), are shifted by their own mean and their sums moved back in float64.
    Multiplied about the origin instead, they were off by 1e-3 relative here. (Offsets far larger than
    this meet the float32 eigen-solve's own limit: eps·σ₁² swamps the small σ²'s.)"""
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((1010, 12)) * np.linspace(1.0, 3.0, 12)).astype(np.float32)
    x[10:] += later_offset
    layer = TruncatedSVD(rank=4)
    layer.adapt([x[:10], x[10:510], x[510:]])
    centred = x.astype(np.float64) - x.astype(np.float64).mean(0)
    np.testing.assert_allclose(to_numpy(layer.singular_values), np.linalg.svd(centred, compute_uv=False)[:4], rtol=1e-4)
    np.testing.assert_allclose(to_numpy(layer.mean), x.astype(np.float64).mean(0), rtol=1e-6, atol=1e-6)


# solver="auto" once ran a fixed 6 subspace iterations without a convergence test: 3.4e-4 relative off here.
@pytest.mark.parametrize("solver", ["eigh", "auto"])
def test_singular_values_on_a_flat_spectrum(solver):
    """Rank 5 of 40 features whose spreads rise evenly from 1 to 3: the eigenvalue gaps are small."""
    x = (np.random.default_rng(2).standard_normal((400, 40)) * np.linspace(1.0, 3.0, 40)).astype(np.float32)
    layer = TruncatedSVD(rank=5, solver=solver)
    layer.adapt(x)
    centred = x.astype(np.float64) - x.astype(np.float64).mean(0)
    expected = np.linalg.svd(centred, compute_uv=False)[:5]
    # float32 data and a float32 eigen-solve on float64 statistics: 1e-5 relative leaves a margin of 7 over eigh.
    np.testing.assert_allclose(to_numpy(layer.singular_values), expected, rtol=1e-5)


def test_uncentered_is_plain_truncated_svd():
    x = np.random.default_rng(0).random((400, 12)).astype(np.float32)
    layer = TruncatedSVD(rank=5, center=False)
    layer.adapt(x)
    s = np.linalg.svd(x.astype(np.float64), compute_uv=False)
    np.testing.assert_allclose(to_numpy(layer.singular_values), s[:5], rtol=1e-5)
    np.testing.assert_allclose(to_numpy(layer.mean), 0.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rank": 0}, "rank"),
        ({"rank": 2.5}, "rank"),
        ({"energy": 0.0}, "energy"),
        ({"energy": 1.5}, "energy"),
        ({}, "exactly one"),
        ({"rank": 2, "energy": 0.5}, "exactly one"),
        ({"rank": 2, "solver": "lapack"}, "solver"),
    ],
)
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TruncatedSVD(**kwargs)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("row", [0, 3, 340])
def test_non_finite_data_is_refused(value, row):
    x = np.random.default_rng(3).random((400, 12)).astype(np.float32)
    x[row, 4] = value
    with pytest.raises(ValueError, match="NaN or inf"):
        TruncatedSVD(rank=2).adapt(x, batch_size=100)


def test_bad_use():
    x = np.random.default_rng(2).random((400, 12)).astype(np.float32)
    with pytest.raises(ValueError, match="not fitted"):
        TruncatedSVD(rank=2)(x)
    with pytest.raises(ValueError, match=r"rank.*\[1, 12\]"):
        TruncatedSVD(rank=13).adapt(x)
    with pytest.raises(ValueError, match=r"\[1, 5\]"):
        TruncatedSVD(rank=8).adapt(x[:5])
    layer = TruncatedSVD(rank=2)
    layer.adapt(x)
    with pytest.raises(ValueError, match="width 11"):
        layer.adapt(np.ones((5, 11), np.float32))
    with pytest.raises(ValueError, match="fitted on 12 features"):
        layer(np.ones((5, 11), np.float32))
    with pytest.raises(TypeError, match="adapt expects"):
        TruncatedSVD(rank=2).adapt(3)


def _adapted(rank=3, seed=1):
    x = np.random.default_rng(seed).random((400, 12)).astype(np.float32)
    layer = TruncatedSVD(rank=rank)
    layer.adapt(x)
    return layer, x


def test_set_weights_makes_a_fitted_layer():
    """Fitted-ness is read from the variables (n_samples > 0), so copied weights carry it."""
    layer, x = _adapted()
    copy = TruncatedSVD(rank=3)
    copy.build((None, 12))
    assert not copy.is_adapted
    copy.set_weights(layer.get_weights())
    assert copy.is_adapted
    np.testing.assert_array_equal(to_numpy(copy(x[:5])), to_numpy(layer(x[:5])))
    np.testing.assert_array_equal(to_numpy(copy.reconstruct(x[:5])), to_numpy(layer.reconstruct(x[:5])))


def test_unfitted_layer_refuses_eagerly_and_gives_nan_when_compiled():
    x = np.random.default_rng(2).random((8, 12)).astype(np.float32)
    layer = TruncatedSVD(rank=3)
    with pytest.raises(NotFittedError, match="not fitted"):
        layer(x)
    inputs = keras.Input((12,))
    model = keras.Model(inputs, layer(inputs))
    if keras.backend.backend() == "torch":  # PyTorch has no graph: predict runs eagerly, and refuses too
        with pytest.raises(NotFittedError, match="not fitted"):
            model.predict(x, verbose=0)
    else:
        assert np.isnan(model.predict(x, verbose=0)).all()


def test_mixed_precision_reconstruct_and_inverse():
    layer, x = _adapted()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        half = TruncatedSVD(rank=3)
        half.build((None, 12))
        half.set_weights(layer.get_weights())
        codes = half(x[:5])
        assert keras.backend.standardize_dtype(codes.dtype) == "float16"
        np.testing.assert_allclose(to_numpy(half.reconstruct(x[:5])), to_numpy(layer.reconstruct(x[:5])), atol=2e-3)
        assert keras.backend.standardize_dtype(half.inverse(codes).dtype) == "float16"
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize(
    "data, dtype",
    [
        (np.array([["a"] * 8] * 4), "str"),
        (np.ones((4, 8), bool), "bool"),
        (np.ones((4, 8), complex), "complex"),
        (np.array([[object()] * 8] * 4), "object"),
    ],
)
def test_non_real_data_is_refused_naming_data(data, dtype):
    with pytest.raises(TypeError, match=rf"`data`.*{dtype}"):
        TruncatedSVD(rank=2).adapt(data)
