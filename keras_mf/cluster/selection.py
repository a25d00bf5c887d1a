"""Label-free choices among partitions of a graph: Newman's modularity, the candidate it prefers, and the points
whose neighbours agree with their cluster. numpy and scipy only (a `tf.SparseTensor` graph is read through its
`.numpy()` values, without importing TensorFlow here).

References:
    Newman, M. E. J. (2006). Modularity and community structure in networks. PNAS 103(23), 8577–8582.
    https://doi.org/10.1073/pnas.0601602103
    Fortunato, S. & Barthélemy, M. (2007). Resolution limit in community detection. PNAS 104(1), 36–41.
    https://doi.org/10.1073/pnas.0605965104
"""

import numpy as np
import scipy.sparse

from keras_mf._validation import check_fraction
from keras_mf._validation import invalid_value


def modularity(graph, labels):
    """Newman's modularity of a partition of a weighted undirected graph:
    Q = (1/2m) Σ_ij [W_ij − d_i d_j / 2m] δ(c_i, c_j) = Σ_c [in_c / 2m − (vol_c / 2m)²], with d_i = Σ_j W_ij,
    2m = Σ_i d_i, in_c = Σ_{i,j ∈ c} W_ij (each edge inside c counted from both ends) and vol_c = Σ_{i ∈ c} d_i.

    Q compares the weight inside clusters with what a random graph of the same degrees would put there: it is
    high when clusters are denser inside than that null model, and the (vol_c / 2m)² term penalises one
    cluster holding much of the graph's volume, so Q leans toward clusters of similar volume without requiring
    them. Its resolution limit: two clusters each of volume below about √(2m) can score higher merged than apart
    (Fortunato & Barthélemy), so with very small clusters it may prefer a partition that joins them.

    Args:
        graph: symmetric nonnegative `(n, n)` weights: numpy array, scipy sparse matrix or `tf.SparseTensor`.
        labels: `(n,)` nonnegative integer cluster labels.

    Returns:
        float Q in [−1/2, 1].

    Raises:
        ValueError: naming `graph` (not square, negative or not finite weights, no edge) or `labels` (wrong
            length, not nonnegative integers).

    Example:

    >>> from keras_mf.cluster.selection import modularity
    >>> import numpy as np
    >>> two_triangles = np.kron(np.eye(2), np.ones((3, 3)) - np.eye(3))
    >>> round(modularity(two_triangles, [0, 0, 0, 1, 1, 1]), 6)        # 2 · (1/2 − 1/4)
    0.5
    """
    w = as_csr(graph)
    labels = _check_labels(labels, w.shape[0])
    return _modularity(w, labels)


def best_by_modularity(graph, candidates):
    """The index of the partition in `candidates` (a list of `(n,)` label arrays) with the largest modularity on
    `graph` (the first of equals), and every candidate's modularity. See `modularity` for what it assumes.

    Example:

    >>> from keras_mf.cluster.selection import best_by_modularity
    >>> import numpy as np
    >>> two_triangles = np.kron(np.eye(2), np.ones((3, 3)) - np.eye(3))
    >>> best_by_modularity(two_triangles, [[0, 1, 0, 1, 0, 1], [0, 0, 0, 1, 1, 1]])[0]
    1
    """
    w = as_csr(graph)
    if len(candidates) == 0:
        raise invalid_value("candidates", "at least one partition", "an empty list")
    scores = np.array([_modularity(w, _check_labels(labels, w.shape[0])) for labels in candidates])
    return int(np.argmax(scores)), scores


def confident_points(graph, labels, fraction=0.8):
    """The points most surely in their cluster: within each cluster, the `fraction` (at least one point) whose
    neighbours agree most with its label, agreement_i = Σ_j W_ij δ(c_i, c_j) / d_i (0 for an isolated point).

    Returns:
        Boolean mask `(n,)`.

    Example:

    >>> from keras_mf.cluster.selection import confident_points
    >>> import numpy as np
    >>> path = np.diag(np.ones(3), 1) + np.diag(np.ones(3), -1)     # 0 − 1 − 2 − 3
    >>> confident_points(path, [0, 0, 0, 1], fraction=0.5).tolist()   # 2 sits next to the other cluster
    [True, False, False, True]
    """
    w = as_csr(graph)
    labels = _check_labels(labels, w.shape[0])
    fraction = check_fraction("fraction", fraction)
    degree = np.asarray(w.sum(axis=1)).ravel()
    same = _same_cluster_weight(w, labels)
    agreement = np.divide(same, degree, out=np.zeros_like(degree), where=degree > 0)
    keep = np.zeros(len(labels), bool)
    for cluster in np.unique(labels):
        members = np.flatnonzero(labels == cluster)
        count = max(1, int(fraction * len(members)))
        # A stable sort keeps the lower index first among equal agreements, so the choice is reproducible.
        keep[members[np.argsort(-agreement[members], kind="stable")[:count]]] = True
    return keep


def as_csr(graph):
    """`graph` as a float64 scipy CSR matrix, after checking it is a square nonnegative finite weight matrix with an
    edge."""
    if hasattr(graph, "dense_shape") and hasattr(graph, "indices"):  # a tf.SparseTensor
        indices = np.asarray(graph.indices)
        shape = tuple(int(s) for s in np.asarray(graph.dense_shape))
        w = scipy.sparse.csr_matrix((np.asarray(graph.values, np.float64), (indices[:, 0], indices[:, 1])), shape)
    elif scipy.sparse.issparse(graph):
        w = scipy.sparse.csr_matrix(graph, dtype=np.float64)
    else:
        w = scipy.sparse.csr_matrix(np.asarray(graph, np.float64))
    if w.ndim != 2 or w.shape[0] != w.shape[1]:
        raise invalid_value("graph", "a square (n, n) weight matrix", f"shape {w.shape}")
    if not np.all(np.isfinite(w.data)) or np.any(w.data < 0):
        raise invalid_value("graph", "finite nonnegative weights", "negative or non-finite weights")
    if w.sum() <= 0:
        raise invalid_value("graph", "a graph with at least one edge", "no nonzero weight")
    return w


def _modularity(w, labels):
    degree = np.asarray(w.sum(axis=1)).ravel()
    total = degree.sum()
    inside = _same_cluster_weight(w, labels).sum()
    volume = np.bincount(labels, weights=degree)
    return float(inside / total - np.sum((volume / total) ** 2))


def _same_cluster_weight(w, labels):
    """Σ_j W_ij δ(c_i, c_j) for each row i."""
    coo = w.tocoo()
    same = labels[coo.row] == labels[coo.col]
    return np.bincount(coo.row[same], weights=coo.data[same], minlength=w.shape[0])


def _check_labels(labels, n):
    labels = np.asarray(labels)
    if labels.shape != (n,) or not (np.issubdtype(labels.dtype, np.integer) and labels.min(initial=0) >= 0):
        raise invalid_value("labels", f"{n} nonnegative integer labels, one per node", f"array of shape {labels.shape}")
    return labels
