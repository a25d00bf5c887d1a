"""Graph Laplacians, L = D − W and L_sym = I − D^{-1/2} W D^{-1/2}, and connected components."""

import numpy as np
import tensorflow as tf

from keras_mf._validation import check_bool
from keras_mf._validation_tf import check_similarity


def degrees(w):
    """Vertex degrees d_i = Σ_j W_ij of a dense or sparse `(n, n)` W."""
    if isinstance(w, tf.SparseTensor):
        return tf.sparse.reduce_sum(w, axis=1)
    return tf.reduce_sum(w, axis=1)


def normalize_adjacency(w):
    """D^{-1/2} W D^{-1/2} of a similarity W `(n, n)`: dense (numpy, tensor) or sparse (`tf.SparseTensor`,
    `scipy.sparse`, returned as a `tf.SparseTensor`), in W's float dtype.

    A disconnected graph is fine (each component is normalised on its own); a vertex with no edge is not.

    Raises:
        ValueError: naming `w`, when W is not a similarity (see `laplacian`) or a vertex has zero degree, where
            D^(-1/2) is undefined.
    """
    return _normalize(check_similarity(w, "w", dtype=None))


def _normalize(w):
    """`normalize_adjacency` of a W already checked."""
    d = degrees(w)
    isolated = int(tf.reduce_sum(tf.cast(d <= 0, tf.int32)))
    if isolated:
        raise ValueError(
            f"Received an invalid value for `w`, expected a graph whose every vertex has an edge: D^(-1/2) is "
            f"undefined at a vertex of zero degree. Received: w with {isolated} isolated vertices (zero degree) "
            f"of {int(d.shape[0])}; connect them (e.g. more neighbours) or remove them first."
        )
    inv_sqrt = tf.math.rsqrt(d)
    if isinstance(w, tf.SparseTensor):
        scale = tf.gather(inv_sqrt, w.indices[:, 0]) * tf.gather(inv_sqrt, w.indices[:, 1])
        return tf.SparseTensor(w.indices, w.values * scale, w.dense_shape)
    return inv_sqrt[:, None] * w * inv_sqrt[None, :]


def laplacian(w, normalized=False):
    """Dense Laplacian of W `(n, n)` (dense or sparse, float dtype kept): L = D − W, or with `normalized=True`
    L_sym = I − D^{-1/2} W D^{-1/2}.

    L is symmetric positive semi-definite with L·1 = 0; the multiplicity of its eigenvalue 0 is the
    number of connected components (a disconnected W is a valid input); the eigenvalues of L_sym lie in [0, 2].

    Raises:
        ValueError: naming `w`, when W is not square, symmetric, finite and nonnegative, or, with `normalized`,
            has a vertex of zero degree. TypeError: `normalized` is not a bool.
    """
    normalized = check_bool("normalized", normalized)
    w = check_similarity(w, "w", dtype=None)
    if normalized:
        n = _normalize(w)
        n = tf.sparse.to_dense(n) if isinstance(n, tf.SparseTensor) else n
        return tf.eye(tf.shape(n)[0], dtype=n.dtype) - n
    dense = tf.sparse.to_dense(w) if isinstance(w, tf.SparseTensor) else tf.convert_to_tensor(w)
    return tf.linalg.diag(degrees(dense)) - dense


def connected_components(w):
    """Connected components of the graph with an edge wherever W `(n, n)` (dense or sparse) is nonzero.

    Union–find over the edges, vectorised: every root with an edge to a smaller root hooks onto it, then
    pointer jumping flattens the trees; rounds repeat until no edge joins two roots.

    Returns:
        `(count, labels (n,))`, labels in [0, count) numbered by each component's smallest vertex.
    """
    w = check_similarity(w, "w", dtype=None)
    if isinstance(w, tf.SparseTensor):
        n = int(w.dense_shape[0])
        edges = w.indices.numpy()[w.values.numpy() != 0]
    else:
        values = w.numpy()
        n = values.shape[0]
        edges = np.argwhere(values != 0)
    parent = np.arange(n)
    while True:
        parent = _flatten(parent)
        a, b = parent[edges[:, 0]], parent[edges[:, 1]]
        cross = a != b
        if not cross.any():
            break
        np.minimum.at(parent, np.maximum(a[cross], b[cross]), np.minimum(a[cross], b[cross]))
    _, labels = np.unique(parent, return_inverse=True)
    return int(labels.max()) + 1 if n else 0, labels


def _flatten(parent):
    """Points every vertex at its tree's root (pointer jumping: parent ← parent[parent] until nothing moves)."""
    while True:
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            return parent
        parent = jumped


def components_message(count, labels, limit=10):
    """'N connected components (sizes [...])', the sizes of the largest `limit` of them, for error messages."""
    sizes = sorted(np.bincount(labels, minlength=count).tolist(), reverse=True)
    shown = ", ".join(str(s) for s in sizes[:limit]) + (", ..." if count > limit else "")
    return f"{count} connected components (sizes {shown})"
