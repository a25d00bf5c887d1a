"""Similarity graphs: Gaussian, self-tuning k-NN and the blockwise nearest neighbours, against brute force."""

import numpy as np
import pytest
import tensorflow as tf

from keras_mf import graph

POINTS = np.array([1.0, 2.0, 5.0, 6.0, 10.0, 11.0])


def test_tutorial_six_points_degrees_and_clusters():
    """The tutorial prints degrees 1.0617, 1.3429, 1.3975, 1.2410, 1.0617, 0.9375: it copies d₁ into d₅
    and rounds d₁ and d₆ down; the sums are 1.0618, 1.3429, 1.3975, 1.2410, 1.0621, 0.9376."""
    w = graph.gaussian_similarity(POINTS, 2.0)
    np.testing.assert_allclose(graph.degrees(w).numpy(), [1.0618, 1.3429, 1.3975, 1.2410, 1.0621, 0.9376], atol=5e-5)
    labels = graph.spectral_clustering(w, 3)
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[4] == labels[5]
    assert len(set(labels)) == 3


def test_knn_graph_matches_brute_force():
    x = np.random.default_rng(0).random((60, 5)).astype(np.float32)
    w = graph.knn_graph(x, n_neighbors=5, local_scale=3, block_size=16)
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1)[:, :5]
    sigma = np.take_along_axis(d, order[:, 2:3], 1)[:, 0]
    expected = np.zeros((60, 60))
    for i in range(60):
        for j in order[i]:
            expected[i, j] = np.exp(-(d[i, j] ** 2) / (sigma[i] * sigma[j]))
    expected = np.maximum(expected, expected.T)
    np.testing.assert_allclose(tf.sparse.to_dense(w).numpy(), expected, atol=1e-5)


def test_knn_graph_default_local_scale_works_for_few_neighbours():
    """The default σ_i is the min(7, n_neighbors)-th neighbour, so n_neighbors < 7 needs no `local_scale`."""
    x = np.random.default_rng(2).random((40, 3)).astype(np.float32)
    w = tf.sparse.to_dense(graph.knn_graph(x, n_neighbors=5)).numpy()
    np.testing.assert_allclose(w, tf.sparse.to_dense(graph.knn_graph(x, n_neighbors=5, local_scale=5)).numpy())
    assert np.all((w > 0).sum(1) >= 5)
    with pytest.raises(ValueError, match="local_scale"):
        graph.knn_graph(x, n_neighbors=5, local_scale=6)


@pytest.mark.parametrize("block_size", [1, 9, 40, 1000])
def test_nearest_neighbors_from_upper_blocks_match_brute_force(block_size):
    """Only blocks I ≤ J are computed; rows take candidates from both a block's rows and its columns."""
    x = np.random.default_rng(5).random((40, 4)).astype(np.float32)
    distances, indices = (t.numpy() for t in graph.nearest_neighbors(x, 6, block_size=block_size))
    d = np.sqrt(((x[:, None].astype(np.float64) - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    np.testing.assert_array_equal(indices, np.argsort(d, axis=1, kind="stable")[:, :6])
    np.testing.assert_allclose(distances, np.sort(d, axis=1)[:, :6], atol=1e-5)


def test_block_too_large_for_memory_fails_before_allocating(monkeypatch):
    from keras_mf.graph import similarity

    monkeypatch.setattr(similarity, "_available_memory", lambda: 10**6)
    with pytest.raises(ValueError, match=r"`block_size`.*needs 16777216 bytes.*block_size=1024"):
        graph.knn_graph(np.zeros((5000, 2), np.float32), block_size=1024)


@pytest.mark.parametrize("copies", [1, 2, 4])
def test_nearest_neighbors_exclude_only_the_point_itself(copies):
    """Duplicated points are each other's neighbours at distance 0; with `copies` ≥ k + 1 identical points
    the point's own entry may fall outside the top k + 1 scores, and a row must still hold k others."""
    rng = np.random.default_rng(1)
    x = np.repeat(rng.random((20, 3)).astype(np.float32), copies, axis=0)
    k = 3
    distances, indices = (t.numpy() for t in graph.nearest_neighbors(x, k, block_size=7))
    d = np.sqrt(((x[:, None].astype(np.float64) - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert not np.any(indices == np.arange(len(x))[:, None])
    # Distances come from ‖x_i‖² − 2x_i·x_j + ‖x_j‖² in float32, so squared distances carry an absolute
    # error of a few ulps of ‖x‖² (here ≤ 3): 1e-5 on d², i.e. up to 3e-3 on a zero distance.
    np.testing.assert_allclose(distances**2, np.sort(d, axis=1)[:, :k] ** 2, atol=1e-5)
    np.testing.assert_allclose(np.take_along_axis(d, indices, 1) ** 2, distances**2, atol=1e-5)
