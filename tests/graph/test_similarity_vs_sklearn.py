"""keras_mf.graph's k-nearest-neighbour search (TensorFlow, kept: blockwise on tensors inside the deep-clustering
loop) against scikit-learn's NearestNeighbors: the same neighbour sets (ties aside) and distances."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from keras_mf.graph import knn_graph
from keras_mf.graph import nearest_neighbors

# Rows whose k-th and (k+1)-th reference distances are closer than this (relative) may swap those two neighbours
# in float32: a tie, in which either answer is right.
_TIE = 1e-4


def _points(seed, n=300, d=8):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d)) + rng.integers(0, 4, size=(n, 1))).astype(np.float32)


def _reference(x, k):
    """scikit-learn's k + 1 nearest other points (brute force, float64), and the rows without a tie at the k-th."""
    distances, indices = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(x.astype(np.float64)).kneighbors()
    untied = distances[:, k] - distances[:, k - 1] > _TIE * distances[:, k]
    return distances[:, :k], indices[:, :k], untied


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("k", [1, 5, 15])
@pytest.mark.parametrize("block_size", [64, 300, 2048])
def test_neighbour_sets_and_distances_equal_scikit_learn(seed, k, block_size):
    x = _points(seed)
    distances, indices = nearest_neighbors(x, k, block_size=block_size)
    distances, indices = distances.numpy(), indices.numpy()
    expected_distances, expected_indices, untied = _reference(x, k)
    assert untied.mean() > 0.9
    for row in np.flatnonzero(untied):
        assert set(indices[row]) == set(expected_indices[row]), row
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("k", [3, 10])
def test_knn_graph_edges_are_scikit_learns_neighbours_from_either_end(k):
    x = _points(2, n=200)
    w = knn_graph(x, n_neighbors=k, block_size=64)
    ours = np.zeros((len(x), len(x)), bool)
    ours[tuple(w.indices.numpy().T)] = True
    _, indices, untied = _reference(x, k)
    expected = np.zeros_like(ours)
    expected[np.repeat(np.arange(len(x)), k), indices.ravel()] = True
    expected |= expected.T
    tied = ~untied
    # Ties aside: an edge may differ only where one of its ends has a tie at its k-th neighbour.
    differs = ours != expected
    assert not np.any(differs & ~(tied[:, None] | tied[None, :]))
    assert differs.sum() <= 2 * tied.sum()
