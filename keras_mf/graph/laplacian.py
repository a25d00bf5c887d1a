"""Graph Laplacians: L = D − W and L_sym = I − D^{-1/2} W D^{-1/2}."""

import tensorflow as tf

from keras_mf._validation_tf import check_similarity


def degrees(w):
    """Vertex degrees d_i = Σ_j W_ij of a dense or sparse `(n, n)` W."""
    if isinstance(w, tf.SparseTensor):
        return tf.sparse.reduce_sum(w, axis=1)
    return tf.reduce_sum(w, axis=1)


def normalize_adjacency(w):
    """D^{-1/2} W D^{-1/2}, dense or sparse; raises ValueError if a vertex has zero degree."""
    d = degrees(w)
    isolated = int(tf.reduce_sum(tf.cast(d <= 0, tf.int32)))
    if isolated:
        raise ValueError(
            f"Received a graph with {isolated} isolated vertices (zero degree): D^(-1/2) is undefined. "
            "Connect them (e.g. more neighbours) or remove them first."
        )
    inv_sqrt = tf.math.rsqrt(d)
    if isinstance(w, tf.SparseTensor):
        scale = tf.gather(inv_sqrt, w.indices[:, 0]) * tf.gather(inv_sqrt, w.indices[:, 1])
        return tf.SparseTensor(w.indices, w.values * scale, w.dense_shape)
    return inv_sqrt[:, None] * w * inv_sqrt[None, :]


def laplacian(w, normalized=False):
    """Dense Laplacian of W `(n, n)`: L = D − W, or with `normalized=True` L_sym = I − D^{-1/2} W D^{-1/2}.

    L is symmetric positive semi-definite with L·1 = 0; the multiplicity of its eigenvalue 0 is the
    number of connected components; the eigenvalues of L_sym lie in [0, 2].
    """
    w = check_similarity(w, "w", dtype=None)
    if normalized:
        n = normalize_adjacency(w)
        n = tf.sparse.to_dense(n) if isinstance(n, tf.SparseTensor) else n
        return tf.eye(tf.shape(n)[0], dtype=n.dtype) - n
    dense = tf.sparse.to_dense(w) if isinstance(w, tf.SparseTensor) else tf.convert_to_tensor(w)
    return tf.linalg.diag(degrees(dense)) - dense
