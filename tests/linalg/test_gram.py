"""Streaming Gram statistics: both accumulators against numpy's mean and scatter matrix, computed in float64 on all
rows at once."""

import keras
import numpy as np
import pytest

from keras_mf.linalg import _gram_tf
from keras_mf.linalg import gram
from keras_mf.linalg._gram_tf import TensorFlowGramAccumulator
from keras_mf.linalg.gram import OpsGramAccumulator

ACCUMULATORS = {"tensorflow": TensorFlowGramAccumulator, "ops": OpsGramAccumulator}
# Row counts of the batches: unequal, single rows, batches longer than _column_sums' 256-row block; two shapes
# only, as each new shape traces the TensorFlow accumulator's functions again.
BATCHES = (257, 1, 257, 1)


def _data(dtype, offset, seed=0, features=7):
    """Rows with unequal spreads (1 to 3) about `offset`: E[x²]/Var x is 1e6 at offset 1e3."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((sum(BATCHES), features)) * np.linspace(1.0, 3.0, features) + offset
    return x.astype(dtype)


def _accumulate(kind, x, center, batches=BATCHES):
    stats = ACCUMULATORS[kind](center)
    start = 0
    for rows in batches:
        stats.update(stats.as_floats(x[start : start + rows]))
        start += rows
    assert stats.count == len(x)
    return stats


def _numpy_statistics(x, center):
    x = x.astype(np.float64)
    mean = x.mean(0) if center else np.zeros(x.shape[1])
    scatter = (x - mean).T @ (x - mean)
    return mean, scatter


# Tolerances, relative to the scale of what is compared: the mean to its largest entry plus the spread; the
# scatter to its largest eigenvalue. The TensorFlow accumulator multiplies in the input precision and solves its
# eigenproblem in float32 (both about 1e-7 relative), the ops accumulator multiplies in the input precision and
# decomposes in float64; float64 data carries float64 products only through the ops accumulator.
TOLERANCE = {
    ("tensorflow", "float32"): 2e-6,
    ("tensorflow", "float64"): 2e-6,
    ("ops", "float32"): 2e-6,
    ("ops", "float64"): 1e-12,
}


CASES = [
    # ops/float32/1e3 failed when the ops accumulator merged batches as if their float32-rounded means were exact.
    (kind, dtype, offset, center)
    for kind in sorted(ACCUMULATORS)
    for dtype in ("float32", "float64")
    for offset in (0.0, 1e3)
    for center in (True, False)
    if center or not offset  # uncentred statistics of data far from the origin are its offset's outer product
]


@pytest.mark.parametrize("kind, dtype, offset, center", CASES)
def test_decompose_gives_numpys_mean_and_scatter(kind, dtype, offset, center):
    x = _data(dtype, offset)
    mean, singular_values, components, total_variance, _ = _accumulate(kind, x, center).decompose()
    expected_mean, expected_scatter = _numpy_statistics(x, center)
    tol = TOLERANCE[kind, dtype]
    np.testing.assert_allclose(mean, expected_mean, rtol=0, atol=tol * (np.abs(expected_mean).max() + 3.0))
    # The scatter matrix back from its eigenpairs: V diag(σ²) Vᵀ.
    scatter = (components * singular_values**2) @ components.T
    largest = np.linalg.eigvalsh(expected_scatter)[-1]
    np.testing.assert_allclose(scatter, expected_scatter, rtol=0, atol=tol * largest)
    np.testing.assert_allclose(components.T @ components, np.eye(x.shape[1]), atol=10 * tol)
    np.testing.assert_allclose(
        singular_values, np.sqrt(np.linalg.eigvalsh(expected_scatter)[::-1]), rtol=0, atol=tol * np.sqrt(largest)
    )
    assert total_variance == pytest.approx(np.trace(expected_scatter) / (len(x) - 1), rel=tol)


@pytest.mark.parametrize("kind", sorted(ACCUMULATORS))
def test_one_batch_or_many_and_signs_are_reproducible(kind):
    """The batching changes nothing but round-off, and each component's largest entry is positive."""
    x = _data("float32", 0.0, seed=1)
    whole = _accumulate(kind, x, True, batches=(len(x),)).decompose()
    parts = _accumulate(kind, x, True).decompose()
    for a, b in zip(whole, parts, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5 * max(1.0, np.abs(a).max()))
    components = parts[2]
    largest = components[np.argmax(np.abs(components), axis=0), np.arange(components.shape[1])]
    assert np.all(largest > 0)


def test_subspace_iteration_gives_the_top_eigenpairs():
    """`decompose(top)` on TensorFlow: the top-k singular values and directions of the full solve, on a decaying
    spectrum (spreads 0.8^i, as images' are) that its fixed number of iterations resolves; on a flat one it does not
    (tests/layers/test_truncated_svd.py, test_subspace_solver_on_a_flat_spectrum)."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((400, 40)) * 0.8 ** np.arange(40)).astype(np.float32)
    stats = _accumulate("tensorflow", x, True)
    _, scatter = _numpy_statistics(x, True)
    values, vectors = np.linalg.eigh(scatter)
    values, vectors = values[::-1], vectors[:, ::-1]
    _, singular_values, components, _, _ = stats.decompose(5)
    np.testing.assert_allclose(singular_values[:5], np.sqrt(values[:5]), rtol=1e-5)
    np.testing.assert_allclose(np.abs(components[:, :5].T @ vectors[:, :5]), np.eye(5), atol=1e-3)


@pytest.mark.parametrize("kind", sorted(ACCUMULATORS))
def test_integer_pixels_are_read_as_float32(kind):
    x = np.random.default_rng(3).integers(0, 256, size=(50, 6)).astype(np.uint8)
    stats = ACCUMULATORS[kind](True)
    batch = stats.as_floats(x)
    assert keras.backend.standardize_dtype(batch.dtype) == "float32"
    stats.update(batch)
    mean, *_ = stats.decompose()
    np.testing.assert_allclose(mean, x.astype(np.float64).mean(0), rtol=1e-6)


@pytest.mark.parametrize("kind", sorted(ACCUMULATORS))
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_batches_are_refused(kind, value):
    x = _data("float32", 0.0)[:20]
    x[7, 3] = value
    stats = ACCUMULATORS[kind](True)
    with pytest.raises(ValueError, match="NaN or inf"):
        stats.update(stats.as_floats(x))


@pytest.mark.parametrize("features", [1, 2, 3, 7, 10])
@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_symmetric_gram_is_xtx(features, blocks):
    x = np.random.default_rng(features).standard_normal((20, features))
    np.testing.assert_allclose(_gram_tf.symmetric_gram(x, blocks=blocks).numpy(), x.T @ x, rtol=1e-12, atol=1e-12)


def test_gram_accumulator_follows_the_backend():
    expected = TensorFlowGramAccumulator if keras.backend.backend() == "tensorflow" else OpsGramAccumulator
    assert type(gram.gram_accumulator(True)) is expected
