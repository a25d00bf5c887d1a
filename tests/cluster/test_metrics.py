"""Clustering metrics: accuracy under the best matching, NMI, the assignment solver."""

import numpy as np
import pytest

from keras_mf import cluster


def test_kmeans_and_metrics():
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [10, 0], [0, 10]], np.float32)
    truth = np.repeat([0, 1, 2], 50)
    x = centers[truth] + rng.standard_normal((150, 2)).astype(np.float32)
    labels, _, _ = cluster.kmeans(x, 3, seed=0)
    assert cluster.clustering_accuracy(truth, labels) == 1.0
    assert cluster.normalized_mutual_info(truth, labels) == pytest.approx(1.0)
    assert cluster.normalized_mutual_info(truth, np.zeros(150)) == pytest.approx(0.0)
    assert cluster.clustering_accuracy([0, 0, 1, 1], [1, 1, 0, 1]) == 0.75


def test_hungarian_matches_brute_force():
    import itertools

    rng = np.random.default_rng(1)
    for _ in range(20):
        cost = rng.random((5, 5))
        rows, cols = cluster.linear_sum_assignment(cost)
        best = min(sum(cost[i, p[i]] for i in range(5)) for p in itertools.permutations(range(5)))
        assert cost[rows, cols].sum() == pytest.approx(best)
