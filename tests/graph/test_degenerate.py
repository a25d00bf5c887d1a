"""Degenerate graphs and points (issue #24, scenarios 3 and 4): disconnected graphs are handled or refused naming
the number of components, duplicate points never give NaN, points far from the origin keep their distances, and
errors name the caller's own argument. References: scipy.sparse.csgraph, numpy, closed forms."""

import warnings

import numpy as np
import pytest
import tensorflow as tf
from scipy.sparse import csgraph
from scipy.spatial.distance import cdist

from keras_mf import graph
from keras_mf.graph.pipeline import cluster as graph_cluster


def _two_components():
    """The issue's graph: components {0, 1} and {2, 3, 4}, all weights 1."""
    w = np.zeros((5, 5))
    w[0, 1] = w[1, 0] = 1
    for i, j in [(2, 3), (2, 4), (3, 4)]:
        w[i, j] = w[j, i] = 1
    return w


def _random_graph(n, p, seed):
    rng = np.random.default_rng(seed)
    w = np.triu(rng.random((n, n)) * (rng.random((n, n)) < p), 1)
    return w + w.T


@pytest.mark.parametrize("function", [graph.fiedler_bisection, graph.fiedler_vector])
def test_fiedler_refuses_a_disconnected_graph_naming_the_components(function):
    """Scenario 3: main returned [0 0 0 0 0], one component's indicator split by the sign of −0.0."""
    with pytest.raises(ValueError, match=r"`w`.*2 connected components \(sizes 3, 2\)"):
        function(_two_components())


def test_fiedler_bisection_of_a_connected_graph_is_the_sign_of_numpys_eigenvector():
    w = _two_components()
    w[1, 2] = w[2, 1] = 0.1  # a light bridge: the cut goes there
    laplacian = np.diag(w.sum(1)) - w
    values, vectors = np.linalg.eigh(laplacian)
    expected = vectors[:, 1] * np.sign(vectors[0, 1])
    value, vector = graph.fiedler_vector(w)
    assert float(value) == pytest.approx(values[1], rel=1e-12)
    np.testing.assert_allclose(vector.numpy(), expected, atol=1e-12)
    np.testing.assert_array_equal(graph.fiedler_bisection(w), [0, 0, 1, 1, 1])


@pytest.mark.parametrize("seed", range(6))
def test_connected_components_match_scipy(seed):
    w = _random_graph(40, 0.04, seed)
    count, labels = graph.connected_components(w)
    expected_count, expected = csgraph.connected_components(w, directed=False)
    assert count == expected_count
    # Same partition: each of our labels maps to exactly one of scipy's.
    assert len(set(zip(labels.tolist(), expected.tolist(), strict=True))) == count
    sparse = tf.sparse.from_dense(w)
    assert graph.connected_components(sparse)[0] == expected_count


@pytest.mark.parametrize("normalized", [False, True])
def test_laplacians_of_a_disconnected_graph_match_scipy(normalized):
    w = _two_components() * np.array([1.0, 2.0, 1.0, 3.0, 1.0])[:, None]
    w = (w + w.T) / 2
    expected = csgraph.laplacian(w, normed=normalized)
    np.testing.assert_allclose(graph.laplacian(w, normalized=normalized).numpy(), expected, atol=1e-12)
    count = int(np.sum(np.linalg.eigvalsh(graph.laplacian(w).numpy()) < 1e-10))
    assert count == csgraph.connected_components(w)[0] == 2


def test_normalize_adjacency_refuses_isolated_vertices_naming_w():
    w = _two_components()
    w[0, 1] = w[1, 0] = 0
    with pytest.raises(ValueError, match=r"`w`.*2 isolated vertices"):
        graph.normalize_adjacency(w)


def test_spectral_clustering_separates_components_and_refuses_too_few_clusters():
    labels = graph.spectral_clustering(_two_components(), 2)
    assert len(set(zip(labels.tolist(), [0, 0, 1, 1, 1], strict=True))) == 2
    three_cliques = np.kron(np.eye(3), np.ones((4, 4))) - np.eye(12)
    with pytest.raises(ValueError, match=r"`n_clusters`.*3 connected components"):
        graph.spectral_clustering(three_cliques, 2)
    with pytest.raises(ValueError, match=r"`n_components`.*3 connected components"):
        graph.spectral_embedding(three_cliques, 2)
    np.testing.assert_array_equal(graph.spectral_clustering(three_cliques, 1), np.zeros(12))


DUPLICATES = np.repeat([[0.0, 0.0], [3.0, 4.0]], 10, axis=0)


def test_knn_graph_of_duplicates_has_finite_weights_with_the_documented_fallback():
    """Scenario 4: main returned NaN for 180 of 218 edges. Every 7th neighbour coincides (σ = 0), so σ falls back
    to the nearest positive distance, 5: copies get exp(0) = 1, the far point exp(−25/25)."""
    w = graph.knn_graph(DUPLICATES, n_neighbors=10)
    dense = tf.sparse.to_dense(w).numpy()
    assert np.isfinite(dense).all()
    same = np.equal.outer(np.arange(20) // 10, np.arange(20) // 10)
    np.testing.assert_allclose(dense[same & ~np.eye(20, dtype=bool)], 1.0)
    far = dense[~same]
    np.testing.assert_allclose(far[far > 0], np.exp(-1.0), rtol=1e-6)


def test_fuzzy_knn_graph_of_duplicates_is_finite():
    w = graph.fuzzy_knn_graph(DUPLICATES, n_neighbors=10)
    values = w.values.numpy()
    assert np.isfinite(values).all() and (values > 0).all() and (values <= 1).all()


def test_pipeline_clusters_duplicates_and_names_its_own_arguments():
    """Scenario 4, second half: main raised "invalid value for `a`", an argument the caller never passed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = graph_cluster(DUPLICATES, 2, n_init=2, max_iter=200)
    truth = np.arange(20) // 10
    for labels in (result["symnmf_labels"], result["spectral_labels"]):
        assert len(set(zip(labels.tolist(), truth.tolist(), strict=True))) == 2
    with pytest.raises(ValueError, match="`n_clusters`"):
        graph_cluster(DUPLICATES[:5], 6)
    apart = np.concatenate([np.random.default_rng(0).normal(size=(10, 2)) + 100 * c for c in range(3)])
    with pytest.raises(ValueError, match=r"`n_neighbors`.*3 connected components"):
        graph_cluster(apart, 2, n_neighbors=3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nearest_neighbors_far_from_the_origin_match_scipy(dtype):
    """An offset of 1e6 against unit spread: ‖a‖² + ‖b‖² − 2ab cancels ~12 of float32's 7 digits on main."""
    x = (np.random.default_rng(0).normal(size=(60, 3)) + 1e6).astype(dtype)
    distances, indices = graph.nearest_neighbors(x, 4)
    reference = cdist(x.astype(np.float64), x.astype(np.float64))
    np.fill_diagonal(reference, np.inf)
    expected = np.sort(reference, 1)[:, :4]
    np.testing.assert_allclose(distances.numpy(), expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    assert distances.dtype == dtype


def test_gaussian_similarity_near_float32s_limit_matches_the_closed_form():
    x = np.float32([[0.0, 0.0], [3e38, 0.0], [0.0, 3e38]])
    w = graph.gaussian_similarity(x, sigma=1e38).numpy()
    d2 = cdist(x.astype(np.float64), x.astype(np.float64)) ** 2
    expected = np.exp(-d2 / (2 * 1e38**2))
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(w, expected, rtol=1e-5)
