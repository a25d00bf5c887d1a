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

    The matching maximises the agreement: the Hungarian method's assignment problem on the contingency table,
    solved by `linear_sum_assignment` (scipy's). With more clusters than classes (or fewer), the unmatched
    clusters' points count as wrong.

    Args:
        y_true: `(n,)` class labels, any hashable dtype (ints, strings).
        y_pred: `(n,)` cluster labels, any hashable dtype; the ids need not match the classes'.

    Returns:
        A Python float in [0, 1].

    Raises:
        ValueError: either is not a non-empty 1-D array, or their lengths differ.

    References:
        Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval Research Logistics Quarterly
        2(1–2), 83–97. https://doi.org/10.1002/nav.3800020109

    Example:
        >>> from keras_mf.cluster import clustering_accuracy
        >>> clustering_accuracy([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 3, 4])   # 5 -> 0, 3 -> 1, 4 -> 2
        0.8333333333333334
    """
    table = contingency_table(y_true, y_pred)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / table.sum())


def normalized_mutual_info(y_true, y_pred):
    """Normalized mutual information of two labellings: I(T; P) / ((H(T) + H(P)) / 2), in [0, 1].

    The arithmetic-mean normalisation (Vinh, Epps & Bailey's NMI_sum, scikit-learn's default
    `normalized_mutual_info_score(average_method="arithmetic")`, which it equals); Strehl & Ghosh defined NMI with
    the geometric mean sqrt(H(T)·H(P)). Entropies in nats (the ratio does not depend on the base). Two
    labellings that each put every point in one cluster score 1.

    Args:
        y_true: `(n,)` class labels, any hashable dtype.
        y_pred: `(n,)` cluster labels, any hashable dtype.

    Returns:
        A Python float in [0, 1]: 1 for the same partition (whatever the ids), near 0 for independent ones.

    Raises:
        ValueError: either is not a non-empty 1-D array, or their lengths differ.

    References:
        Strehl, A. & Ghosh, J. (2002). Cluster ensembles: a knowledge reuse framework for combining multiple
        partitions. Journal of Machine Learning Research 3, 583–617. https://www.jmlr.org/papers/v3/strehl02a.html

        Vinh, N. X., Epps, J. & Bailey, J. (2010). Information theoretic measures for clusterings comparison:
        variants, properties, normalization and correction for chance. Journal of Machine Learning Research 11,
        2837–2854. https://jmlr.org/papers/v11/vinh10a.html

    Example:
        >>> from keras_mf.cluster import normalized_mutual_info
        >>> normalized_mutual_info([0, 0, 1, 1], [1, 1, 0, 0])
        1.0
        >>> round(normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1]), 6)
        0.0
    """
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
    """Counts of points per (class, cluster) pair.

    Args:
        y_true: `(n,)` class labels, any hashable dtype; rows follow their sorted distinct values.
        y_pred: `(n,)` cluster labels, any hashable dtype; columns follow their sorted distinct values.

    Returns:
        An int64 numpy array `(n_classes, n_clusters)` whose entries sum to n.

    Raises:
        ValueError: either is not a non-empty 1-D array, or their lengths differ.

    Example:
        >>> from keras_mf.cluster import contingency_table
        >>> contingency_table(["a", "a", "b"], [7, 3, 3]).tolist()
        [[1, 1], [1, 0]]
    """
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
    """Minimum-cost assignment of rows to columns (the assignment problem the Hungarian method solves).

    `scipy.optimize.linear_sum_assignment` of a 2-D finite `cost` (rectangular allowed: min(r, c) pairs), after
    keras_mf's argument checks; scipy solves it by a shortest augmenting path method (Crouse 2016), a descendant
    of Kuhn's. Kept as a public thin wrapper rather than deprecated: callers keep their import, and a bad `cost`
    gets an error that names it. To maximise (e.g. agreement counts), pass `-cost`.

    Args:
        cost: `(r, c)` real matrix (anything `numpy.asarray` takes), cast to float64.

    Returns:
        A tuple `(rows, cols)` of int numpy arrays of length min(r, c), rows ascending: row `rows[i]` is
        assigned column `cols[i]`, and `cost[rows, cols].sum()` is the minimum.

    Raises:
        ValueError: `cost` is not 2-D or holds NaN/inf.

    References:
        Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval Research Logistics Quarterly
        2(1–2), 83–97. https://doi.org/10.1002/nav.3800020109

        Crouse, D. F. (2016). On implementing 2D rectangular assignment algorithms. IEEE Transactions on Aerospace
        and Electronic Systems 52(4), 1679–1696. https://doi.org/10.1109/TAES.2016.140952

    Example:
        >>> from keras_mf.cluster import linear_sum_assignment
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
    """Entropy of the cluster-size distribution: log(k) when k clusters are equally large, lower when clusters
    merge, 0 when one holds every point.

    Args:
        labels: `(n,)` integer cluster ids in [0, n_clusters).
        n_clusters: int ≥ 1, the number of clusters k (empty clusters count as size 0).

    Returns:
        A Python float in [0, log(n_clusters)], in nats.

    Raises:
        ValueError: `labels` is not a non-empty 1-D array of integers in [0, n_clusters), or `n_clusters` < 1.

    Example:
        >>> import math
        >>> from keras_mf.cluster import size_entropy
        >>> size_entropy([0, 1, 2, 3], 4) == math.log(4), size_entropy([2, 2, 2], 4)
        (True, 0.0)
    """
    counts = _cluster_sizes(labels, n_clusters)
    p = counts[counts > 0] / counts.sum()
    return float(0.0 - np.sum(p * np.log(p)))  # not -sum: one cluster's 0 would print as -0.0


def check_balance(labels, n_clusters, max_fraction=MAX_CLUSTER_FRACTION):
    """Raises `keras_mf.exceptions.ClusteringError` when one cluster holds more than `max_fraction` of the points
    (a collapse); returns None otherwise. A single cluster (`n_clusters` = 1) never counts as collapsed.

    Args:
        labels: `(n,)` integer cluster ids in [0, n_clusters).
        n_clusters: int ≥ 1, the number of clusters.
        max_fraction: float, the largest share of the points one cluster may hold (0.9 by default,
            `MAX_CLUSTER_FRACTION`).

    Raises:
        keras_mf.exceptions.ClusteringError: one cluster holds more than `max_fraction` of the points.
        ValueError: `labels` is not a non-empty 1-D array of integers in [0, n_clusters), or `n_clusters` < 1.

    Example:
        >>> from keras_mf.cluster import check_balance
        >>> check_balance([0, 1, 1, 1], n_clusters=2) is None     # 75% in one cluster: not a collapse
        True
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
