"""fuzzy_knn_graph: UMAP's fuzzy k-NN graph against a numpy/scipy construction."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.optimize import brentq

from keras_mf.graph.fuzzy import fuzzy_knn_graph


def _blobs(sizes=(40, 30, 50), dim=12, spread=0.3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(len(sizes), dim)) * 3
    labels = np.repeat(np.arange(len(sizes)), sizes)
    x = centers[labels] + spread * rng.normal(size=(len(labels), dim))
    return x.astype(np.float32), labels


@pytest.mark.parametrize("n_neighbors", [3, 6])
def test_fuzzy_graph_matches_numpy(n_neighbors):
    x, _ = _blobs(sizes=(12, 9), dim=4)
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    n = len(x)
    directed = np.zeros((n, n))
    for i in range(n):
        nearest = np.argsort(d[i])[:n_neighbors]
        excess = d[i, nearest] - d[i, nearest[0]]
        sigma = brentq(lambda s, e=excess: np.exp(-e / s).sum() - np.log2(n_neighbors), 1e-9, 1e6)
        directed[i, nearest] = np.exp(-excess / sigma)
    expected = directed + directed.T - directed * directed.T
    expected[expected < expected.max() / 500] = 0
    got = tf.sparse.to_dense(fuzzy_knn_graph(x, n_neighbors)).numpy()
    np.testing.assert_allclose(got, expected, atol=2e-5)
