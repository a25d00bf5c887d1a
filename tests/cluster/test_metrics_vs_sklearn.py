"""keras_mf.cluster.metrics against scikit-learn and scipy: NMI against `normalized_mutual_info_score` (limit cases
included), clustering accuracy and `linear_sum_assignment` against an exhaustive search over matchings."""

import itertools

import numpy as np
import pytest
import scipy.optimize
from sklearn.metrics import normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

from keras_mf.cluster.metrics import clustering_accuracy
from keras_mf.cluster.metrics import linear_sum_assignment
from keras_mf.cluster.metrics import normalized_mutual_info

N = 60


def _labels(seed, classes, clusters, n=N):
    rng = np.random.default_rng(seed)
    return rng.integers(0, classes, n), rng.integers(0, clusters, n)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("classes, clusters", [(2, 2), (3, 5), (10, 10), (7, 2)])
def test_nmi_equals_scikit_learn_on_random_labelings(seed, classes, clusters):
    y_true, y_pred = _labels(seed, classes, clusters)
    assert normalized_mutual_info(y_true, y_pred) == pytest.approx(
        normalized_mutual_info_score(y_true, y_pred), abs=1e-12
    )


_CLASSES = np.repeat(np.arange(3), N // 3)
_PERMUTED = np.random.default_rng(0).permutation(_CLASSES)

LIMIT_CASES = {
    "one cluster against classes": (_CLASSES, np.zeros(N, int), 0.0),
    "one cluster against one class": (np.zeros(N, int), np.full(N, 7), 1.0),
    "all singletons against classes": (_CLASSES, np.arange(N), None),
    "all singletons against all singletons": (np.arange(N), np.arange(N)[::-1], 1.0),
    "renamed labels": (_CLASSES, (_CLASSES + 1) % 3 * 10, 1.0),
    "labels in shuffled order": (_PERMUTED, _PERMUTED, 1.0),
    "string labels": (np.array(list("aabbcc")), np.array([2, 2, 0, 0, 1, 1]), 1.0),
}


@pytest.mark.parametrize("name", sorted(LIMIT_CASES))
def test_nmi_limit_cases_equal_scikit_learn(name):
    y_true, y_pred, closed_form = LIMIT_CASES[name]
    ours = normalized_mutual_info(y_true, y_pred)
    assert ours == pytest.approx(normalized_mutual_info_score(y_true, y_pred), abs=1e-12)
    if closed_form is not None:
        assert ours == pytest.approx(closed_form, abs=1e-12)


def _exhaustive_minimum(cost):
    """The least total cost of matching the shorter side of `cost` one-to-one into the longer, by trying every
    injection (an independent check of the Hungarian algorithm, for small matrices)."""
    cost = cost.T if cost.shape[0] > cost.shape[1] else cost
    rows, cols = cost.shape
    return min(cost[np.arange(rows), list(chosen)].sum() for chosen in itertools.permutations(range(cols), rows))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("classes, clusters", [(3, 3), (4, 6), (6, 4), (1, 3)])
def test_clustering_accuracy_equals_the_exhaustive_matching(seed, classes, clusters):
    y_true, y_pred = _labels(seed, classes, clusters)
    best = -_exhaustive_minimum(-contingency_matrix(y_true, y_pred))
    assert clustering_accuracy(y_true, y_pred) == pytest.approx(best / len(y_true), abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", [(5, 5), (4, 6), (6, 4), (1, 3)])
def test_linear_sum_assignment_reaches_the_exhaustive_optimum(seed, shape):
    cost = np.random.default_rng(seed).normal(size=shape)
    rows, cols = linear_sum_assignment(cost)
    assert list(rows) == sorted(rows) and len(set(cols)) == len(cols) == min(shape)
    optimum = _exhaustive_minimum(cost)
    assert cost[rows, cols].sum() == pytest.approx(optimum, abs=1e-12)
    scipy_rows, scipy_cols = scipy.optimize.linear_sum_assignment(cost)
    assert cost[scipy_rows, scipy_cols].sum() == pytest.approx(optimum, abs=1e-12)
