"""Fuzzing (issue #24): degenerate data fed to every numeric entry point — duplicates, constant columns, all-zero
rows, a single sample, k = n, values near float32's limits, offsets of 1e6, float64. Each call either returns finite
numbers that match an independent reference (numpy, scipy, closed forms), or raises a ValueError/TypeError naming
one of its own arguments; never NaN, inf or a TensorFlow error. Derandomized through the profile in conftest."""

import traceback
import warnings

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from keras.ops import convert_to_numpy as to_numpy
from scipy.linalg import subspace_angles
from scipy.spatial.distance import cdist

from keras_mf import SymNMF
from keras_mf import TruncatedSVD
from keras_mf import cluster
from keras_mf import graph
from keras_mf import linalg

EXAMPLES = 20
KINDS = ("plain", "duplicates", "identical", "constant_columns", "zero_rows", "huge", "tiny", "offset")
# Shapes are drawn from few values, so that the compiled functions trace a handful of times, not once per example.
ROWS = (1, 2, 5, 12)
WIDTHS = (1, 3)


@st.composite
def degenerate_points(draw, min_rows=1):
    kind = draw(st.sampled_from(KINDS))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    n = draw(st.sampled_from([r for r in ROWS if r >= min_rows]))
    d = draw(st.sampled_from(WIDTHS))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(n, d))
    if kind == "duplicates":
        x = x[rng.integers(0, max(1, n // 3), n)]
    elif kind == "identical":
        x = np.repeat(x[:1], n, axis=0)
    elif kind == "constant_columns":
        x[:, : max(1, d // 2)] = 3.0
    elif kind == "zero_rows":
        x[rng.random(n) < 0.5] = 0.0
    elif kind == "huge":
        x *= 1e37  # float32's largest is 3.4e38
    elif kind == "tiny":
        x *= 1e-37  # float32's smallest normal is 1.2e-38
    elif kind == "offset":
        x += 1e6
    return x.astype(dtype), kind


def outcome(call, *arguments):
    """The result of `call()`, or None when it raised a ValueError/TypeError naming one of `arguments`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and distinct-cluster warnings are allowed answers
            return call()
    except tf.errors.OpError as error:  # a TensorFlow error means the value reached an op unchecked
        pytest.fail(f"TensorFlow error instead of a clear one: {error!r}")
    except (ValueError, TypeError) as error:
        assert any(f"`{a}`" in str(error) for a in arguments), f"error names none of {arguments}: {error}"
        # Raised by keras_mf's own checks, not by a library underneath whose message happens to say `x`.
        frames = traceback.extract_tb(error.__traceback__)
        assert "keras_mf" in frames[-1].filename, f"raised in {frames[-1].filename}: {error}"
        return None


def assert_finite(*values):
    for value in values:
        value = to_numpy(tf.sparse.to_dense(value)) if isinstance(value, tf.SparseTensor) else np.asarray(value)
        assert np.all(np.isfinite(value)), value


def _as64(x):
    return np.asarray(x, np.float64)


@settings(max_examples=EXAMPLES)
@given(degenerate_points(), st.integers(1, 3))
def test_truncated_svd(data, rank):
    x, _ = data
    dtype = x.dtype.name
    layer = TruncatedSVD(rank=rank, dtype=dtype)
    if outcome(lambda: layer.adapt(x), "rank", "data") is None:
        return
    s = np.linalg.svd(_as64(x) - _as64(x).mean(0), compute_uv=False)
    ours = _as64(to_numpy(layer.singular_values))
    assert_finite(ours, to_numpy(layer.components), to_numpy(layer.explained_variance_ratio))
    # Accurate to the dtype's round-off of the largest singular value (the Gram route squares it).
    np.testing.assert_allclose(ours, s[:rank], atol=1e-3 * s[0] + 1e-300 if dtype == "float32" else 1e-7 * s[0])
    assert_finite(to_numpy(layer.reconstruct(x)))


@settings(max_examples=EXAMPLES)
@given(degenerate_points(min_rows=2), st.integers(1, 12))
def test_similarity_graphs(data, n_neighbors):
    x, _ = data
    n = x.shape[0]
    knn = outcome(lambda: graph.knn_graph(x, n_neighbors=n_neighbors), "n_neighbors", "x")
    if knn is not None:
        values = knn.values.numpy()
        assert_finite(values)
        assert (values > 0).all() and (values <= 1).all()
    fuzzy = outcome(lambda: graph.fuzzy_knn_graph(x, n_neighbors=n_neighbors), "n_neighbors", "x")
    if fuzzy is not None:
        assert_finite(fuzzy)
        assert (fuzzy.values.numpy() > 0).all() and (fuzzy.values.numpy() <= 1).all()
    found = outcome(lambda: graph.nearest_neighbors(x, min(n_neighbors, n - 1)), "k", "x")
    if found is not None:
        reference = cdist(_as64(x), _as64(x))
        np.fill_diagonal(reference, np.inf)
        expected = np.sort(reference, 1)[:, : min(n_neighbors, n - 1)]
        np.testing.assert_allclose(_as64(found[0]), expected, rtol=1e-4, atol=1e-6 * expected.max())
    sigma = float(np.abs(_as64(x) - _as64(x).mean(0)).max() or 1.0)
    w = outcome(lambda: graph.gaussian_similarity(x, sigma=sigma), "x", "sigma")
    if w is not None:
        expected = np.exp(-(cdist(_as64(x), _as64(x)) ** 2) / (2 * sigma**2))
        np.fill_diagonal(expected, 0)
        np.testing.assert_allclose(_as64(w), expected, atol=1e-5)


@settings(max_examples=EXAMPLES)
@given(degenerate_points(), st.integers(1, 12))
def test_kmeans(data, n_clusters):
    x, _ = data
    result = outcome(lambda: cluster.kmeans(x, n_clusters, n_init=2), "n_clusters", "x")
    if result is None:
        assert n_clusters > x.shape[0]
        return
    labels, centers, inertia = result
    assert_finite(centers, inertia)
    expected = sum(np.sum((_as64(x)[labels == j] - _as64(centers[j])) ** 2) for j in np.unique(labels))
    assert inertia == pytest.approx(expected, rel=1e-3, abs=1e-6 * np.sum(_as64(x - x.mean(0)) ** 2) + 1e-300)


@st.composite
def degenerate_graphs(draw):
    """Similarities (n, n): from degenerate points (Gaussian kernel), disconnected blocks, a zero graph, one edge."""
    kind = draw(st.sampled_from(["kernel", "blocks", "zero", "single_edge", "complete"]))
    n = draw(st.sampled_from([2, 5, 12]))
    if kind == "kernel":
        x, _ = draw(degenerate_points(min_rows=2))
        n = x.shape[0]
        spread = float(np.abs(_as64(x) - _as64(x).mean(0)).max() or 1.0)
        w = np.exp(-(cdist(_as64(x), _as64(x)) ** 2) / (2 * spread**2))
    elif kind == "blocks":
        sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
        n = sum(sizes)
        w = np.zeros((n, n))
        start = 0
        for size in sizes:
            w[start : start + size, start : start + size] = 1.0
            start += size
    elif kind == "zero":
        w = np.zeros((n, n))
    elif kind == "single_edge":
        w = np.zeros((n, n))
        w[0, 1] = w[1, 0] = 1.0
    else:
        w = np.ones((n, n))
    np.fill_diagonal(w, 0)
    return w


@settings(max_examples=EXAMPLES)
@given(degenerate_graphs(), st.integers(1, 4))
def test_graph_functions(w, k):
    n = w.shape[0]
    lap = outcome(lambda: graph.laplacian(w), "w")
    np.testing.assert_allclose(_as64(lap), np.diag(w.sum(1)) - w, atol=1e-12)
    normalized = outcome(lambda: graph.normalize_adjacency(w), "w")
    if normalized is not None:
        d = w.sum(1)
        np.testing.assert_allclose(_as64(normalized), w / np.sqrt(np.outer(d, d)), atol=1e-12)
    else:
        assert (w.sum(1) == 0).any()
    fiedler = outcome(lambda: graph.fiedler_vector(w), "w")
    if fiedler is not None:
        assert float(fiedler[0]) == pytest.approx(np.linalg.eigvalsh(np.diag(w.sum(1)) - w)[1], abs=1e-9)
    for call, arguments in [
        (lambda: graph.spectral_embedding(w, min(k, n)), ("w", "n_components")),
        (lambda: graph.spectral_embedding(tf.sparse.from_dense(w), min(k, n)), ("w", "n_components")),
        (lambda: graph.spectral_clustering(w, min(k, n)), ("w", "n_clusters")),
        (lambda: SymNMF(min(k, n), max_iter=50, random_state=0).fit(w).components_, ("X", "n_components")),
    ]:
        result = outcome(call, *arguments)
        if result is not None:
            assert_finite(result)


@st.composite
def degenerate_matrices(draw):
    x, kind = draw(degenerate_points())
    return x if draw(st.booleans()) else x.T.copy()


@settings(max_examples=EXAMPLES)
@given(degenerate_matrices())
def test_linalg(a):
    a64 = _as64(a)
    scale = float(np.abs(a64).max() or 1.0)
    tiny = np.finfo(a.dtype).tiny  # results below it are flushed to 0 by TensorFlow's CPU kernels
    p = outcome(lambda: linalg.pinv(a), "a")
    expected = np.linalg.pinv(a64 / scale) / scale
    np.testing.assert_allclose(_as64(p), expected, rtol=1e-3, atol=1e-3 * np.abs(expected).max() + 4 * tiny)
    b = np.ones(a.shape[0], a.dtype)
    solution = outcome(lambda: linalg.lstsq(a, b), "a", "b")
    assert_finite(solution)
    cond = outcome(lambda: linalg.condition_number(a), "a")
    assert not np.isnan(_as64(cond))  # inf is the reference value of a singular matrix
    other = np.random.default_rng(0).normal(size=(a.shape[0], 2))
    angles = outcome(lambda: linalg.principal_angles(a, other), "a", "b")
    np.testing.assert_allclose(_as64(angles), subspace_angles(a64, other)[::-1], atol=1e-3)
    gram = a64.T @ a64 / max(scale**2, 1e-300)
    values, vectors = outcome(lambda: linalg.top_eigh(tf.constant(gram), 1), "k")
    assert float(values[0]) == pytest.approx(np.linalg.eigvalsh(gram)[-1], rel=1e-6, abs=1e-12)
    assert_finite(vectors)
    value, vector, _ = outcome(lambda: linalg.power_iteration(gram), "a", "iterations")
    assert_finite(value, vector)
    if a.shape[0] == a.shape[1]:
        inverse = outcome(lambda: linalg.svd_inverse(a), "a")
        if inverse is not None:
            assert_finite(inverse)
        decomposition = outcome(lambda: linalg.eigendecomposition(a), "a")
        if decomposition is not None:
            assert_finite(*decomposition)
