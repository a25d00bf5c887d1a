"""Graph Laplacians, L = D − W and L_sym = I − D^{-1/2} W D^{-1/2}, and connected components."""

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import tensorflow as tf

from keras_mf._validation import check_bool
from keras_mf._validation_tf import check_similarity
from keras_mf._validation_tf import check_square
from keras_mf._validation_tf import to_sparse_tensor


def degrees(w):
    """Vertex degrees d_i = Σ_j W_ij of a dense or sparse `(n, n)` W.

    Args:
        w: `(n, n)` weights, dense (numpy, tensor) or sparse (`tf.SparseTensor`, `scipy.sparse`); not checked for
            symmetry or sign (`laplacian` checks them).

    Returns:
        Degrees `(n,)` as a tensor in W's dtype (the sum of each row; for a symmetric W also of each column).

    Raises:
        ValueError: `w` is not a square matrix.

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import degrees
        >>> w = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]], "float64")
        >>> degrees(w).numpy().tolist()
        [1.0, 3.0, 2.0]
    """
    w = to_sparse_tensor(w)
    check_square("w", w)
    if isinstance(w, tf.SparseTensor):
        return tf.sparse.reduce_sum(w, axis=1)
    return tf.reduce_sum(w, axis=1)


def normalize_adjacency(w):
    """Normalised adjacency N = D^{-1/2} W D^{-1/2} of a similarity W `(n, n)`, dense or sparse.

    N has W's sparsity pattern, N_ij = W_ij / √(d_i d_j), and eigenvalues in [−1, 1]; L_sym = I − N (see
    `laplacian`). A disconnected graph is fine (each component is normalised on its own); a vertex with no edge is
    not, since D^(-1/2) is undefined there.

    Args:
        w: `(n, n)` symmetric, finite, nonnegative similarity, dense (numpy, tensor) or sparse (`tf.SparseTensor`,
            `scipy.sparse`); every vertex with at least one edge. Integers become float32.

    Returns:
        N `(n, n)` in W's float dtype: a dense tensor for a dense W, a `tf.SparseTensor` for a sparse one
        (`scipy.sparse` included).

    Raises:
        ValueError: naming `w`, when W is not square, symmetric, finite and nonnegative, or has a vertex of zero
            degree.
        TypeError: naming `w`, when its entries are not real numbers (bool, complex, str).

    References:
        Ng, A. Y., Jordan, M. I. & Weiss, Y. (2001). On spectral clustering: analysis and an algorithm. Advances in
        Neural Information Processing Systems 14, 849–856.
        https://papers.nips.cc/paper/2092-on-spectral-clustering-analysis-and-an-algorithm

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import normalize_adjacency
        >>> w = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]], "float64")
        >>> normalize_adjacency(w).numpy().round(3).tolist()  # W_ij / sqrt(d_i d_j), degrees (1, 3, 2)
        [[0.0, 0.577, 0.0], [0.577, 0.0, 0.816], [0.0, 0.816, 0.0]]
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
    """Dense Laplacian L = D − W of a similarity W `(n, n)`, or with `normalized=True` L_sym = I − D^{-1/2} W D^{-1/2}.

    L is symmetric positive semi-definite with L·1 = 0; the multiplicity of its eigenvalue 0 is the
    number of connected components (a disconnected W is a valid input); the eigenvalues of L_sym lie in [0, 2].

    Args:
        w: `(n, n)` symmetric, finite, nonnegative similarity, dense (numpy, tensor) or sparse (`tf.SparseTensor`,
            `scipy.sparse`). Integers become float32; a float dtype is kept.
        normalized: bool; False for L = D − W, True for L_sym (then every vertex needs an edge).

    Returns:
        Dense `(n, n)` tensor in W's float dtype (also for a sparse W).

    Raises:
        ValueError: naming `w`, when W is not square, symmetric, finite and nonnegative, or, with `normalized`,
            has a vertex of zero degree.
        TypeError: `normalized` is not a bool, or `w`'s entries are not real numbers.

    References:
        von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics and Computing 17(4), 395–416.
        https://doi.org/10.1007/s11222-007-9033-z

    Example:
        >>> import numpy as np
        >>> from keras_mf.graph import laplacian
        >>> w = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]], "float64")
        >>> laplacian(w).numpy().tolist()
        [[1.0, -1.0, 0.0], [-1.0, 3.0, -2.0], [0.0, -2.0, 2.0]]
        >>> bool(np.allclose(laplacian(w).numpy().sum(axis=1), 0))  # L·1 = 0
        True
        >>> values = np.linalg.eigvalsh(laplacian(w, normalized=True).numpy())
        >>> bool(np.allclose(values, [0.0, 1.0, 2.0]))  # in [0, 2]; 0 for the one component, 2 as it is bipartite
        True
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
