"""Iterative solvers converge to their stated tolerance or warn naming the parameter to raise, and float64 input
stays float64 through linalg, graph and k-means, compared to numpy at float64 tolerances (issue #24)."""

import warnings

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from keras_mf import cluster
from keras_mf import graph
from keras_mf import linalg
from keras_mf.exceptions import ConvergenceWarning


def _psd(n, spectrum, seed=0):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return (q * spectrum) @ q.T


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_top_eigh_on_a_flat_spectrum_meets_its_residual_tolerance(dtype):
    """A flat spectrum (λ_{k+p+1}/λ_k ≈ 0.97) needs far more than main's fixed 6 iterations."""
    spectrum = np.linspace(1.0, 0.5, 200)
    c = _psd(200, spectrum).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        values, vectors = linalg.top_eigh(tf.constant(c), 4, iterations=3000)
    assert values.dtype == dtype
    tol = np.sqrt(np.finfo(dtype).eps)
    residuals = np.linalg.norm(c @ vectors.numpy() - vectors.numpy() * values.numpy(), axis=0)
    assert residuals.max() <= tol * spectrum[0] * 1.01
    np.testing.assert_allclose(values.numpy(), spectrum[:4], rtol=10 * tol**2 / (spectrum[3] - spectrum[4]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ratio", [0.3, 0.97, 0.999])
def test_top_eigh_with_defaults_never_misses_silently(dtype, ratio):
    """Either the residuals meet the tolerance or a ConvergenceWarning says they do not: main ran 6 iterations
    whatever the spectrum and said nothing."""
    spectrum = np.geomspace(1.0, ratio**199, 200)
    c = _psd(200, spectrum, seed=1).astype(dtype)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values, vectors = linalg.top_eigh(tf.constant(c), 4)
    residual = np.linalg.norm(c @ vectors.numpy() - vectors.numpy() * values.numpy(), axis=0).max()
    warned = [w for w in caught if issubclass(w.category, ConvergenceWarning) and "`iterations`" in str(w.message)]
    assert warned or residual <= np.sqrt(np.finfo(dtype).eps) * spectrum[0] * 1.01


def test_top_eigh_out_of_iterations_warns_naming_iterations():
    c = _psd(200, np.linspace(1.0, 0.5, 200))
    with pytest.warns(ConvergenceWarning, match="`iterations`"):
        linalg.top_eigh(tf.constant(c), 4, iterations=3)


def test_power_iteration_on_plus_minus_lambda_warns_naming_iterations():
    with pytest.warns(ConvergenceWarning, match="`iterations`"):
        linalg.power_iteration(np.diag([2.0, -2.0, 1.0]), iterations=50)


def test_power_iteration_of_a_zero_matrix_is_zero_not_nan():
    value, vector, _ = linalg.power_iteration(np.zeros((3, 3)))
    assert float(value) == 0.0
    assert np.isfinite(vector.numpy()).all()


@st.composite
def float64_points(draw):
    n, d = draw(st.integers(6, 30)), draw(st.integers(1, 5))
    offset = draw(st.sampled_from([0.0, 1e3, 1e6]))
    seed = draw(st.integers(0, 2**31 - 1))
    return np.random.default_rng(seed).normal(size=(n, d)) + offset


@settings(max_examples=15)
@given(float64_points())
def test_float64_points_stay_float64_and_match_numpy(x):
    """Distances to 1e-9 relative even at an offset of 1e6: float64 all the way, centred first."""
    reference = cdist(x, x)
    np.fill_diagonal(reference, np.inf)
    distances, _ = graph.nearest_neighbors(x, 2)
    assert distances.dtype == tf.float64
    np.testing.assert_allclose(distances.numpy(), np.sort(reference, 1)[:, :2], rtol=1e-9)
    w = graph.gaussian_similarity(x, sigma=1.0)
    assert w.dtype == tf.float64
    expected = np.exp(-(cdist(x, x) ** 2) / 2)
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-9, atol=1e-300)
    assert graph.fuzzy_knn_graph(x, 3).values.dtype == tf.float64
    labels, centers, inertia = cluster.kmeans(x, 2, n_init=2)
    assert centers.dtype == np.float64
    expected_inertia = sum(np.sum((x[labels == j] - x[labels == j].mean(0)) ** 2) for j in np.unique(labels))
    assert inertia == pytest.approx(expected_inertia, rel=1e-9)


@settings(max_examples=15)
@given(st.integers(8, 30), st.integers(0, 2**31 - 1))
def test_float64_graphs_stay_float64_and_match_numpy(n, seed):
    rng = np.random.default_rng(seed)
    w = rng.random((n, n)) + 0.01
    w = w + w.T
    np.fill_diagonal(w, 0)
    d = w.sum(1)
    n_sym = w / np.sqrt(np.outer(d, d))
    np.testing.assert_allclose(graph.normalize_adjacency(w).numpy(), n_sym, rtol=1e-13)
    np.testing.assert_allclose(graph.laplacian(w, normalized=True).numpy(), np.eye(n) - n_sym, atol=1e-13)
    embedding = graph.spectral_embedding(w, 2)
    assert embedding.dtype == tf.float64
    _, vectors = np.linalg.eigh(np.eye(n) - n_sym)
    expected = vectors[:, :2] / np.linalg.norm(vectors[:, :2], axis=1, keepdims=True)
    # Eigenvectors up to a rotation within the pair: compare the Gram matrices of the rows.
    np.testing.assert_allclose(embedding.numpy() @ embedding.numpy().T, expected @ expected.T, atol=1e-9)
    sparse = tf.sparse.from_dense(w)
    embedding = graph.spectral_embedding(sparse, 2)
    np.testing.assert_allclose(embedding.numpy() @ embedding.numpy().T, expected @ expected.T, atol=1e-6)
