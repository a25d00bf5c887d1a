"""Clustering metrics against scikit-learn and scipy: the contingency table, NMI, the assignment solver and the
accuracy under the best one-to-one matching."""

import itertools

import numpy as np
import pytest
import scipy.optimize
from sklearn.metrics import normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

from keras_mf import cluster


def _labels(seed, n=200, classes=5, clusters=4):
    """Labels that agree partly: a class's points go to its cluster with probability 0.7."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    y_pred = np.where(rng.random(n) < 0.7, y_true % clusters, rng.integers(0, clusters, n))
    return y_true, 10 * y_pred + 3  # cluster ids need not be 0..k-1


@pytest.mark.parametrize("seed", range(4))
def test_contingency_table_and_nmi_match_scikit_learn(seed):
    y_true, y_pred = _labels(seed)
    np.testing.assert_array_equal(cluster.contingency_table(y_true, y_pred), contingency_matrix(y_true, y_pred))
    expected = normalized_mutual_info_score(y_true, y_pred, average_method="arithmetic")
    assert cluster.normalized_mutual_info(y_true, y_pred) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_accuracy_is_the_best_matching_by_scipy(seed):
    y_true, y_pred = _labels(seed)
    table = contingency_matrix(y_true, y_pred)
    rows, cols = scipy.optimize.linear_sum_assignment(table, maximize=True)
    assert cluster.clustering_accuracy(y_true, y_pred) == pytest.approx(
        table[rows, cols].sum() / len(y_true), rel=1e-15
    )


def test_closed_forms():
    assert cluster.clustering_accuracy([0, 0, 1, 1], [1, 1, 0, 1]) == 0.75  # match 1→0, 0→1: 3 of 4 right
    assert cluster.normalized_mutual_info([0, 0, 1, 1], [5, 5, 7, 7]) == 1.0  # a relabelling
    assert cluster.normalized_mutual_info([0, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(0.0, abs=1e-15)  # independent
    assert cluster.normalized_mutual_info(np.repeat([0, 1, 2], 5), np.zeros(15)) == 0.0  # one cluster: no information


@pytest.mark.parametrize("shape", [(5, 5), (3, 6), (6, 3), (1, 4)])
def test_linear_sum_assignment_matches_scipy_and_brute_force(shape):
    rng = np.random.default_rng(sum(shape))
    for _ in range(10):
        cost = rng.random(shape)
        rows, cols = cluster.linear_sum_assignment(cost)
        reference_rows, reference_cols = scipy.optimize.linear_sum_assignment(cost)
        assert len(rows) == min(shape) and len(set(rows)) == len(set(cols)) == min(shape)
        assert cost[rows, cols].sum() == pytest.approx(cost[reference_rows, reference_cols].sum(), rel=1e-12)
        n, m = shape
        if n <= m:  # brute force over every injective assignment of rows to columns
            best = min(sum(cost[i, p[i]] for i in range(n)) for p in itertools.permutations(range(m), n))
            assert cost[rows, cols].sum() == pytest.approx(best, rel=1e-12)
