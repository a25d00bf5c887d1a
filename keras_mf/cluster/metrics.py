"""Clustering quality: accuracy under the best one-to-one label matching, NMI, and the balance of cluster sizes.

numpy only (no TensorFlow), so the models can check a partition under any Keras backend.
"""

import numpy as np

from keras_mf._validation import check_finite
from keras_mf.exceptions import ClusteringError

# A partition with more than this share of the points in one cluster has collapsed.
MAX_CLUSTER_FRACTION = 0.9


def clustering_accuracy(y_true, y_pred):
    """Fraction of points labelled correctly after matching clusters to classes one-to-one.

    The matching maximises the agreement (Hungarian algorithm on the contingency table).
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
    """Minimum-cost assignment of rows to columns (Hungarian algorithm with potentials, O(n³)).

    Returns `(rows, cols)` index arrays, as `scipy.optimize.linear_sum_assignment` does; a rectangular
    cost is padded with zeros.
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError(f"Received an invalid value for `cost`, expected a 2-D matrix. Received: shape {cost.shape}")
    check_finite("cost", cost)
    n_rows, n_cols = cost.shape
    size = max(n_rows, n_cols)
    c = np.zeros((size, size))
    c[:n_rows, :n_cols] = cost
    u = np.zeros(size + 1)
    v = np.zeros(size + 1)
    match = np.zeros(size + 1, dtype=np.int64)  # match[j] = row (1-based) assigned to column j
    way = np.zeros(size + 1, dtype=np.int64)
    for i in range(1, size + 1):
        match[0] = i
        j0 = 0
        minv = np.full(size + 1, np.inf)
        used = np.zeros(size + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = match[j0]
            free = ~used[1:]
            reduced = c[i0 - 1] - u[i0] - v[1:]
            better = free & (reduced < minv[1:])
            minv[1:][better] = reduced[better]
            way[1:][better] = j0
            candidates = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(candidates)) + 1
            delta = candidates[j1 - 1]
            u[match[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    rows, cols = [], []
    for j in range(1, size + 1):
        if match[j] - 1 < n_rows and j - 1 < n_cols:
            rows.append(match[j] - 1)
            cols.append(j - 1)
    order = np.argsort(rows)
    return np.asarray(rows)[order], np.asarray(cols)[order]


def size_entropy(labels, n_clusters):
    """Entropy (nats) of the cluster-size distribution: log(k) when balanced, lower when clusters merge."""
    p = np.bincount(np.asarray(labels), minlength=n_clusters) / len(labels)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def check_balance(labels, n_clusters, max_fraction=MAX_CLUSTER_FRACTION):
    """Raises `ClusteringError` when one cluster holds more than `max_fraction` of the points (a collapse)."""
    counts = np.bincount(np.asarray(labels), minlength=n_clusters)
    if n_clusters > 1 and counts.max() > max_fraction * counts.sum():
        raise ClusteringError(
            f"The clustering collapsed: cluster {int(counts.argmax())} holds {counts.max()} of {counts.sum()} points "
            f"(more than {max_fraction:.0%}). Keep the last good checkpoint; pretrain longer or lower the "
            "fine-tuning learning rate."
        )
