"""Clustering quality: accuracy under the best one-to-one label matching, NMI, and the balance of cluster sizes.

numpy and scipy (no TensorFlow), so the models can check a partition under any Keras backend. NMI is computed here
rather than by `sklearn.metrics.normalized_mutual_info_score` (which it equals, see the tests) because it shares the
contingency table with the accuracy and is faster (CHANGELOG).
"""

import numpy as np
import scipy.optimize

from keras_mf._validation import check_finite
from keras_mf._validation import check_int
from keras_mf._validation import invalid_value
from keras_mf.exceptions import ClusteringError

# A partition with more than this share of the points in one cluster has collapsed.
MAX_CLUSTER_FRACTION = 0.9


def clustering_accuracy(y_true, y_pred):
    """Fraction of points labelled correctly after matching clusters to classes one-to-one.

    The matching maximises the agreement (scipy's linear_sum_assignment on the contingency table).
    """
    table = contingency_table(y_true, y_pred)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / table.sum())


def normalized_mutual_info(y_true, y_pred):
    """NMI with the arithmetic-mean normalisation, I(T; P) / ((H(T) + H(P)) / 2), in [0, 1]."""
    table = contingency_table(y_true, y_pred).astype(np.float64)
    n = table.sum()
    joint = table / n
    pt = joint.sum(1, keepdims=True)
    pp = joint.sum(0, keepdims=True)
    nonzero = joint > 0
    mutual = float(np.sum(joint[nonzero] * np.log(joint[nonzero] / (pt @ pp)[nonzero])))
    entropy_t = -float(np.sum(pt[pt > 0] * np.log(pt[pt > 0])))
    entropy_p = -float(np.sum(pp[pp > 0] * np.log(pp[pp > 0])))
    denominator = 0.5 * (entropy_t + entropy_p)
    return 1.0 if denominator == 0 else max(0.0, mutual / denominator)


def contingency_table(y_true, y_pred):
    """Counts `(n_classes, n_clusters)` of points per (class, cluster) pair."""
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"Received an invalid value for `y_pred`, expected {y_true.size} labels like `y_true`. "
            f"Received: y_pred with {y_pred.size} labels"
        )
    _, t = np.unique(y_true, return_inverse=True)
    _, p = np.unique(y_pred, return_inverse=True)
    table = np.zeros((t.max() + 1, p.max() + 1), dtype=np.int64)
    np.add.at(table, (t, p), 1)
    return table


def _labels(name, labels):
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a non-empty 1-D array of labels. "
            f"Received: {name} with shape {labels.shape}"
        )
    return labels


def linear_sum_assignment(cost):
    """Minimum-cost assignment of rows to columns: `scipy.optimize.linear_sum_assignment` of a 2-D finite `cost`
    (rectangular allowed), after keras_mf's argument checks.

    Kept as a public thin wrapper rather than deprecated: callers keep their import, and a bad `cost` gets an error
    that names it.

    Returns:
        `(rows, cols)` int arrays, rows ascending.

    Raises:
        ValueError: `cost` is not 2-D or holds NaN/inf.

    Example:

    >>> rows, cols = linear_sum_assignment([[4.0, 1.0], [2.0, 3.0]])
    >>> rows.tolist(), cols.tolist()
    ([0, 1], [1, 0])
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"Received an invalid value for `cost`, expected a 2-D matrix. Received: shape {cost.shape}")
    check_finite("cost", cost)
    return scipy.optimize.linear_sum_assignment(cost)


def size_entropy(labels, n_clusters):
    """Entropy (nats) of the cluster-size distribution of `labels (n,)` in [0, n_clusters): log(k) when balanced,
    lower when clusters merge.

    Raises:
        ValueError: `labels` is not a non-empty 1-D array of integers in [0, n_clusters), or `n_clusters` < 1.
    """
    counts = _cluster_sizes(labels, n_clusters)
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log(p)))


def check_balance(labels, n_clusters, max_fraction=MAX_CLUSTER_FRACTION):
    """Raises `ClusteringError` when one cluster holds more than `max_fraction` of the points (a collapse).

    Raises:
        ValueError: `labels` is not a non-empty 1-D array of integers in [0, n_clusters), or `n_clusters` < 1.
    """
    counts = _cluster_sizes(labels, n_clusters)
    if n_clusters > 1 and counts.max() > max_fraction * counts.sum():
        raise ClusteringError(
            f"The clustering collapsed: cluster {int(counts.argmax())} holds {counts.max()} of {counts.sum()} points "
            f"(more than {max_fraction:.0%}). Keep the last good checkpoint; pretrain longer or lower the "
            "fine-tuning learning rate."
        )


def _cluster_sizes(labels, n_clusters):
    """Points per cluster `(n_clusters,)` of labels in [0, n_clusters), after checking both."""
    n_clusters = check_int("n_clusters", n_clusters, 1)
    labels = _labels("labels", labels)
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= n_clusters:
        raise invalid_value(
            "labels",
            f"integer labels in [0, {n_clusters - 1}]",
            f"{labels.dtype} labels from {labels.min()} to {labels.max()}",
        )
    return np.bincount(labels, minlength=n_clusters)
