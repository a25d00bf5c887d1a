"""Spectral clustering and the Fiedler vector."""

import numpy as np
import pytest
import tensorflow as tf

from keras_mf import cluster
from keras_mf import graph

PATH = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


def test_fiedler_vector_of_path_and_bisection():
    value, vector = graph.fiedler_vector(PATH)
    assert float(value) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(vector.numpy(), [2**-0.5, 0, -(2**-0.5)], atol=1e-12)
    two_cliques = np.kron(np.eye(2), np.ones((3, 3))) + 0.01
    np.fill_diagonal(two_cliques, 0)
    labels = graph.fiedler_bisection(two_cliques)
    assert len(set(labels[:3])) == 1 and len(set(labels[3:])) == 1 and labels[0] != labels[3]


def test_spectral_on_sparse_graph_agrees_with_dense():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal((40, 2)) + [6 * i, 0] for i in range(3)]).astype(np.float32)
    w = graph.knn_graph(x, n_neighbors=8)
    truth = np.repeat([0, 1, 2], 40)
    assert cluster.clustering_accuracy(truth, graph.spectral_clustering(w, 3)) == 1.0
    assert cluster.clustering_accuracy(truth, graph.spectral_clustering(tf.sparse.to_dense(w), 3)) == 1.0
