"""Graph Laplacians, L = D − W and L_sym = I − D^{-1/2} W D^{-1/2}, and connected components."""

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import tensorflow as tf

from keras_mf._validation import check_bool
from keras_mf._validation import invalid_value
from keras_mf._validation_tf import check_similarity
from keras_mf._validation_tf import to_sparse_tensor


def degrees(w):
    """Vertex degrees d_i = Σ_j W_ij of a dense or sparse `(n, n)` W.

    Raises:
        ValueError: `w` is not a square matrix.
    """
    w = to_sparse_tensor(w)
    shape = tuple(w.dense_shape.numpy()) if isinstance(w, tf.SparseTensor) else tuple(np.shape(w))
    if len(shape) != 2 or shape[0] != shape[1]:
        raise invalid_value("w", "a square matrix of shape (n, n)", f"an array of shape {shape}")
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

    Args:
        w: `(n, n)` symmetric similarity, dense (numpy, tensor) or sparse (`tf.SparseTensor`, `scipy.sparse`);
            an edge wherever an entry is nonzero.

    Returns:
        `(count, labels (n,))`: the number of components and each vertex's component, int, in [0, count),
        numbered by each component's smallest vertex.

    Raises:
        ValueError: `w` is not a square, symmetric matrix of finite real numbers.

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import connected_components
        >>> w = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], "float32")
        >>> count, labels = connected_components(w)
        >>> count, labels.tolist()
        (2, [0, 0, 1])
    """
    w = check_similarity(w, "w", dtype=None)
    if isinstance(w, tf.SparseTensor):
        n = int(w.dense_shape[0])
        edges = w.indices.numpy()[w.values.numpy() != 0]
    else:
        values = w.numpy()
        n = values.shape[0]
        edges = np.argwhere(values != 0)
    graph = scipy.sparse.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    # SciPy numbers components in the order of their smallest vertex, a breadth-first search from each.
    count, labels = scipy.sparse.csgraph.connected_components(graph, directed=False)
    return int(count), labels


def components_message(count, labels, limit=10):
    """'N connected components (sizes [...])', the sizes of the largest `limit` of them, for error messages."""
    sizes = sorted(np.bincount(labels, minlength=count).tolist(), reverse=True)
    shown = ", ".join(str(s) for s in sizes[:limit]) + (", ..." if count > limit else "")
    return f"{count} connected components (sizes {shown})"
